import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding } from '../types.js';
import {
  decodeManifest,
  discoverFiles,
  ignoreMatcher,
  readManifest,
  type InputFile,
  type ReadResult,
} from './files.js';
import {
  DEFAULT_PARSE_LIMITS,
  fileFinding,
  hydrateParsed,
  parseManifestData,
  type ParseLimits,
  type ParsedFile,
} from './parse.js';
import { parseOnWorkers, workerCount, type SourceText } from './parse-pool.js';
import type { Resource } from './resource.js';

export type { Resource } from './resource.js';

export interface LoadLimits extends ParseLimits {
  /** Bytes per file (and for stdin); a larger file is reported and not read. */
  maxFileSize: number;
}

/** The documented limits (docs/limits.md); `.mtls-lint.yaml` `limits:` overrides them. */
export const DEFAULT_LIMITS: LoadLimits = { ...DEFAULT_PARSE_LIMITS, maxFileSize: 16 * 1024 * 1024 };

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
}

export interface LoadedInputs {
  resources: Resource[];
  diagnostics: Finding[];
  files: string[];
  skipped: number;
  /** Paths the user named that could not be found: a usage error for the CLI (exit 2). */
  missing: string[];
  /**
   * `-` was given and standard input held nothing but blanks: `helm template … | mtls-lint -` after helm
   * failed. The CLI makes this a usage error, so that a broken pipeline does not pass as "no problems".
   */
  emptyStdin?: boolean;
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
    const parsed = hydrateParsed(parseManifestData(text, file, namespace, limits));
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
  // Every file is read first (the texts are small next to what parsing makes of them), so that a large input can
  // be parsed on worker threads; a file that cannot be read keeps its place in the output order.
  const read: ({ input: InputFile; text: string } | { diagnostic: Finding })[] = [];
  for (const input of discovery.files) {
    const result =
      input.absolute === undefined
        ? await readStdin(options)
        : await readManifest(input, options.limits.maxFileSize);
    if (result.diagnostic) read.push({ diagnostic: result.diagnostic });
    if (result.text === undefined) continue;
    if (input.absolute === undefined && result.text.trim() === '') out.emptyStdin = true;
    read.push({ input, text: result.text });
  }
  const texts = read.filter((r) => 'text' in r);
  const parsed = await parseAll(texts, options);
  let next = 0;
  for (const r of read) {
    if ('diagnostic' in r) out.diagnostics.push(r.diagnostic);
    else addParsed(out, r.input, parsed[next++]!);
  }
  return out;
}

/** Parse texts in order, through the cache, on worker threads when that pays. */
async function parseAll(
  texts: { input: InputFile; text: string }[],
  options: Pick<LoadOptions, 'namespace' | 'limits' | 'cache' | 'concurrency'>,
): Promise<ParsedFile[]> {
  const { cache, namespace, limits } = options;
  const results: (ParsedFile | undefined)[] = new Array(texts.length);
  const keys: (string | undefined)[] = new Array(texts.length);
  const misses: number[] = [];
  let bytes = 0;
  texts.forEach(({ input, text }, i) => {
    if (cache) {
      keys[i] = cache.keyOf(input.file, namespace, text, limits);
      results[i] = cache.lookup(keys[i]);
    }
    if (!results[i]) {
      misses.push(i);
      bytes += text.length;
    }
  });
  const workers = workerCount(options.concurrency ?? 'auto', bytes, misses.length);
  const sources: SourceText[] = misses.map((i) => ({ file: texts[i]!.input.file, text: texts[i]!.text }));
  const data = workers
    ? await parseOnWorkers(sources, workers, namespace, limits)
    : sources.map((s) => parseManifestData(s.text, s.file, namespace, limits));
  misses.forEach((i, j) => {
    const parsed = hydrateParsed(data[j]!);
    results[i] = parsed;
    if (cache) cache.store(keys[i]!, parsed);
  });
  return results as ParsedFile[];
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
}

/** Parse already-read texts (used directly for git blobs in PR mode). */
export function parseTexts(
  texts: { input: InputFile; text: string }[],
  options: Pick<LoadOptions, 'namespace' | 'limits' | 'cache'>,
  missing: string[] = [],
  diagnostics: Finding[] = [],
): LoadedInputs {
  const out: LoadedInputs = { resources: [], diagnostics, files: [], skipped: 0, missing };
  for (const { input, text } of texts) {
    const parsed = options.cache
      ? options.cache.get(input.file, options.namespace, text, options.limits)
      : hydrateParsed(parseManifestData(text, input.file, options.namespace, options.limits));
    addParsed(out, input, parsed);
  }
  return out;
}
