// Outbound traffic the client sidecar never sees (issue 17): excludeOutboundPorts, includeOutboundIPRanges and
// excludeOutboundIPRanges on the client pod send the traffic out in plaintext, past the sidecar. What the inputs can
// tell: ports, "" and "*", and a Service's clusterIP when the manifest sets one; an unknown ClusterIP is assumed
// inside an include list and outside an exclude list.
import { describe, expect, it } from 'vitest';
import { app, byRule, docs, lintYaml, namespace, peerAuthentication, type Run } from './helpers/mesh.js';

const INJECTED = { 'istio-injection': 'enabled' };

function call(r: Run): string {
  const e = r.edges.find((x) => x.client.name === 'sleep' && x.caller === 'declared');
  if (!e) throw new Error('no declared edge from sleep');
  const c = e.connections[0]!;
  return `${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`;
}

function mesh(clientAnnotations: Record<string, string>, serverMode = 'STRICT', clusterIP?: string): string {
  const server = app('foo', 'httpbin', { port: 8000 });
  return docs(
    namespace('foo', INJECTED),
    clusterIP
      ? server.replace(
          'spec:\n  selector:\n    app: httpbin',
          `spec:\n  clusterIP: ${clusterIP}\n  selector:\n    app: httpbin`,
        )
      : server,
    peerAuthentication('foo', 'httpbin', { selector: { app: 'httpbin' }, mode: serverMode }),
    app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000', podAnnotations: clientAnnotations }),
  );
}

describe('outbound traffic that bypasses the client sidecar', () => {
  it('excludeOutboundPorts: plaintext to a STRICT server is reset', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '8000' }) });
    expect(call(r)).toBe('plaintext:broken:reset');
    expect(byRule(r, 'plaintext-to-strict')).toHaveLength(1);
  });

  it('excludeOutboundPorts toward PERMISSIVE: silently plaintext between two sidecars', async () => {
    const r = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '8000' }, 'PERMISSIVE'),
    });
    expect(call(r)).toBe('plaintext:plaintext');
    expect(byRule(r, 'plaintext-between-sidecars').map((f) => f.message)).toEqual([
      expect.stringContaining('excludeOutboundPorts'),
    ]);
  });

  it('another port is still captured', async () => {
    const r = await lintYaml({ 'm.yaml': mesh({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '3306' }) });
    expect(call(r)).toBe('mtls:mtls');
  });

  it('includeOutboundIPRanges "" captures nothing; "*" everything; a CIDR list is assumed to hold the ClusterIP', async () => {
    const empty = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' }),
    });
    expect(call(empty)).toBe('plaintext:broken:reset');
    const all = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '*' }),
    });
    expect(call(all)).toBe('mtls:mtls');
    const cidr = await lintYaml({
      'm.yaml': mesh({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.96.0.0/12' }),
    });
    expect(call(cidr)).toBe('mtls:mtls');
  });

  it('an explicit clusterIP decides against the ranges', async () => {
    const outside = await lintYaml({
      'm.yaml': mesh(
        { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.96.0.0/12' },
        'STRICT',
        '172.20.0.10',
      ),
    });
    expect(call(outside)).toBe('plaintext:broken:reset');
    const excluded = await lintYaml({
      'm.yaml': mesh(
        { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.0/16' },
        'STRICT',
        '10.96.4.2',
      ),
    });
    expect(call(excluded)).toBe('plaintext:broken:reset');
    const notExcluded = await lintYaml({
      'm.yaml': mesh(
        { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.0/16' },
        'STRICT',
        '10.100.0.2',
      ),
    });
    expect(call(notExcluded)).toBe('mtls:mtls');
  });
});
