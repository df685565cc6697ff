// Reading the base side of PR mode straight from git objects: `git ls-tree` + `git cat-file --batch`.
// No checkout, no worktree, no clone, nothing executed but git with arguments passed as an array (never a shell).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { MANIFEST_EXTENSIONS, MAX_LINK_HOPS, globToRegExp, testDataSkipped } from '../load/files.js';
import type { TreeListing } from '../load/index.js';
import { fileFinding } from '../load/parsed-file.js';
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
async function resolveCommit(ref: string, root: string): Promise<string> {
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

/** Files git does not track in the head: left out of the comparison (and listed), or compared against nothing. */
export type UntrackedMode = 'exclude' | 'compare';

export interface GitBaseSpec {
  /** The user's paths, relative to cwd ("-" is standard input: it has no base in git). */
  paths: string[];
  cwd: string;
  ignore: string[];
  untracked?: UntrackedMode;
}

export interface GitBaseTree {
  commit: string;
  tree: TreeListing;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
  path: string;
}

/** One repository that PR mode reads: the superproject, or a submodule checked out in the head. */
interface RepoPart {
  /** Its working tree (a real path): git runs there, and its object store holds the base's blobs. */
  dir: string;
  /** Its path in the superproject with a trailing slash; '' for the superproject. */
  prefix: string;
  /** The base's commit of it; absent when the base has no such submodule (the change adds it). */
  baseCommit?: string;
  /** The base tree under the paths, relative to this repository (submodule entries left out). */
  baseEntries: TreeEntry[];
  /** What the head's index tracks under the paths, relative to this repository. */
  tracked: Set<string>;
}

/**
 * What each side of a comparison with a git ref reads, decided before either is read, so that both read the same
 * kinds of things: the base the commit's tree, the head the working tree minus what git does not track there;
 * a submodule checked out in the head on both sides (the base's commit of it from the submodule's own objects), or,
 * when those objects do not have the base's commit, on neither side, with an info finding.
 */
export interface GitComparison {
  ref: string;
  commit: string;
  realRoot: string;
  realCwd: string;
  cwd: string;
  /** The working directory relative to the repository root ('' at the root). */
  cwdInRepo: string;
  /** The user's paths relative to the repository root ('' for all of it); standard input has none. */
  pathspecs: string[];
  parts: RepoPart[];
  /** Submodule paths (with a trailing slash) that neither side reads. */
  notCompared: string[];
  /** Info findings for the head: the submodules that were not compared, and why. */
  notes: Finding[];
  untracked: UntrackedMode;
}

/** Nested submodules followed at most this deep. */
const MAX_SUBMODULE_DEPTH = 8;

const FIRST_LINE = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export async function planGitComparison(ref: string, spec: GitBaseSpec): Promise<GitComparison> {
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
  const plan: GitComparison = {
    ref,
    commit,
    realRoot,
    realCwd,
    cwd: spec.cwd,
    cwdInRepo: path.relative(realRoot, realCwd),
    pathspecs,
    parts: [],
    notCompared: [],
    notes: [],
    untracked: spec.untracked ?? 'exclude',
  };
  if (pathspecs.length) await explore(plan, realRoot, '', pathspecs, commit, 0);
  // Deepest first, for leftOut.
  plan.parts.sort((a, b) => b.prefix.length - a.prefix.length);
  return plan;
}

async function explore(
  plan: GitComparison,
  dir: string,
  prefix: string,
  specs: string[],
  baseCommit: string | undefined,
  depth: number,
): Promise<void> {
  const whole = specs.includes('');
  const part: RepoPart = { dir, prefix, baseEntries: [], tracked: new Set() };
  if (baseCommit !== undefined) part.baseCommit = baseCommit;
  plan.parts.push(part);
  const where = prefix ? ` in submodule ${prefix.slice(0, -1)}` : '';

  // The head: what its index tracks (a file that is not there is untracked or ignored), and its submodules.
  const headLinks = new Map<string, string>();
  const index = await git(
    ['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...(whole ? [] : specs)],
    dir,
  );
  if (index.code !== 0)
    throw new BaseError(`--base ${plan.ref}: git ls-files failed${where}: ${firstLine(index.stderr)}`);
  for (const raw of index.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) ([0-9a-f]+) \d+\t([\s\S]*)$/.exec(raw);
    if (!m) continue;
    part.tracked.add(m[3]!);
    if (m[1] === '160000') headLinks.set(m[3]!, m[2]!);
  }

  const baseLinks = new Map<string, string>();
  if (baseCommit !== undefined) {
    for (const entry of await lsTree(plan, dir, baseCommit, whole ? [] : specs, true, where)) {
      if (entry.type === 'commit') baseLinks.set(entry.path, entry.oid);
      else part.baseEntries.push(entry);
    }
  }

  // A path named inside a submodule: git lists nothing for it; the submodule is one of its directories.
  const inner = new Map<string, string[]>();
  for (const s of specs) {
    if (s === '') continue;
    const segments = s.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dirPath = segments.slice(0, i).join('/');
      if (!existsSync(path.join(dir, dirPath, '.git'))) continue;
      const link = await git(['--literal-pathspecs', 'ls-files', '-s', '-z', '--', dirPath], dir);
      const m = /^160000 ([0-9a-f]+) \d+\t/.exec(link.stdout.toString('utf8'));
      if (!m) continue;
      headLinks.set(dirPath, m[1]!);
      inner.set(dirPath, [...(inner.get(dirPath) ?? []), segments.slice(i).join('/')]);
      if (baseCommit !== undefined) {
        for (const entry of await lsTree(plan, dir, baseCommit, [dirPath], false, where)) {
          if (entry.type === 'commit' && entry.path === dirPath) baseLinks.set(dirPath, entry.oid);
        }
      }
      break;
    }
  }

  for (const link of [...headLinks.keys()].sort()) {
    const sub = path.join(dir, link);
    // Not checked out (actions/checkout without `submodules: true`): the head has nothing there, nor does the base.
    if (!(await isCheckout(sub))) continue;
    const full = prefix + link;
    const baseOfLink = baseLinks.get(link);
    const display = displayOf(plan, full);
    if (depth >= MAX_SUBMODULE_DEPTH) {
      plan.notCompared.push(`${full}/`);
      plan.notes.push(
        fileFinding(
          'input-error',
          display,
          FIRST_LINE,
          `Submodule ${display} is nested more than ${MAX_SUBMODULE_DEPTH} submodules deep; it was not compared (neither side's manifests in it were checked).`,
          'submodule-not-compared',
          'info',
        ),
      );
      continue;
    }
    if (baseOfLink === undefined) {
      // The change adds the submodule (or the base had plain files there, already listed): the head reads it.
      await explore(plan, sub, `${full}/`, inner.get(link) ?? [''], undefined, depth + 1);
    } else if (await hasCommit(baseOfLink, sub)) {
      await explore(plan, sub, `${full}/`, inner.get(link) ?? [''], baseOfLink, depth + 1);
    } else {
      plan.notCompared.push(`${full}/`);
      plan.notes.push(
        fileFinding(
          'input-error',
          display,
          FIRST_LINE,
          `Submodule ${display} was not compared: the base's commit of it (${baseOfLink.slice(0, 12)}) is not in its objects (a shallow submodule checkout), so its manifests were checked on neither side. Fetch that commit to compare it: git -C ${display} fetch origin ${baseOfLink}, or fetch-depth: 0 with submodules: true on actions/checkout.`,
          'submodule-not-compared',
          'info',
        ),
      );
    }
  }
}

async function lsTree(
  plan: GitComparison,
  dir: string,
  commit: string,
  specs: string[],
  recursive: boolean,
  where: string,
): Promise<TreeEntry[]> {
  const args = [
    '--literal-pathspecs',
    '-c',
    'core.quotepath=off',
    'ls-tree',
    ...(recursive ? ['-r'] : []),
    '-z',
    '-l',
  ];
  args.push('--end-of-options', commit);
  if (specs.length) args.push('--', ...specs);
  const ls = await git(args, dir);
  if (ls.code !== 0)
    throw new BaseError(`--base ${plan.ref}: git ls-tree failed${where}: ${firstLine(ls.stderr)}`);
  const entries: TreeEntry[] = [];
  for (const raw of ls.stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t([\s\S]*)$/.exec(raw);
    if (!m) continue;
    entries.push({
      mode: m[1]!,
      type: m[2]!,
      oid: m[3]!,
      size: m[4] === '-' ? 0 : Number(m[4]),
      path: m[5]!,
    });
  }
  return entries;
}

/** A submodule's directory holds its own checkout (not an empty directory inside the superproject). */
async function isCheckout(dir: string): Promise<boolean> {
  if (!existsSync(path.join(dir, '.git'))) return false;
  const r = await git(['rev-parse', '--show-toplevel'], dir);
  if (r.code !== 0) return false;
  const top = await realpath(r.stdout.toString('utf8').trim()).catch(() => '');
  return top === (await realpath(dir).catch(() => dir));
}

function displayOf(plan: GitComparison, repoPath: string): string {
  return (
    path.relative(plan.realCwd, path.join(plan.realRoot, repoPath)).split(path.sep).join('/') ||
    path.basename(repoPath)
  );
}

/**
 * Why a head file is not part of the comparison: it is in a submodule that is compared on neither side, or git does
 * not track it (unless untracked files are compared against nothing). Undefined when both sides read it.
 */
export function leftOut(plan: GitComparison, absolute: string): 'submodule' | 'untracked' | undefined {
  const rel = repoPath(plan, absolute);
  if (plan.notCompared.some((p) => rel.startsWith(p))) return 'submodule';
  if (plan.untracked === 'compare') return undefined;
  const part = plan.parts.find((p) => rel.startsWith(p.prefix));
  if (!part) return undefined;
  return part.tracked.has(rel.slice(part.prefix.length)) ? undefined : 'untracked';
}

/** A head path relative to the repository root, with forward slashes (called for every file: string work first). */
function repoPath(plan: GitComparison, absolute: string): string {
  const cwdPrefix = plan.cwd.endsWith(path.sep) ? plan.cwd : plan.cwd + path.sep;
  if (
    absolute.startsWith(cwdPrefix) &&
    !absolute.includes(`${path.sep}..`) &&
    !absolute.includes(`${path.sep}.${path.sep}`)
  ) {
    const fromCwd = plan.cwdInRepo;
    const rest = absolute.slice(cwdPrefix.length);
    const joined = fromCwd ? `${fromCwd}${path.sep}${rest}` : rest;
    return path.sep === '/' ? joined : joined.split(path.sep).join('/');
  }
  return path
    .relative(plan.realRoot, path.join(plan.realCwd, path.relative(plan.cwd, absolute)))
    .split(path.sep)
    .join('/');
}

/** The base tree's manifests under the same paths as the head, with the head's display paths, for the loader. */
export async function baseTree(
  ref: string,
  spec: GitBaseSpec,
  planned?: GitComparison,
): Promise<GitBaseTree> {
  const plan = planned ?? (await planGitComparison(ref, spec));
  const { commit, pathspecs, realRoot } = plan;
  if (pathspecs.length === 0)
    return {
      commit,
      tree: { files: [], diagnostics: [], name: 'the base commit', read: async () => new Map() },
    };

  const ignore = spec.ignore.map(globToRegExp);
  const explicit = new Set(pathspecs);
  type Entry = TreeEntry & { repo: string };
  const entries: (Entry & { file: string })[] = [];
  const symlinks: Entry[] = [];
  // The head's walk leaves out testdata directories below the directories named (src/load/files.ts).
  const testData = new Map<string, Set<string>>(pathspecs.map((p) => [p, new Set()]));
  const underTestData = (repoPath: string): boolean => {
    let walkedSomewhere = false;
    for (const [spec, found] of testData) {
      if (spec !== '' && !repoPath.startsWith(`${spec}/`)) continue;
      const below = (spec === '' ? repoPath : repoPath.slice(spec.length + 1)).split('/').slice(0, -1);
      const at = below.indexOf('testdata');
      if (at === -1) walkedSomewhere = true;
      else found.add([...(spec === '' ? [] : [spec]), ...below.slice(0, at + 1)].join('/'));
    }
    return !walkedSomewhere;
  };
  const regular = new Map<string, Entry>();
  for (const part of plan.parts) {
    if (part.baseCommit === undefined) continue;
    for (const e of part.baseEntries) {
      const entry: Entry = { ...e, path: part.prefix + e.path, repo: part.dir };
      if (entry.type === 'blob' && entry.mode === '120000') {
        symlinks.push(entry);
        continue;
      }
      // Regular files only; submodules were entered above (planGitComparison).
      if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) continue;
      regular.set(entry.path, entry);
      if (!explicit.has(entry.path)) {
        // Same walk rules as the head: manifest extensions, no .git or node_modules directories.
        const lower = entry.path.toLowerCase();
        if (entry.path.split('/').some((seg) => seg === 'node_modules' || seg === '.git')) continue;
        if (underTestData(entry.path)) continue;
        if (!MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext))) continue;
      }
      const file = displayOf(plan, entry.path);
      if (ignore.some((re) => re.test(file))) continue;
      entries.push({ ...entry, file });
    }
  }
  // Symlinked manifests, as the head's walk takes them (src/load/files.ts): a link inside a walked directory to a file
  // inside it is read under the link's name unless the walk reads that file directly; a link whose chain leaves the
  // directory (decided from the link texts, as the head does) or a dangling one is an info finding, with the key the
  // head gives it, so that it is not "new" in every PR.
  const diagnostics: Finding[] = [];
  for (const [spec, found] of testData) {
    if (found.size === 0) continue;
    const dirs = [...found].sort().map((d) => displayOf(plan, d));
    diagnostics.push(testDataSkipped(spec === '' ? displayOf(plan, '') || '.' : displayOf(plan, spec), dirs));
  }
  if (symlinks.length) {
    const texts = await catAll(symlinks);
    const linkText = new Map(symlinks.map((l) => [l.path, texts.get(l.oid)?.toString('utf8') ?? '']));
    const rootPosix = realRoot.split(path.sep).join('/');
    const direct = new Set(entries.map((e) => e.path));
    for (const link of symlinks) {
      const lower = link.path.toLowerCase();
      if (!explicit.has(link.path) && !MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext))) continue;
      const file = displayOf(plan, link.path);
      if (ignore.some((re) => re.test(file))) continue;
      const walked = pathspecs.filter((p) => p === '' || link.path.startsWith(`${p}/`));
      const inside = (target: string) =>
        target !== '..' &&
        !target.startsWith('../') &&
        (explicit.has(link.path) || walked.some((p) => p === '' || target.startsWith(`${p}/`)));
      let at = link.path;
      let away: string | undefined;
      let end: string | undefined;
      for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
        const raw = linkText.get(at);
        if (raw === undefined) {
          end = at;
          break;
        }
        const next = raw.startsWith('/')
          ? path.posix.relative(rootPosix, path.posix.normalize(raw))
          : path.posix.normalize(path.posix.join(path.posix.dirname(at), raw));
        if (path.posix.isAbsolute(next) || !inside(next)) {
          away = raw;
          break;
        }
        at = next;
      }
      const blob = end !== undefined ? regular.get(end) : undefined;
      if (away !== undefined) {
        diagnostics.push(
          fileFinding(
            'input-error',
            file,
            FIRST_LINE,
            `Symbolic link points outside the walked directory (to ${away}) in the base; links out of the tree are not followed, so it was not checked.`,
            'symlink-outside',
            'info',
          ),
        );
      } else if (!blob) {
        // A link to a directory (not followed), to nothing in this commit, or a loop (end undefined).
        const isDir = end !== undefined && [...regular.keys()].some((p) => p.startsWith(`${end}/`));
        if (!isDir) {
          diagnostics.push(
            fileFinding(
              'input-error',
              file,
              FIRST_LINE,
              `Symbolic link could not be resolved in the base (to ${linkText.get(link.path) ?? ''}); it was not checked.`,
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
  // The loader reads the tree as it reads a directory (limits, budget, decoding); git only lists and hands out blobs.
  const byFile = new Map(entries.map((e) => [e.file, e]));
  const tree: TreeListing = {
    files: entries.map((e) => ({ file: e.file, size: e.size })),
    diagnostics,
    name: 'the base commit',
    read: async (files) => {
      const wanted = files.map((f) => byFile.get(f)!).filter(Boolean);
      const blobs = await catAll(wanted);
      const out = new Map<string, Uint8Array>();
      for (const e of wanted) {
        const bytes = blobs.get(e.oid);
        if (bytes) out.set(e.file, bytes);
      }
      return out;
    },
  };
  return { commit, tree };
}

/** Blobs by id, each read from the object store of the repository it is in (one cat-file per repository). */
async function catAll(entries: { oid: string; repo: string }[]): Promise<Map<string, Buffer>> {
  const byRepo = new Map<string, string[]>();
  for (const e of entries) {
    const list = byRepo.get(e.repo);
    if (list) list.push(e.oid);
    else byRepo.set(e.repo, [e.oid]);
  }
  const out = new Map<string, Buffer>();
  for (const [repo, oids] of byRepo)
    for (const [oid, bytes] of await catBlobs(oids, repo)) out.set(oid, bytes);
  return out;
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
