// Inline suppressions: `mtls-lint.io/ignore: "plaintext-to-strict: batch jobs move in Q3; unknown-injection: ns by platform"`
// on the resource a finding points at. A reason is required; an entry without one does not suppress.
import type { Resource } from './load/index.js';
import type { ResolvedOptions } from './options.js';
import type { Finding } from './types.js';

export const IGNORE_ANNOTATION = 'mtls-lint.io/ignore';

interface SuppressionEntry {
  rule: string;
  reason: string;
}

export interface ParsedSuppressions {
  entries: SuppressionEntry[];
  /** Entries that cannot suppress anything: no reason, or not "rule: reason". */
  problems: string[];
}

export function parseSuppressions(value: string): ParsedSuppressions {
  const out: ParsedSuppressions = { entries: [], problems: [] };
  for (const part of value.split(/[;\n]/)) {
    const text = part.trim();
    if (!text) continue;
    const colon = text.indexOf(':');
    const rule = (colon < 0 ? text : text.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : text.slice(colon + 1).trim();
    if (!/^[a-z][a-z0-9-]*$|^\*$/.test(rule)) {
      out.problems.push(`"${text}" is not "rule-id: reason"`);
    } else if (!reason) {
      out.problems.push(`"${rule}" has no reason; write "${rule}: why this is acceptable"`);
    } else {
      out.entries.push({ rule, reason });
    }
  }
  return out;
}

export function suppressionsOf(resource: Resource): ParsedSuppressions | undefined {
  const metadata = resource.value.metadata as { annotations?: unknown } | undefined;
  const annotations = metadata?.annotations;
  if (!annotations || typeof annotations !== 'object') return undefined;
  const value = (annotations as Record<string, unknown>)[IGNORE_ANNOTATION];
  return typeof value === 'string' ? parseSuppressions(value) : undefined;
}

export function applySuppressions(
  findings: Finding[],
  resources: Resource[],
  _options: ResolvedOptions,
): { kept: Finding[]; suppressed: Finding[] } {
  const byId = new Map<string, ParsedSuppressions>();
  for (const r of resources) {
    const s = suppressionsOf(r);
    if (s && s.entries.length) byId.set(`${r.id}|${r.file}`, s);
  }
  if (byId.size === 0) return { kept: findings, suppressed: [] };
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const r = f.resource;
    const s = r ? byId.get(`${r.kind}/${r.namespace ?? ''}/${r.name}|${f.file}`) : undefined;
    const entry = s?.entries.find((e) => e.rule === f.rule || e.rule === '*');
    if (entry && f.rule !== 'invalid-suppression') {
      suppressed.push({ ...f, suppressed: { reason: entry.reason, by: `annotation ${IGNORE_ANNOTATION}` } });
    } else kept.push(f);
  }
  return { kept, suppressed };
}
