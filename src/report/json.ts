import type { LintResult } from '../engine.js';
import type { Finding } from '../types.js';

/** The machine contract (README "JSON output"). Version 1; later fields are additions, never renames. */
export function formatJson(result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>, showSuppressed = false): string {
  const findings = showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
  return JSON.stringify({ version: 1, findings: findings.map(publicFinding), summary: result.summary }, null, 2) + '\n';
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
