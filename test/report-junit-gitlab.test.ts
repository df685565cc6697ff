// -f junit and -f gitlab as their readers take them. JUnit: validated by libxml2 (xmllint-wasm) against a schema of
// what Jenkins, GitLab and Azure read (test/fixtures/junit/junit.xsd), and queried with XPath. GitLab Code Quality:
// validated with ajv against the schema GitLab checks each entry with (gitlabhq app/validators/json_schemas/
// codeclimate.json: description, fingerprint, severity, location required) plus what its docs require.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { HELP } from '../src/cli/main.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STRICT = 'examples/migration/3-strict';
const XSD = readFileSync(path.join(ROOT, 'test/fixtures/junit/junit.xsd'), 'utf8');

async function validJunit(xml: string): Promise<void> {
  const r = await validateXML({
    xml: { fileName: 'report.xml', contents: xml },
    schema: { fileName: 'junit.xsd', contents: XSD },
  });
  expect(r.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(r.valid).toBe(true);
}

/** An XPath 1.0 expression evaluated by libxml2 on the report, as a string. */
async function xpath(xml: string, expr: string): Promise<string> {
  const r = await validateXML({
    xml: { fileName: 'report.xml', contents: xml },
    normalization: 'format',
    modifyArguments: (args) => ['--xpath', `string(${expr})`, ...args.filter((a) => a !== '--format')],
  });
  return r.normalized.replace(/\n$/, '');
}

function cleanDir(): string {
  const dir = tempDir('clean');
  writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: foo\n');
  writeFileSync(
    path.join(dir, 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: foo\ndata: {}\n',
  );
  return dir;
}

interface JsonReport {
  findings: {
    rule: string;
    file: string;
    line: number;
    severity: string;
    message: string;
    fingerprint: string;
  }[];
}

/** GitLab's entry schema, and the documented fields it reads on top (check_name, the severity scale, lines.begin). */
const GITLAB_ISSUE = {
  type: 'object',
  required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
  properties: {
    description: { type: 'string', minLength: 1 },
    check_name: { type: 'string', minLength: 1 },
    fingerprint: { type: 'string', minLength: 1 },
    severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
    location: {
      type: 'object',
      required: ['path', 'lines'],
      properties: {
        path: { type: 'string', minLength: 1, not: { pattern: '^/' } },
        lines: {
          type: 'object',
          required: ['begin'],
          properties: { begin: { type: 'integer', minimum: 1 }, end: { type: 'integer' } },
        },
      },
    },
  },
  additionalProperties: true,
};

interface GitlabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

describe('-f junit', () => {
  it('the example: valid JUnit, a suite per file, a failing case per rule and file listing each finding', async () => {
    const r = await runCli(['-f', 'junit', STRICT], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    await validJunit(r.stdout);
    const json = JSON.parse((await runCli(['-f', 'json', STRICT], { cwd: ROOT })).stdout) as JsonReport;
    const pairs = new Set(json.findings.map((f) => `${f.file}|${f.rule}`));
    expect(await xpath(r.stdout, 'count(//testcase[failure])')).toBe(String(pairs.size));
    expect(await xpath(r.stdout, '/testsuites/@failures')).toBe(String(pairs.size));
    expect(await xpath(r.stdout, 'count(//testsuite)')).toBe('5'); // every file checked, clean ones passing
    expect(await xpath(r.stdout, '/testsuites/@tests')).toBe(await xpath(r.stdout, 'count(//testcase)'));
    const f = json.findings.find((x) => x.rule === 'plaintext-to-strict')!;
    const failure = `//testcase[@name="plaintext-to-strict"][@file="${f.file}"]/failure`;
    expect(await xpath(r.stdout, `${failure}/@type`)).toBe('error');
    expect(await xpath(r.stdout, `${failure}/@message`)).toBe(`${f.file}:${f.line}:11: ${f.message}`);
    expect(await xpath(r.stdout, failure)).toContain(
      `${f.file}:${f.line}:11: error: ${f.message}\n  ↳ ${STRICT}/sleep.yaml:112:9`,
    );
  });

  it('several findings of one rule in one file: one failing case listing each; suppressed ones are skipped cases', async () => {
    const dir = tempDir('junit');
    const pa = (name: string, mode: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${name}\n  namespace: foo\n  annotations:\n    mtls-lint.io/ignore: "${name === 'c' ? 'invalid-resource: migrating' : ''}"\nspec:\n  mtls: {mode: ${mode}}\n`;
    writeFileSync(
      path.join(dir, 'pa.yaml'),
      [pa('a', 'SOMETIMES'), pa('b', 'NEVER'), pa('c', 'OFTEN')].join('---\n'),
    );
    writeFileSync(path.join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: foo\n');
    const r = await runCli(['-f', 'junit', '--show-suppressed', '.'], { cwd: dir });
    await validJunit(r.stdout);
    const invalid = '//testsuite[@name="pa.yaml"]/testcase[@name="invalid-resource"]';
    expect(await xpath(r.stdout, `count(${invalid}/failure)`)).toBe('1');
    const body = await xpath(r.stdout, `${invalid}/failure`);
    expect(body.split('\n').filter((l) => /^pa\.yaml:\d+:\d+: error: /.test(l))).toHaveLength(2);
    expect(body).toMatch(/SOMETIMES[\s\S]*NEVER/);
    expect(await xpath(r.stdout, `${invalid}/failure/@message`)).toMatch(/SOMETIMES.*\(and 1 more\)$/);
    expect(await xpath(r.stdout, '//testcase[@name="invalid-resource (suppressed)"]/skipped/@message')).toBe(
      'suppressed: migrating',
    );
    expect(await xpath(r.stdout, '//testsuite[@name="ok.yaml"]/testcase/@name')).toBe('mtls-lint');
    expect(await xpath(r.stdout, 'count(//testsuite[@name="ok.yaml"]//failure)')).toBe('0');
  });

  it('names that XML and CI logs cannot carry raw stay valid XML, and read back as the same names', async () => {
    const dir = tempDir('junit-hostile');
    const name = 'a&b <c> "d" \u0001 ##[x].yaml';
    writeFileSync(path.join(dir, name), 'apiVersion: v1\nkind: [\n');
    const r = await runCli(['-f', 'junit', '.'], { cwd: dir });
    await validJunit(r.stdout);
    expect(await xpath(r.stdout, '//testsuite/@name')).toBe(name.replace('\u0001', '?'));
    expect(r.stdout).not.toContain('##[');
  });

  it('no findings: valid, every file a passing case', async () => {
    const r = await runCli(['-f', 'junit', '.'], { cwd: cleanDir() });
    await validJunit(r.stdout);
    expect(await xpath(r.stdout, '/testsuites/@failures')).toBe('0');
    expect(await xpath(r.stdout, 'count(//testcase)')).toBe('2');
  });
});

describe('-f gitlab', () => {
  it('the example: every entry valid for GitLab, one per finding, fingerprints unique and without the line', async () => {
    const r = await runCli(['-f', 'gitlab', STRICT], { cwd: ROOT });
    expect(r.code).toBe(1);
    const issues = JSON.parse(r.stdout) as GitlabIssue[];
    const validate = new Ajv({ allErrors: true, strict: false }).compile(GITLAB_ISSUE);
    for (const issue of issues) expect(validate(issue) ? [] : validate.errors).toEqual([]);
    const json = JSON.parse((await runCli(['-f', 'json', STRICT], { cwd: ROOT })).stdout) as JsonReport;
    expect(issues.map((i) => [i.check_name, i.location.path, i.location.lines.begin, i.description])).toEqual(
      json.findings.map((f) => [f.rule, f.file, f.line, f.message]),
    );
    expect(issues.find((i) => i.check_name === 'plaintext-to-strict')!.severity).toBe('critical');
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });

  it('severity scale, unique fingerprints for look-alike findings, stable when lines move', async () => {
    const dir = tempDir('gitlab');
    const pa = (name: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${name}\n  namespace: foo\nspec:\n  mtls: {mode: SOMETIMES}\n`;
    writeFileSync(path.join(dir, 'pa.yaml'), [pa('a'), pa('b')].join('---\n'));
    // A warning: an ignore annotation without a reason.
    writeFileSync(
      path.join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n  annotations:\n    mtls-lint.io/ignore: "yaml-syntax"\ndata: {}\n',
    );
    const first = JSON.parse(
      (await runCli(['-f', 'gitlab', '--fail-on', 'never', '.'], { cwd: dir })).stdout,
    ) as GitlabIssue[];
    expect(new Set(first.map((i) => i.fingerprint)).size).toBe(first.length);
    expect(new Set(first.map((i) => i.severity))).toEqual(new Set(['critical', 'major']));
    writeFileSync(path.join(dir, 'pa.yaml'), '# moved down\n\n' + [pa('a'), pa('b')].join('---\n'));
    const moved = JSON.parse((await runCli(['-f', 'gitlab', '.'], { cwd: dir })).stdout) as GitlabIssue[];
    expect(moved.map((i) => i.fingerprint)).toEqual(first.map((i) => i.fingerprint));
    const lines = (list: GitlabIssue[]) =>
      list.filter((i) => i.location.path === 'pa.yaml').map((i) => i.location.lines.begin);
    expect(lines(moved)).toEqual(lines(first).map((l) => l + 2));
  });

  it('no findings: an empty array', async () => {
    const r = await runCli(['-f', 'gitlab', '.'], { cwd: cleanDir() });
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('PR mode: only what the change introduces, as in the other formats', async () => {
    const head = await runCli(['-f', 'gitlab', '--base', 'examples/migration/2-client-mtls', STRICT], {
      cwd: ROOT,
    });
    const json = JSON.parse(
      (await runCli(['-f', 'json', '--base', 'examples/migration/2-client-mtls', STRICT], { cwd: ROOT }))
        .stdout,
    ) as JsonReport;
    const issues = JSON.parse(head.stdout) as GitlabIssue[];
    expect(issues.map((i) => i.check_name)).toEqual(json.findings.map((f) => f.rule));
    expect(issues.length).toBeGreaterThan(0);
  });
});

describe('the formats are listed wherever formats are', () => {
  it('--help, the README and the error for an unknown format', async () => {
    for (const f of ['junit', 'gitlab']) {
      expect(HELP).toMatch(new RegExp(`--format FORMAT .*\\b${f}\\b`));
      expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toMatch(
        new RegExp(`\\| \`-f, --format FORMAT\` \\|.*\`${f}\``),
      );
    }
    const r = await runCli(['-f', 'xml', STRICT], { cwd: ROOT });
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('junit, gitlab') });
  });
});
