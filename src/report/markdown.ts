// A summary a reviewer reads in ten seconds (job summary, sticky PR comment): counts, new problems first, the
// connections they touch, and a Mermaid graph of the edges that change.
// Everything that comes from a manifest (names, hosts, paths, messages) is untrusted: it is escaped so that it cannot
// add HTML, Markdown links or tables, @-mentions, or close the Mermaid fence.
import type { LintResult } from '../engine.js';
import type { EdgeRef, Finding, Severity, Summary } from '../types.js';
import { annotationOrder } from './github.js';
import { notComparedLine } from './stylish.js';

/** GitHub limits: a step summary is at most 1 MiB; an issue/PR comment body at most 65,536 characters. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;
export const COMMENT_MAX_CHARS = 65_536;
const MAX_CELL = 600;
const MAX_MERMAID_EDGES = 40;

export interface MarkdownOptions {
  showSuppressed?: boolean;
  /** Heading text (plain). */
  title?: string;
  /** What the change was compared with, e.g. "base 1a2b3c4"; shown in the headline. */
  baseLabel?: string;
  /** Hard caps; rows are dropped (with a "… and N more" line) until the text fits. */
  maxChars?: number;
  maxBytes?: number;
  /** Where the full list is ("the SARIF file", "the job summary"), for truncation notes. */
  moreAt?: string;
}

const ICON: Record<Severity, string> = { error: '🔴 error', warning: '🟠 warning', info: '🔵 info' };

/** Escape text for a Markdown table cell or paragraph: no HTML, no Markdown syntax, no mentions, one line. */
export function escapeMarkdown(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
      .replace(/\r?\n|\r/g, ' ')
      // Backslash escapes first: the entities below contain `#` and `&`, which must stay as written.
      .replace(/([\\*_[\]~#!()])/g, '\\$1')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\|/g, '&#124;')
      .replace(/`/g, '&#96;')
      // GitHub finds mentions and issue references in the rendered text, where an entity is already a character:
      // a zero-width space after `@` and `#` breaks them (as Renovate does in the notes it copies into PRs).
      .replace(/@/g, '@&#8203;')
      .replace(/\\#(?=[0-9A-Za-z])/g, '\\#&#8203;')
  );
}

/** Escape text for a quoted Mermaid label: Mermaid entity codes, so quotes, fences and HTML stay text. */
export function escapeMermaid(s: string): string {
  return s.replace(/\r?\n|\r/g, ' ').replace(/[#"<>&`|{}[\]();]/g, (c) => `#${c.charCodeAt(0)};`);
}

function clip(s: string, max = MAX_CELL): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function formatMarkdown(
  result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>,
  opts: MarkdownOptions = {},
): string {
  const limits = [Infinity, 1000, 300, 100, 50, 20, 10, 5, 0];
  let text = '';
  for (const rows of limits) {
    text = render(result, opts, rows);
    if (fits(text, opts)) return text;
  }
  // Even the shortest form is too long (only with absurd caps): cut at a line boundary.
  const max = Math.min(opts.maxChars ?? Infinity, opts.maxBytes ? Math.floor(opts.maxBytes / 4) : Infinity);
  const cut = text.slice(0, Math.max(0, max - 40));
  return cut.slice(0, cut.lastIndexOf('\n') + 1) + '\n_(summary truncated)_\n';
}

function fits(text: string, opts: MarkdownOptions): boolean {
  if (opts.maxChars !== undefined && text.length > opts.maxChars) return false;
  if (opts.maxBytes !== undefined && Buffer.byteLength(text, 'utf8') > opts.maxBytes) return false;
  return true;
}

function render(
  result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>,
  opts: MarkdownOptions,
  maxRows: number,
): string {
  const s = result.summary;
  const prMode = s.newErrors !== undefined;
  const findings = annotationOrder(
    opts.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings,
  );
  const fresh = findings.filter((f) => f.new !== false && !f.suppressed);
  const old = findings.filter((f) => f.new === false && !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const out: string[] = [];

  out.push(`### ${escapeMarkdown(opts.title ?? 'mtls-lint')}`, '');
  out.push(headline(s, opts, prMode, fresh.filter((f) => f.severity === 'info').length), '');
  if (prMode && s.notCompared?.length) out.push(`ℹ️ ${escapeMarkdown(notComparedLine(s.notCompared))}.`, '');

  if (fresh.length) {
    out.push(`#### ${prMode ? 'New problems' : 'Problems'}`, '');
    out.push(...findingTable(fresh, maxRows, opts), '');
  }

  // Connections that fail or are at risk; info-level ones (plaintext still accepted) would drown them in a big mesh.
  const connections = affectedConnections(
    (prMode ? fresh : findings.filter((f) => !f.suppressed)).filter(
      (f) => f.severity !== 'info' || f.transition,
    ),
  );
  if (connections.length) {
    out.push('#### Affected connections', '');
    out.push('| Client | Service | Connection | Finding |', '|---|---|---|---|');
    for (const c of connections.slice(0, maxRows)) {
      out.push(
        `| ${escapeMarkdown(`${c.finding.mesh !== undefined ? `[${c.finding.mesh}] ` : ''}${clientLabel(c.edge)}`)} | ${escapeMarkdown(serverLabel(c.edge))} | ${escapeMarkdown(c.state)} | ${escapeMarkdown(c.finding.rule)} (${escapeMarkdown(locationLabel(c.finding))}) |`,
      );
    }
    if (connections.length > maxRows) out.push(more(connections.length - maxRows, 4));
    out.push('');
    // One graph per mesh (config `meshes:`): the same workload names in two meshes are different nodes.
    const byMesh = new Map<string | undefined, Connection[]>();
    for (const c of connections.slice(0, Math.min(maxRows, MAX_MERMAID_EDGES)))
      byMesh.set(c.finding.mesh, [...(byMesh.get(c.finding.mesh) ?? []), c]);
    for (const [mesh, list] of byMesh) {
      const graph = mermaid(list);
      if (!graph) continue;
      if (mesh !== undefined) out.push(`Mesh ${escapeMarkdown(mesh)}:`, '');
      // A fenced block with a blank line before it: GitHub renders it as a diagram (a <pre lang> block it does not).
      out.push('```mermaid', ...graph, '```', '');
    }
  }

  if (old.length) {
    out.push(
      `<details><summary>${old.length} finding${old.length === 1 ? '' : 's'} already in the base (not caused by this change)</summary>`,
      '',
    );
    out.push(...findingTable(old, maxRows, opts), '', '</details>', '');
  }
  if (suppressed.length) {
    out.push(
      `<details><summary>${suppressed.length} suppressed finding${suppressed.length === 1 ? '' : 's'}</summary>`,
      '',
    );
    out.push(...findingTable(suppressed, maxRows, opts), '', '</details>', '');
  }
  return out.join('\n');
}

function headline(s: Summary, opts: MarkdownOptions, prMode: boolean, newInfos: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const scanned = `${plural(s.files, 'file')}, ${plural(s.resources, 'resource')} checked${opts.baseLabel ? ` against ${escapeMarkdown(opts.baseLabel)}` : ''}`;
  if (prMode) {
    const ne = s.newErrors ?? 0;
    const nw = s.newWarnings ?? 0;
    const icon = ne ? '❌' : nw ? '⚠️' : '✅';
    const before = s.errors + s.warnings - ne - nw;
    const rest = before > 0 ? `; ${plural(before, 'problem')} already in the base` : '';
    const infos = newInfos ? `, ${newInfos} new info` : '';
    return `${icon} **${plural(ne, 'new error')}, ${plural(nw, 'new warning')}**${infos} — ${scanned}${rest}.`;
  }
  const icon = s.errors ? '❌' : s.warnings ? '⚠️' : '✅';
  const counts =
    s.errors + s.warnings + s.infos === 0
      ? 'no problems'
      : `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info`;
  return `${icon} **${counts}** — ${scanned}${s.suppressed ? `, ${s.suppressed} suppressed` : ''}.`;
}

function findingTable(list: Finding[], maxRows: number, opts: MarkdownOptions): string[] {
  const rows = ['| Severity | Where | Problem | Rule |', '|---|---|---|---|'];
  for (const f of list.slice(0, maxRows)) {
    let problem = escapeMarkdown(clip(f.message));
    if (f.related?.length) {
      const victims = f.related
        .slice(0, 3)
        .map((r) => escapeMarkdown(clip(`${r.file}:${r.line} ${r.message}`, 200)));
      problem += `<br>↳ ${victims.join('<br>↳ ')}${f.related.length > 3 ? `<br>↳ … and ${f.related.length - 3} more` : ''}`;
    }
    rows.push(
      `| ${ICON[f.severity]} | ${escapeMarkdown(locationLabel(f))} | ${problem} | ${escapeMarkdown(f.rule)} |`,
    );
  }
  if (list.length > maxRows) rows.push(more(list.length - maxRows, 4, opts.moreAt));
  return rows;
}

function more(n: number, columns: number, where?: string): string {
  return `| … and ${n} more${where ? ` (see ${escapeMarkdown(where)})` : ''} |${' |'.repeat(columns - 1)}`;
}

function locationLabel(f: Finding): string {
  const where = f.file ? `${f.file}:${f.line}` : '(no file)';
  return f.mesh === undefined ? where : `[${f.mesh}] ${where}`;
}

interface Connection {
  edge: EdgeRef;
  finding: Finding;
  state: string;
  broken: boolean;
}

/** One row per distinct edge, from the findings' `edges`; a transition's edge shows both states. */
function affectedConnections(findings: Finding[]): Connection[] {
  const seen = new Map<string, Connection>();
  for (const f of findings) {
    for (const edge of f.edges ?? []) {
      const key = `${f.mesh ?? ''}|${edge.client.namespace}/${edge.client.kind}/${edge.client.workload}→${edge.server.namespace}/${edge.server.service}:${edge.server.port}`;
      if (seen.has(key)) continue;
      // Each edge's own transition (PR mode); an edge without one is new, or was already in this state.
      const t = edge.transition;
      const state = t ? `${t.from} → ${t.to}` : f.severity === 'error' ? 'fails' : 'at risk';
      const broken = t ? !/^(mtls|plaintext|tls)$/i.test(t.to) : f.severity === 'error';
      seen.set(key, {
        edge,
        finding: f,
        state: edge.caller === 'declared' ? state : `${state} (${edge.caller} caller)`,
        broken,
      });
    }
  }
  return [...seen.values()];
}

function clientLabel(e: EdgeRef): string {
  return e.client.workload === '*'
    ? `any workload in ${e.client.namespace}`
    : `${e.client.namespace}/${e.client.workload}`;
}

function serverLabel(e: EdgeRef): string {
  return `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}

function mermaid(connections: Connection[]): string[] | undefined {
  if (!connections.length) return undefined;
  const ids = new Map<string, string>();
  const lines = ['flowchart LR'];
  const node = (label: string, prefix: string) => {
    const k = `${prefix}:${label}`;
    let id = ids.get(k);
    if (!id) {
      id = `${prefix}${ids.size}`;
      ids.set(k, id);
      lines.push(`  ${id}["${escapeMermaid(label)}"]`);
    }
    return id;
  };
  const styles: string[] = [];
  connections.forEach((c, i) => {
    const a = node(clientLabel(c.edge), 'c');
    const b = node(serverLabel(c.edge), 's');
    lines.push(`  ${a} -- "${escapeMermaid(c.state)}" --> ${b}`);
    styles.push(`  linkStyle ${i} stroke:${c.broken ? '#d73a49' : '#e36209'},stroke-width:2px`);
  });
  return [...lines, ...styles];
}
