// Which document is the object (issue 15): kustomize patches are not resources, one identity is one object, and an
// invalid or partial document never hides the complete one. Fixtures under test/fixtures/objects/ are linted through
// the whole pipeline.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, lintYaml } from './helpers/mesh.js';
import type { Finding } from '../src/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(ROOT, 'test/fixtures/objects');

async function lintFixture(dir: string, config?: string): Promise<Finding[]> {
  const run = await lintPaths(path.join(FIXTURES, dir), ['.'], {
    allowInvalid: true,
    ...(config ? { configPath: path.join(FIXTURES, config) } : {}),
  });
  return run.findings;
}

const show = (fs: Finding[]) =>
  fs.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line} ${f.message}`).join('\n');

describe('kustomize patches', () => {
  it('are not resources: the base keeps its STRICT break, patches get one info each, no invalid-resource', async () => {
    const findings = await lintFixture('kustomize');
    expect(
      findings.filter((f) => f.rule === 'invalid-resource'),
      show(findings),
    ).toEqual([]);
    const strict = findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict, show(findings)).toHaveLength(1);
    expect(strict[0]!.severity).toBe('error');
    expect(strict[0]!.message).toContain('legacy/checker → cart.shop:8080');
    const patches = findings.filter((f) => f.rule === 'input-error');
    expect(patches.map((f) => [f.file, f.severity])).toEqual([
      ['overlays/prod/cart-replicas.yaml', 'info'],
      ['overlays/prod/cart-resources.yaml', 'info'],
      ['overlays/staging/cart-replicas.yaml', 'info'],
    ]);
    expect(patches[0]!.message).toContain('a kustomization in the inputs lists this file as a patch');
    expect(patches[2]!.message).toContain('no `spec.template`, which every Deployment has');
    expect(patches[2]!.message).toContain('kustomize build');
    expect(findings.some((f) => f.rule === 'duplicate-resource')).toBe(false);
  });
});

describe('duplicate-resource', () => {
  it('alternative files for one object are one object: a warning naming both, no ambiguous-policy', async () => {
    const findings = await lintFixture('alternatives');
    expect(
      findings.filter((f) => f.rule === 'ambiguous-policy'),
      show(findings),
    ).toEqual([]);
    const dups = findings.filter((f) => f.rule === 'duplicate-resource');
    expect(dups, show(findings)).toHaveLength(1);
    const [dup] = dups as [Finding];
    expect(dup.severity).toBe('warning');
    expect(dup.file).toBe('disable-mtls.yml');
    expect(dup.message).toContain('disable-mtls.yml:2, enable-mtls.yml:2');
    expect(dup.message).toContain('analysed the one at enable-mtls.yml:2');
    expect(dup.message).toContain('last in input order');
    expect(dup.related?.map((r) => r.file)).toEqual(['enable-mtls.yml']);
    // The analysis read the STRICT one (last): no plaintext between sidecars from the DISABLE one.
    expect(
      findings.filter((f) => f.rule === 'plaintext-between-sidecars'),
      show(findings),
    ).toEqual([]);
  });

  it('an invalid copy never hides the valid one, and says how the used one was chosen', async () => {
    const findings = await lintFixture('invalid-twin');
    const invalid = findings.filter((f) => f.rule === 'invalid-resource');
    expect(
      invalid.map((f) => f.file),
      show(findings),
    ).toEqual(['a-ratings.yaml']);
    const dup = findings.find((f) => f.rule === 'duplicate-resource');
    expect(dup?.message, show(findings)).toContain('analysed the one at b-ratings.yaml:32');
    expect(dup?.message).toContain('a document with errors never replaces a valid one');
    // The valid Deployment is in the model: the DestinationRule's subset matches it.
    expect(
      findings.filter((f) => f.rule === 'unmatched-target'),
      show(findings),
    ).toEqual([]);
  });
});

describe('only manifests are manifests (a `paths: .` run over a repository)', () => {
  it('data, documentation, tool configs and unrendered templates raise no error; a broken manifest does', async () => {
    const findings = await lintFixture('not-manifests');
    const errors = findings.filter((f) => f.severity !== 'info');
    // The one broken manifest stays an error, at its line.
    expect(
      errors.map((f) => `${f.rule} ${f.file}:${f.line}`),
      show(findings),
    ).toEqual(['yaml-syntax broken/policy.yaml:10']);
    // Syntax errors in files without any Kubernetes-looking document: info, saying why. (JSON lines, such as
    // data/scores.json, are read as kubectl reads them: one document per line, none of them an object.)
    const quiet = findings.filter((f) => f.rule === 'yaml-syntax' && f.severity === 'info');
    expect(quiet.map((f) => f.file)).toEqual(['docs/glossary.yaml']);
    expect(quiet[0]!.message).toContain('Nothing in this file looks like a Kubernetes object');
    // `kind: Eval` without apiVersion is not a Kubernetes object at all.
    expect(findings.filter((f) => f.file.startsWith('eval/'))).toEqual([]);
    // Templates of every style: skipped, counted, and listed with the reason in one info.
    const listed = findings.filter((f) => f.rule === 'input-error');
    expect(listed, show(findings)).toHaveLength(1);
    expect(listed[0]!.severity).toBe('info');
    expect(listed[0]!.message).toContain('4 documents are unrendered templates');
    expect(listed[0]!.message).toContain('ansible/templates/traffic.yml:6 (2 documents)');
    expect(listed[0]!.message).toContain('metadata.namespace: "{{ tg_namespace }}"');
    expect(listed[0]!.message).toContain('envsubst/server.yaml:5: an envsubst/shell placeholder');
    expect(listed[0]!.message).toContain(
      'ui-fixtures/peer-authn.yaml:5: a placeholder in metadata.name: "<name>"',
    );
  });

  it('summary counts the skipped templates and reads no resource from them', async () => {
    const run = await lintPaths(path.join(FIXTURES, 'not-manifests'), ['.'], { allowInvalid: true });
    expect(run.result.summary.resources).toBe(0);
    // 4 templates, the glossary, the Eval config, and the 3 JSON lines of data/scores.json (read as kubectl does)
    expect(run.result.summary.skipped).toBe(9);
  });
});

describe('ambiguous-policy at scale', () => {
  it('thousands of workload-level PeerAuthentications with one selector: one bounded finding, no crash', async () => {
    const docs = Array.from(
      { length: 3000 },
      (_, i) =>
        `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: pa-${i}, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  mtls: {mode: ${i % 2 ? 'STRICT' : 'PERMISSIVE'}}\n`,
    );
    // One more whose selector is contained in … every pod with app=cart,tier=web also has app=cart.
    docs.push(
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart, tier: web}}\n  mtls: {mode: STRICT}\n`,
    );
    const run = await lintYaml({ 'pas.yaml': docs.join('---\n') });
    const found = run.findings.filter((f) => f.rule === 'ambiguous-policy');
    expect(found).toHaveLength(2);
    const same = found.find((f) => f.message.startsWith('3000 PeerAuthentications'))!;
    expect(same.message).toContain('select the same pods: every pod with app=cart');
    expect(same.message).toContain('and 2995 more');
    expect(same.message.length).toBeLessThan(3000);
    expect(same.related!.length).toBeLessThanOrEqual(50);
    const nested = found.find((f) => f !== same)!;
    expect(nested.message).toContain('every pod with app=cart,tier=web also has app=cart');
  });
});

describe('total input budget (limits.maxTotalSize)', () => {
  it('files past the budget are not read, with one input-error at the first of them', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { tempDir } = await import('./helpers/tmp.js');
    const dir = tempDir('budget');
    mkdirSync(path.join(dir, 'm'));
    const doc = (name: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop}\ndata:\n  blob: "${'x'.repeat(900)}"\n`;
    for (const name of ['a', 'b', 'c']) writeFileSync(path.join(dir, 'm', `${name}.yaml`), doc(name));
    writeFileSync(path.join(dir, '.mtls-lint.yaml'), 'limits:\n  maxTotalSize: 2500\n');
    const run = await lintPaths(dir, ['m'], {
      allowInvalid: true,
      configPath: path.join(dir, '.mtls-lint.yaml'),
    });
    expect(run.result.summary.files).toBe(2);
    const budget = run.findings.filter((f) => f.rule === 'input-error');
    expect(budget.map((f) => [f.file, f.severity, f.line])).toEqual([['m/c.yaml', 'error', 1]]);
    expect(budget[0]!.message).toContain(
      'larger than limits.maxTotalSize (2 KiB in all): this file and the 0 after it',
    );
  });
});

describe('duplicate-resource without metadata.namespace', () => {
  it('is info: the documents may be applied to different namespaces', async () => {
    const doc = (mode: string) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: ${mode}}}\n`;
    const run = await lintYaml({ 'alpha.yaml': doc('STRICT'), 'beta.yaml': doc('PERMISSIVE') });
    const dups = run.findings.filter((f) => f.rule === 'duplicate-resource');
    expect(dups.map((f) => [f.severity, f.file])).toEqual([['info', 'alpha.yaml']]);
    expect(dups[0]!.message).toContain('None of them sets metadata.namespace');
  });
});
