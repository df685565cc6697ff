// A real Prometheus (Debian's package; .ci/run installs it): a TSDB backfilled with promtool from an OpenMetrics
// fixture of Istio's metrics of our own making, served on a loopback port, queried by the real CLI. Failures (no
// server, HTTP 500, a server that never answers, a token) use loopback HTTP servers standing in for Prometheus.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

/** The slice of a `graph -f json` edge these tests read. */
interface GraphEdge {
  caller: string;
  outcome: string;
  client: { namespace: string; workload: string };
  observed?: { mtls: number; plaintext: number; unknown: number; unit: string; window: string };
}
import { tempDir } from './helpers/tmp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, 'fixtures', 'traffic');
const MESH = path.join(FIXTURES, 'mesh');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${log()}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`prometheus not ready after 30 s: ${log()}`);
}

describe('a live Prometheus with backfilled Istio metrics', () => {
  let prometheus: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const dir = tempDir('prometheus');
    // The fixture's {{T-n}} is n seconds before now: the window (7d, by default) must hold the samples.
    const now = Math.floor(Date.now() / 1000);
    const metrics = readFileSync(path.join(FIXTURES, 'istio-metrics.om.template'), 'utf8').replace(
      /\{\{T-(\d+)\}\}/g,
      (_, n: string) => String(now - Number(n)),
    );
    writeFileSync(path.join(dir, 'istio.om'), metrics);
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', 'istio.om', 'data'], { cwd: dir });
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    let log = '';
    prometheus = spawn(
      'prometheus',
      [
        '--config.file=prometheus.yml',
        '--storage.tsdb.path=data',
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=30d',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
    await waitReady(url, prometheus, () => log);
  }, 60_000);

  afterAll(() => {
    prometheus?.kill();
  });

  it('the seed\u2019s "check before STRICT": legacy/sleep seen in plaintext makes STRICT an error naming it', async () => {
    const r = await runCli(['--prometheus', url, MESH]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error .*STRICT breaks 2 callers/);
    expect(r.stdout).toMatch(
      /legacy\/sleep \(observed: \d+ requests in 7d, all plaintext\) → httpbin\.foo:8000 \(connection reset/,
    );
    expect(r.stdout).toMatch(
      /callers without a sidecar \(observed: \d+ connections in 7d, all plaintext\) → httpbin\.foo:8000/,
    );
  });

  it('graph: foo/sleep observed with mTLS (the destination\u2019s report, not both proxies\u2019)', async () => {
    const r = await runCli(['graph', '-f', 'json', '--prometheus', url, MESH]);
    expect(r.code).toBe(0);
    const edges = JSON.parse(r.stdout).edges as GraphEdge[];
    const foo = edges.find(
      (e) => e.caller === 'observed' && e.client.namespace === 'foo' && e.client.workload === 'sleep',
    );
    expect(foo).toBeDefined();
    expect(foo!.outcome).toBe('mtls');
    expect(foo!.observed!.plaintext).toBe(0);
    expect(foo!.observed!.unknown).toBe(0);
    // Counter growth over two hours of the fixture: 300, extrapolated by increase() to a little more.
    expect(foo!.observed!.mtls).toBeGreaterThanOrEqual(300);
    expect(foo!.observed!.mtls).toBeLessThan(400);
  });

  it("every query a plan's checks print is valid PromQL for a real Prometheus (stand-in hosts included)", async () => {
    const seed = path.join(here, '..', 'examples', 'migration', '0-plaintext');
    const queries = new Set<string>();
    for (const version of ['1.4', '1.30']) {
      const r = await runCli(['plan', '-f', 'json', '--istio-version', version, seed]);
      const plan = JSON.parse(r.stdout) as { steps: { checks: { queries?: string[] }[] }[] };
      for (const step of plan.steps)
        for (const check of step.checks) for (const q of check.queries ?? []) queries.add(q);
    }
    // The seed's possible callers are stand-ins ("any other service in foo"): their host has a "*".
    expect([...queries].some((q) => q.includes('[^.]+'))).toBe(true);
    for (const query of queries) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await res.json()) as { status: string; error?: string };
      expect({ query, status: body.status, error: body.error }).toEqual({
        query,
        status: 'success',
        error: undefined,
      });
    }
  });

  it('a window that ends before the samples sees nothing', async () => {
    const r = await runCli(['--prometheus', url, '--traffic-window', '1s', MESH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Observed traffic over 1s: no call to httpbin.foo was observed.');
  });
});

/** A loopback server standing in for Prometheus: `handle` answers each request. */
async function stub(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}

const EMPTY = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } });

describe('Prometheus failures: exit 2 saying what failed', () => {
  it('nothing listening', async () => {
    const port = await freePort();
    const r = await runCli(['--prometheus', `http://127.0.0.1:${port}`, MESH]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mtls-lint: cannot connect to Prometheus http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('HTTP 500', async () => {
    const s = await stub((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    });
    const r = await runCli(['--prometheus', s.url, MESH]);
    s.server.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Prometheus ${s.url} answered HTTP 500`);
  });

  it('a PromQL error', async () => {
    const s = await stub((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query"' }));
    });
    const r = await runCli(['--prometheus', s.url, MESH]);
    s.server.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Prometheus ${s.url} rejected the query (HTTP 400, bad_data): invalid parameter "query"`,
    );
  });

  it('a server that never answers: the timeout', async () => {
    const s = await stub(() => {
      // never answers
    });
    const r = await runCli(['--prometheus', s.url, '--prometheus-timeout', '1', MESH]);
    s.server.closeAllConnections();
    s.server.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Prometheus ${s.url} did not answer within 1 s`);
  });

  it('not a URL, and not http', async () => {
    expect((await runCli(['--prometheus', 'prometheus:9090:x', MESH])).stderr).toMatch(
      /only http:\/\/ and https:\/\/|is not a URL/,
    );
    expect((await runCli(['--prometheus', 'file:///etc/passwd', MESH])).stderr).toContain(
      'only http:// and https:// are supported',
    );
  });
});

describe('the bearer token', () => {
  it('is sent from the named variable, and printed nowhere', async () => {
    const token = 's3cr3t-token-value';
    const s = await stub((req, res) => {
      res.writeHead(req.headers.authorization === `Bearer ${token}` ? 200 : 401, {
        'content-type': 'application/json',
      });
      res.end(EMPTY);
    });
    const ok = await runCli(
      ['--prometheus', s.url, '--prometheus-token-env', 'PROM_TOKEN', '-f', 'json', MESH],
      {
        env: { PROM_TOKEN: token },
      },
    );
    const denied = await runCli(['--prometheus', s.url, MESH], { env: { PROM_TOKEN: token } });
    s.server.close();
    expect(ok.code).toBe(0);
    expect(s.requests.map((r) => new URL(r.url!, s.url).searchParams.get('query'))).toEqual([
      expect.stringMatching(
        /^sum by \(reporter, source_workload, .*\) \(increase\(istio_requests_total\[7d\]\)\)$/,
      ),
      expect.stringMatching(/increase\(istio_tcp_connections_opened_total\[7d\]\)/),
      expect.stringMatching(/increase\(istio_requests_total\[7d\]\)/),
    ]);
    expect(ok.stdout + ok.stderr).not.toContain(token);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('answered HTTP 401');
    expect(denied.stderr).not.toContain(token);
  });
});
