import { LineCounter, isMap, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Finding, Span } from '../types.js';
import {
  CLUSTER_SCOPED_KINDS,
  SourceLocator,
  apiGroupVersion,
  describeResource,
  resourceRef,
  type Resource,
} from './resource.js';

export interface ParseLimits {
  /** Documents per file; more are reported and ignored. */
  maxDocuments: number;
  /** Aliases resolved per document (the yaml package's guard against "billion laughs"). */
  maxAliasCount: number;
  /** Nesting depth of collections; deeper documents are refused (the composer recurses). */
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

const FIRST_LINE: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;
const GO_TEMPLATE = /\{\{[\s\S]*?\}\}/;

/**
 * Parse one file's text into resources. Never throws: every problem becomes a finding at the parser's position,
 * and the documents that parsed are still returned.
 */
export function parseManifestText(
  text: string,
  file: string,
  defaultNamespace: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParsedFile {
  const out: ParsedFile = { resources: [], diagnostics: [], skipped: 0, documents: 0 };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const locator = new SourceLocator(lineCounter, text);

  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: true });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    // The composer recurses; absurd nesting can exhaust the stack before our depth check sees it.
    out.diagnostics.push(
      fileFinding('yaml-syntax', file, FIRST_LINE, `YAML could not be parsed: ${errorText(err)}.`, 'parse-crash'),
    );
    return out;
  }

  // A Helm/Go template that was not rendered is not a manifest: skip it quietly, as the README promises.
  const looksLikeTemplate = GO_TEMPLATE.test(text);

  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index]!;
    if (index >= limits.maxDocuments) {
      out.diagnostics.push(
        fileFinding(
          'input-error',
          file,
          locator.spanOf(doc.range[0], doc.range[0]),
          `More than ${limits.maxDocuments} YAML documents in one file; the rest of the file was not checked. Split it, or raise limits.maxDocuments in .mtls-lint.yaml.`,
          'max-documents',
        ),
      );
      break;
    }
    out.documents++;
    const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    if (fatal.length > 0 && looksLikeTemplate) {
      out.skipped++;
      continue;
    }
    for (const error of doc.errors) {
      const span = locator.spanOf(error.pos[0], Math.max(error.pos[1], error.pos[0] + 1));
      const message =
        error.code === 'DUPLICATE_KEY'
          ? `Duplicate key: ${firstLine(error.message)}. Tools disagree on which value wins (kubectl keeps the last, some keep the first); keep one.`
          : `YAML syntax error: ${firstLine(error.message)}. This document was not checked.`;
      out.diagnostics.push(fileFinding('yaml-syntax', file, span, message, `${error.code}@${span.line}`));
    }
    if (fatal.length > 0) continue;

    const root = doc.contents as Node | null;
    if (root === null || root === undefined) continue; // empty or comment-only document
    const depth = nestingDepth(root, limits.maxDepth);
    if (depth > limits.maxDepth) {
      out.diagnostics.push(
        fileFinding(
          'input-error',
          file,
          locator.spanOf(root.range?.[0] ?? 0, root.range?.[0] ?? 0),
          `YAML nested deeper than ${limits.maxDepth} levels; this document was not checked.`,
          `max-depth@${index}`,
        ),
      );
      continue;
    }

    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (err) {
      const span = locator.spanOf(root.range?.[0] ?? 0, root.range?.[0] ?? 0);
      const isAliasBomb = /alias/i.test(errorText(err));
      out.diagnostics.push(
        fileFinding(
          'yaml-syntax',
          file,
          span,
          isAliasBomb
            ? `Refused to expand YAML aliases: more than ${limits.maxAliasCount} alias expansions (a "billion laughs" document?). This document was not checked.`
            : `YAML could not be read: ${errorText(err)}. This document was not checked.`,
          `tojs@${index}`,
        ),
      );
      continue;
    }

    const sourceMatch = HELM_SOURCE.exec(text.slice(doc.range[0], root.range?.[0] ?? doc.range[0]));
    const helmSource = sourceMatch?.[1];
    collectResources(value, root, [], out, { file, locator, defaultNamespace, helmSource });
  }
  return out;
}

interface CollectContext {
  file: string;
  locator: SourceLocator;
  defaultNamespace: string;
  helmSource: string | undefined;
}

function collectResources(
  value: unknown,
  docRoot: Node,
  basePath: (string | number)[],
  out: ParsedFile,
  ctx: CollectContext,
): void {
  if (!isObject(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
    // Values files, workflows, Chart.yaml, JSON Schemas…: not Kubernetes objects.
    out.skipped++;
    return;
  }
  // `kubectl get -o yaml` output: a List of objects; each item keeps its own positions.
  if (value.kind === 'List' || (value.kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, i) => collectResources(item, docRoot, [...basePath, 'items', i], out, ctx));
    return;
  }
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : metadata.name === undefined ? '' : String(metadata.name);
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(value.kind);
  const explicitNs = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
  const namespace = clusterScoped ? undefined : (explicitNs ?? ctx.defaultNamespace);
  const { group, version } = apiGroupVersion(value.apiVersion);
  const prefix = basePath.slice();
  const resource: Resource = {
    kind: value.kind,
    apiVersion: value.apiVersion,
    group,
    version,
    name,
    namespace,
    namespaceExplicit: explicitNs !== undefined,
    value,
    file: ctx.file,
    id: `${value.kind}/${namespace ?? ''}/${name}`,
    span: (path, opts) => ctx.locator.locate(docRoot, prefix.length ? [...prefix, ...path] : path, opts),
    ref: () => resourceRef(resource),
  };
  if (ctx.helmSource) resource.source = ctx.helmSource;
  out.resources.push(resource);
}

function nestingDepth(node: Node, limit: number): number {
  // Iterative, so that a 100k-deep document cannot overflow our own stack.
  let max = 0;
  const stack: [Node, number][] = [[node, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > limit) return max;
    if (isMap(n)) {
      for (const p of n.items) if (p.value && typeof p.value === 'object') stack.push([p.value as Node, d + 1]);
    } else if (isSeq(n)) {
      for (const item of n.items) if (item && typeof item === 'object') stack.push([item as Node, d + 1]);
    }
  }
  return max;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/\s+at line \d+, column \d+:?$/, '').replace(/\.$/, '');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]!.replace(/\.$/, '') : String(err);
}

export { describeResource };
