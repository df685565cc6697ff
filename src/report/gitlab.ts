// GitLab Code Quality (`artifacts: reports: codequality:`): a JSON array of Code Climate issues. GitLab reads
// description, check_name, fingerprint, severity, location.path and location.lines.begin; it stops at the first entry
// its schema rejects and shows only the first issue of each fingerprint, so every entry is complete and every
// fingerprint unique. The merge request widget compares fingerprints with the target branch's report: they leave the
// line out, so a finding that only moved is not "new".
import { createHash } from '../hash.js';
import type { LintResult } from '../engine.js';
import type { Finding, Severity } from '../types.js';
import { defuseJson } from '../escape.js';

/** GitLab's scale is info, minor, major, critical, blocker. An error breaks or downgrades traffic: critical. */
const GITLAB_SEVERITY: Record<Severity, 'info' | 'minor' | 'major' | 'critical' | 'blocker'> = {
  error: 'critical',
  warning: 'major',
  info: 'info',
};

interface GitlabIssue {
  type: 'issue';
  engine_name: 'mtls-lint';
  check_name: string;
  description: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end?: number } };
}

/** The report, one issue at a time (a large mesh's report is not one string). Suppressed findings are left out. */
export function* gitlabChunks(result: Pick<LintResult, 'findings'>): Generator<string> {
  const findings = result.findings.filter((f) => !f.suppressed);
  if (!findings.length) {
    yield '[]\n';
    return;
  }
  const seen = new Map<string, number>();
  yield '[\n';
  for (const [i, f] of findings.entries()) {
    const text = JSON.stringify(gitlabIssue(f, seen), null, 2).replace(/\n/g, '\n  ');
    yield `  ${defuseJson(text)}${i + 1 < findings.length ? ',' : ''}\n`;
  }
  yield ']\n';
}

function gitlabIssue(f: Finding, seen: Map<string, number>): GitlabIssue {
  // The finding's identity (rule, resource, field; no line) and file; the same identity twice gets a counter.
  const identity = `${f.file}\0${f.key}`;
  const n = seen.get(identity) ?? 0;
  seen.set(identity, n + 1);
  const fingerprint = createHash('sha256')
    .update(n ? `${identity}\0${n}` : identity)
    .digest('hex')
    .slice(0, 32);
  const lines: GitlabIssue['location']['lines'] = { begin: Math.max(1, f.line) };
  if (f.endLine > f.line) lines.end = f.endLine;
  return {
    type: 'issue',
    engine_name: 'mtls-lint',
    check_name: f.rule,
    description: `${f.mesh !== undefined ? `[${f.mesh}] ` : ''}${f.message}${f.new === false ? ' (already in base)' : ''}`,
    fingerprint,
    severity: GITLAB_SEVERITY[f.severity],
    location: { path: f.file || '.', lines },
  };
}
