// JUnit XML, as GitLab (`artifacts: reports: junit:`), Jenkins (junit step) and Azure Pipelines (PublishTestResults)
// read it: a <testsuite> per file, a <testcase> per rule with findings in that file, failing with every finding of that
// rule there (file:line:column, severity, message); a file without findings is one passing test case. Consumers show
// only the first <failure> of a test case, so there is one, listing each finding on its own line.
import type { LintResult } from '../engine.js';
import { SEVERITY_RANK, type Finding } from '../types.js';
import { oneLine, quoteName } from '../escape.js';

export interface JunitOptions {
  showSuppressed?: boolean;
}

/** A test case for files without findings: what it checked is the whole file. */
const CLEAN_CASE = 'mtls-lint';

export function* junitChunks(
  result: Pick<LintResult, 'findings' | 'suppressed'> & {
    inputs?: { files: readonly string[] };
    /** Config `meshes:`: a suite per mesh and file, named "[mesh] file". */
    meshes?: readonly { name: string; result: { inputs: { files: readonly string[] } } }[];
  },
  opts: JunitOptions = {},
): Generator<string> {
  const findings = opts.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
  // Files in input order, then files only findings name (a related file, "(no file)").
  const byFile = new Map<string, { file: string; mesh?: string; list: Finding[] }>();
  const group = (file: string, mesh?: string) => `${mesh ?? ''}\0${file}`;
  if (result.meshes) {
    for (const m of result.meshes)
      for (const file of m.result.inputs.files)
        byFile.set(group(file, m.name), { file, mesh: m.name, list: [] });
  } else for (const file of result.inputs?.files ?? []) byFile.set(group(file), { file, list: [] });
  for (const f of findings) {
    const entry = byFile.get(group(f.file, f.mesh));
    if (entry) entry.list.push(f);
    else
      byFile.set(group(f.file, f.mesh), {
        file: f.file,
        ...(f.mesh !== undefined ? { mesh: f.mesh } : {}),
        list: [f],
      });
  }
  const suites = [...byFile.values()].map(({ file, mesh, list }) => suite(file, list, mesh));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const skipped = suites.reduce((n, s) => n + s.skipped, 0);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="mtls-lint" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n`;
  for (const s of suites) yield s.xml;
  yield '</testsuites>\n';
}

function suite(
  file: string,
  findings: Finding[],
  mesh?: string,
): { xml: string; tests: number; failures: number; skipped: number } {
  const name = `${mesh !== undefined ? `[${mesh}] ` : ''}${file || '(no file)'}`;
  const classname = name.replace(/\.(ya?ml|json)$/i, '').replace(/[\\/]+/g, '.');
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.suppressed ? `${f.rule} (suppressed)` : f.rule;
    const list = byRule.get(key);
    if (list) list.push(f);
    else byRule.set(key, [f]);
  }
  const open = (caseName: string) =>
    `    <testcase name="${attr(caseName)}" classname="${attr(classname)}"${file ? ` file="${attr(file)}"` : ''}`;
  if (!byRule.size) cases.push(`${open(CLEAN_CASE)}/>\n`);
  for (const [caseName, list] of byRule) {
    if (list[0]!.suppressed) {
      skipped++;
      const reasons = [...new Set(list.map((f) => f.suppressed!.reason))].join('; ');
      cases.push(
        `${open(caseName)}>\n      <skipped message="${attr(`suppressed: ${reasons}`)}"/>\n    </testcase>\n`,
      );
      continue;
    }
    failures++;
    const worst = list.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
    const first = list[0]!;
    const message = `${location(first)}: ${first.message}${list.length > 1 ? ` (and ${list.length - 1} more)` : ''}`;
    const body = list.map(findingText).join('\n');
    cases.push(
      `${open(caseName)}>\n      <failure message="${attr(message)}" type="${worst.severity}">${text(body)}</failure>\n    </testcase>\n`,
    );
  }
  const tests = cases.length;
  const xml =
    `  <testsuite name="${attr(name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    cases.join('') +
    '  </testsuite>\n';
  return { xml, tests, failures, skipped };
}

function location(f: Finding): string {
  return f.file ? `${quoteName(f.file)}:${f.line}:${f.column}` : '(no file)';
}

/** One finding, each line starting with text of ours or a quoted file name (a CI log prints the report). */
function findingText(f: Finding): string {
  const lines = [
    `${location(f)}: ${f.severity}: ${oneLine(f.message)}${f.source ? ` [${oneLine(f.source)}]` : ''}${f.new === false ? ' (already in base)' : ''}`,
  ];
  for (const r of f.related ?? [])
    lines.push(`  ↳ ${quoteName(r.file)}:${r.line}:${r.column} ${oneLine(r.message)}`);
  return lines.join('\n');
}

// XML 1.0 cannot carry these at all, not even as character references.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function text(s: string): string {
  return s
    .replace(NOT_XML, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/##\[/g, '#&#35;[');
}

/** Attribute values: also quotes, and line breaks as references (a parser would turn raw ones into spaces). */
function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
