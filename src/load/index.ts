import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding } from '../types.js';
import { stat } from 'node:fs/promises';
import {
  decodeManifest,
  discoverFiles,
  formatBytes,
  ignoreMatcher,
  readManifest,
  type InputFile,
  type ReadResult,
} from './files.js';
import { parseManifestText } from './parse.js';
import {
  DEFAULT_PARSE_LIMITS,
  fileFinding,
  hydrateParsed,
  type ParseLimits,
  type ParsedFile,
} from './parsed-file.js';
import { ParseScheduler } from './parse-pool.js';
import type { Resource } from './resource.js';
import {
  isKustomizationFile,
  kustomizationPatchFiles,
  quietNonManifest,
  selectObjects,
  templatesFinding,
} from './objects.js';

export type { Resource } from './resource.js';

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
  /** Parse on worker threads: a count, "off", or "auto" (one per CPU for inputs large enough to gain). */
  concurrency?: number | 'auto' | 'off';
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

export async function loadInputs(options: LoadOptions): Promise<LoadedInputs> {
  const ignoreBase = options.configFile
    ? path.dirname(path.resolve(options.cwd, options.configFile))
    : options.cwd;
  const discovery = await discoverFiles(
    options.paths,
    options.cwd,
    ignoreMatcher(options.ignore, ignoreBase),
  );
  const out: LoadedInputs = {
    resources: [],
    diagnostics: [...discovery.diagnostics],
    files: [],
    skipped: 0,
    missing: discovery.missing,
  };
  if (options.leftOut) leaveOut(discovery, out, options.cwd, options.leftOut);
  // Files are read a few at a time and parsed as they arrive: on worker threads once the input is large enough
  // (parse-pool.ts). Each file keeps its place in the output order, a file that cannot be read included.
  // The total budget: files are taken in input order while their sizes (from the file system, before reading) fit.
  const files = await withinTotalBudget(discovery.files, options.limits, out.diagnostics);
  const scheduler = new ParseScheduler(options.concurrency ?? 'auto', options.namespace, options.limits);
  const { cache } = options;
  const slots: { diagnostic?: Finding; parsed?: Promise<ParsedFile> }[] = files.map(() => ({}));
  const blank: boolean[] = [];
  const patchFiles = new Set<string>();
  await forEachLimited(files, READ_CONCURRENCY, async (input, i) => {
    const result =
      input.absolute === undefined
        ? await readStdin(options)
        : await readManifest(input, options.limits.maxFileSize);
    if (result.diagnostic) slots[i]!.diagnostic = result.diagnostic;
    const text = result.text;
    if (text === undefined) return;
    if (text.trim() === '') {
      if (input.absolute === undefined) out.emptyStdin = true;
      else blank[i] = true;
    }
    if (isKustomizationFile(input.file))
      for (const f of kustomizationPatchFiles(input.file, text)) patchFiles.add(f);
    const key = cache?.keyOf(input.file, options.namespace, text, options.limits);
    const hit = key === undefined ? undefined : cache!.lookup(key);
    slots[i]!.parsed = hit
      ? Promise.resolve(hit)
      : scheduler.add({ file: input.file, text }).then((data) => {
          const parsed = quietNonManifest(hydrateParsed(data), text);
          if (key !== undefined) cache!.store(key, parsed);
          return parsed;
        });
  });
  await scheduler.finish();
  for (const [i, slot] of slots.entries()) {
    if (slot.diagnostic) out.diagnostics.push(slot.diagnostic);
    if (slot.parsed) addParsed(out, files[i]!, await slot.parsed);
    if (blank[i]) {
      const input = files[i]!;
      (out.blank ??= []).push(input.file);
      if (input.stream) (out.emptyStreams ??= []).push({ file: input.file, pipe: input.stream === 'pipe' });
    }
  }
  return chooseObjects(out, patchFiles, options.isValid);
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
 * The files (in input order) whose sizes add up to at most `budget` bytes; the first that does not fit and every one
 * after it are left out, with one input-error naming where the cut is. Standard input counts as its size limit is
 * already bounded by maxFileSize and is always kept.
 */
async function withinTotalBudget(
  files: InputFile[],
  limits: Pick<LoadLimits, 'maxTotalSize' | 'maxFileSize'>,
  diagnostics: Finding[],
): Promise<InputFile[]> {
  const budget = limits.maxTotalSize;
  const sizes = new Array<number>(files.length).fill(0);
  await forEachLimited(files, READ_CONCURRENCY * 4, async (input, i) => {
    if (input.absolute === undefined) return;
    try {
      const size = (await stat(input.absolute)).size;
      // A file over maxFileSize is not read (its own finding says so): it costs nothing.
      sizes[i] = size > limits.maxFileSize ? 0 : size;
    } catch {
      // Reading it will say what is wrong.
    }
  });
  let total = 0;
  for (const [i, input] of files.entries()) {
    if (input.absolute === undefined) continue;
    total += sizes[i]!;
    if (total <= budget) continue;
    let rest = 0;
    let restBytes = 0;
    for (let j = i; j < files.length; j++)
      if (files[j]!.absolute !== undefined) {
        rest++;
        restBytes += sizes[j]!;
      }
    diagnostics.push(
      fileFinding(
        'input-error',
        input.file,
        { line: 1, column: 1, endLine: 1, endColumn: 1 },
        `The inputs are larger than limits.maxTotalSize (${formatBytes(budget)} in all): this file and the ${rest - 1} after it (${formatBytes(restBytes)}) were not read or checked. Lint fewer paths (or \`ignore:\` generated files), or raise limits.maxTotalSize in .mtls-lint.yaml if the machine has the memory (about 7 × the input size).`,
        'max-total-size',
      ),
    );
    return files.filter((f, j) => j < i || f.absolute === undefined);
  }
  return files;
}

/** Files read at once: enough to keep the disk and the parse workers busy, few enough to hold little text. */
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
