import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, Span } from '../types.js';
import { fileFinding } from './parsed-file.js';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
// Go's convention for test inputs (`go` itself never walks them): fixtures, often invalid on purpose, never deployed.
// Skipped with a note when met inside a directory; walked when named.
const TEST_DATA_DIR = 'testdata';
const FIRST_LINE: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface InputFile {
  /** Display path: relative to the working directory, forward slashes; "<stdin>" for standard input. */
  file: string;
  /** Absolute path on disk (absent for stdin and git blobs). */
  absolute?: string;
  /**
   * Named on the command line and not a regular file: a pipe (`<(helm template …)`) or a device (/dev/null).
   * Empty, it means the command that should have written it failed.
   */
  stream?: 'pipe' | 'device';
}

export interface Discovery {
  files: InputFile[];
  diagnostics: Finding[];
  /** Paths the user named that do not exist: a usage error (exit 2). */
  missing: string[];
}

export function displayPath(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  const parts = rel.split(path.sep);
  // `../../dev/fd/63` (process substitution) reads worse than the absolute path it climbs to.
  const ups = parts.findIndex((p) => p !== '..');
  if (ups > 0 && ups >= cwd.split(path.sep).filter(Boolean).length) return absolute.split(path.sep).join('/');
  return rel === '' ? path.basename(absolute) : parts.join('/');
}

function displayDir(cwd: string, absolute: string): string {
  return path.relative(cwd, absolute).split(path.sep).join('/') || '.';
}

/** Decides whether a file or directory is ignored; gets the display path and the absolute path. */
export type IgnoreTest = (file: string, absolute?: string) => boolean;

/**
 * Expand the user's paths into manifest files, in a deterministic order: the paths in the order given, each
 * directory walked depth-first with entries sorted by name (code units, not locale).
 * Symlinked directories are never followed (no loops, nothing outside the tree). A symlinked file is read only
 * when it resolves inside the directory being walked; one that points outside or cannot be resolved is reported
 * (info) and skipped, so that no manifest is silently left out.
 */
export async function discoverFiles(paths: string[], cwd: string, ignore: IgnoreTest): Promise<Discovery> {
  const out: Discovery = { files: [], diagnostics: [], missing: [] };
  const seen = new Set<string>();
  const add = (absolute: string, identity = absolute) => {
    const file = displayPath(cwd, absolute);
    if (seen.has(identity) || ignore(file, absolute)) return;
    seen.add(identity);
    out.files.push({ file, absolute });
  };
  for (const p of paths) {
    if (p === '-') {
      if (!seen.has('\0stdin')) out.files.push({ file: '<stdin>' });
      seen.add('\0stdin');
      continue;
    }
    const absolute = path.resolve(cwd, p);
    let info;
    try {
      info = await stat(absolute);
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') out.missing.push(p);
      else
        out.diagnostics.push(
          fileFinding(
            'input-error',
            displayPath(cwd, absolute),
            FIRST_LINE,
            `Path could not be read (${code}); nothing under it was checked.`,
            'stat',
          ),
        );
      continue;
    }
    if (info.isDirectory()) {
      // A directory the user named is walked even if a glob matches it; what is under it is still filtered.
      await walk(absolute, cwd, out, add, ignore);
    } else {
      add(absolute); // an explicitly named file is read whatever its extension (also pipes: <(helm template …))
      const last = out.files[out.files.length - 1];
      if (!info.isFile() && last?.absolute === absolute)
        last.stream = info.isFIFO() || info.isSocket() ? 'pipe' : 'device';
    }
  }
  return out;
}

async function walk(
  root: string,
  cwd: string,
  out: Discovery,
  add: (absolute: string, identity?: string) => void,
  ignore: IgnoreTest,
): Promise<void> {
  // Iterative depth-first walk (a deep tree cannot overflow the stack), entries sorted by name so the result is
  // in path order — a/b.yaml, a/c/d.yaml, a/e.yaml — whatever order the file system lists them in.
  const rootReal = await realpath(root).catch(() => root);
  const stack: { full: string; kind: 'dir' | 'file' | 'link' }[] = [{ full: root, kind: 'dir' }];
  // Links are resolved after the walk, so that a file reached both directly and through a link is read once,
  // under its own name.
  const links: string[] = [];
  const testData: string[] = [];
  while (stack.length) {
    const { full, kind } = stack.pop()!;
    if (kind === 'file') {
      add(full);
      continue;
    }
    if (kind === 'link') {
      links.push(full);
      continue;
    }
    let entries;
    try {
      entries = await readdir(full, { withFileTypes: true });
    } catch (err) {
      out.diagnostics.push(
        fileFinding(
          'input-error',
          displayDir(cwd, full),
          FIRST_LINE,
          `Directory could not be read (${codeOf(err)}); manifests in it were not checked.`,
          'readdir',
        ),
      );
      continue;
    }
    // Reversed, because the stack pops the last one first.
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const entry of entries) {
      const child = path.join(full, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || ignore(displayPath(cwd, child), child)) continue;
        if (entry.name === TEST_DATA_DIR) testData.push(child);
        else stack.push({ full: child, kind: 'dir' });
      } else if (entry.isFile()) {
        if (hasManifestExtension(entry.name)) stack.push({ full: child, kind: 'file' });
      } else if (entry.isSymbolicLink() && hasManifestExtension(entry.name)) {
        stack.push({ full: child, kind: 'link' });
      }
    }
  }
  for (const link of links) await addSymlink(link, root, rootReal, cwd, out, add, ignore);
  if (testData.length)
    out.diagnostics.push(
      testDataSkipped(
        displayDir(cwd, root),
        testData.map((d) => displayDir(cwd, d)),
      ),
    );
}

/**
 * The note on the testdata directories a walk of `root` left out. Anchored at the directory walked, so that the base
 * of a PR, which finds the same directories (src/diff/git.ts), gives it the same key.
 */
export function testDataSkipped(root: string, dirs: string[]): Finding {
  const shown = dirs.slice(0, 5).join(', ') + (dirs.length > 5 ? `, and ${dirs.length - 5} more` : '');
  return fileFinding(
    'input-error',
    root,
    FIRST_LINE,
    `${dirs.length === 1 ? 'A directory' : `${dirs.length} directories`} named testdata under it ${dirs.length === 1 ? 'was' : 'were'} not walked (${shown}): by Go's convention they hold test inputs, which are not deployed. Name one on the command line to lint it.`,
    'testdata',
    'info',
  );
}

async function addSymlink(
  full: string,
  root: string,
  rootReal: string,
  cwd: string,
  out: Discovery,
  add: (absolute: string, identity?: string) => void,
  ignore: IgnoreTest,
): Promise<void> {
  const file = displayPath(cwd, full);
  if (ignore(file, full)) return;
  // Out of the tree is decided from the link texts, hop by hop, before anything is resolved on disk: that is all the
  // base commit has of a link (src/diff/git.ts), so a link out of the tree gets the same finding on both sides
  // whether or not its target exists on this machine, and nothing outside the tree is even looked at.
  const away = await leavesTree(full, root, rootReal);
  if (away !== undefined) {
    // Following links out of the tree would let a pull request make the linter read any file on the runner.
    out.diagnostics.push(
      fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `Symbolic link points outside ${displayDir(cwd, root)} (to ${away}); links out of the tree are not followed, so it was not checked. Name the target on the command line to check it.`,
        'symlink-outside',
        'info',
      ),
    );
    return;
  }
  let target: string;
  try {
    target = await realpath(full);
  } catch (err) {
    // Dangling links and loops (a.yaml → b.yaml → a.yaml: ELOOP).
    out.diagnostics.push(
      fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `Symbolic link could not be resolved (${codeOf(err)}${codeOf(err) === 'ELOOP' ? ': a link loop' : ''}); it was not checked.`,
        'symlink',
        'info',
      ),
    );
    return;
  }
  const inside = target === rootReal || target.startsWith(rootReal + path.sep);
  if (!inside) {
    // Through a linked directory inside the tree.
    out.diagnostics.push(
      fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `Symbolic link points outside ${displayDir(cwd, root)} (to ${target}); links out of the tree are not followed, so it was not checked. Name the target on the command line to check it.`,
        'symlink-outside',
        'info',
      ),
    );
    return;
  }
  const targetInfo = await stat(target).catch(() => undefined);
  if (!targetInfo?.isFile()) return; // a link to a directory: directories are not followed
  // Identity: the path the walk gives the target itself, so the file is read once via the link or directly.
  add(full, path.join(root, path.relative(rootReal, target)));
}

/** Hops a link chain may take, as the kernel allows (Linux: 40). */
export const MAX_LINK_HOPS = 40;

/**
 * Where a chain of links leaves the walked directory, read from the link texts alone (resolved lexically against
 * each link's directory, as git stores them), or undefined when every hop stays inside (or a link cannot be read:
 * realpath then reports it).
 */
async function leavesTree(full: string, root: string, rootReal: string): Promise<string | undefined> {
  const within = (p: string) =>
    [root, rootReal].some((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  let at = full;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    let text: string;
    try {
      text = await readlink(at);
    } catch {
      return undefined; // not a link (the end of the chain) or unreadable
    }
    const next = path.resolve(path.dirname(at), text);
    if (!within(next)) return text;
    at = next;
  }
  return undefined;
}

function hasManifestExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

export interface ReadResult {
  text?: string;
  diagnostic?: Finding;
}

/**
 * Read a manifest file as UTF-8 text, refusing binaries, invalid UTF-8 and files over the size limit.
 * Never reads more than maxBytes + 1 bytes, whatever the file is (a huge file, /dev/zero, a pipe).
 */
export async function readManifest(
  input: InputFile,
  maxBytes: number,
  stdinText?: string,
): Promise<ReadResult> {
  if (input.absolute === undefined) return { text: stdinText ?? '' };
  let read: { bytes: Buffer; size?: number };
  try {
    read = readBounded(input.absolute, maxBytes);
  } catch (err) {
    return {
      diagnostic: fileFinding(
        'input-error',
        input.file,
        FIRST_LINE,
        `File could not be read (${codeOf(err)}); it was not checked.`,
        'read',
      ),
    };
  }
  if (read.size !== undefined) return { diagnostic: overLimit(input.file, read.size, maxBytes) };
  return decodeManifest(read.bytes, input.file, maxBytes);
}

/**
 * Read at most maxBytes + 1 bytes; `size` is set (and nothing read) when a regular file is over the limit.
 * Synchronous on purpose: for many small files, promise-based FileHandle calls cost more than the parse
 * (50,000 files: 5 s of open/fstat/read/close), and a CLI has nothing else to do meanwhile.
 */
function readBounded(absolute: string, maxBytes: number): { bytes: Buffer; size?: number } {
  const fd = openSync(absolute, 'r');
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (info.isFile() && info.size > maxBytes) return { bytes: Buffer.alloc(0), size: info.size };
    const cap = maxBytes + 1;
    // Regular files: one read of the known size (+1 to notice growth); pipes and devices: 64 KiB chunks.
    let buffer = Buffer.allocUnsafe(Math.min(cap, info.isFile() ? info.size + 1 : 64 * 1024));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length >= cap) break;
        const bigger = Buffer.allocUnsafe(Math.min(cap, buffer.length * 2));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { bytes: buffer.subarray(0, length) };
  } finally {
    closeSync(fd);
  }
}

export function overLimit(file: string, size: number, maxBytes: number, streamed = false): Finding {
  return fileFinding(
    'input-error',
    file,
    FIRST_LINE,
    `${file === '<stdin>' ? 'Standard input' : 'File'} is ${streamed ? 'over' : formatBytes(size) + ', over'} the ${formatBytes(maxBytes)} limit (limits.maxFileSize); it was not checked. Split it, or raise limits.maxFileSize in .mtls-lint.yaml if it really is one manifest file.`,
    'max-file-size',
  );
}

/**
 * Bytes → text, or a finding saying why not. Kubernetes manifests are UTF-8 (kubectl and the API server reject
 * anything else), so a binary, UTF-16 or Latin-1 file is reported at the first offending byte rather than guessed at.
 */
export function decodeManifest(buffer: Uint8Array, file: string, maxBytes: number): ReadResult {
  if (buffer.byteLength > maxBytes) {
    // A bounded read stops at maxBytes + 1: the real size is unknown (stdin, a pipe).
    return { diagnostic: overLimit(file, buffer.byteLength, maxBytes, true) };
  }
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      diagnostic: fileFinding(
        'input-error',
        file,
        FIRST_LINE,
        `File is UTF-16 encoded (it starts with a UTF-16 byte order mark); Kubernetes manifests must be UTF-8, so it was not checked. Save it as UTF-8 (iconv -f utf-16 -t utf-8).`,
        'utf16',
      ),
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return {
      diagnostic: fileFinding(
        'input-error',
        file,
        byteSpan(bytes, nul),
        `File contains a NUL byte (a binary file, or UTF-16 text?); it was not checked.`,
        'binary',
      ),
    };
  }
  try {
    // The decoder drops a leading BOM, so columns on line 1 are what an editor shows.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return {
      diagnostic: fileFinding(
        'input-error',
        file,
        byteSpan(bytes, bad),
        `File is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0')}); Kubernetes manifests must be UTF-8, so it was not checked. If it was saved as Latin-1 or Windows-1252, convert it: iconv -f latin1 -t utf-8.`,
        'encoding',
      ),
    };
  }
}

/** Line and column (in characters) of a byte offset. */
function byteSpan(bytes: Buffer, offset: number): Span {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, column, endLine: line, endColumn: column + 1 };
}

/** Offset of the first byte that breaks UTF-8 (only called once the fast decoder has failed). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return Math.max(0, b.length - 1);
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

/**
 * Minimal .gitignore-like glob → RegExp: `**` any path, `*` within a segment, `?` one character.
 * A pattern without a slash (other than a trailing one) matches a file or directory name at any depth;
 * one with a slash is anchored at the base directory (the config file's directory). A matched directory
 * ignores everything under it.
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/^\.\//, '');
  if (g.endsWith('/')) g = g.replace(/\/+$/, '');
  const anchored = g.includes('/');
  g = g.replace(/^\/+/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        i++;
        if (g[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${re}(?:/.*)?$`);
}

/**
 * The config's `ignore` globs as a test on files and directories. Anchored globs are matched against the path
 * relative to `base` (the directory of .mtls-lint.yaml, so they mean the same whatever the working directory);
 * name globs against the display path.
 */
export function ignoreMatcher(globs: string[], base?: string): IgnoreTest {
  const patterns = globs
    .filter((g) => g.trim() !== '')
    .map((g) => ({ anchored: stripSlashes(g).includes('/'), re: globToRegExp(g) }));
  if (patterns.length === 0) return () => false;
  return (file, absolute) => {
    const fromBase =
      base !== undefined && absolute !== undefined
        ? path.relative(base, absolute).split(path.sep).join('/')
        : file;
    return patterns.some(({ anchored, re }) => re.test(anchored ? fromBase : file));
  };
}

function stripSlashes(glob: string): string {
  return glob.trim().replace(/^\.\//, '').replace(/\/+$/, '');
}
