// Traffic a client sidecar has no cluster for: a host outside its Sidecar egress, or a port no Service declares on a
// pod it reaches by address (a headless Service, a StatefulSet pod's own name). The client sidecar sends it to the
// PassthroughCluster (plaintext, no auto mTLS) under outboundTrafficPolicy ALLOW_ANY, or to the BlackHoleCluster under
// REGISTRY_ONLY; on the server, a port no Service declares is served by the inbound passthrough chains.
// Sources: istio@1.22.0 pilot/pkg/networking/core/listener_builder.go (buildOutboundCatchAllNetworkFiltersOnly),
// httproute.go (buildCatchAllVirtualHost), listener_inbound.go (buildInboundPassthroughChains).
import type { Cause, ClientTlsResult, ServerModeResult, Service } from './model.js';
import type { Release } from './releases.js';
import { portProtocol } from './services.js';
import type { OutboundPolicy } from './sidecars.js';

/**
 * Is there an HTTP listener on `port` in the client sidecar (0.0.0.0:port, built for an HTTP or protocol-sniffed
 * service port it has in scope)? Then its catch-all route takes the traffic (a 503 from the PassthroughCluster, the
 * BlackHole's 502); otherwise the virtual outbound listener's TCP proxy does. Services the inputs do not show are
 * taken as absent.
 */
export function httpListenerOn(
  services: readonly Service[],
  port: number,
  inScope: (service: Service) => boolean,
): boolean {
  for (const s of services) {
    if (s.external) continue;
    for (const p of s.ports) {
      if (p.port !== port) continue;
      const protocol = portProtocol(p);
      if ((protocol === 'http' || protocol === 'auto') && inScope(s)) return true;
    }
  }
  return false;
}

/**
 * What a sidecar client sends when it has no cluster for the destination: `why` says why it has none ("Sidecar
 * foo/default egress hosts (./*) do not include …", "port 9999 is declared by no Service of …").
 */
export function unknownDestinationTls(
  policy: OutboundPolicy,
  http: boolean,
  why: string,
  cause: Cause | undefined,
): ClientTlsResult {
  const passthrough = http ? 'http' : 'tcp';
  if (policy.mode === 'REGISTRY_ONLY') {
    const result: ClientTlsResult = {
      mode: 'BLOCKED',
      passthrough,
      explanation: `blocked: ${why}, so the client sidecar has no cluster for it, and with ${policy.description} it sends the call to the BlackHoleCluster (${http ? 'HTTP 502 from its catch-all route' : 'the connection is closed: curl exit 56, HTTP code 000'})`,
    };
    // Where the fix is: the Sidecar egress or the Service that leaves the destination out; else the policy itself.
    const decisive = cause ?? policy.cause;
    if (decisive) result.cause = decisive;
    return result;
  }
  const result: ClientTlsResult = {
    mode: 'PLAINTEXT',
    passthrough,
    explanation: `${why}, so the client sidecar has no cluster for it and, with ${policy.description}, sends the traffic through the PassthroughCluster: plaintext, without auto mTLS`,
  };
  if (cause) result.cause = cause;
  return result;
}

/**
 * What a sidecar server accepts on a port no Service declares: its inbound passthrough chains. 1.5+ build them from
 * the workload's PeerAuthentication with port 0 (port-level entries from 1.9, per-port passthrough chains), never
 * from legacy Policies; ≤ 1.4 they are a plain TCP proxy: the bytes reach the application as sent, as on a port that
 * bypasses the sidecar (mode NO_SIDECAR, with `bypassed` the policy that does not apply there).
 */
export function passthroughServerMode(
  release: Release,
  composed: (targetPort: number | undefined) => ServerModeResult,
  policy: () => ServerModeResult,
  port: number,
  workloadName: string,
  undeclared: Cause,
  /** Why the port has no chain of its own; default: no Service declares it. */
  reason = 'is declared by no Service',
): ServerModeResult {
  if (!release.has('inbound-passthrough-enforces-peer-authentication'))
    return {
      mode: 'NO_SIDECAR',
      level: 'default',
      cause: undeclared,
      explanation: `port ${port} of ${workloadName} ${reason}, and Istio ${release.text}'s inbound passthrough chain is a plain TCP proxy, so no authentication policy applies there and the application reads what callers send`,
      bypassed: policy(),
      ...(release.has('authz-on-inbound-passthrough') ? { authorizes: true } : {}),
    };
  const result = composed(release.has('port-level-mtls-passthrough-chains') ? port : undefined);
  return {
    ...result,
    explanation: `${result.explanation} (port ${port} ${reason}: the sidecar's inbound passthrough chain enforces it)`,
  };
}
