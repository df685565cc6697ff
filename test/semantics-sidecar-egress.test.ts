// Sidecar resources (issue 17): a service outside a client's egress hosts has no cluster in its sidecar; under
// outboundTrafficPolicy ALLOW_ANY the traffic goes out through the PassthroughCluster — plaintext, no auto mTLS.
import { describe, expect, it } from 'vitest';
import { app, byRule, docs, lintYaml, namespace, peerAuthentication, type Run } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

function call(r: Run): string {
  const e = r.edges.find((x) => x.client.name === 'sleep' && x.caller === 'declared');
  if (!e) throw new Error('no declared edge from sleep');
  const c = e.connections[0]!;
  return `${c.client.mode}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`;
}

const sidecar = (ns: string, hosts: string[]) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: ${ns}}
spec:
  egress:
  - hosts: [${hosts.map((h) => JSON.stringify(h)).join(', ')}]
`;

function mesh(serverMode: string, ...extra: string[]): string {
  return docs(
    namespace('foo', INJECTED),
    namespace('bar', INJECTED),
    namespace('istio-system'),
    app('bar', 'httpbin', { port: 8000 }),
    peerAuthentication('bar', 'httpbin', { selector: { app: 'httpbin' }, mode: serverMode }),
    app('foo', 'sleep', { noService: true, calls: 'httpbin.bar:8000' }),
    ...extra,
  );
}

describe('Sidecar egress hosts', () => {
  it('a service outside the egress hosts goes through the PassthroughCluster: plaintext, reset at STRICT', async () => {
    // No service in the client's scope has an HTTP port 8000, so no 0.0.0.0:8000 listener: the virtual outbound
    // listener's TCP proxy forwards it, and the server's reset reaches the caller (listener_builder.go
    // buildOutboundCatchAllNetworkFiltersOnly).
    const r = await lintYaml({ 'm.yaml': mesh('STRICT', sidecar('foo', ['./*', 'istio-system/*'])) });
    expect(call(r)).toBe('PLAINTEXT:broken:reset');
    expect(byRule(r, 'plaintext-to-strict').map((f) => f.message)).toEqual([
      expect.stringContaining("add the service to their Sidecar resource's egress hosts"),
    ]);
  });

  it('toward PERMISSIVE it is silently plaintext between two sidecars', async () => {
    const r = await lintYaml({ 'm.yaml': mesh('PERMISSIVE', sidecar('foo', ['./*'])) });
    expect(call(r)).toBe('PLAINTEXT:plaintext');
    expect(byRule(r, 'plaintext-between-sidecars').map((f) => f.message)).toEqual([
      expect.stringContaining('egress hosts (./*) do not include httpbin.bar.svc.cluster.local'),
    ]);
  });

  it('listed hosts keep auto mTLS: "bar/*", "*/httpbin.bar.svc.cluster.local"', async () => {
    expect(call(await lintYaml({ 'm.yaml': mesh('STRICT', sidecar('foo', ['bar/*'])) }))).toBe('AUTO:mtls');
    expect(
      call(await lintYaml({ 'm.yaml': mesh('STRICT', sidecar('foo', ['*/httpbin.bar.svc.cluster.local'])) })),
    ).toBe('AUTO:mtls');
  });

  it('the root namespace Sidecar applies where a namespace has none of its own', async () => {
    const root = await lintYaml({ 'm.yaml': mesh('STRICT', sidecar('istio-system', ['./*'])) });
    expect(call(root)).toBe('PLAINTEXT:broken:reset');
    const own = await lintYaml({
      'm.yaml': mesh('STRICT', sidecar('istio-system', ['./*']), sidecar('foo', ['*/*'])),
    });
    expect(call(own)).toBe('AUTO:mtls');
  });

  it('with outboundTrafficPolicy REGISTRY_ONLY the passthrough is not predicted (the call is blocked instead)', async () => {
    const meshConfig = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
`;
    const r = await lintYaml({ 'm.yaml': mesh('STRICT', sidecar('foo', ['./*']), meshConfig) });
    expect(call(r)).toBe('BLOCKED:broken:reset');
  });
});
