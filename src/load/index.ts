import { createHash } from 'node:crypto';
import type { Finding } from '../types.js';
import { decodeManifest, discoverFiles, ignoreMatcher, readManifest, type InputFile } from './files.js';
import { DEFAULT_PARSE_LIMITS, parseManifestText, type ParseLimits, type ParsedFile } from './parse.js';
import type { Resource } from './resource.js';

export type { Resource } from './resource.js';

export interface LoadLimits extends ParseLimits {
  maxFileSize: number;
}

export const DEFAULT_LIMITS: LoadLimits = { ...DEFAULT_PARSE_LIMITS, maxFileSize: 16 * 1024 * 1024 };

export interface LoadOptions {
  paths: string[];
  cwd: string;
  namespace: string;
  ignore: string[];
  limits: LoadLimits;
  /** Text for the path "-". */
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
  const discovery = await discoverFiles(options.paths, options.cwd, ignoreMatcher(options.ignore));
  const texts: { input: InputFile; text: string }[] = [];
  const diagnostics: Finding[] = [...discovery.diagnostics];
  for (const input of discovery.files) {
    let read;
    if (input.absolute === undefined) {
      const bytes = options.stdin ? await options.stdin() : new Uint8Array();
      read = decodeManifest(bytes, input.file, options.limits.maxFileSize);
    } else {
      read = await readManifest(input, options.limits.maxFileSize);
    }
    if (read.diagnostic) diagnostics.push(read.diagnostic);
    if (read.text !== undefined) texts.push({ input, text: read.text });
  }
  return parseTexts(texts, options, discovery.missing, diagnostics);
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
      : parseManifestText(text, input.file, options.namespace, options.limits);
    out.files.push(input.file);
    for (const r of parsed.resources) out.resources.push(r);
    for (const d of parsed.diagnostics) out.diagnostics.push(d);
    out.skipped += parsed.skipped;
  }
  return out;
}
