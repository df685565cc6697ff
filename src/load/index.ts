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
  parseManifestText,
  type ParseLimits,
  type ParsedFile,
} from './parse.js';
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
  get(file: string, namespace: string, text: string, limits: ParseLimits): ParsedFile {
    const key = `${file}\0${namespace}\0${limits.maxDocuments}/${limits.maxAliasCount}/${limits.maxDepth}\0${createHash('sha1').update(text).digest('hex')}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    const parsed = parseManifestText(text, file, namespace, limits);
    this.entries.set(key, parsed);
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
  // One file at a time, parsed as soon as it is read, its text dropped after: memory holds what the resources
  // keep, not every file at once.
  for (const input of discovery.files) {
    const result =
      input.absolute === undefined
        ? await readStdin(options)
        : await readManifest(input, options.limits.maxFileSize);
    if (result.diagnostic) out.diagnostics.push(result.diagnostic);
    if (result.text === undefined) continue;
    if (input.absolute === undefined && result.text.trim() === '') out.emptyStdin = true;
    addParsed(out, input, result.text, options);
  }
  return out;
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

function addParsed(
  out: LoadedInputs,
  input: InputFile,
  text: string,
  options: Pick<LoadOptions, 'namespace' | 'limits' | 'cache'>,
): void {
  const parsed = options.cache
    ? options.cache.get(input.file, options.namespace, text, options.limits)
    : parseManifestText(text, input.file, options.namespace, options.limits);
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
  for (const { input, text } of texts) addParsed(out, input, text, options);
  return out;
}
