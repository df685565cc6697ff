// GitHub workflow commands: `::error file=…,line=…::message` lines that the runner turns into annotations on the diff.
// The runner shows at most 10 errors, 10 warnings and 10 notices per step (actions/toolkit docs/problem-matchers.md)
// and drops the rest silently, so we choose which ones are shown and say how many were left out.
import type { LintResult } from '../engine.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../types.js';

const ANNOTATIONS_PER_LEVEL = 10;
const MAX_RELATED_LINES = 5;

type Command = 'error' | 'warning' | 'notice';
const COMMAND: Record<Severity, Command> = { error: 'error', warning: 'warning', info: 'notice' };

export interface GithubOptions {
  showSuppressed?: boolean;
  /** Where the full list is, for the overflow notice. */
  moreAt?: string;
  /** Error annotations to leave free (the action's own failure message takes one). */
  reserveErrors?: number;
}

/** Escaping of @actions/core (command.ts escapeData): the runner decodes %25, %0D, %0A in the message. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally escape `:` and `,`, which separate properties (command.ts escapeProperty). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function workflowCommand(
  command: string,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ' ' + props : ''}::${escapeData(message)}`;
}

/** New findings first (PR mode), then by severity, then in file order. */
export function annotationOrder(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        Number(b.f.new !== false) - Number(a.f.new !== false) ||
        SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] ||
        a.i - b.i,
    )
    .map((x) => x.f);
}

export function formatGithub(
  result: Pick<LintResult, 'findings' | 'suppressed'>,
  opts: GithubOptions = {},
): string {
  const all = annotationOrder(
    opts.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings,
  );
  const perLevel: Record<Command, Finding[]> = { error: [], warning: [], notice: [] };
  for (const f of all) perLevel[COMMAND[f.severity]].push(f);
  const errorSlots = ANNOTATIONS_PER_LEVEL - (opts.reserveErrors ?? 0);
  const overflow =
    all.length -
    Math.min(perLevel.error.length, errorSlots) -
    Math.min(perLevel.warning.length, ANNOTATIONS_PER_LEVEL) -
    Math.min(perLevel.notice.length, ANNOTATIONS_PER_LEVEL);
  // The overflow notice takes one of the 10 notice slots.
  const noticeSlots = overflow > 0 ? ANNOTATIONS_PER_LEVEL - 1 : ANNOTATIONS_PER_LEVEL;
  const shown = [
    ...perLevel.error.slice(0, errorSlots),
    ...perLevel.warning.slice(0, ANNOTATIONS_PER_LEVEL),
    ...perLevel.notice.slice(0, noticeSlots),
  ];
  const lines = shown.map(annotation);
  const hidden = all.length - shown.length;
  if (hidden > 0) {
    const counts = (['error', 'warning', 'notice'] as const)
      .map((c) => {
        const limit = c === 'notice' ? noticeSlots : c === 'error' ? errorSlots : ANNOTATIONS_PER_LEVEL;
        const n = Math.max(0, perLevel[c].length - limit);
        return n ? `${n} ${c === 'notice' ? 'info' : c}${n === 1 ? '' : 's'}` : '';
      })
      .filter(Boolean)
      .join(', ');
    lines.push(
      workflowCommand(
        'notice',
        { title: 'mtls-lint: more findings' },
        `${hidden} more finding${hidden === 1 ? ' is' : 's are'} not annotated (${counts}): GitHub shows at most ${ANNOTATIONS_PER_LEVEL} errors, ${ANNOTATIONS_PER_LEVEL} warnings and ${ANNOTATIONS_PER_LEVEL} notices per step. ${opts.moreAt ?? 'See the job summary, or run mtls-lint locally, for the full list.'}`,
      ),
    );
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function annotation(f: Finding): string {
  const sameLine = f.endLine === f.line;
  // Standard input and a mesh's render output (`$(command)`) are no file in the repository.
  const file = f.file && f.file !== '<stdin>' && !f.file.startsWith('$(') ? f.file : undefined;
  const props: Record<string, string | number | undefined> = {
    file,
    line: file ? f.line : undefined,
    endLine: file && f.endLine >= f.line ? f.endLine : undefined,
    // Columns are only allowed on single-line annotations (@actions/core AnnotationProperties).
    col: file && sameLine ? f.column : undefined,
    endColumn: file && sameLine && f.endColumn > f.column ? f.endColumn : undefined,
    title: `mtls-lint ${f.rule}${f.mesh !== undefined ? ` [mesh ${f.mesh}]` : ''}${f.new === false ? ' (already in base)' : ''}`,
  };
  let message = f.message;
  if (!file && f.file) message = `${f.file}:${f.line}:${f.column}: ${message}`;
  const related = f.related ?? [];
  for (const r of related.slice(0, MAX_RELATED_LINES))
    message += `\n↳ ${r.file}:${r.line}:${r.column} ${r.message}`;
  if (related.length > MAX_RELATED_LINES) message += `\n↳ … and ${related.length - MAX_RELATED_LINES} more`;
  return workflowCommand(COMMAND[f.severity], props, message);
}
