// Checks shared by the property suites.
import type { Finding } from '../../src/types.js';
import type { TextFile } from './harness.js';

/** Lines as an editor shows them (CR, LF and CRLF all end a line). */
function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

/** Problems with where a finding points; empty when it is fine. */
export function locationProblems(
  f: Pick<Finding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn' | 'related' | 'rule' | 'message'>,
  files: TextFile[],
): string[] {
  const out: string[] = [];
  const check = (what: string, file: string, line: number, column: number) => {
    const input = files.find((x) => x.file === file);
    if (!input) return void out.push(`${what}: file ${JSON.stringify(file)} is not one of the inputs`);
    const lines = lineCount(input.text);
    if (!Number.isInteger(line) || line < 1 || line > lines)
      out.push(`${what}: line ${line} is outside ${file} (1..${lines})`);
    if (!Number.isInteger(column) || column < 1) out.push(`${what}: column ${column} is not ≥ 1`);
  };
  check(`${f.rule} "${f.message.slice(0, 80)}"`, f.file, f.line, f.column);
  if (f.endLine < f.line || (f.endLine === f.line && f.endColumn < f.column))
    out.push(`${f.rule}: range ends before it starts (${f.line}:${f.column}-${f.endLine}:${f.endColumn})`);
  for (const r of f.related ?? [])
    check(`${f.rule} related "${r.message.slice(0, 60)}"`, r.file, r.line, r.column);
  return out;
}
