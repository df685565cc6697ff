// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).
// What GitHub reads: docs "SARIF support for code scanning" — rule help/helpUri, security-severity + the
// `security` tag, repo-relative URIs with forward slashes, partialFingerprints. What it accepts (docs "SARIF results
// exceed one or more limits", "SARIF results file is too large"): ≤ 10 MB gzipped, ≤ 25,000 results per run,
// ≤ 1,000 locations per result, ≤ 20 tags per rule. The file stays inside those (docs/limits.md "SARIF size").
import { createHash } from '../hash.js';
import { gzipSync } from 'node:zlib';
import type { Log, ReportingDescriptor, Result, Location, Region } from 'sarif';
import type { LintResult } from '../engine.js';
import { RULES } from '../../rules/index.js';
import type { RuleMeta } from '../rule.js';
import { SEVERITY_RANK, type Severity, type Span } from '../types.js';

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const REPOSITORY_URL = 'https://github.com/mtls-lint/mtls-lint';
export const MAX_SARIF_RESULTS = 25_000;
/**
 * Gzipped bytes the file may take: GitHub rejects uploads over 10 MB gzipped; the rest is room for what upload-sarif
 * adds (automation details, its own properties) and for a gzip other than zlib's default level.
 */
export const SARIF_GZIP_BUDGET = 9_000_000;
/**
 * Related locations and edges kept per result. GitHub shows related locations only where the message links them,
 * and the JSON report has the longer lists (100 each); the rest is counted (relatedOmitted, edgesOmitted).
 */
const SARIF_LIST_CAP = 10;
const DROPPED_ID = 'results-dropped';

function ruleHelpUri(id: string): string {
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
  /** Tests only: lower bounds than GitHub's. */
  limits?: { maxResults?: number; gzipBudget?: number };
}

/**
 * The SARIF file. Results are written one per line (a large run is tens of thousands of them; indenting each doubled
 * the file), and only as many as GitHub accepts: at most 25,000, within SARIF_GZIP_BUDGET gzipped, the most severe
 * first. What is left out is counted in one tool execution notification and in run.properties.
 */
export function formatSarif(result: Pick<LintResult, 'findings' | 'suppressed'>, opts: SarifOptions): string {
  const maxResults = opts.limits?.maxResults ?? MAX_SARIF_RESULTS;
  const budget = opts.limits?.gzipBudget ?? SARIF_GZIP_BUDGET;
  const { log, results, priority, overLimit } = sarifParts(result, opts, maxResults);
  const lines = results.map((r) => JSON.stringify(r));
  const total = results.length + overLimit.length;
  const render = (keep: number) => {
    const kept = new Set(priority.slice(0, keep));
    const dropped = [...priority.slice(keep).map((i) => results[i]!), ...overLimit];
    return renderLog(
      withDropped(log, dropped, total),
      lines.filter((_, i) => kept.has(i)),
    );
  };

  let keep = results.length;
  let text = render(keep);
  // Most runs are far below the budget: gzip never makes a file larger than its text by more than a few bytes.
  if (Buffer.byteLength(text) <= budget) return text;
  // Larger: drop the least severe until the gzipped file fits. Its size grows about linearly with the results kept.
  let size = gzipSync(text).length;
  for (let round = 0; size > budget && keep > 0; round++) {
    const next = round < 6 ? Math.floor(keep * (budget / size) * 0.97) : Math.floor(keep / 2);
    keep = Math.max(0, Math.min(keep - 1, next));
    text = render(keep);
    size = gzipSync(text).length;
  }
  return text;
}

interface SarifParts {
  log: Log;
  results: Result[];
  /** Indices into `results`, most severe first (the order they are kept in). */
  priority: number[];
  /** Findings past the result limit, as much as the notification counts of them (rule and level). */
  overLimit: Result[];
}

function sarifParts(
  result: Pick<LintResult, 'findings' | 'suppressed'>,
  opts: SarifOptions,
  maxResults: number,
): SarifParts {
  const metas = (opts.rules ?? RULES).map((r) => r.meta);
  const descriptors: ReportingDescriptor[] = metas.map(describeRule);
  const index = new Map<string, number>(metas.map((m, i) => [m.id, i]));

  const all = opts.showSuppressed ? [...result.findings, ...result.suppressed] : [...result.findings];
  // The most severe first, then in report order: what is kept when not everything can be.
  const order = all
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i);
  // Past the result limit, findings are not even made into results; they are counted by rule and level only.
  const overLimit = order
    .slice(maxResults)
    .map(({ f }) => ({ ruleId: f.rule, level: LEVEL[f.severity], message: { text: '' } }) as Result);
  const chosen = new Set(order.slice(0, maxResults).map((x) => x.i));
  const findings = all.filter((_, i) => chosen.has(i));

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
      message: { text: f.mesh !== undefined ? `[${f.mesh}] ${f.message}` : f.message },
      locations: [location(f.file, f, f.source)],
      // Our own identity (rule + resource + field + edge), not a line hash: an alert stays the same alert when lines
      // move or the file is renamed. primaryLocationLineHash is set too, so that upload-sarif does not replace the
      // match with a hash of the line text (it only computes one when it is missing).
      partialFingerprints: {
        'mtlsLintKey/v1': fp,
        primaryLocationLineHash: `${fp.slice(0, 16)}:${n}`,
      },
    };
    const properties: Record<string, unknown> = {};
    if (f.related?.length) {
      r.relatedLocations = f.related.slice(0, SARIF_LIST_CAP).map((rel, i) => ({
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
    const relatedOmitted = Math.max(0, (f.related?.length ?? 0) - SARIF_LIST_CAP) + (f.relatedOmitted ?? 0);
    if (f.new !== undefined) r.baselineState = f.new ? 'new' : 'unchanged';
    if (f.suppressed) r.suppressions = [{ kind: 'inSource', justification: f.suppressed.reason }];
    if (f.mesh !== undefined) properties.mesh = f.mesh;
    if (f.resource) properties.resource = f.resource;
    if (f.edges?.length) properties.edges = f.edges.slice(0, SARIF_LIST_CAP);
    const edgesOmitted = Math.max(0, (f.edges?.length ?? 0) - SARIF_LIST_CAP) + (f.edgesOmitted ?? 0);
    if (edgesOmitted) properties.edgesOmitted = edgesOmitted;
    if (relatedOmitted) properties.relatedOmitted = relatedOmitted;
    if (f.transition) properties.transition = f.transition;
    if (Object.keys(properties).length) r.properties = properties;
    return r;
  });
  const rank = (r: Result) => ({ error: 3, warning: 2, note: 1, none: 0 })[r.level ?? 'warning'];
  const priority = results.map((_, i) => i).sort((a, b) => rank(results[b]!) - rank(results[a]!) || a - b);

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
        results: [],
      },
    ],
  };
  return { log, results, priority, overLimit };
}

/**
 * The run with what it left out: run.properties.droppedResults (the count), and one tool execution notification
 * saying how many of which rule and level, and where the rest is.
 */
function withDropped(log: Log, dropped: readonly Result[], total: number): Log {
  if (!dropped.length) return log;
  const byLevel = new Map<string, number>();
  const byRule = new Map<string, number>();
  for (const r of dropped) {
    byLevel.set(r.level ?? 'warning', (byLevel.get(r.level ?? 'warning') ?? 0) + 1);
    byRule.set(r.ruleId ?? '', (byRule.get(r.ruleId ?? '') ?? 0) + 1);
  }
  const levels = (['error', 'warning', 'note'] as const)
    .filter((l) => byLevel.has(l))
    .map((l) => `${byLevel.get(l)} ${l === 'note' ? 'note' : l}${byLevel.get(l) === 1 ? '' : 's'}`)
    .join(', ');
  const rules = [...byRule]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id, n]) => `${id} ${n}`)
    .join(', ');
  const text =
    `${dropped.length} of ${total} results are not in this file (${levels}; by rule: ${rules}). ` +
    `GitHub code scanning rejects a run over ${MAX_SARIF_RESULTS} results or a file over 10 MB gzipped, so the least ` +
    `severe were left out. Every finding is in the JSON report (mtls-lint -f json) and the stylish output.`;
  const run = log.runs[0]!;
  return {
    ...log,
    runs: [
      {
        ...run,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              {
                descriptor: { id: DROPPED_ID },
                level: 'warning',
                message: { text },
                properties: {
                  droppedResults: dropped.length,
                  byLevel: Object.fromEntries(byLevel),
                  byRule: Object.fromEntries(byRule),
                },
              },
            ],
          },
        ],
        properties: { droppedResults: dropped.length },
      },
    ],
  };
}

/** The log as text, pretty-printed but for the results: one line each. */
function renderLog(log: Log, resultLines: readonly string[]): string {
  const marker = '\u0000results\u0000';
  const head = JSON.stringify({ ...log, runs: [{ ...log.runs[0]!, results: [marker] }] }, null, 2);
  const at = head.indexOf(JSON.stringify(marker));
  const indent = head.slice(head.lastIndexOf('\n', at) + 1, at);
  const body = resultLines.length
    ? `\n${resultLines.map((l) => indent + l).join(',\n')}\n${indent.slice(2)}`
    : '';
  // `[` … `]` around the marker: replace the marker's line, keeping the brackets.
  const open = head.lastIndexOf('[', at);
  const close = head.indexOf(']', at);
  return `${head.slice(0, open + 1)}${body}${head.slice(close)}\n`;
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
function artifactUri(file: string, source?: string): string {
  // A mesh's render output (`$(command)`): the Helm template when known, else the command line.
  const p =
    file === '<stdin>' || file === '' ? (source ?? 'stdin') : file.startsWith('$(') ? (source ?? file) : file;
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
