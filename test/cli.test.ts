// The CLI's public contract on real inputs: flags, stdin, output files, formats, colour, exit codes 0/1/2.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { VERSION } from '../src/version.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = tempDir('cli');

interface Opts {
  cwd?: string;
  stdin?: string | Buffer[];
  env?: NodeJS.ProcessEnv;
  tty?: boolean;
}

async function cli(argv: string[], opts: Opts = {}) {
  let stdout = '';
  let stderr = '';
  const chunks = typeof opts.stdin === 'string' ? [Buffer.from(opts.stdin)] : (opts.stdin ?? []);
  const code = await run(argv, {
    cwd: opts.cwd ?? tmp,
    stdout: Object.assign(new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }), {
      isTTY: opts.tty ?? false,
    }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin: Readable.from(chunks),
    env: opts.env ?? {},
  });
  return { code, stdout, stderr };
}

function dir(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

interface Json {
  version: number;
  findings: {
    rule: string;
    severity: string;
    file: string;
    line: number;
    column: number;
    message: string;
    source?: string;
    resource?: Record<string, string>;
  }[];
  summary: {
    errors: number;
    warnings: number;
    infos: number;
    files: number;
    resources: number;
    skipped: number;
  };
}

const CLEAN = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: clean\n';
// A suppression without a reason: the invalid-suppression warning carries the resource (and its namespace).
const UNREASONED =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    mtls-lint.io/ignore: "yaml-syntax"\ndata: {}\n';
const BROKEN = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: broken\n   labels: {}\n';

const HELM = `---
# Source: shop/templates/namespace.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# Source: shop/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: shop
data:
  mode: a
  mode: b
---
# Source: shop/templates/values-only.yaml
replicas: 3
`;

describe('stdin', () => {
  it('`helm template … | mtls-lint -`: findings name <stdin>, the line in the stream and the template', async () => {
    const r = await cli(['-f', 'json', '-'], { stdin: HELM });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.findings).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        file: '<stdin>',
        line: 16,
        column: 3,
        source: 'shop/templates/configmap.yaml',
        message: expect.stringContaining('Duplicate key `mode`'),
      }),
    ]);
    expect(json.summary).toMatchObject({ files: 1, resources: 2, skipped: 1, errors: 1 });
  });

  it('stdin arriving in many small chunks, with - given twice, is read once', async () => {
    const chunks = [...Buffer.from(CLEAN + '---\n' + CLEAN.replace('clean', 'clean-2'))].map((b) =>
      Buffer.from([b]),
    );
    const r = await cli(['-f', 'json', '-', '-'], { stdin: chunks });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Json).summary).toMatchObject({ files: 1, resources: 2 });
  });

  it('empty stdin (the command before the pipe failed) is exit 2, not a pass', async () => {
    expect(await cli(['-'], { stdin: '' })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'mtls-lint: standard input is empty, nothing to check (did the command before the pipe fail?)\n',
    });
    expect((await cli(['-'], { stdin: '\n  \n' })).code).toBe(2);
  });

  it('stdin is only read for `-`', async () => {
    const root = dir('no-stdin', { 'a.yaml': CLEAN });
    const r = await cli(['-f', 'json', '.'], { cwd: root, stdin: BROKEN });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Json).summary.resources).toBe(1);
  });
});

describe('exit codes', () => {
  const root = dir('exit', {
    'clean.yaml': CLEAN,
    'warn/settings.yaml': UNREASONED,
    'broken/broken.yaml': BROKEN,
  });

  it('0 when nothing reaches --fail-on, 1 when something does', async () => {
    expect((await cli(['clean.yaml'], { cwd: root })).code).toBe(0);
    expect((await cli(['warn'], { cwd: root })).code).toBe(0); // a warning under the default --fail-on error
    expect((await cli(['--fail-on', 'warning', 'warn'], { cwd: root })).code).toBe(1);
    expect((await cli(['--fail-on', 'info', 'warn'], { cwd: root })).code).toBe(1);
    expect((await cli(['broken'], { cwd: root })).code).toBe(1);
    expect((await cli(['--fail-on', 'never', 'broken'], { cwd: root })).code).toBe(0);
  });

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['-f', 'xml', '.'], /--format "xml" must be one of stylish, json/],
    [['--fail-on', 'critical', '.'], /--fail-on "critical" must be one of error, warning, info, never/],
    [['--istio-version', '2.0', '.'], /--istio-version "2.0" is not a version like 1.4 or 1.24/],
    [['-n', 'Not_A_Namespace', '.'], /namespace "Not_A_Namespace" is not a valid Kubernetes namespace name/],
    [['--explain', 'no-such-rule'], /no rule named "no-such-rule"; rules: yaml-syntax, input-error/],
    [['-c', 'missing.yaml', '.'], /cannot read config .*missing\.yaml: ENOENT/],
    [['does-not-exist'], /^mtls-lint: path not found: does-not-exist\n$/],
  ])('2 for a usage error: %j', async (argv, message) => {
    const r = await cli(argv, { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack
  });

  it('--istio-version takes X.Y, vX.Y.Z and 1.10 (not 1.1)', async () => {
    for (const v of ['1.10', 'v1.24.3', '1.4'])
      expect((await cli(['--istio-version', v, 'clean.yaml'], { cwd: root })).code).toBe(0);
  });
});

describe('output', () => {
  const root = dir('output', {
    'k8s/clean.yaml': CLEAN,
    'k8s/settings.yaml': UNREASONED,
    'broken.yaml': BROKEN,
  });

  it('-f json: only JSON on stdout, the documented fields, paths relative to the working directory', async () => {
    const r = await cli(['-f', 'json', 'k8s', 'broken.yaml'], { cwd: root });
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout) as Json;
    expect(json.version).toBe(1);
    expect(json.findings.map((f) => [f.rule, f.severity, f.file, f.line, f.column])).toEqual([
      ['yaml-syntax', 'error', 'broken.yaml', 4, 9],
      ['invalid-suppression', 'warning', 'k8s/settings.yaml', 6, 26],
    ]);
    expect(json.summary).toMatchObject({
      errors: 1,
      warnings: 1,
      infos: 0,
      files: 3,
      resources: 2,
      skipped: 0,
    });
  });

  it('-n/--namespace: resources without metadata.namespace are in it (default: default)', async () => {
    const ns = async (argv: string[]) =>
      (JSON.parse((await cli(['-f', 'json', ...argv, 'k8s'], { cwd: root })).stdout) as Json).findings[0]!
        .resource;
    expect(await ns([])).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      namespace: 'default',
      name: 'settings',
    });
    expect(await ns(['-n', 'team-a'])).toMatchObject({ namespace: 'team-a' });
    expect(await ns(['--namespace', 'team-b'])).toMatchObject({ namespace: 'team-b' });
  });

  it('-o/--output-file writes the report there and nothing to stdout', async () => {
    const r = await cli(['-f', 'json', '-o', 'out/report.json', 'k8s'], { cwd: root }).catch(
      (e: unknown) => e,
    );
    // The directory does not exist: a usage error, not a crash.
    expect(r).toMatchObject({ code: 2, stderr: 'mtls-lint: cannot write out/report.json: ENOENT\n' });
    const ok = await cli(['-f', 'json', '--output-file', 'report.json', 'k8s'], { cwd: root });
    expect(ok).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const written = JSON.parse(readFileSync(path.join(root, 'report.json'), 'utf8')) as Json;
    expect(written.findings).toHaveLength(1);
    const stylish = await cli(['-o', 'report.txt', 'broken.yaml'], { cwd: root, tty: true });
    expect(stylish).toMatchObject({ code: 1, stdout: '' });
    const text = readFileSync(path.join(root, 'report.txt'), 'utf8');
    expect(text).toContain('broken.yaml');
    expect(text).not.toContain('\u001b['); // a file never gets colour codes, even from a terminal
  });

  it('stylish: colour only on a TTY without NO_COLOR', async () => {
    const esc = '\u001b[';
    expect((await cli(['broken.yaml'], { cwd: root })).stdout).not.toContain(esc);
    expect((await cli(['broken.yaml'], { cwd: root, tty: true })).stdout).toContain(esc);
    expect(
      (await cli(['broken.yaml'], { cwd: root, tty: true, env: { NO_COLOR: '1' } })).stdout,
    ).not.toContain(esc);
    expect((await cli(['--no-color', 'broken.yaml'], { cwd: root, tty: true })).stdout).not.toContain(esc);
    expect((await cli(['broken.yaml'], { cwd: root, env: { FORCE_COLOR: '1' } })).stdout).toContain(esc);
    expect((await cli(['broken.yaml'], { cwd: root, env: { FORCE_COLOR: '0' } })).stdout).not.toContain(esc);
    const plain = (await cli(['broken.yaml'], { cwd: root })).stdout;
    expect(plain).toMatch(/^broken\.yaml\n {2}4:9 {2}error {4}YAML syntax error: .* {2}yaml-syntax\n/);
  });

  it('-h, -v and --explain print to stdout and exit 0', async () => {
    const help = await cli(['-h']);
    expect(help.code).toBe(0);
    for (const flag of [
      '-f, --format',
      '-o, --output-file',
      '-n, --namespace',
      '-c, --config',
      '--istio-version',
      '--fail-on',
      '-h, --help',
      '-v, --version',
    ])
      expect(help.stdout).toContain(flag);
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect((await cli(['-v'])).stdout).toBe(`${VERSION}\n`);
    const explain = await cli(['--explain', 'yaml-syntax']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/^# yaml-syntax \(default: error\)/);
  });

  it('the repository examples run from another working directory, with paths relative to it', async () => {
    const r = await cli(['-f', 'json', path.join(ROOT, 'test/fixtures/load/positions/list.yaml')], {
      cwd: path.join(ROOT, 'test'),
    });
    const json = JSON.parse(r.stdout) as Json;
    expect(json.summary).toMatchObject({ files: 1, resources: 2 });
    for (const f of json.findings) expect(f.file).toBe('fixtures/load/positions/list.yaml');
  });
});
