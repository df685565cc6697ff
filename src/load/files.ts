import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../types.js';
import { fileFinding } from './parse.js';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
const FIRST_LINE = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface InputFile {
  /** Display path: relative to the working directory, forward slashes; "<stdin>" for standard input. */
  file: string;
  /** Absolute path on disk (absent for stdin and git blobs). */
  absolute?: string;
}

export interface Discovery {
  files: InputFile[];
  diagnostics: Finding[];
  /** Paths the user named that do not exist or cannot be read: a usage error (exit 2). */
  missing: string[];
}

export function displayPath(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  return (rel === '' ? path.basename(absolute) : rel).split(path.sep).join('/');
}

/**
 * Expand the user's paths into manifest files, in a deterministic order.
 * Directories are walked without following symlinked directories (no loops, nothing outside the tree);
 * a symlinked file is read only when it resolves inside the directory being walked.
 */
export async function discoverFiles(paths: string[], cwd: string, ignore: (file: string) => boolean): Promise<Discovery> {
  const out: Discovery = { files: [], diagnostics: [], missing: [] };
  const seen = new Set<string>();
  const add = (absolute: string) => {
    const file = displayPath(cwd, absolute);
    if (seen.has(absolute) || ignore(file)) return;
    seen.add(absolute);
    out.files.push({ file, absolute });
  };
  for (const p of paths) {
    if (p === '-') {
      if (!seen.has('-')) out.files.push({ file: '<stdin>' });
      seen.add('-');
      continue;
    }
    const absolute = path.resolve(cwd, p);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      out.missing.push(p);
      continue;
    }
    if (info.isDirectory()) {
      await walk(absolute, absolute, cwd, out, add);
    } else {
      add(absolute); // an explicitly named file is read whatever its extension
    }
  }
  return out;
}

async function walk(
  root: string,
  dir: string,
  cwd: string,
  out: Discovery,
  add: (absolute: string) => void,
): Promise<void> {
  // Iterative depth-first walk; entries sorted so that output order never depends on the file system.
  const stack = [dir];
  const rootReal = await realpath(root).catch(() => root);
  while (stack.length) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      out.diagnostics.push(
        fileFinding(
          'input-error',
          displayPath(cwd, current),
          FIRST_LINE,
          `Directory could not be read (${codeOf(err)}); manifests in it were not checked.`,
          'readdir',
        ),
      );
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(full);
      } else if (entry.isFile()) {
        if (hasManifestExtension(entry.name)) add(full);
      } else if (entry.isSymbolicLink() && hasManifestExtension(entry.name)) {
        const target = await realpath(full).catch(() => undefined);
        const targetInfo = target ? await lstat(target).catch(() => undefined) : undefined;
        if (target && targetInfo?.isFile() && (target === rootReal || target.startsWith(rootReal + path.sep))) add(full);
      }
    }
    // Push in reverse so that the alphabetically first directory is walked first.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

function hasManifestExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

export interface ReadResult {
  text?: string;
  diagnostic?: Finding;
}

/** Read a manifest file as UTF-8 text, refusing binaries, invalid UTF-8 and files over the size limit. */
export async function readManifest(input: InputFile, maxBytes: number, stdinText?: string): Promise<ReadResult> {
  let buffer: Buffer;
  if (input.absolute === undefined) {
    return { text: stdinText ?? '' };
  }
  try {
    const info = await stat(input.absolute);
    if (info.size > maxBytes) {
      return {
        diagnostic: fileFinding(
          'input-error',
          input.file,
          FIRST_LINE,
          `File is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit; it was not checked. Raise limits.maxFileSize in .mtls-lint.yaml if it really is a manifest.`,
          'max-file-size',
        ),
      };
    }
    buffer = await readFile(input.absolute);
  } catch (err) {
    return {
      diagnostic: fileFinding('input-error', input.file, FIRST_LINE, `File could not be read (${codeOf(err)}); it was not checked.`, 'read'),
    };
  }
  return decodeManifest(buffer, input.file, maxBytes);
}

export function decodeManifest(buffer: Uint8Array, file: string, maxBytes: number): ReadResult {
  if (buffer.byteLength > maxBytes) {
    return {
      diagnostic: fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `Input is ${formatBytes(buffer.byteLength)}, over the ${formatBytes(maxBytes)} limit; it was not checked.`,
        'max-file-size',
      ),
    };
  }
  const nul = buffer.indexOf(0);
  if (nul >= 0) {
    return {
      diagnostic: fileFinding('input-error', file, FIRST_LINE, `File contains NUL bytes (binary?); it was not checked.`, 'binary'),
    };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer) };
  } catch {
    return {
      diagnostic: fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `File is not valid UTF-8 (Kubernetes manifests must be UTF-8); it was not checked. Convert it with iconv.`,
        'encoding',
      ),
    };
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
}

/** Minimal glob → RegExp: `**` any path, `*` within a segment, `?` one char. Matched against display paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches at any depth, like .gitignore.
  const anchored = glob.includes('/') ? `^${re.replace(/^\.\//, '')}` : `(?:^|/)${re}`;
  return new RegExp(`${anchored}(?:/.*)?$`);
}

export function ignoreMatcher(globs: string[]): (file: string) => boolean {
  const res = globs.map(globToRegExp);
  return (file) => res.some((r) => r.test(file));
}
