// The loader on real files: discovery, documents, positions, Helm output, what is skipped, what is reported.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { displayPath } from '../src/load/files.js';
import { DEFAULT_LIMITS, loadInputs, type LoadedInputs, type Resource } from '../src/load/index.js';
import { parseManifestText } from '../src/load/parse.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIX = 'test/fixtures/load';

async function load(
  paths: string[],
  extra: { namespace?: string; ignore?: string[] } = {},
): Promise<LoadedInputs> {
  return loadInputs({
    paths,
    cwd: ROOT,
    namespace: extra.namespace ?? 'default',
    ignore: extra.ignore ?? [],
    limits: DEFAULT_LIMITS,
  });
}

function only(inputs: LoadedInputs, kind: string, name?: string): Resource {
  const found = inputs.resources.filter((r) => r.kind === kind && (name === undefined || r.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
}

const diag = (inputs: LoadedInputs) =>
  inputs.diagnostics.map((d) => ({
    rule: d.rule,
    file: d.file,
    line: d.line,
    column: d.column,
    message: d.message,
  }));

describe('positions', () => {
  it('points at a nested value, its key, a numeric key, and falls back to the nearest ancestor', async () => {
    const inputs = await load([`${FIX}/positions/peer-authentication.yaml`]);
    const pa = only(inputs, 'PeerAuthentication');
    expect(pa.file).toBe(`${FIX}/positions/peer-authentication.yaml`);
    expect(pa.span(['spec', 'mtls', 'mode'])).toEqual({ line: 12, column: 11, endLine: 12, endColumn: 17 });
    expect(pa.span(['spec', 'mtls', 'mode'], { key: true })).toEqual({
      line: 12,
      column: 5,
      endLine: 12,
      endColumn: 9,
    });
    // `8080:` is a numeric key in YAML; ajv's instancePath names it "8080".
    expect(pa.span(['spec', 'portLevelMtls', '8080', 'mode'])).toEqual({
      line: 15,
      column: 13,
      endLine: 15,
      endColumn: 20,
    });
    expect(pa.span(['spec', 'portLevelMtls', 8080], { key: true })).toEqual({
      line: 14,
      column: 5,
      endLine: 14,
      endColumn: 9,
    });
    expect(pa.span(['spec', 'selector', 'matchLabels', 'app'])).toMatchObject({
      line: 10,
      column: 12,
      endColumn: 19,
    });
    expect(pa.span(['metadata', 'name'])).toEqual({ line: 5, column: 9, endLine: 5, endColumn: 16 });
    // A field that is not there: the nearest existing ancestor (spec's value, lines 8–15), not line 1.
    expect(pa.span(['spec', 'mtls', 'nope', 'deeper'])).toMatchObject({ line: 12, column: 5 });
    expect(pa.span(['spec', 'missing'])).toMatchObject({ line: 8, column: 3, endLine: 15 });
    // The resource itself starts at apiVersion (line 2), after the leading comment.
    expect(pa.span([])).toMatchObject({ line: 2, column: 1 });
    expect(pa.value).toMatchObject({ spec: { portLevelMtls: { '8080': { mode: 'DISABLE' } } } });
  });

  it('flow style', async () => {
    const pa = only(await load([`${FIX}/positions/flow.yaml`]), 'PeerAuthentication');
    expect(pa).toMatchObject({ name: 'flow', namespace: 'bar' });
    expect(pa.span(['spec', 'mtls', 'mode'])).toEqual({ line: 3, column: 62, endLine: 3, endColumn: 72 });
    expect(pa.span(['spec', 'mtls', 'mode'], { key: true })).toMatchObject({ line: 3, column: 56 });
    expect(pa.span(['kind'])).toMatchObject({ line: 2, column: 42 });
  });

  it('a file that starts with `{` is JSON for kubectl: YAML flow style there is an error, not an object', () => {
    const text = readFileSync(`${FIX}/positions/flow.yaml`, 'utf8').replace(/^---\n/, '');
    const parsed = parseManifestText(text, 'flow.yaml', 'default');
    expect(parsed.resources).toEqual([]);
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]).toMatchObject({
      rule: 'yaml-syntax',
      severity: 'error',
      line: 1,
      column: 2, // where it stops being JSON: the unquoted key
    });
    expect(parsed.diagnostics[0]!.message).toMatch(/kubectl reads it as JSON.*applies nothing/);
    // Real JSON, one object after another, is read.
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
    expect(parseManifestText(`${json}\n`, 'ns.json', 'default').resources).toHaveLength(1);
  });

  it('JSON files, numeric-looking keys included', async () => {
    const pa = only(await load([`${FIX}/positions/peer-authentication.json`]), 'PeerAuthentication');
    expect(pa).toMatchObject({
      name: 'json',
      namespace: 'baz',
      file: `${FIX}/positions/peer-authentication.json`,
    });
    expect(pa.span(['spec', 'mtls', 'mode'])).toEqual({ line: 9, column: 23, endLine: 9, endColumn: 31 });
    expect(pa.span(['spec', 'portLevelMtls', '9090', 'mode'])).toMatchObject({
      line: 11,
      column: 25,
      endColumn: 37,
    });
    expect(pa.span(['spec', 'portLevelMtls', '9090'], { key: true })).toMatchObject({ line: 11, column: 7 });
  });

  it('kind: List items are resources with their own positions', async () => {
    const inputs = await load([`${FIX}/positions/list.yaml`]);
    expect(inputs.resources.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'Namespace/foo',
      'PeerAuthentication/default',
    ]);
    const ns = only(inputs, 'Namespace');
    expect(ns.span([])).toMatchObject({ line: 4, column: 3 });
    expect(ns.span(['metadata', 'labels', 'istio-injection'])).toMatchObject({
      line: 9,
      column: 24,
      endColumn: 31,
    });
    const pa = only(inputs, 'PeerAuthentication');
    expect(pa.span([])).toMatchObject({ line: 10, column: 3 });
    expect(pa.span(['spec', 'mtls', 'mode'])).toEqual({ line: 17, column: 13, endLine: 17, endColumn: 19 });
    expect(pa.span(['metadata', 'name'])).toMatchObject({ line: 13, column: 11 });
    expect(inputs.skipped).toBe(0);
  });

  it('anchors, aliases and merge keys: positions lead to where the value is written', async () => {
    const inputs = await load([`${FIX}/positions/anchors.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.skipped).toBe(1); // the x-mtls document
    const pa = only(inputs, 'PeerAuthentication', 'merged');
    expect(pa.value).toMatchObject({
      spec: {
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8443': { mode: 'STRICT' }, '9443': { mode: 'STRICT' } },
      },
    });
    expect(pa.span(['spec', 'mtls', 'mode'])).toMatchObject({ line: 15, column: 13 });
    expect(pa.span(['spec', 'portLevelMtls', '8443', 'mode'])).toMatchObject({ line: 15, column: 13 });
    expect(pa.span(['spec', 'portLevelMtls', '9443', 'mode'])).toMatchObject({ line: 15, column: 13 });
    expect(pa.span(['metadata', 'labels', 'team'])).toMatchObject({ line: 11, column: 11 });
  });

  it("the seed's mis-indented Policy: `peers` is found where it really is, under the target", async () => {
    const policy = only(await load([`${FIX}/positions/seed-policy.yaml`]), 'Policy');
    expect(policy).toMatchObject({ apiVersion: 'authentication.istio.io/v1alpha1', namespace: 'foo' });
    expect(policy.value).toMatchObject({
      spec: { targets: [{ name: 'httpbin', peers: null }, { mtls: { mode: 'PERMISSIVE' } }] },
    });
    expect(policy.span(['spec', 'targets', 0, 'peers'], { key: true })).toMatchObject({
      line: 9,
      column: 5,
      endColumn: 10,
    });
    // `peers:` has no value: the value span falls back to the key.
    expect(policy.span(['spec', 'targets', 0, 'peers'])).toMatchObject({ line: 9, column: 5 });
    expect(policy.span(['spec', 'targets', 1, 'mtls', 'mode'])).toMatchObject({ line: 11, column: 13 });
    expect(policy.span(['spec', 'targets', '1', 'mtls'], { key: true })).toMatchObject({
      line: 10,
      column: 5,
    });
  });
});

describe('documents', () => {
  it('Helm output: `# Source:` names the template; empty documents are nothing', async () => {
    const inputs = await load([`${FIX}/multi/helm-output.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.skipped).toBe(0);
    expect(inputs.resources.map((r) => [r.kind, r.name, r.source])).toEqual([
      ['Namespace', 'payments', 'payments/templates/namespace.yaml'],
      ['PeerAuthentication', 'default', 'payments/templates/peerauthentication.yaml'],
      ['Service', 'api', 'payments/templates/service.yaml'],
    ]);
    const pa = only(inputs, 'PeerAuthentication');
    expect(pa.span(['spec', 'mtls', 'mode'])).toMatchObject({ line: 18, column: 11 });
    expect(only(inputs, 'Service').span(['spec', 'ports', 0, 'targetPort'])).toMatchObject({
      line: 30,
      column: 17,
    });
  });

  it('empty, comment-only and `---`-only files are read, hold nothing, and are not errors', async () => {
    const inputs = await load([
      `${FIX}/multi/empty.yaml`,
      `${FIX}/multi/comments-only.yaml`,
      `${FIX}/multi/dashes-only.yaml`,
    ]);
    expect(inputs.files).toEqual([
      `${FIX}/multi/empty.yaml`,
      `${FIX}/multi/comments-only.yaml`,
      `${FIX}/multi/dashes-only.yaml`,
    ]);
    expect(inputs).toMatchObject({ resources: [], diagnostics: [], skipped: 0 });
  });

  it('several documents, with empty ones, `...` ends and comments between', async () => {
    const inputs = await load([`${FIX}/multi/many-documents.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.resources.map((r) => [r.kind, r.name, r.span([]).line])).toEqual([
      ['Namespace', 'one', 1],
      ['Namespace', 'two', 9],
      ['ConfigMap', 'three', 15],
    ]);
  });

  it('non-Kubernetes YAML is skipped and counted: workflows, values, Chart.yaml, templates (listed once), kustomization', async () => {
    const inputs = await load([`${FIX}/skip`]);
    expect(inputs.files).toEqual([
      `${FIX}/skip/.github/workflows/ci.yaml`,
      `${FIX}/skip/chart/Chart.yaml`,
      `${FIX}/skip/chart/templates/configmap.yaml`,
      `${FIX}/skip/chart/templates/peerauthentication.yaml`,
      `${FIX}/skip/chart/templates/service.yaml`,
      `${FIX}/skip/chart/values.yaml`,
      `${FIX}/skip/docker-compose.yml`,
      `${FIX}/skip/kustomization.yaml`,
    ]);
    // The unrendered templates are listed, with the reason, in one info finding.
    expect(inputs.diagnostics.map((d) => [d.rule, d.severity])).toEqual([['input-error', 'info']]);
    expect(inputs.diagnostics[0]!.message).toMatch(
      /^3 documents are unrendered templates and were skipped: /,
    );
    expect(inputs.resources).toEqual([]);
    expect(inputs.skipped).toBe(8);
  });

  it('a rendered object whose data holds Go templates (Prometheus rules) is still a resource', async () => {
    const inputs = await load([`${FIX}/shape/configmap-with-go-templates.yaml`]);
    expect(inputs.skipped).toBe(0);
    expect(only(inputs, 'ConfigMap', 'alerts').namespace).toBe('monitoring');
  });

  it('documents that are not mappings are skipped', async () => {
    const inputs = await load([`${FIX}/shape/not-an-object.yaml`]);
    expect(inputs).toMatchObject({ resources: [], diagnostics: [], skipped: 3 });
  });
});

describe('broken YAML', () => {
  it('a syntax error is reported where the parser found it, and the next document is still loaded', async () => {
    const inputs = await load([`${FIX}/broken/syntax-then-valid.yaml`]);
    expect(diag(inputs)).toEqual([
      {
        rule: 'yaml-syntax',
        file: `${FIX}/broken/syntax-then-valid.yaml`,
        line: 9,
        column: 4,
        message: expect.stringMatching(/^YAML syntax error: .*did not check it/),
      },
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['after-the-broken-one']);
    expect(only(inputs, 'PeerAuthentication').span(['spec', 'mtls', 'mode'])).toMatchObject({
      line: 18,
      column: 11,
    });
  });

  it('an unclosed quote is reported where it opens, and does not swallow the documents after it', async () => {
    const inputs = await load([`${FIX}/broken/unclosed-quote.yaml`]);
    expect(diag(inputs)).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        line: 4,
        column: 9,
        message: expect.stringContaining('never closed'),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['still-checked']);
  });

  it('duplicate keys: named, at the second key, and the document is still checked with the last value', async () => {
    const inputs = await load([`${FIX}/broken/duplicate-key.yaml`]);
    expect(diag(inputs)).toEqual([
      {
        rule: 'yaml-syntax',
        file: `${FIX}/broken/duplicate-key.yaml`,
        line: 9,
        column: 5,
        message: expect.stringMatching(
          /^Duplicate key `mode` in one mapping \(first at line 8\)\..*this last one/,
        ),
      },
    ]);
    expect(inputs.diagnostics[0]).toMatchObject({ endLine: 9, endColumn: 9 });
    expect(only(inputs, 'PeerAuthentication').value).toMatchObject({
      spec: { mtls: { mode: 'PERMISSIVE' } },
    });
    expect(only(inputs, 'PeerAuthentication').span(['spec', 'mtls', 'mode'])).toMatchObject({
      line: 9,
      column: 11,
    });
  });

  it('tabs and bad indentation', async () => {
    const inputs = await load([`${FIX}/broken/tabs.yaml`, `${FIX}/broken/bad-indent.yaml`]);
    expect(diag(inputs)).toEqual([
      expect.objectContaining({
        file: `${FIX}/broken/tabs.yaml`,
        line: 4,
        column: 1,
        message: expect.stringContaining('replace the tab'),
      }),
      // `- port: 80` then a deeper `targetPort:` reads as the multi-line key "80 targetPort": the parser stops at 80.
      expect.objectContaining({
        file: `${FIX}/broken/bad-indent.yaml`,
        line: 8,
        column: 11,
        rule: 'yaml-syntax',
      }),
    ]);
    expect(inputs.resources).toEqual([]);
  });

  it('unknown tags (!Ref, !GetAtt) read as plain values: no error, the rest is checked', async () => {
    const inputs = await load([`${FIX}/broken/unknown-tag.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.skipped).toBe(1);
    expect(only(inputs, 'ConfigMap', 'tagged').value).toMatchObject({ data: { ref: 'something' } });
  });

  it('an alias without its anchor is reported at the alias', async () => {
    const inputs = await load([`${FIX}/broken/unresolved-alias.yaml`]);
    expect(diag(inputs)).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        line: 7,
        column: 6,
        message: expect.stringContaining('`*missing`'),
      }),
    ]);
    expect(inputs.resources).toEqual([]);
  });
});

describe('Kubernetes shape', () => {
  it('a kind with metadata but no apiVersion is an invalid-resource finding, with the apiVersion to add', async () => {
    const inputs = await load([`${FIX}/shape/missing-apiversion.yaml`]);
    expect(diag(inputs)).toEqual([
      {
        rule: 'invalid-resource',
        file: `${FIX}/shape/missing-apiversion.yaml`,
        line: 1,
        column: 1,
        message:
          'This PeerAuthentication (default) has no `apiVersion`, so Kubernetes rejects it and mtls-lint did not check it. Add `apiVersion: security.istio.io/v1`.',
      },
    ]);
    expect(inputs.resources).toEqual([]);
    expect(inputs.skipped).toBe(0);
  });

  it('an apiVersion with metadata but no kind, and kinds/apiVersions of the wrong type', async () => {
    const inputs = await load([`${FIX}/shape/missing-kind.yaml`, `${FIX}/shape/wrong-types.yaml`]);
    expect(diag(inputs)).toEqual([
      expect.objectContaining({
        rule: 'invalid-resource',
        line: 1,
        column: 1,
        message: expect.stringContaining('no `kind`'),
      }),
      expect.objectContaining({
        line: 1,
        column: 1,
        message: expect.stringContaining('`apiVersion` must be a string'),
      }),
      expect.objectContaining({
        line: 7,
        column: 1,
        message: expect.stringContaining('`kind` must be a non-empty string'),
      }),
    ]);
    expect(inputs.resources).toEqual([]);
  });

  it('metadata.name and namespace that YAML reads as numbers are kept, as text', async () => {
    const svc = only(await load([`${FIX}/shape/name-number.yaml`]), 'Service');
    expect(svc).toMatchObject({ name: '8080', namespace: '2024', id: 'Service/2024/8080' });
    expect(svc.value).toMatchObject({ metadata: { name: 8080 } }); // the value is untouched: the schema check reports it
  });

  it('namespace defaulting: --namespace for namespaced kinds, none for cluster-scoped ones', async () => {
    const inputs = await load([`${FIX}/shape/namespaces.yaml`], { namespace: 'team-a' });
    expect(inputs.resources.map((r) => [r.kind, r.name, r.namespace, r.namespaceExplicit])).toEqual([
      ['Namespace', 'foo', undefined, false],
      ['MeshPolicy', 'default', undefined, false],
      ['Service', 'no-namespace', 'team-a', false],
      ['Service', 'explicit', 'bar', true],
      ['Service', 'empty-namespace', 'team-a', false],
    ]);
    expect(only(inputs, 'Service', 'no-namespace').ref()).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      namespace: 'team-a',
      name: 'no-namespace',
    });
    expect(only(inputs, 'MeshPolicy').ref()).not.toHaveProperty('namespace');
  });
});

describe('discovery', () => {
  it('walks directories recursively in a stable order, with paths relative to the working directory', async () => {
    const inputs = await load([`${FIX}/positions`, `${FIX}/multi/helm-output.yaml`]);
    expect(inputs.files).toEqual([
      `${FIX}/positions/anchors.yaml`,
      `${FIX}/positions/flow.yaml`,
      `${FIX}/positions/list.yaml`,
      `${FIX}/positions/peer-authentication.json`,
      `${FIX}/positions/peer-authentication.yaml`,
      `${FIX}/positions/seed-policy.yaml`,
      `${FIX}/multi/helm-output.yaml`,
    ]);
    // The same file named twice is read once.
    const twice = await load([
      `${FIX}/positions/flow.yaml`,
      `./${FIX}/positions/flow.yaml`,
      `${FIX}/positions`,
    ]);
    expect(twice.files.filter((f) => f.endsWith('flow.yaml'))).toHaveLength(1);
  });

  it('ignore globs: names at any depth, anchored paths, directories', async () => {
    const byName = await load([`${FIX}`], { ignore: ['*.json', 'skip', 'broken/', 'hostile'] });
    expect(
      byName.files.some((f) => f.endsWith('.json') || f.includes('/skip/') || f.includes('/broken/')),
    ).toBe(false);
    expect(byName.files).toContain(`${FIX}/positions/flow.yaml`);
    const anchored = await load([`${FIX}`], { ignore: [`${FIX}/positions/**`, `/${FIX}/multi/*.yaml`] });
    expect(anchored.files.some((f) => f.includes('/positions/') || f.includes('/multi/'))).toBe(false);
    expect(anchored.files).toContain(`${FIX}/shape/namespaces.yaml`);
  });

  it('a path that does not exist is reported as missing, the others are still loaded', async () => {
    const inputs = await load([`${FIX}/nope.yaml`, `${FIX}/positions/flow.yaml`]);
    expect(inputs.missing).toEqual([`${FIX}/nope.yaml`]);
    expect(inputs.files).toEqual([`${FIX}/positions/flow.yaml`]);
  });

  it('an explicitly named file is read whatever its extension; in a directory only *.yaml, *.yml, *.json', async () => {
    const named = await load(['test/fixtures/load/positions/../tree/namespace.txt']);
    expect(named.files).toEqual([`${FIX}/tree/namespace.txt`]);
    expect(named.resources.map((r) => r.name)).toEqual(['from-txt']);
    expect((await load([`${FIX}/tree`])).files).toEqual([]);
  });
});

describe('display paths', () => {
  it('relative to the working directory; a path that climbs to the root is shown absolute', () => {
    expect(displayPath('/work/repo', '/work/repo/k8s/a.yaml')).toBe('k8s/a.yaml');
    expect(displayPath('/work/repo', '/work/other/a.yaml')).toBe('../other/a.yaml');
    expect(displayPath('/work/repo', '/dev/fd/63')).toBe('/dev/fd/63');
  });
});
