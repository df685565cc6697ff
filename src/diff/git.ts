// Reading the base side of PR mode straight from git objects: `git ls-tree` + `git cat-file --batch`.
// No checkout, no worktree, no clone, nothing executed but git with arguments passed as an array (never a shell).
import { spawn } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import {
  MANIFEST_EXTENSIONS,
  decodeManifest,
  formatBytes,
  globToRegExp,
  type InputFile,
} from '../load/files.js';
import { fileFinding } from '../load/parse.js';
import type { Finding } from '../types.js';

/** A problem with --base itself (bad ref, not a repository, missing commit): a usage error, exit 2. */
export class BaseError extends ConfigError {}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function git(args: string[], cwd: string, input?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('git', args, {
        cwd,
        // No prompts for credentials, no pager, no locale-dependent messages we might show.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve({
        code: 127,
        stdout: Buffer.alloc(0),
        stderr: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => errOut.push(c));
    child.on('error', (err) => resolve({ code: 127, stdout: Buffer.alloc(0), stderr: err.message }));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(errOut).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => {
      /* git may exit before reading all of stdin; its exit code tells */
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Accept the revision syntax people pass for a base (branch, tag, sha, origin/main, HEAD~2, main^, @{u}) and
 * refuse anything that git could read as an option (`--upload-pack=…`), a range (`a..b`), a path (`rev:file`) or
 * that only makes sense to a shell (`$(…)`, backticks, `;`). The arguments never go through a shell anyway; this
 * turns a confusing git error into a clear one.
 */
export function checkRef(ref: string): string | undefined {
  if (ref === '') return 'the base ref is empty';
  if (ref.length > 256) return 'the base ref is longer than 256 characters';
  if (ref.startsWith('-')) return `"${printable(ref)}" starts with "-", so git would read it as an option`;
  if (ref.includes('..'))
    return `"${printable(ref)}" is a range; give one commit (the merge base or the target branch)`;
  if (!/^[A-Za-z0-9@][A-Za-z0-9._/@{}~^+-]*$/.test(ref)) {
    return `"${printable(ref)}" is not a branch, tag or commit name (allowed: letters, digits and . _ / - + @ { } ~ ^)`;
  }
  return undefined;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80);
}

export async function repoRoot(cwd: string): Promise<string> {
  const r = await git(['rev-parse', '--show-toplevel'], cwd);
  if (r.code !== 0) {
    throw new BaseError(
      `--base: ${cwd} is not inside a git repository (${firstLine(r.stderr) || 'git rev-parse failed'}); pass --base DIR with the old manifests instead`,
    );
  }
  return r.stdout.toString('utf8').trim();
}

/** Resolve a ref to a commit sha, or explain what to do when the commit is not there (shallow clones). */
export async function resolveCommit(ref: string, root: string): Promise<string> {
  const problem = checkRef(ref);
  if (problem) throw new BaseError(`--base: ${problem}`);
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
  if (r.code !== 0) {
    throw new BaseError(
      `--base: "${ref}" is not a commit in this repository. In a shallow clone fetch it first (git fetch --depth=1 origin ${ref}); in GitHub Actions set "fetch-depth: 0" on actions/checkout.`,
    );
  }
  return r.stdout.toString('utf8').trim();
}

export interface GitBaseSpec {
  /** The user's paths, relative to cwd ("-" is standard input: it has no base in git). */
  paths: string[];
  cwd: string;
  ignore: string[];
  maxFileSize: number;
}

export interface GitBaseFiles {
  commit: string;
  texts: { input: InputFile; text: string }[];
  diagnostics: Finding[];
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
  path: string;
}

const FIRST_LINE = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** The base tree's manifests under the same paths as the head, with the head's display paths. */
export async function readBaseFromGit(ref: string, spec: GitBaseSpec): Promise<GitBaseFiles> {
  const root = await repoRoot(spec.cwd);
  const commit = await resolveCommit(ref, root);
  // git prints the real path of the top level; compare against the real cwd so that display paths match the head's.
  const realRoot = await realpath(root).catch(() => root);
  const realCwd = await realpath(spec.cwd).catch(() => spec.cwd);

  const pathspecs: string[] = [];
  for (const p of spec.paths) {
    if (p === '-') continue;
    const abs = path.resolve(realCwd, p);
    const rel = path.relative(realRoot, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new BaseError(
        `--base ${ref}: ${p} is outside the git repository at ${root}; use --base DIR for it`,
      );
    }
    pathspecs.push(rel.split(path.sep).join('/'));
  }
  if (pathspecs.length === 0) return { commit, texts: [], diagnostics: [] };

  const wholeTree = pathspecs.includes('');
  const lsArgs = [
    '--literal-pathspecs',
    '-c',
    'core.quotepath=off',
    'ls-tree',
    '-r',
    '-z',
    '-l',
    '--end-of-options',
    commit,
  ];
  if (!wholeTree) lsArgs.push('--', ...pathspecs);
  const ls = await git(lsArgs, realRoot);
  if (ls.code !== 0) throw new BaseError(`--base ${ref}: git ls-tree failed: ${firstLine(ls.stderr)}`);

  const ignore = spec.ignore.map(globToRegExp);
  const displayOf = (p: string) =>
    path.relative(realCwd, path.join(realRoot, p)).split(path.sep).join('/') || path.basename(p);
  const explicit = new Set(pathspecs);
  const entries: (TreeEntry & { file: string })[] = [];
  const symlinks: TreeEntry[] = [];
  const regular = new Map<string, TreeEntry>();
  for (const raw of ls.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(raw);
    if (!m) continue;
    const entry: TreeEntry = {
      mode: m[1]!,
      type: m[2]!,
      oid: m[3]!,
      size: m[4] === '-' ? 0 : Number(m[4]),
      path: m[5]!,
    };
    if (entry.type === 'blob' && entry.mode === '120000') {
      symlinks.push(entry);
      continue;
    }
    // Regular files only; submodules (type commit) are not entered.
    if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) continue;
    regular.set(entry.path, entry);
    if (!explicit.has(entry.path)) {
      // Same walk rules as the head: manifest extensions, no .git or node_modules directories.
      const lower = entry.path.toLowerCase();
      if (!MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext))) continue;
      if (entry.path.split('/').some((seg) => seg === 'node_modules' || seg === '.git')) continue;
    }
    const file = displayOf(entry.path);
    if (ignore.some((re) => re.test(file))) continue;
    entries.push({ ...entry, file });
  }
  // Symlinked manifests, as the head's walk takes them (src/load/files.ts): a link inside a walked directory to a file
  // inside it is read under the link's name unless the walk reads that file directly; a link out of the directory or
  // a dangling one is an info finding, with the key the head gives it, so that it is not "new" in every PR.
  const diagnostics: Finding[] = [];
  if (symlinks.length) {
    const targets = await catBlobs(
      symlinks.map((l) => l.oid),
      realRoot,
    );
    const direct = new Set(entries.map((e) => e.path));
    for (const link of symlinks) {
      const lower = link.path.toLowerCase();
      if (!explicit.has(link.path) && !MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext))) continue;
      const file = displayOf(link.path);
      if (ignore.some((re) => re.test(file))) continue;
      const raw = targets.get(link.oid)?.toString('utf8') ?? '';
      const target = raw.startsWith('/')
        ? undefined
        : path.posix.normalize(path.posix.join(path.posix.dirname(link.path), raw));
      const walked = pathspecs.filter((p) => p === '' || link.path.startsWith(`${p}/`));
      const inside =
        target !== undefined &&
        !target.startsWith('../') &&
        (explicit.has(link.path) || walked.some((p) => p === '' || target.startsWith(`${p}/`)));
      const blob = target !== undefined ? regular.get(target) : undefined;
      if (!inside) {
        diagnostics.push(
          fileFinding(
            'input-error',
            file,
            FIRST_LINE,
            `Symbolic link points outside the walked directory (to ${raw}) in the base; links out of the tree are not followed, so it was not checked.`,
            'symlink-outside',
            'info',
          ),
        );
      } else if (!blob) {
        // A link to a directory (not followed) or to nothing in this commit.
        const isDir = [...regular.keys()].some((p) => p.startsWith(`${target}/`));
        if (!isDir) {
          diagnostics.push(
            fileFinding(
              'input-error',
              file,
              FIRST_LINE,
              `Symbolic link could not be resolved in the base (to ${raw}); it was not checked.`,
              'symlink',
              'info',
            ),
          );
        }
      } else if (!direct.has(blob.path)) {
        entries.push({ ...blob, path: link.path, file });
      }
    }
  }
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  const wanted = entries.filter((e) => {
    if (e.size <= spec.maxFileSize) return true;
    diagnostics.push(
      fileFinding(
        'input-error',
        e.file,
        FIRST_LINE,
        `File is ${formatBytes(e.size)} in the base, over the ${formatBytes(spec.maxFileSize)} limit; it was not checked.`,
        'max-file-size',
      ),
    );
    return false;
  });
  const blobs = await catBlobs(
    wanted.map((e) => e.oid),
    realRoot,
  );
  const texts: { input: InputFile; text: string }[] = [];
  for (const e of wanted) {
    const bytes = blobs.get(e.oid);
    if (!bytes) {
      diagnostics.push(
        fileFinding(
          'input-error',
          e.file,
          FIRST_LINE,
          `Could not read ${e.file} from the base commit; it was not compared.`,
          'read',
        ),
      );
      continue;
    }
    const read = decodeManifest(bytes, e.file, spec.maxFileSize);
    if (read.diagnostic) diagnostics.push(read.diagnostic);
    if (read.text !== undefined) texts.push({ input: { file: e.file }, text: read.text });
  }
  return { commit, texts, diagnostics };
}

/** `git cat-file --batch`: one process for all blobs; output is `<oid> <type> <size>\n<bytes>\n` per object. */
async function catBlobs(oids: string[], root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const unique = [...new Set(oids)];
  if (!unique.length) return out;
  const r = await git(['cat-file', '--batch'], root, unique.join('\n') + '\n');
  if (r.code !== 0) throw new BaseError(`--base: git cat-file failed: ${firstLine(r.stderr)}`);
  const buf = r.stdout;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = buf.subarray(pos, nl).toString('utf8');
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!m) {
      pos = nl + 1; // "<oid> missing": no body follows
      continue;
    }
    const size = Number(m[3]);
    out.set(m[1]!, buf.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  return out;
}

/** Fetch one commit into a shallow clone (the action's checkout has depth 1 by default). */
export async function fetchCommit(sha: string, root: string): Promise<{ ok: boolean; error: string }> {
  const problem = checkRef(sha);
  if (problem) return { ok: false, error: problem };
  const r = await git(
    ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=1', '--end-of-options', 'origin', sha],
    root,
  );
  return {
    ok: r.code === 0,
    error: firstLine(
      r.stderr
        .split('\n')
        .filter((l) => /fatal|error/i.test(l))
        .join('\n') || r.stderr,
    ),
  };
}

export async function hasCommit(ref: string, root: string): Promise<boolean> {
  if (checkRef(ref)) return false;
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
  return r.code === 0;
}

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').trim();
}
