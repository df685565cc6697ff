// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).
// What GitHub reads: docs "SARIF support for code scanning" — rule help/helpUri, security-severity + the
// `security` tag, repo-relative URIs with forward slashes, partialFingerprints, ≤ 25,000 results and
// ≤ 1,000 locations per result.
import { createHash } from 'node:crypto';
import type { Log, ReportingDescriptor, Result, Location, Region } from 'sarif';
import type { LintResult } from '../engine.js';
import { RULES } from '../../rules/index.js';
import type { RuleMeta } from '../rule.js';
import { SEVERITY_RANK, type Severity, type Span } from '../types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const REPOSITORY_URL = 'https://github.com/mtls-lint/mtls-lint';
export const MAX_SARIF_RESULTS = 25_000;
const MAX_RELATED = 100;

export function ruleHelpUri(id: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${encodeURIComponent(id)}.md`;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export interface SarifOptions {
  version: string;
  showSuppressed?: boolean;
  /** Rules to describe; the registry by default. */
  rules?: readonly { meta: RuleMeta }[];
}

export function formatSarif(result: Pick<LintResult, 'findings' | 'suppressed'>, opts: SarifOptions): string {
  return JSON.stringify(buildSarif(result, opts), null, 2) + '\n';
}

export function buildSarif(result: Pick<LintResult, 'findings' | 'suppressed'>, opts: SarifOptions): Log {
  const metas = (opts.rules ?? RULES).map((r) => r.meta);
  const descriptors: ReportingDescriptor[] = metas.map(describeRule);
  const index = new Map<string, number>(metas.map((m, i) => [m.id, i]));

  let findings = opts.showSuppressed ? [...result.findings, ...result.suppressed] : [...result.findings];
  let dropped = 0;
  if (findings.length > MAX_SARIF_RESULTS) {
    dropped = findings.length - MAX_SARIF_RESULTS;
    // GitHub keeps only the most severe results past the limit anyway; choose them ourselves, deterministically.
    findings = findings
      .map((f, i) => ({ f, i }))
      .sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i)
      .slice(0, MAX_SARIF_RESULTS)
      .map((x) => x.f);
  }

  const seenFingerprints = new Map<string, number>();
  const results: Result[] = findings.map((f) => {
    let ruleIndex = index.get(f.rule);
    if (ruleIndex === undefined) {
      // A finding from a rule the registry does not list (should not happen): describe it minimally.
      ruleIndex = descriptors.length;
      index.set(f.rule, ruleIndex);
      descriptors.push({ id: f.rule, shortDescription: { text: f.rule }, helpUri: ruleHelpUri(f.rule) });
    }
    const fp = fingerprint(f.key);
    const n = (seenFingerprints.get(fp) ?? 0) + 1;
    seenFingerprints.set(fp, n);
    const r: Result = {
      ruleId: f.rule,
      ruleIndex,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f.file, f, f.source)],
      // Our own identity (rule + resource + field + edge), not a line hash: an alert stays the same alert when lines
      // move or the file is renamed. primaryLocationLineHash is set too, so that upload-sarif does not replace the
      // match with a hash of the line text (it only computes one when it is missing).
      partialFingerprints: {
        'mtlsLintKey/v1': fp,
        primaryLocationLineHash: `${fp.slice(0, 16)}:${n}`,
      },
    };
    if (f.related?.length) {
      r.relatedLocations = f.related.slice(0, MAX_RELATED).map((rel, i) => ({
        id: i + 1,
        ...location(rel.file, {
          line: rel.line,
          column: rel.column,
          endLine: rel.line,
          endColumn: rel.column,
        }),
        message: { text: rel.message },
      }));
    }
    if (f.new !== undefined) r.baselineState = f.new ? 'new' : 'unchanged';
    if (f.suppressed) r.suppressions = [{ kind: 'inSource', justification: f.suppressed.reason }];
    const properties: Record<string, unknown> = {};
    if (f.resource) properties.resource = f.resource;
    if (f.edges?.length) properties.edges = f.edges;
    if (f.transition) properties.transition = f.transition;
    if (Object.keys(properties).length) r.properties = properties;
    return r;
  });

  const log: Log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mtls-lint',
            version: opts.version,
            semanticVersion: opts.version,
            informationUri: REPOSITORY_URL,
            rules: descriptors,
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
        ...(dropped ? { properties: { droppedResults: dropped } } : {}),
      },
    ],
  };
  return log;
}

function describeRule(meta: RuleMeta): ReportingDescriptor {
  const tags = ['istio', 'mtls', 'kubernetes'];
  const properties: Record<string, unknown> = { precision: 'high' };
  if (meta.securitySeverity !== undefined) {
    // security-severity only counts when the rule is tagged `security` (GitHub docs).
    tags.unshift('security');
    properties['security-severity'] = meta.securitySeverity;
  }
  properties.tags = tags;
  const docs = meta.docs.trim();
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.summary },
    fullDescription: { text: meta.summary },
    help: {
      text: `${meta.summary}\n\n${docs}\n\nMore: ${ruleHelpUri(meta.id)}`,
      markdown: `${meta.summary}\n\n${docs}\n\n[Rule documentation](${ruleHelpUri(meta.id)})`,
    },
    helpUri: ruleHelpUri(meta.id),
    defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
    properties,
  };
}

function location(file: string, span: Span, source?: string): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(file, source), uriBaseId: '%SRCROOT%' },
      region: region(span),
    },
  };
}

/**
 * A relative URI reference with forward slashes, each segment percent-encoded (a file named `a b#1.yaml` must not
 * turn into a fragment). Standard input has no file: the Helm template path when known, else "stdin".
 */
export function artifactUri(file: string, source?: string): string {
  const p = file === '<stdin>' || file === '' ? (source ?? 'stdin') : file;
  return p
    .replace(/\\/g, '/')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function region(span: Span): Region {
  const startLine = Math.max(1, span.line);
  const startColumn = Math.max(1, span.column);
  const endLine = Math.max(startLine, span.endLine);
  const out: Region = { startLine, startColumn };
  // SARIF endColumn is exclusive; an empty or inverted range is left open rather than rejected by the upload.
  if (endLine !== startLine) {
    out.endLine = endLine;
    if (span.endColumn >= 1) out.endColumn = span.endColumn;
  } else if (span.endColumn > startColumn) {
    out.endColumn = span.endColumn;
  }
  return out;
}

function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function pascalCase(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
