// Config `meshes:` in the markdown report and in `mtls-lint convert`: the same namespaces and workloads in two meshes
// are two meshes, never one. The report draws one Mermaid graph per mesh; convert converts each mesh on its own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/mesh.js';
import { tempDir } from './helpers/tmp.js';
import { writeTree, type Tree } from './diff.helpers.js';
import { docsOf } from './helpers/plan.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function example(dir: string, prefix: string): Tree {
  const tree: Tree = {};
  for (const f of readdirSync(path.join(ROOT, 'examples', dir)))
    tree[`${prefix}${f}`] = readFileSync(path.join(ROOT, 'examples', dir, f), 'utf8');
  return tree;
}

const CONFIG = `meshes:
  prod:
    paths: [prod]
  staging:
    paths: [staging]
`;

describe('markdown report with several meshes', () => {
  it('one Mermaid graph per mesh, and one row per mesh for the same connection', async () => {
    const dir = tempDir('meshes-md');
    // The seed's STRICT step in both meshes: legacy/sleep → httpbin.foo:8000 fails in each.
    writeTree(dir, {
      ...example('migration/3-strict', 'prod/'),
      ...example('migration/3-strict', 'staging/'),
      '.mtls-lint.yaml': CONFIG,
    });
    const r = await cli(['-f', 'markdown'], dir);
    expect(r.code).toBe(1);
    const md = r.stdout;
    expect(md).toContain('| \\[prod\\] legacy/sleep | httpbin.foo:8000 | fails |');
    expect(md).toContain('| \\[staging\\] legacy/sleep | httpbin.foo:8000 | fails |');
    const graphs = [...md.matchAll(/(?:Mesh (\S+):\n\n)?```mermaid\n([\s\S]*?)```/g)];
    expect(graphs.map((g) => g[1])).toEqual(['prod', 'staging']);
    for (const g of graphs) {
      expect(g[2]).toContain('["legacy/sleep"]');
      expect(g[2]!.match(/ --> /g)).toHaveLength(1);
    }
  });

  it('a single mesh (no meshes: config) has one graph without a mesh line', async () => {
    const r = await cli(['-f', 'markdown', 'examples/migration/3-strict'], ROOT);
    expect(r.stdout.match(/```mermaid/g)).toHaveLength(1);
    expect(r.stdout).not.toContain('Mesh ');
  });
});

describe('mtls-lint convert with several meshes', () => {
  function repo(): string {
    const dir = tempDir('meshes-convert');
    // prod: the legacy Policy says STRICT; staging: the same Policy (same name) says PERMISSIVE.
    writeTree(dir, {
      ...example('migration-legacy/3-strict', 'prod/'),
      ...example('migration-legacy/1-permissive', 'staging/'),
      '.mtls-lint.yaml': CONFIG,
    });
    return dir;
  }

  it('stdout: each mesh converted on its own, after a # mesh NAME line; neither hides the other', async () => {
    const r = await cli(['convert', '--istio-version', '1.5'], repo());
    expect(r.code, r.stderr).toBe(0);
    const parts = r.stdout.split(/^---\n/m);
    const prod = parts.find((p) => p.startsWith('# mesh prod\n'))!;
    const staging = parts.find((p) => p.startsWith('# mesh staging\n'))!;
    expect(docsOf(prod)).toEqual([
      expect.objectContaining({
        kind: 'PeerAuthentication',
        metadata: { name: 'example-httpbin-permissive', namespace: 'foo' },
        spec: expect.objectContaining({ mtls: { mode: 'STRICT' } }),
      }),
    ]);
    expect(prod).toContain('(prod/policy.yaml:');
    expect(docsOf(staging)).toEqual([
      expect.objectContaining({ spec: expect.objectContaining({ mtls: { mode: 'PERMISSIVE' } }) }),
    ]);
    expect(r.stderr).toContain('mtls-lint convert: mesh "prod": note:');
    expect(r.stderr).toContain('mtls-lint convert: mesh "staging": note:');
  });

  it('--out-dir: DIR/NAME/ per mesh, so that two meshes never write one file', async () => {
    const dir = repo();
    const r = await cli(['convert', '--istio-version', '1.5', '--out-dir', 'out'], dir);
    expect(r.code, r.stderr).toBe(0);
    const prod = readFileSync(path.join(dir, 'out/prod/prod/policy.yaml'), 'utf8');
    const staging = readFileSync(path.join(dir, 'out/staging/staging/policy.yaml'), 'utf8');
    expect(docsOf(prod)[0]).toMatchObject({ spec: { mtls: { mode: 'STRICT' } } });
    expect(docsOf(staging)[0]).toMatchObject({ spec: { mtls: { mode: 'PERMISSIVE' } } });
  });

  it('path arguments convert those paths, as lint does, without mesh lines', async () => {
    const r = await cli(['convert', '--istio-version', '1.5', 'prod'], repo());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('# mesh');
    expect(docsOf(r.stdout)).toEqual([
      expect.objectContaining({ spec: expect.objectContaining({ mtls: { mode: 'STRICT' } }) }),
    ]);
  });
});

describe('mtls-lint plan with several meshes', () => {
  function repo(): string {
    const dir = tempDir('meshes-plan');
    writeTree(dir, {
      ...example('migration/0-plaintext', 'prod/'),
      ...example('migration/3-strict', 'staging/'),
      '.mtls-lint.yaml': CONFIG,
    });
    return dir;
  }

  it('a plan is for one mesh: without --mesh it says which to pick (exit 2), with it plans that mesh only', async () => {
    const dir = repo();
    const none = await cli(['plan'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('plan is for one mesh at a time');
    expect(none.stderr).toContain('has meshes prod, staging; pick one with --mesh NAME');
    const prod = await cli(['plan', '-f', 'json', '--mesh', 'prod'], dir);
    const alone = await cli(['plan', '-f', 'json', 'prod'], dir);
    expect(JSON.parse(prod.stdout)).toEqual(JSON.parse(alone.stdout));
    // prod's connections only (staging, STRICT already, has a broken one).
    expect((JSON.parse(prod.stdout) as { before: unknown }).before).toEqual({
      mtls: 2,
      plaintext: 1,
      broken: 0,
      tls: 0,
    });
  });
});
