// .mtls-lint.yaml: where it is found, what each key does, and that a bad one is exit 2 naming the key.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { resolveOptions } from '../src/resolve-options.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('config');

async function cli(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd,
    stdout: Object.assign(new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }), {
      isTTY: false,
    }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin: Readable.from([]),
    env: {},
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
  findings: { rule: string; severity: string; file: string; resource?: { namespace?: string } }[];
  summary: { files: number; resources: number };
}
const json = (stdout: string) => JSON.parse(stdout) as Json;

// A warning (invalid-suppression) on a resource without a namespace, and an error (yaml-syntax).
const UNREASONED =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    mtls-lint.io/ignore: "yaml-syntax"\n';
const DUPLICATE = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: dup\n';

describe('finding the config', () => {
  it('is found from the working directory upward, and applies', async () => {
    const root = dir('upward', {
      '.mtls-lint.yaml': 'namespace: from-config\nrules:\n  yaml-syntax: off\n',
      'apps/web/k8s/a.yaml': UNREASONED + '---\n' + DUPLICATE,
    });
    const r = await cli(['-f', 'json', 'k8s'], path.join(root, 'apps', 'web'));
    expect(r.code).toBe(0); // yaml-syntax is off
    expect(json(r.stdout).findings.map((f) => [f.rule, f.resource?.namespace])).toEqual([
      ['invalid-suppression', 'from-config'],
    ]);
    // Without the config, the duplicate key fails the run.
    const bare = dir('no-config', { 'k8s/a.yaml': DUPLICATE });
    expect((await cli(['k8s'], bare)).code).toBe(1);
  });

  it('-c FILE wins over the search, and .mtls-lint.yml is found too', async () => {
    const root = dir('explicit', {
      '.mtls-lint.yml': 'rules:\n  yaml-syntax: warning\n',
      'strict.yaml': 'rules:\n  yaml-syntax: error\n',
      'a.yaml': DUPLICATE,
    });
    const found = await cli(['-f', 'json', 'a.yaml'], root);
    expect(found.code).toBe(0);
    expect(json(found.stdout).findings.map((f) => f.severity)).toEqual(['warning']);
    const explicit = await cli(['-f', 'json', '-c', 'strict.yaml', 'a.yaml'], root);
    expect(explicit.code).toBe(1);
    expect(json(explicit.stdout).findings.map((f) => f.severity)).toEqual(['error']);
    const viaOptions = resolveOptions({ cwd: root, paths: [], configPath: 'strict.yaml' });
    expect(viaOptions.configFile).toBe(path.join(root, 'strict.yaml'));
    expect(viaOptions.paths).toEqual(['.']);
  });

  it('-n overrides the config namespace', async () => {
    const root = dir('ns', { '.mtls-lint.yaml': 'namespace: from-config\n', 'a.yaml': UNREASONED });
    const r = await cli(['-f', 'json', '-n', 'from-flag', 'a.yaml'], root);
    expect(json(r.stdout).findings[0]!.resource?.namespace).toBe('from-flag');
  });
});

describe('a bad config is exit 2, naming the file, line and key', () => {
  it.each([
    [
      'an unknown key',
      'namespace: a\nrulez:\n  yaml-syntax: off\n',
      /\.mtls-lint\.yaml:2:1: rulez is not a known setting$/,
    ],
    [
      'an unknown nested key',
      'limits:\n  maxFileSise: 10\n',
      /:2:3: limits\.maxFileSise is not a known setting$/,
    ],
    [
      'an unknown rule',
      'rules:\n  yaml-syntaks: off\n',
      /:2:3: rules\.yaml-syntaks is not a rule of mtls-lint \(see --list-rules\)$/,
    ],
    [
      'a bad severity',
      'rules:\n  yaml-syntax: of\n',
      /:2:16: rules\.yaml-syntax must be one of "error", "warning", "info", "off"$/,
    ],
    ['a wrong type', 'limits:\n  maxFileSize: 10MB\n', /:2:16: limits\.maxFileSize must be an integer$/],
    ['ignore as a string', 'ignore: "*.tpl.yaml"\n', /:1:9: ignore must be an array$/],
    [
      'unquoted istioVersion 1.10',
      'istioVersion: 1.10\n',
      /:1:15: istioVersion must be quoted \(istioVersion: "1\.1"\); unquoted, YAML reads 1\.10 as 1\.1$/,
    ],
    [
      'a bad namespace',
      'namespace: Foo_Bar\n',
      /namespace "Foo_Bar" is not a valid Kubernetes namespace name$/,
    ],
    ['not a mapping', '- a\n- b\n', /\(top level\) must be an object$/],
    [
      'broken YAML',
      'rules:\n  yaml-syntax: off\n   x: 1\n',
      /\.mtls-lint\.yaml:2:16: Nested mappings are not allowed in compact mappings$/,
    ],
    ['a duplicate key', 'namespace: a\nnamespace: b\n', /:2:1: namespace is set twice; keep one$/],
    [
      'an alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x,x]\n${Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [${Array(10)
            .fill(i ? `*b${i - 1}` : '*a')
            .join(',')}]`,
      ).join('\n')}\n`,
      /resource exhaustion/,
    ],
  ])('%s', async (_name, config, message) => {
    const root = dir(`bad-${_name.replace(/\W+/g, '-')}`, {
      '.mtls-lint.yaml': config,
      'a.yaml': UNREASONED,
    });
    const r = await cli(['a.yaml'], root);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^mtls-lint: /);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a config over 1 MiB is refused before it is parsed', async () => {
    const root = dir('huge-config', {
      '.mtls-lint.yaml': `# ${'x'.repeat(1024 * 1024)}\n`,
      'a.yaml': UNREASONED,
    });
    const r = await cli(['a.yaml'], root);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('config file is over 1 MiB') });
  });

  it('istioVersion quoted is fine; the flag wins over the config', () => {
    const root = dir('version', { '.mtls-lint.yaml': 'istioVersion: "1.10"\n' });
    expect(resolveOptions({ cwd: root, paths: [] }).istioVersion).toMatchObject({ major: 1, minor: 10 });
    expect(resolveOptions({ cwd: root, paths: [], istioVersion: '1.4' }).istioVersion).toMatchObject({
      minor: 4,
    });
  });
});

describe('ignore and limits', () => {
  it('ignore globs: names at any depth, and anchored paths relative to the config file, from any directory', async () => {
    const root = dir('ignore', {
      '.mtls-lint.yaml': 'ignore:\n  - "*.tpl.yaml"\n  - deploy/vendor/\n  - /deploy/generated/**\n',
      'deploy/app.yaml': UNREASONED,
      'deploy/app.tpl.yaml': DUPLICATE,
      'deploy/vendor/x.yaml': DUPLICATE,
      'deploy/generated/y.yaml': DUPLICATE,
      'deploy/sub/generated/z.yaml': UNREASONED.replace('settings', 'kept'),
    });
    const fromRoot = await cli(['-f', 'json', 'deploy'], root);
    expect(fromRoot.code).toBe(0);
    expect(json(fromRoot.stdout).summary).toMatchObject({ files: 2 });
    expect(json(fromRoot.stdout).findings.map((f) => f.file)).toEqual([
      'deploy/app.yaml',
      'deploy/sub/generated/z.yaml',
    ]);
    // From a subdirectory the anchored globs still mean the same files; display paths are relative to it.
    const fromSub = await cli(['-f', 'json', '.'], path.join(root, 'deploy'));
    expect(json(fromSub.stdout).findings.map((f) => f.file)).toEqual(['app.yaml', 'sub/generated/z.yaml']);
    // Everything ignored: there is no input, exit 2 saying why.
    const none = await cli(['deploy/vendor'], root);
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("or the config file's ignore globs exclude them all"),
    });
  });

  it('limits from the config apply to the loader', async () => {
    const root = dir('limits', {
      '.mtls-lint.yaml': 'limits:\n  maxFileSize: 100\n  maxDocuments: 1\n',
      'big.yaml': UNREASONED + '#'.repeat(200) + '\n',
      'two.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n',
    });
    const r = await cli(['-f', 'json', '.'], root);
    expect(r.code).toBe(1);
    expect(json(r.stdout).findings.map((f) => [f.rule, f.file])).toEqual([
      ['input-error', 'big.yaml'],
      ['input-error', 'two.yaml'],
    ]);
    expect(resolveOptions({ cwd: root, paths: [] }).limits).toEqual({
      maxFileSize: 100,
      maxTotalSize: 256 * 1024 * 1024,
      maxDocuments: 1,
      maxAliasCount: 100,
      maxDepth: 200,
    });
  });
});
