// `mtls-lint convert`: legacy Policy/MeshPolicy → PeerAuthentication. The proof is behavioural: the converted set
// under the newest Istio gives every client → service port connection the same outcome as the original did under
// 1.4 (auto mTLS held off in both runs: it is a client-side setting the conversion does not touch, and 1.4 had
// it off by default). Runs the real CLI in-process on fixtures under test/fixtures/convert/ and the seed examples.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lintPaths } from './helpers/mesh.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import type { Edge } from '../src/graph/graph.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = (): string => tempDir('convert');

/** A config that holds auto mTLS off, so only the server side (what the conversion changes) can differ. */
function autoOffConfig(): string {
  const file = path.join(tmp(), 'auto-off.yaml');
  writeFileSync(file, 'mesh:\n  autoMtls: false\n');
  return file;
}

/** Every connection's outcome, keyed by client (with group members), server port and how the caller is known. */
function outcomes(edges: Edge[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of edges) {
    const client =
      e.client.standIn ??
      (e.client.members?.map((m) => `${m.namespace}/${m.name}`).join('+') ||
        `${e.client.namespace}/${e.client.name}`);
    const server = e.server.standIn ?? `${e.server.service}.${e.server.namespace}:${e.server.port}`;
    const per = e.connections
      .map((c) => `${c.serverWorkload?.name ?? '*'}:${c.targetPort ?? '-'}=${c.result.outcome}`)
      .sort();
    out.set(`${client} → ${server} (${e.caller})`, per.join(','));
  }
  return out;
}

function isLegacyFile(file: string): boolean {
  return /authentication\.istio\.io/.test(readFileSync(file, 'utf8'));
}

interface Equivalence {
  before: Map<string, string>;
  after: Map<string, string>;
  converted: string;
}

/** Convert `dir` with the CLI, then lint original@1.4 and converted@newest with auto mTLS off. */
async function convertAndCompare(dir: string): Promise<Equivalence> {
  const out = tmp();
  const r = await runCli(['convert', dir, '--out-dir', out], { cwd: ROOT });
  expect(r.code, r.stderr).toBe(0);
  const config = autoOffConfig();
  const before = await lintPaths(ROOT, [dir], { istioVersion: '1.4', configPath: config });
  const kept = readdirSync(path.join(ROOT, dir))
    .map((f) => path.join(dir, f))
    .filter((f) => !isLegacyFile(path.join(ROOT, f)));
  const after = await lintPaths(ROOT, [...kept, path.relative(ROOT, out)], { configPath: config });
  const converted = readdirSync(out, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(path.join(out, f), 'utf8'))
    .join('---\n');
  return { before: outcomes(before.edges), after: outcomes(after.edges), converted };
}

function peerAuthentications(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

describe('convert: same outcomes under the newest Istio as the legacy policies under 1.4', () => {
  for (const step of ['1-permissive', '2-client-mtls', '3-strict']) {
    it(`the seed task's Policy, ${step}`, async () => {
      const { before, after, converted } = await convertAndCompare(`examples/migration-legacy/${step}`);
      expect(after).toEqual(before);
      const [pa] = peerAuthentications(converted);
      expect(pa).toMatchObject({
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'example-httpbin-permissive', namespace: 'foo' },
        spec: {
          selector: { matchLabels: { app: 'httpbin' } },
          mtls: { mode: step === '3-strict' ? 'STRICT' : 'PERMISSIVE' },
        },
      });
      // The comparison is not vacuous: the declared callers of httpbin.foo are there, with the task's outcomes.
      expect(before.get('legacy/sleep → httpbin.foo:8000 (declared)')).toBe(
        step === '3-strict' ? 'httpbin:80=broken' : 'httpbin:80=plaintext',
      );
      if (step !== '1-permissive')
        expect(before.get('foo/sleep → httpbin.foo:8000 (declared)')).toBe('httpbin:80=mtls');
    });
  }

  it('service ports become target ports under portLevelMtls; a Policy without mtls peer becomes DISABLE', async () => {
    const { before, after, converted } = await convertAndCompare('test/fixtures/convert/port-level');
    expect(after).toEqual(before);
    const pas = peerAuthentications(converted);
    expect(pas).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'foo' },
        spec: { mtls: { mode: 'PERMISSIVE' } },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'httpbin', namespace: 'foo' },
        spec: {
          selector: { matchLabels: { app: 'httpbin' } },
          portLevelMtls: { 80: { mode: 'STRICT' }, 9090: { mode: 'DISABLE' } },
        },
      },
    ]);
    // Port 8000 (→ 80) is STRICT, port 9000 (→ metrics 9090) plaintext only, in both worlds.
    expect(before.get('legacy/sleep → httpbin.foo:8000 (declared)')).toBe('httpbin:80=broken');
    expect(before.get('legacy/sleep → httpbin.foo:9000 (declared)')).toBe('httpbin:9090=plaintext');
    expect(before.get('foo/sleep → httpbin.foo:9000 (declared)')).toBe('httpbin:9090=broken');
  });

  it('MeshPolicy becomes a root-namespace PeerAuthentication; `mtls:` (null) is STRICT', async () => {
    const { before, after, converted } = await convertAndCompare('test/fixtures/convert/mesh');
    expect(after).toEqual(before);
    expect(peerAuthentications(converted)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'istio-system' },
        spec: { mtls: { mode: 'STRICT' } },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'default', namespace: 'bar' },
        spec: { mtls: { mode: 'PERMISSIVE' } },
      },
    ]);
    expect(before.get('legacy/sleep → httpbin.foo:8000 (declared)')).toBe('httpbin:80=broken');
    expect(before.get('legacy/sleep → httpbin.bar:8000 (declared)')).toBe('httpbin:80=plaintext');
    expect(before.get('foo/sleep → httpbin.bar:8000 (declared)')).toBe('httpbin:80=mtls');
  });

  it('Services with overlapping selectors and the same requirements merge into one PeerAuthentication', async () => {
    const { before, after, converted } = await convertAndCompare('test/fixtures/convert/overlap');
    expect(after).toEqual(before);
    expect(peerAuthentications(converted)).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'cart', namespace: 'shop' },
        spec: {
          selector: { matchLabels: { app: 'cart' } },
          portLevelMtls: { 7070: { mode: 'STRICT' }, 7171: { mode: 'PERMISSIVE' } },
        },
      },
    ]);
  });
});

describe('convert: says so instead of guessing', () => {
  it('a Service without selector, two Services with different policies over the same pods, JWT origins', async () => {
    const r = await runCli(['convert', 'test/fixtures/convert/impossible'], { cwd: ROOT });
    expect(r.code).toBe(1);
    const file = 'test/fixtures/convert/impossible/policies.yaml';
    expect(r.stderr).toContain(
      `${file}:4:9: not converted: Policy foo/db-strict: Service foo/db has no selector`,
    );
    expect(r.stderr).toContain(
      `${file}:15:9: not converted: Policy foo/web-strict: Container port 80 is reached through web:8000 (STRICT) and web-internal:8001 (PERMISSIVE): two Services with different policies over the same pods`,
    );
    expect(r.stderr).toContain('not converted: Policy foo/web-internal-permissive:');
    expect(r.stderr).toContain(
      'not converted: Policy foo/api-jwt: Its origins (end-user JWT) are not part of mTLS',
    );
    // What can be converted still is: the JWT-only Policy had no mtls peer, so the legacy sidecar took plaintext only.
    const pas = peerAuthentications(r.stdout);
    expect(pas).toEqual([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'api-jwt', namespace: 'foo' },
        spec: { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } },
      },
    ]);
    expect(r.stdout).toContain(`# Converted by mtls-lint from Policy foo/api-jwt (${file}:36)`);
  });

  it('the seed’s mis-indented Policy is not converted; it points at the schema error', async () => {
    const r = await runCli(['convert', 'test/fixtures/seed/policy-permissive.yaml'], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'test/fixtures/seed/policy-permissive.yaml:4:9: not converted: Policy foo/example-httpbin-permissive: it is not a valid Policy',
    );
    expect(r.stderr).toContain('`peers` is not a field of a target');
  });

  it('competing targeted Policies without timestamps are refused, not guessed', async () => {
    const r = await runCli(['convert', 'test/fixtures/hygiene/ambiguous-legacy'], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'httpbin-8000-permissive and httpbin-strict both apply to httpbin.foo:8000; Istio used the oldest, which the manifests do not tell',
    );
    expect(r.stdout).not.toContain('app: httpbin');
  });
});

describe('convert: command line', () => {
  it('writes one file per source file under --out-dir, keeping the relative path', async () => {
    const out = tmp();
    const r = await runCli(
      ['convert', 'test/fixtures/convert/port-level', 'test/fixtures/convert/overlap', '--out-dir', out],
      { cwd: ROOT },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const a = path.join(out, 'test/fixtures/convert/port-level/policy.yaml');
    const b = path.join(out, 'test/fixtures/convert/overlap/policies.yaml');
    expect(existsSync(a) && existsSync(b)).toBe(true);
    expect(peerAuthentications(readFileSync(a, 'utf8'))).toHaveLength(2);
    expect(r.stderr).toContain('(2 PeerAuthentications)');
  });

  it('uses security.istio.io/v1beta1 for releases before 1.22 and refuses releases without PeerAuthentication', async () => {
    const old = await runCli(
      ['convert', '--istio-version', '1.21', 'examples/migration-legacy/1-permissive'],
      { cwd: ROOT },
    );
    expect(old.code).toBe(0);
    expect(peerAuthentications(old.stdout)[0]).toMatchObject({ apiVersion: 'security.istio.io/v1beta1' });
    const none = await runCli(
      ['convert', '--istio-version', '1.4', 'examples/migration-legacy/1-permissive'],
      { cwd: ROOT },
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('PeerAuthentication exists from Istio 1.5');
  });

  it('puts the MeshPolicy replacement in the configured root namespace', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'root.yaml');
    writeFileSync(cfg, 'mesh:\n  rootNamespace: mesh-root\n');
    const r = await runCli(['convert', '-c', cfg, 'test/fixtures/convert/mesh'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(peerAuthentications(r.stdout)[0]).toMatchObject({
      metadata: { name: 'default', namespace: 'mesh-root' },
      spec: { mtls: { mode: 'STRICT' } },
    });
  });

  it('warns that auto-mTLS clients before 1.12 ignore a workload-level DISABLE', async () => {
    const r = await runCli(['convert', '--istio-version', '1.8', 'test/fixtures/convert/port-level'], {
      cwd: ROOT,
    });
    expect(r.code).toBe(0);
    expect(peerAuthentications(r.stdout)[0]).toMatchObject({ apiVersion: 'security.istio.io/v1beta1' });
    expect(r.stderr).toContain(
      'test/fixtures/convert/port-level/policy.yaml:29:9: note: Policy foo/httpbin-metrics-plaintext: The workload-level DISABLE for httpbin.foo is honoured by servers, but auto-mTLS clients of Istio 1.8 (before 1.12) ignore it',
    );
    const newer = await runCli(['convert', 'test/fixtures/convert/port-level'], { cwd: ROOT });
    expect(newer.stderr).not.toContain('workload-level DISABLE');
  });

  it('says when there is nothing to convert, and prints help', async () => {
    const r = await runCli(['convert', 'examples/migration/1-permissive'], { cwd: ROOT });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain('no authentication.istio.io Policy or MeshPolicy in the inputs');
    const help = await runCli(['convert', '--help'], { cwd: ROOT });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mtls-lint convert');
    const bad = await runCli(['convert', '--nope'], { cwd: ROOT });
    expect(bad.code).toBe(2);
    const missing = await runCli(['convert', 'does/not/exist'], { cwd: ROOT });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('path not found');
  });
});
