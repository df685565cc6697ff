import type { LintResult } from '../engine.js';
import type { Finding } from '../types.js';

/** The machine contract (README "JSON output"). Version 1; later fields are additions, never renames. */
export function formatJson(
  result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>,
  showSuppressed = false,
): string {
  return [...jsonChunks(result, showSuppressed)].join('');
}

/**
 * formatJson a finding at a time, byte for byte the same text: a large mesh's report is hundreds of MB, which as
 * one string (and its copy on the way to the file) would double the run's peak memory.
 */
export function* jsonChunks(
  result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>,
  showSuppressed = false,
): Generator<string> {
  const findings = showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
  // JSON.stringify(…, null, 2) of the whole report, nested values indented by their depth (JSON strings hold no raw
  // line breaks, so re-indenting after each "\n" is exact).
  const nested = (value: unknown, depth: number) =>
    JSON.stringify(value, null, 2).replace(/\n/g, '\n' + '  '.repeat(depth));
  if (!findings.length) {
    yield `{\n  "version": 1,\n  "findings": [],\n  "summary": ${nested(result.summary, 1)}\n}\n`;
    return;
  }
  yield '{\n  "version": 1,\n  "findings": [\n';
  for (let i = 0; i < findings.length; i++) {
    yield `    ${nested(publicFinding(findings[i]!), 2)}${i < findings.length - 1 ? ',' : ''}\n`;
  }
  yield `  ],\n  "summary": ${nested(result.summary, 1)}\n}\n`;
}

/** Drop internal fields; keep the documented ones in a stable order. */
export function publicFinding(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
  };
  if (f.resource) out.resource = f.resource;
  if (f.source) out.source = f.source;
  if (f.edges) out.edges = f.edges;
  if (f.related) out.related = f.related;
  if (f.new !== undefined) out.new = f.new;
  if (f.transition) out.transition = f.transition;
  if (f.suppressed) out.suppressed = f.suppressed;
  out.fingerprint = f.key;
  return out;
}
