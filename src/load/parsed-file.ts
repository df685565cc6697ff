// What reading one file produces (resources, findings, counts), the limits it reads within, and the shape of a
// finding about a place in a file. Shared by the per-file reader (parse.ts), its parts and the worker threads.
import type { Finding, Span } from '../types.js';
import { hydrateResource, type Resource, type ResourceData } from './resource.js';

export interface ParseLimits {
  /** Documents per file; the rest of the file is reported and not checked. */
  maxDocuments: number;
  /** Aliases resolved per document (the yaml package's weighted count; guards against "billion laughs"). */
  maxAliasCount: number;
  /** Nesting depth of collections; deeper documents are refused before the recursive parts of the parser run. */
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxDocuments: 20_000, maxAliasCount: 100, maxDepth: 200 };

export interface ParsedFile {
  resources: Resource[];
  diagnostics: Finding[];
  /** Documents that were not Kubernetes objects (values files, workflows, Chart.yaml, templates). */
  skipped: number;
  /** Documents seen, Kubernetes or not. */
  documents: number;
  /** Skipped documents that are unrendered templates: where each starts and which templating it shows. */
  templates?: SkippedTemplate[];
}

interface SkippedTemplate {
  line: number;
  reason: string;
}

/** A parsed file as plain data (what a worker thread posts back): resources with position trees, not closures. */
export interface ParsedFileData extends Omit<ParsedFile, 'resources'> {
  resources: ResourceData[];
  /** Where each line of the file starts: the resources' spans need it, not the text. */
  lines: Int32Array;
}

/** The resources of a parsed file, able to say where their fields are. */
export function hydrateParsed(data: ParsedFileData): ParsedFile {
  return {
    resources: data.resources.map((r) => hydrateResource(r, data.lines)),
    diagnostics: data.diagnostics,
    skipped: data.skipped,
    documents: data.documents,
    ...(data.templates ? { templates: data.templates } : {}),
  };
}

/** Findings raised while reading input: they carry no resource, only a place in a file. */
export function fileFinding(
  rule: string,
  file: string,
  span: Span,
  message: string,
  keyDetail: string,
  severity: Finding['severity'] = 'error',
): Finding {
  return { rule, severity, message, file, ...span, key: `${rule}|${file}|${keyDetail}` };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/\.$/, '') : String(err);
}

/** The trimmed text of the line holding `offset`: a finding identity that survives lines moving. */
export function lineText(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text
    .slice(start, end < 0 ? undefined : end)
    .trim()
    .slice(0, 120);
}
