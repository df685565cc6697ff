import { createHash } from '../hash.js';
import path from 'node:path';
import type { Finding } from '../types.js';
import { stat } from 'node:fs/promises';
import {
  decodeManifest,
  discoverFiles,
  formatBytes,
  ignoreMatcher,
  overLimit,
  readManifest,
  type IgnoreTest,
  type InputFile,
  type ReadResult,
} from './files.js';
import { parseManifestText } from './parse.js';
import { DEFAULT_PARSE_LIMITS, fileFinding, type ParseLimits, type ParsedFile } from './parsed-file.js';
import type { Resource } from './resource.js';
import {
  isKustomizationFile,
  kustomizationPatchFiles,
  quietNonManifest,
  selectObjects,
  templatesFinding,
} from './objects.js';

export type { Resource } from './resource.js';

const FIRST_LINE = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface LoadLimits extends ParseLimits {
  /** Bytes per file (and for stdin); a larger file is reported and not read. */
  maxFileSize: number;
  /** Bytes of all files together: the files past it (in input order) are reported and not read. */
  maxTotalSize: number;
}

/** The documented limits (docs/limits.md); `.mtls-lint.yaml` `limits:` overrides them. */
export const DEFAULT_LIMITS: LoadLimits = {
  ...DEFAULT_PARSE_LIMITS,
  maxFileSize: 16 * 1024 * 1024,
  maxTotalSize: 256 * 1024 * 1024,
};

export interface LoadOptions {
  paths: string[];
  cwd: string;
  namespace: string;
  ignore: string[];
  limits: LoadLimits;
  /** The config file the `ignore` globs came from: globs with a `/` are relative to its directory. */
  configFile?: string;
  /** Bytes for the path "-"; the CLI stops reading past limits.maxFileSize + 1. */
  stdin?: () => Promise<Uint8Array>;
  cache?: ParseCache;
  /**
   * PR mode against a git ref: why a file found on disk is not part of the comparison (src/diff/git.ts leftOut).
   * Such files are not read; those git does not track are listed in `notCompared`.
   */
  leftOut?: (absolute: string) => 'submodule' | 'untracked' | undefined;
  /**
   * Whether a document passes its schema, for choosing among documents of one identity (a valid one is used
   * before an invalid one). Given by the engine: the loader stands below the schema floor. Without it the last wins.
   */
  isValid?: (r: Resource) => boolean;
  /** What to read; without it, `paths` under `cwd`. */
  source?: InputSource;
}

export interface LoadedInputs {
  /** One document per object identity (group, kind, namespace, name), kustomize patches left out (objects.ts). */
  resources: Resource[];
  /** Documents with the identity of one in `resources` that the analysis does not read; they are schema-checked. */
  shadowed?: Resource[];
  diagnostics: Finding[];
  files: string[];
  skipped: number;
  /** The skipped documents that are unrendered templates, in input order (one input-error info lists them). */
  templates?: { file: string; line: number; reason: string }[];
  /** Paths the user named that could not be found: a usage error for the CLI (exit 2). */
  missing: string[];
  /**
   * `-` was given and standard input held nothing but blanks: `helm template … | mtls-lint -` after helm
   * failed. The CLI makes this a usage error, so that a broken pipeline does not pass as "no problems".
   */
  emptyStdin?: boolean;
  /** PR mode: manifests in the working tree that git does not track, left out of the comparison. */
  notCompared?: string[];
  /** Files that held nothing but blanks (display paths), in input order. */
  blank?: string[];
  /** Pipes and devices named on the command line that held nothing: `mtls-lint <(helm template …)` after helm failed. */
  emptyStreams?: { file: string; pipe: boolean }[];
}

/**
 * Parsed files keyed by (path, namespace, content hash): PR mode lints base and head with one cache, so a file
 * that the change did not touch is parsed once.
 */
export class ParseCache {
  private readonly entries = new Map<string, ParsedFile>();
  hits = 0;

  keyOf(file: string, namespace: string, text: string, limits: ParseLimits): string {
    return `${file}\0${namespace}\0${limits.maxDocuments}/${limits.maxAliasCount}/${limits.maxDepth}\0${createHash('sha1').update(text).digest('hex')}`;
  }

  lookup(key: string): ParsedFile | undefined {
    const hit = this.entries.get(key);
    if (hit) this.hits++;
    return hit;
  }

  store(key: string, parsed: ParsedFile): void {
    this.entries.set(key, parsed);
  }

  get(file: string, namespace: string, text: string, limits: ParseLimits): ParsedFile {
    const key = this.keyOf(file, namespace, text, limits);
    const hit = this.lookup(key);
    if (hit) return hit;
    const parsed = quietNonManifest(parseManifestText(text, file, namespace, limits), text);
    this.store(key, parsed);
    return parsed;
  }
}

/**
 * Where the manifests come from. Every source is read the same way (limits, total budget, decoding, parsing on
 * worker threads, the object selection): the head of a lint or PR mode, and PR mode's base.
 */
export type InputSource =
  /**
   * Files and directories on disk, walked under `root` (default: cwd); `-` is standard input. `display` maps a
   * found file's path (relative to root) to the one shown (PR mode's base directory shows the head's paths), and
   * `optional` makes a path that is not there no error (a base lacks the files a change adds).
   */
  | {
      kind: 'paths';
      paths: string[];
      root?: string;
      display?: (file: string) => string;
      ignore?: IgnoreTest;
      optional?: boolean;
    }
  /** A git tree (PR mode's base revision): its files listed with the sizes git records, read in one batch. */
  | { kind: 'tree'; tree: TreeListing };

/** The manifests of a git tree, as src/diff/git.ts lists them (the loader stands below git plumbing). */
export interface TreeListing {
  /** Display paths, in input order, with the blob sizes the tree records. */
  files: { file: string; size: number }[];
  /** Findings made while listing (links out of the tree, links that resolve to nothing). */
  diagnostics: Finding[];
  /** The bytes of the named files, in one batch; a file missing from the result could not be read. */
  read(files: string[]): Promise<Map<string, Uint8Array>>;
  /** For messages: "the base commit". */
  name: string;
}

/** One input before it is read: where it is shown, its size if known beforehand, and how to read it. */
interface Pending {
  input: InputFile;
  /** Bytes it adds to the total budget (0 for one over maxFileSize: it is not read). */
  size: number;
  read: () => Promise<ReadResult>;
}

/** The one entry point: read a source (by default `options.paths` under `options.cwd`) into resources. */
export async function loadInputs(options: LoadOptions): Promise<LoadedInputs> {
  const source: InputSource = options.source ?? { kind: 'paths', paths: options.paths };
  const listed = source.kind === 'tree' ? listTree(source.tree, options) : await listPaths(source, options);
  const out = listed.out;
  // Files are read a few at a time and parsed as they arrive, on this thread (worker threads did not pay:
  // bench/README.md, "Parse workers"). Each file keeps its place in the output order, one that cannot be read included.
  // The total budget: inputs are taken in input order while their sizes (known before reading) fit.
  const pending = withinTotalBudget(listed.pending, options.limits.maxTotalSize, out.diagnostics);
  listed.prefetch?.(pending);
  const { cache } = options;
  const slots: { diagnostic?: Finding; parsed?: ParsedFile }[] = pending.map(() => ({}));
  const blank: boolean[] = [];
  const patchFiles = new Set<string>();
  await forEachLimited(pending, READ_CONCURRENCY, async ({ input, read }, i) => {
    const result = await read();
    if (result.diagnostic) slots[i]!.diagnostic = result.diagnostic;
    const text = result.text;
    if (text === undefined) return;
    if (text.trim() === '') {
      if (input.file === '<stdin>' && input.absolute === undefined) out.emptyStdin = true;
      else blank[i] = true;
    }
    if (isKustomizationFile(input.file))
      for (const f of kustomizationPatchFiles(input.file, text)) patchFiles.add(f);
    const key = cache?.keyOf(input.file, options.namespace, text, options.limits);
    const hit = key === undefined ? undefined : cache!.lookup(key);
    if (hit) slots[i]!.parsed = hit;
    else {
      const parsed = quietNonManifest(
        parseManifestText(text, input.file, options.namespace, options.limits),
        text,
      );
      if (key !== undefined) cache!.store(key, parsed);
      slots[i]!.parsed = parsed;
    }
  });
  for (const [i, slot] of slots.entries()) {
    if (slot.diagnostic) out.diagnostics.push(slot.diagnostic);
    if (slot.parsed) addParsed(out, pending[i]!.input, slot.parsed);
    if (blank[i]) {
      const { input } = pending[i]!;
      (out.blank ??= []).push(input.file);
      if (input.stream) (out.emptyStreams ??= []).push({ file: input.file, pipe: input.stream === 'pipe' });
    }
  }
  return chooseObjects(out, patchFiles, options.isValid);
}

interface Listed {
  out: LoadedInputs;
  pending: Pending[];
  /** Called with what the budget keeps, before the first read. */
  prefetch?: (kept: Pending[]) => void;
}

/** Files and directories on disk, and standard input. */
async function listPaths(
  source: Extract<InputSource, { kind: 'paths' }>,
  options: LoadOptions,
): Promise<Listed> {
  const ignoreBase = options.configFile
    ? path.dirname(path.resolve(options.cwd, options.configFile))
    : options.cwd;
  const ignore = source.ignore ?? ignoreMatcher(options.ignore, ignoreBase);
  const { display } = source;
  const discovery = await discoverFiles(
    source.paths,
    source.root ?? options.cwd,
    display ? (file, absolute) => ignore(display(file), absolute) : ignore,
  );
  if (display) discovery.files = discovery.files.map((f) => ({ ...f, file: display(f.file) }));
  const out: LoadedInputs = {
    resources: [],
    diagnostics: [...discovery.diagnostics],
    files: [],
    skipped: 0,
    missing: source.optional ? [] : discovery.missing,
  };
  if (options.leftOut) leaveOut(discovery, out, options.cwd, options.leftOut);
  const { maxFileSize } = options.limits;
  const pending = await Promise.all(
    discovery.files.map(async (input): Promise<Pending> => {
      if (input.absolute !== undefined)
        return { input, size: 0, read: () => readManifest(input, maxFileSize) };
      // Standard input is read before the budget is applied: its size is known only then.
      const read = await readStdin(options);
      return {
        input,
        size: read.text === undefined ? 0 : Buffer.byteLength(read.text),
        read: async () => read,
      };
    }),
  );
  // Sizes of files from the file system, before reading; a file over maxFileSize is not read and costs nothing.
  await forEachLimited(pending, READ_CONCURRENCY * 4, async (p) => {
    if (p.input.absolute === undefined) return;
    try {
      const size = (await stat(p.input.absolute)).size;
      p.size = size > maxFileSize ? 0 : size;
    } catch {
      // Reading it will say what is wrong.
    }
  });
  return { out, pending };
}

/** A git tree's files: sizes from the tree; the bytes of those the budget keeps read in one batch. */
function listTree(tree: TreeListing, options: LoadOptions): Listed {
  const out: LoadedInputs = {
    resources: [],
    diagnostics: [...tree.diagnostics],
    files: [],
    skipped: 0,
    missing: [],
  };
  const { maxFileSize } = options.limits;
  let blobs: Promise<Map<string, Uint8Array>> = Promise.resolve(new Map());
  const over = new Set<string>();
  const pending = tree.files.map(({ file, size }): Pending => {
    const input: InputFile = { file };
    if (size > maxFileSize && over.add(file))
      return {
        input,
        size: 0,
        read: () => Promise.resolve({ diagnostic: overLimit(file, size, maxFileSize) }),
      };
    return {
      input,
      size,
      read: async () => {
        const bytes = (await blobs).get(file);
        if (bytes) return decodeManifest(bytes, file, maxFileSize);
        return {
          diagnostic: fileFinding(
            'input-error',
            file,
            FIRST_LINE,
            `Could not read ${file} from ${tree.name}; it was not compared.`,
            'read',
          ),
        };
      },
    };
  });
  const prefetch = (kept: Pending[]) => {
    blobs = tree.read(kept.filter((p) => !over.has(p.input.file)).map((p) => p.input.file));
  };
  return { out, pending, prefetch };
}

/** One document per object identity; patches out (objects.ts). */
function chooseObjects(
  out: LoadedInputs,
  patchFiles: ReadonlySet<string>,
  isValid?: (r: Resource) => boolean,
): LoadedInputs {
  const selection = selectObjects(out.resources, patchFiles, isValid);
  out.resources = selection.resources;
  if (selection.shadowed.length) out.shadowed = selection.shadowed;
  out.skipped += selection.patches;
  for (const d of selection.diagnostics) out.diagnostics.push(d);
  if (out.templates?.length) out.diagnostics.push(templatesFinding(out.templates));
  return out;
}

/** Drop the files (and the walk's findings about them, e.g. a dangling link) that are not part of a comparison. */
function leaveOut(
  discovery: { files: InputFile[] },
  out: LoadedInputs,
  cwd: string,
  leftOut: NonNullable<LoadOptions['leftOut']>,
): void {
  const untracked: string[] = [];
  discovery.files = discovery.files.filter((f) => {
    const why = f.absolute === undefined ? undefined : leftOut(f.absolute);
    if (why === 'untracked') untracked.push(f.file);
    return why === undefined;
  });
  // The walk's findings about links it did not follow are about a file too; those about directories are kept.
  out.diagnostics = out.diagnostics.filter((d) => {
    if (!/\|symlink(-outside)?$/.test(d.key)) return true;
    const why = leftOut(path.resolve(cwd, d.file));
    if (why === 'untracked') untracked.push(d.file);
    return why === undefined;
  });
  if (untracked.length) out.notCompared = [...new Set(untracked)].sort();
}

/**
 * The inputs (in input order) whose sizes add up to at most `budget` bytes; the first that does not fit and every one
 * after it are left out, with one input-error naming where the cut is. Every source counts: files, standard input,
 * a git tree.
 */
function withinTotalBudget(pending: Pending[], budget: number, diagnostics: Finding[]): Pending[] {
  let total = 0;
  for (const [i, p] of pending.entries()) {
    total += p.size;
    if (total <= budget) continue;
    const rest = pending.slice(i);
    const restBytes = rest.reduce((sum, q) => sum + q.size, 0);
    diagnostics.push(
      fileFinding(
        'input-error',
        p.input.file,
        FIRST_LINE,
        `The inputs are larger than limits.maxTotalSize (${formatBytes(budget)} in all): ${p.input.file === '<stdin>' && p.input.absolute === undefined ? 'standard input' : 'this file'} and the ${rest.length - 1} after it (${formatBytes(restBytes)}) were not read or checked. Lint fewer paths (or \`ignore:\` generated files), or raise limits.maxTotalSize in .mtls-lint.yaml if the machine has the memory (about 7 × the input size).`,
        'max-total-size',
      ),
    );
    return pending.slice(0, i);
  }
  return pending;
}

/** Files read at once: enough to keep the disk busy, few enough to hold little text. */
const READ_CONCURRENCY = 8;

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

async function readStdin(options: LoadOptions): Promise<ReadResult> {
  let bytes: Uint8Array;
  try {
    bytes = options.stdin ? await options.stdin() : new Uint8Array();
  } catch (err) {
    const reason = (err as { code?: string })?.code ?? (err instanceof Error ? err.message : String(err));
    return {
      diagnostic: fileFinding(
        'input-error',
        '<stdin>',
        { line: 1, column: 1, endLine: 1, endColumn: 1 },
        `Standard input could not be read (${reason}); it was not checked.`,
        'stdin',
      ),
    };
  }
  return decodeManifest(bytes, '<stdin>', options.limits.maxFileSize);
}

function addParsed(out: LoadedInputs, input: InputFile, parsed: ParsedFile): void {
  out.files.push(input.file);
  for (const r of parsed.resources) out.resources.push(r);
  for (const d of parsed.diagnostics) out.diagnostics.push(d);
  out.skipped += parsed.skipped;
  if (parsed.templates)
    for (const t of parsed.templates) (out.templates ??= []).push({ file: input.file, ...t });
}

/** Parse already-read texts (used directly for git blobs in PR mode). */
export function parseTexts(
  texts: { input: InputFile; text: string }[],
  options: Pick<LoadOptions, 'namespace' | 'limits' | 'cache' | 'isValid'>,
  missing: string[] = [],
  diagnostics: Finding[] = [],
): LoadedInputs {
  const out: LoadedInputs = { resources: [], diagnostics, files: [], skipped: 0, missing };
  const patchFiles = new Set<string>();
  for (const { input, text } of texts) {
    if (isKustomizationFile(input.file))
      for (const f of kustomizationPatchFiles(input.file, text)) patchFiles.add(f);
    const parsed = options.cache
      ? options.cache.get(input.file, options.namespace, text, options.limits)
      : quietNonManifest(parseManifestText(text, input.file, options.namespace, options.limits), text);
    addParsed(out, input, parsed);
  }
  return chooseObjects(out, patchFiles, options.isValid);
}

/**
 * A command's standard output as manifests (config meshes' `render:`): decoded as a file is (encodings, size
 * limit), or what is wrong with it.
 */
export function readCommandOutput(
  bytes: Uint8Array,
  file: string,
  maxBytes: number,
): { text: string } | { problem: string } {
  const read = decodeManifest(bytes, file, maxBytes);
  if (read.text === undefined)
    return {
      problem: `printed something that is not a manifest (${read.diagnostic?.message ?? 'unreadable'})`,
    };
  if (read.text.trim() === '') return { problem: 'exited 0 but printed nothing' };
  return { text: read.text };
}
