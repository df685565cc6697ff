// Observed traffic from files (issue 19): a Prometheus query answer or a Kiali graph, read by the real CLI over
// manifests of our own making (test/fixtures/traffic/mesh: foo injected and STRICT, legacy without sidecars, and
// nothing in the manifests that says who calls httpbin.foo).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { prometheusAnswer, type Series } from './helpers/traffic.js';

/** The slice of a `graph -f json` edge these tests read. */
interface GraphEdge {
  caller: string;
  outcome: string;
  client: { namespace: string; workload: string };
  observed?: { mtls: number; plaintext: number; unknown: number; unit: string; window: string };
}
import { tempDir } from './helpers/tmp.js';
import { makeRepo, runGit } from './diff.helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, 'fixtures', 'traffic');
const MESH = path.join(FIXTURES, 'mesh');

/** A Prometheus answer written to a file. */
function promFile(series: Series[], resultType: 'vector' | 'matrix' = 'vector'): string {
  const file = path.join(tempDir('traffic'), 'traffic.json');
  writeFileSync(file, prometheusAnswer(series, resultType));
  return file;
}

async function lintJson(args: string[]) {
  const r = await runCli(['-f', 'json', MESH, ...args]);
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('observed plaintext callers', () => {
  it('without traffic, STRICT over a possible caller is a warning (exit 0)', async () => {
    const r = await runCli([MESH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning .*STRICT breaks 1 caller .*legacy\/sleep → httpbin\.foo:8000/);
  });

  it('legacy/sleep seen calling httpbin.foo in plaintext makes STRICT an error naming it, with the counts', async () => {
    const file = promFile([{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 21 }]);
    const r = await runCli([MESH, '--traffic', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /error .*STRICT breaks 1 caller .*legacy\/sleep \(observed: 21 requests in 7d, all plaintext\) → httpbin\.foo:8000 \(connection reset/,
    );
    const { json } = await lintJson(['--traffic', file]);
    const finding = json.findings.find((f: { rule: string }) => f.rule === 'plaintext-to-strict');
    expect(finding.severity).toBe('error');
    expect(finding.edges).toEqual([
      expect.objectContaining({
        caller: 'observed',
        client: expect.objectContaining({ namespace: 'legacy', workload: 'sleep' }),
      }),
    ]);
  });

  it('traffic from unknown sources (no sidecar, outside the cluster) is a stand-in caller of that service', async () => {
    const file = promFile([
      { to: 'foo/httpbin', security: 'none', value: 4, metric: 'istio_tcp_connections_opened_total' },
    ]);
    const r = await runCli([MESH, '--traffic', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'callers without a sidecar (observed: 4 connections in 7d, all plaintext) → httpbin.foo:8000',
    );
  });

  it('a matrix answer counts the growth of the counter', async () => {
    const file = promFile(
      [{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 30 }],
      'matrix',
    );
    const r = await runCli([MESH, '--traffic', file]);
    expect(r.stdout).toContain('legacy/sleep (observed: 30 requests in 7d, all plaintext)');
  });

  it('only mTLS callers seen: the possible-caller warning says so', async () => {
    const file = promFile([
      { from: 'foo/sleep', to: 'foo/httpbin', security: 'mutual_tls', value: 300 },
      { from: 'foo/sleep', to: 'foo/httpbin', security: 'unknown', value: 300, reporter: 'source' },
    ]);
    const r = await runCli([MESH, '--traffic', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /warning .*legacy\/sleep → httpbin\.foo:8000 .*Observed traffic over 7d: httpbin\.foo had only mTLS callers \(1 workload\), none of these\./,
    );
  });

  it('no call seen at all in the window: the warning says that', async () => {
    const file = promFile([]);
    const r = await runCli([MESH, '--traffic', file, '--traffic-window', '30d']);
    expect(r.stdout).toContain('Observed traffic over 30d: no call to httpbin.foo was observed.');
  });

  it('the source report of a call both proxies reported is not counted twice', async () => {
    const file = promFile([
      { from: 'foo/sleep', to: 'foo/httpbin', security: 'mutual_tls', value: 300 },
      { from: 'foo/sleep', to: 'foo/httpbin', security: 'unknown', value: 300, reporter: 'source' },
    ]);
    const r = await runCli(['graph', MESH, '--traffic', file]);
    expect(r.stdout).toContain('observed: 300 requests in 7d, all mTLS');
  });
});

describe('Kiali graph', () => {
  it('edges into a service node become observed callers; the share off mTLS is plaintext', async () => {
    const r = await runCli([MESH, '--traffic', path.join(FIXTURES, 'kiali-workload-graph.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'legacy/sleep (observed: 0.05 req/s over 7d, all plaintext) → httpbin.foo:8000',
    );
  });

  it('an app graph without service nodes: app labels name the workloads and the services', async () => {
    const r = await runCli([MESH, '--traffic', path.join(FIXTURES, 'kiali-app-graph.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'legacy/sleep (observed: 0.02 req/s over 1d, all plaintext) → httpbin.foo:8000',
    );
    expect(r.stdout).toContain(
      'callers without a sidecar (observed: 512 bytes/s over 1d, all plaintext) → httpbin.foo:8000',
    );
  });

  it('graph -f json shows observed edges with their amounts', async () => {
    const r = await runCli([
      'graph',
      '-f',
      'json',
      MESH,
      '--traffic',
      path.join(FIXTURES, 'kiali-workload-graph.json'),
    ]);
    const edges = JSON.parse(r.stdout).edges as GraphEdge[];
    const observed = edges.filter((e) => e.caller === 'observed');
    expect(observed.map((e) => `${e.client.namespace}/${e.client.workload}:${e.outcome}`).sort()).toEqual([
      'foo/sleep:mtls',
      'legacy/sleep:broken',
    ]);
    expect(observed.find((e) => e.client.namespace === 'foo')!.observed).toEqual({
      mtls: 0.4,
      plaintext: 0,
      unknown: 0,
      unit: 'req/s',
      window: '7d',
    });
  });
});

describe('bad traffic input: exit 2 with what was expected', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', 'hello: world', /bad\.json: not JSON .*expected a Prometheus HTTP API query response/],
    [
      'another JSON',
      '{"kind":"List","items":[]}',
      /bad\.json: neither format: expected a Prometheus .* or a Kiali graph response/,
    ],
    [
      'a PromQL error saved',
      '{"status":"error","errorType":"bad_data","error":"parse error"}',
      /Prometheus answered with an error: bad_data parse error/,
    ],
    [
      'a scalar answer',
      '{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}',
      /resultType "scalar" is not vector or matrix/,
    ],
    [
      'a series without a value',
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}',
      /data\.result\[0\] has no numeric "value"/,
    ],
    [
      'a Kiali edge to nowhere',
      '{"elements":{"nodes":[],"edges":[{"data":{"source":"a","target":"b"}}]}}',
      /elements\.edges\[0\] joins nodes that are not in elements\.nodes/,
    ],
  ];
  for (const [name, content, message] of cases)
    it(name, async () => {
      const dir = tempDir('bad-traffic');
      writeFileSync(path.join(dir, 'bad.json'), content);
      const r = await runCli([MESH, '--traffic', 'bad.json'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(r.stdout).toBe('');
    });

  it('a missing file and a directory', async () => {
    const dir = tempDir('bad-traffic');
    expect((await runCli([MESH, '--traffic', 'nope.json'], { cwd: dir })).stderr).toContain(
      '--traffic nope.json: no such file',
    );
    expect((await runCli([MESH, '--traffic', '.'], { cwd: dir })).stderr).toContain(
      'is a directory, not a file',
    );
  });

  it('traffic flags without a source, and a bad window', async () => {
    expect((await runCli([MESH, '--traffic-window', '7d'])).stderr).toContain(
      '--traffic-window needs --traffic FILE or --prometheus URL',
    );
    const file = promFile([]);
    const r = await runCli([MESH, '--traffic', file, '--traffic-window', 'a week']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a duration like 7d');
  });
});

describe('config traffic:', () => {
  it('files are relative to the config file', async () => {
    const dir = tempDir('traffic-config');
    writeFileSync(
      path.join(dir, 'seen.json'),
      readFileSync(promFile([{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 5 }])),
    );
    writeFileSync(path.join(dir, '.mtls-lint.yaml'), 'traffic:\n  - seen.json\ntrafficWindow: 14d\n');
    const r = await runCli([MESH], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('legacy/sleep (observed: 5 requests in 14d, all plaintext)');
  });
});

describe('model-mismatch', () => {
  it('plaintext seen from a client the manifests say sends mTLS', async () => {
    const file = promFile([{ from: 'foo/sleep', to: 'foo/httpbin', security: 'none', value: 40 }]);
    const { json } = await lintJson(['--traffic', file]);
    const m = json.findings.filter((f: { rule: string }) => f.rule === 'model-mismatch');
    expect(m).toHaveLength(1);
    expect(m[0].severity).toBe('warning');
    expect(m[0].message).toMatch(
      /foo\/sleep → httpbin\.foo:8000: the mesh saw plaintext arrive \(40 requests in 7d, all plaintext; .*traffic\.json\), but the manifests say the client sends mTLS/,
    );
    expect(m[0].file).toBe(path.relative(process.cwd(), path.join(MESH, 'workloads.yaml')));
  });

  it('mTLS seen from a client the manifests say has no sidecar', async () => {
    const file = promFile([{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'mutual_tls', value: 8 }]);
    const { json } = await lintJson(['--traffic', file]);
    const m = json.findings.filter((f: { rule: string }) => f.rule === 'model-mismatch');
    expect(m.map((f: { message: string }) => f.message)).toEqual([
      expect.stringMatching(
        /legacy\/sleep → httpbin\.foo:8000: the mesh saw only mTLS arrive .*the client sends plaintext .*namespace legacy is injected by a label the inputs do not show/,
      ),
    ]);
  });

  it('traffic that agrees with the manifests: no finding', async () => {
    const file = promFile([
      { from: 'foo/sleep', to: 'foo/httpbin', security: 'mutual_tls', value: 40 },
      { from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 3 },
    ]);
    const { json } = await lintJson(['--traffic', file]);
    expect(json.findings.filter((f: { rule: string }) => f.rule === 'model-mismatch')).toEqual([]);
  });
});

describe('PR mode', () => {
  it('a change to STRICT over a service observed plaintext traffic reached is a new error, with no caller in the manifests', async () => {
    const read = (f: string) => readFileSync(path.join(MESH, f), 'utf8');
    const repo = makeRepo('traffic-pr', [
      {
        'k8s/namespaces.yaml': read('namespaces.yaml'),
        'k8s/workloads.yaml': read('workloads.yaml'),
        'k8s/pa.yaml': read('strict.yaml').replace('STRICT', 'PERMISSIVE'),
      },
      { 'k8s/pa.yaml': read('strict.yaml') },
    ]);
    const file = promFile([{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 12 }]);
    const without = await runCli(['--base', repo.commits[0]!, 'k8s'], { cwd: repo.dir });
    expect(without.code).toBe(0);
    const r = await runCli(['--base', repo.commits[0]!, '-f', 'json', 'k8s', '--traffic', file], {
      cwd: repo.dir,
    });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings;
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'plaintext-to-strict',
        severity: 'error',
        new: true,
        message: expect.stringContaining(
          'legacy/sleep (observed: 12 requests in 7d, all plaintext) → httpbin.foo:8000',
        ),
      }),
    ]);
    expect(runGit(repo.dir, ['status', '--porcelain'])).toBe('');
  });
});
