// What users behind an ingress controller see when STRICT breaks its upstream connection: the controller's HTTP 502,
// not a reset (nginx answers 502 when its upstream resets). With a sidecar, ingress-nginx connects to pod IPs: on a pod
// port no Service declares as HTTP the sidecar has no listener and passes the plaintext through (reset → 502); on one
// that has, the sidecar's catch-all route answers 503 and nginx passes it on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGraph } from '../src/report/graph.js';
import { lintPaths, lintYaml } from './helpers/mesh.js';

const ROOT = path.join(import.meta.dirname, '..');
const FIXTURE = 'test/fixtures/precision/ingress-symptoms';
const STORE = readFileSync(path.join(ROOT, FIXTURE, 'store.yaml'), 'utf8');

describe.each(['1.12', '1.30'])('ingress controller symptoms, Istio %s', (istioVersion) => {
  it('a controller with a sidecar: 502 toward a pod port without a listener, 503 toward an HTTP service port', async () => {
    const run = await lintPaths(ROOT, [FIXTURE], { istioVersion });
    const [f, ...rest] = run.findings.filter((x) => x.rule === 'plaintext-to-strict');
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('error');
    expect(f!.message).toContain(
      'edge/nginx-edge → catalog.store:80 (HTTP 502 Bad Gateway from the nginx ingress controller: its upstream connection is reset)',
    );
    expect(f!.message).toContain('edge/nginx-edge → cart.store:8081 (HTTP 503)');
    expect(f!.message).toContain('set nginx.ingress.kubernetes.io/service-upstream: "true" on the Ingress');
    // No advice to inject a controller that has its sidecar.
    expect(f!.message).not.toContain('inject a sidecar into the ingress controller');
    const outcome = (service: string) =>
      run.edges.find((e) => e.server.service === service && e.evidence.resource?.kind === 'Ingress')!
        .connections[0]!.result.failure;
    expect([outcome('catalog'), outcome('cart')]).toEqual(['reset', '503']);
  });

  it('a controller the inputs do not show: its users get 502, said in the message and the graph', async () => {
    const run = await lintYaml({ 'store.yaml': STORE }, { istioVersion });
    const [f] = run.findings.filter((x) => x.rule === 'plaintext-to-strict');
    expect(f!.message).toContain(
      'the nginx ingress controller (not in the inputs; assumed without a sidecar) → catalog.store:80 (HTTP 502 Bad Gateway from the nginx ingress controller: its upstream connection is reset)',
    );
    expect(f!.message).not.toContain('curl 000');
    const table = formatGraph(run.result.graph(), 'table', false);
    expect(table).toMatch(/the nginx ingress controller .* catalog\.store:80 .* BROKEN \(reset, 502\)/);
  });
});
