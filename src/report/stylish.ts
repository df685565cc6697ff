import type { LintResult } from '../engine.js';
import type { Finding } from '../types.js';
import { oneLine, quoteName } from '../escape.js';

export interface StylishOptions {
  color: boolean;
  showSuppressed?: boolean;
}

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const BLUE = '\u001b[34m';
const DIM = '\u001b[2m';
const BOLD = '\u001b[1m';
const UNDERLINE = '\u001b[4m';
const RESET = '\u001b[0m';

/** ESLint-style: a path line, then `line:col  severity  message  rule` rows, then a one-line total. */
export function formatStylish(
  result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>,
  opts: StylishOptions,
): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${RESET}` : s);
  const findings = opts.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
  // Config `meshes:`: one group per mesh and file, headed "[mesh] file".
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = `${f.mesh ?? ''}\0${f.file}`;
    const list = byFile.get(group) ?? [];
    list.push(f);
    byFile.set(group, list);
  }
  const lines: string[] = [];
  for (const list of byFile.values()) {
    const { file, mesh } = list[0]!;
    const name = file ? quoteName(file) : '(no file)';
    // The only line that starts with text from the inputs: a file named `::error::…` must not be a workflow command.
    lines.push('', paint(UNDERLINE, mesh === undefined ? name : `[${oneLine(mesh)}] ${name}`));
    const posWidth = Math.max(...list.map((f) => `${f.line}:${f.column}`.length));
    for (const f of list) {
      const sev =
        f.severity === 'error'
          ? paint(RED, 'error  ')
          : f.severity === 'warning'
            ? paint(YELLOW, 'warning')
            : paint(BLUE, 'info   ');
      const pos = `${f.line}:${f.column}`.padEnd(posWidth);
      const tag = f.suppressed
        ? paint(DIM, ` (suppressed: ${oneLine(f.suppressed.reason)})`)
        : f.new === false
          ? paint(DIM, ' (already in base)')
          : '';
      // Helm output: name the template, since "<stdin>" alone does not say where to fix it.
      const message = oneLine(f.message) + (f.source ? paint(DIM, ` [${oneLine(f.source)}]`) : '');
      lines.push(`  ${paint(DIM, pos)}  ${sev}  ${message}${tag}  ${paint(DIM, f.rule)}`);
      for (const r of f.related ?? []) {
        lines.push(
          `  ${' '.repeat(posWidth)}           ${paint(DIM, `↳ ${quoteName(r.file)}:${r.line}:${r.column} ${oneLine(r.message)}`)}`,
        );
      }
    }
  }
  const s = result.summary;
  const total = s.errors + s.warnings + s.infos;
  lines.push('');
  const counts = `${total} problem${total === 1 ? '' : 's'} (${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.infos} info)`;
  const scanned = `${s.files} file${s.files === 1 ? '' : 's'}, ${s.resources} resource${s.resources === 1 ? '' : 's'}${s.skipped ? `, ${s.skipped} non-Kubernetes document${s.skipped === 1 ? '' : 's'} skipped` : ''}${s.suppressed ? `, ${s.suppressed} suppressed` : ''}`;
  if (s.newErrors !== undefined || s.newWarnings !== undefined) {
    // PR mode: the list shows what the change introduces; say so, and how many the head has in all.
    const newCount = findings.filter((f) => f.new !== false && !f.suppressed).length;
    const head = `${newCount} new problem${newCount === 1 ? '' : 's'} (${s.newErrors ?? 0} error${s.newErrors === 1 ? '' : 's'}, ${s.newWarnings ?? 0} warning${s.newWarnings === 1 ? '' : 's'}); ${total} in the head in total`;
    if (s.notCompared?.length) lines.push(paint(BLUE, notComparedLine(s.notCompared)));
    lines.push(
      `${paint(BOLD, newCount === 0 ? '✔ ' + head : (s.newErrors ? paint(RED, '✖ ') : paint(YELLOW, '⚠ ')) + head)} — ${scanned}`,
    );
    return lines.join('\n').replace(/^\n/, '') + '\n';
  }
  if (total === 0) lines.push(`${paint(BOLD, '✔ no problems')} — ${scanned}`);
  else
    lines.push(`${paint(BOLD, (s.errors ? paint(RED, '✖ ') : paint(YELLOW, '⚠ ')) + counts)} — ${scanned}`);
  return lines.join('\n').replace(/^\n/, '') + '\n';
}

/** PR mode: the head's files that git does not track, named once (the first few), and how to compare them. */
export function notComparedLine(files: string[], shown = 5): string {
  const n = files.length;
  const names = files.slice(0, shown).join(', ') + (n > shown ? ` and ${n - shown} more` : '');
  return `${n} file${n === 1 ? '' : 's'} git does not track ${n === 1 ? 'was' : 'were'} not part of the comparison: ${oneLine(names)} (--untracked compare to compare ${n === 1 ? 'it' : 'them'} against nothing)`;
}
