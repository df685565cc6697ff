// The outcome matrix (istio-semantics.md §0.3): what the client sends against what the endpoint accepts.
// Sources: io docs tasks/security/authentication/authn-policy and auto-mtls (503 / 000+56 outcomes);
// istio pilot/pkg/networking/core/cluster_tls.go (auto mTLS), filterchain_options.go (listener chains 1.10+).
import type { ClientTlsResult, ConnectionOutcome, ServerModeResult, SidecarState } from './model.js';
import type { Release } from './releases.js';
import { selectorMatches } from './util.js';

export interface EndpointFacts {
  sidecar: SidecarState;
  mode: ServerModeResult;
  /** The mode a client sidecar infers for auto mTLS (namespace/mesh level only in 1.6+; see autoMtlsSends). */
  inferredMode: ServerModeResult['mode'];
  /** Headless service whose endpoints are not all injected: auto mTLS is all-or-nothing there (1.8+). */
  headlessMixed: boolean;
  headless: boolean;
  /** The endpoint pod's own security.istio.io/tlsMode label when it is not "istio" (auto mTLS then skips it). */
  tlsModeLabel: string | undefined;
  /** The endpoint pod's labels (the 1.12–1.18 endpoint check matches DestinationRule subsets on them). */
  labels?: Record<string, string>;
  /** Any endpoint of the service without a sidecar (an ORIGINAL_DST cluster's auto mTLS is all-or-nothing, 1.10+). */
  anyEndpointWithoutSidecar: boolean;
  portProtocol: 'http' | 'tcp' | 'auto' | 'udp';
}

/** Does auto mTLS send Istio mTLS to this endpoint? (§4.2–4.4) */
function autoMtlsSends(
  client: ClientTlsResult,
  endpoint: EndpointFacts,
  v: Release,
): { mtls: boolean; why: string } {
  const passthroughLb = client.autoMtlsInputs?.passthroughLb;
  if (passthroughLb && client.autoMtlsInputs?.passthroughInferOnly) {
    // A port entry keeps an EDS cluster (applyLoadBalancer reads the port's policy), but 1.10+ still infers the
    // service's mode from the top-level PASSTHROUGH: any endpoint without a sidecar → no TLS for the cluster at all.
    if (
      v.has('passthrough-lb-auto-mtls-all-or-nothing') &&
      endpoint.anyEndpointWithoutSidecar &&
      !endpoint.headless
    )
      return {
        mtls: false,
        why: `${passthroughLb.description}: with any endpoint without a sidecar, auto mTLS (1.10+) infers DISABLE for the service and sends plaintext to every endpoint`,
      };
  } else if (passthroughLb && !endpoint.headless && endpoint.inferredMode !== 'DISABLE') {
    // loadBalancer PASSTHROUGH turns the cluster into ORIGINAL_DST, which has no per-endpoint transport socket match
    // (cluster_tls.go applyUpstreamTLSSettings): one decision for every endpoint. 1.10+ infers it from the endpoints
    // (push_context.go BestEffortInferServiceMTLSMode: any endpoint without tlsMode=istio → plaintext to all); before,
    // the namespace mode alone decided, so every endpoint got mTLS.
    if (!v.has('passthrough-lb-auto-mtls-all-or-nothing'))
      return {
        mtls: true,
        why: `${passthroughLb.description} makes an ORIGINAL_DST cluster, and auto mTLS in ${v.text} then sends mTLS to every endpoint, injected or not`,
      };
    if (endpoint.anyEndpointWithoutSidecar)
      return {
        mtls: false,
        why: `${passthroughLb.description}: with any endpoint without a sidecar, auto mTLS (1.10+) sends plaintext to every endpoint`,
      };
    return {
      mtls: true,
      why: `${passthroughLb.description}: every endpoint has a sidecar, so auto mTLS sends mTLS to all of them (no per-endpoint check, a workload-level DISABLE is not seen)`,
    };
  }
  // ≤ 1.6 leaves the auto-detected ISTIO_MUTUAL socket on a headless (ORIGINAL_DST) cluster without the per-endpoint
  // match, so every endpoint gets mTLS, injected or not (istio-semantics.md §4.3, inferred from applyUpstreamTLSSettings).
  if (
    endpoint.headless &&
    v.has('headless-auto-mtls-to-every-endpoint') &&
    endpoint.inferredMode !== 'DISABLE'
  )
    return {
      mtls: true,
      why: `auto mTLS on a headless service in ${v.text} sends mTLS to every endpoint, injected or not`,
    };
  if (endpoint.sidecar === 'ambient')
    return { mtls: true, why: 'auto mTLS sends HBONE (mTLS) to ambient endpoints' };
  if (endpoint.sidecar !== 'sidecar')
    return { mtls: false, why: 'auto mTLS sends plaintext to endpoints without a sidecar' };
  if (endpoint.tlsModeLabel !== undefined)
    return {
      mtls: false,
      why: `the pod's label security.istio.io/tlsMode=${endpoint.tlsModeLabel} survives injection, and auto mTLS sends plaintext to endpoints not labelled tlsMode=istio`,
    };
  if (endpoint.headless) {
    if (!v.has('headless-auto-mtls-all-or-nothing'))
      return { mtls: false, why: 'Istio 1.7 turns auto mTLS off for headless services' };
    if (endpoint.headlessMixed)
      return {
        mtls: false,
        why: 'a headless service with any uninjected endpoint gets plaintext for all (auto mTLS, 1.8+)',
      };
    if (endpoint.inferredMode !== 'DISABLE')
      // ORIGINAL_DST clusters get no EDS, so the 1.12+ per-endpoint check never sees a workload-level DISABLE
      // (cluster_tls.go applyUpstreamTLSSettings skips them; endpoint_builder.go checks EDS endpoints only).
      return {
        mtls: true,
        why: 'auto mTLS sends mTLS to every endpoint of a headless service whose pods all have sidecars (a workload-level DISABLE is not seen there)',
      };
  }
  if (endpoint.inferredMode === 'DISABLE') {
    return { mtls: false, why: 'auto mTLS sees the namespace/mesh policy DISABLE and sends plaintext' };
  }
  // 1.12–1.18 (endpoint_builder.go / 1.18 mtls_checker.go tlsModeForDestinationRule(ep)): the first subset whose
  // labels the pod has decides when it sets tls for the port.
  const bySubset = endpoint.labels
    ? client.autoMtlsInputs?.endpointCheckBySubset?.find((s) => selectorMatches(s.labels, endpoint.labels!))
    : undefined;
  const subsetCheck =
    bySubset?.mode && bySubset.cause ? { mode: bySubset.mode, cause: bySubset.cause } : undefined;
  const check = subsetCheck ?? client.autoMtlsInputs?.endpointCheck;
  if (check && v.has('auto-mtls-honours-workload-disable')) {
    // 1.12+ EDS check (endpoint_builder.go mtlsChecker; 1.20+ endpoints/mtls_checker.go checkMtlsEnabled) reads the
    // top-level tls although the port entry that the cluster uses has none.
    const lead = subsetCheck
      ? `auto mTLS decides, and its per-endpoint check in ${v.text} takes the tls of the first DestinationRule subset whose labels this pod has: it reads ${check.cause.description}`
      : `the port's portLevelSettings entry has no tls, so auto mTLS decides, but its per-endpoint check reads ${check.cause.description}`;
    if (check.mode === 'DISABLE') return { mtls: false, why: `${lead} and sends plaintext` };
    if (check.mode === 'ISTIO_MUTUAL')
      return {
        mtls: true,
        why: `${lead} and sends mTLS to every sidecar endpoint, whatever its PeerAuthentication`,
      };
    if (v.has('endpoint-check-non-istio-tls-disables'))
      return {
        mtls: false,
        why: `${lead} (${v.text}), which is not ISTIO_MUTUAL, and sends plaintext`,
      };
  }
  // The EDS check reads the endpoint's PeerAuthentication: a port that bypasses the sidecar (iptables) keeps it.
  const policy = endpoint.mode.bypassed ?? endpoint.mode;
  const level = policy.level;
  if (policy.mode === 'DISABLE' && (level === 'workload' || level === 'port')) {
    // 1.12+: EDS strips tlsMode from endpoints whose full PeerAuthentication is DISABLE; 1.5–1.11 ignored it.
    if (v.has('auto-mtls-honours-workload-disable'))
      return { mtls: false, why: 'auto mTLS (1.12+) sees the workload-level DISABLE and sends plaintext' };
    return {
      mtls: true,
      why: `auto mTLS in ${v.text} ignores workload- and port-level DISABLE and still sends mTLS`,
    };
  }
  return { mtls: true, why: 'auto mTLS sends mTLS to sidecar endpoints' };
}

export function connectionOutcome(
  client: ClientTlsResult,
  endpoint: EndpointFacts,
  v: Release,
): ConnectionOutcome {
  let sends: ConnectionOutcome['clientTls'];
  let sendsWhy: string;
  switch (client.mode) {
    case 'NO_SIDECAR':
      sends = 'plaintext';
      // "the client has no sidecar …", or why its traffic to this port bypasses the sidecar it has.
      sendsWhy = client.explanation;
      break;
    case 'PLAINTEXT':
      sends = 'plaintext';
      sendsWhy = client.explanation;
      break;
    case 'DISABLE':
      sends = 'plaintext';
      sendsWhy = client.explanation;
      break;
    case 'ISTIO_MUTUAL':
      sends = 'mtls';
      sendsWhy = client.explanation;
      break;
    case 'SIMPLE':
    case 'MUTUAL':
      sends = 'tls';
      sendsWhy = client.explanation;
      break;
    case 'AUTO': {
      const auto = autoMtlsSends(client, endpoint, v);
      sends = auto.mtls ? 'mtls' : 'plaintext';
      sendsWhy = auto.why;
      break;
    }
    case 'BLOCKED':
      // The client sidecar's BlackHoleCluster (REGISTRY_ONLY): the call never leaves the pod, whatever the server does.
      return {
        clientTls: 'none',
        outcome: 'broken',
        failure: client.passthrough === 'http' ? '502' : 'reset',
        explanation: client.explanation,
      };
  }
  const fromSidecar = client.mode !== 'NO_SIDECAR';
  const mode = endpoint.mode.mode;
  const ok = (outcome: ConnectionOutcome['outcome'], why: string): ConnectionOutcome => ({
    clientTls: sends,
    outcome,
    explanation: `${sendsWhy}; ${why}`,
  });
  const broken = (failure: NonNullable<ConnectionOutcome['failure']>, why: string): ConnectionOutcome => ({
    clientTls: sends,
    outcome: 'broken',
    failure,
    explanation: `${sendsWhy}; ${why}`,
  });

  if (sends === 'plaintext') {
    if (mode === 'STRICT' || mode === 'AMBIENT_STRICT') {
      // Through the client's PassthroughCluster over TCP (no HTTP listener on the port), the server's reset
      // reaches the caller as is.
      return fromSidecar && client.passthrough !== 'tcp'
        ? broken(
            '503',
            `${endpoint.mode.explanation}, so the server rejects plaintext and the client sidecar returns 503`,
          )
        : broken(
            'reset',
            `${endpoint.mode.explanation}, so the server resets the plaintext connection (curl exit 56, HTTP code 000)`,
          );
    }
    return ok(
      'plaintext',
      mode === 'NO_SIDECAR'
        ? 'the server has no sidecar and reads plaintext'
        : `${endpoint.mode.explanation}, which accepts plaintext`,
    );
  }
  if (sends === 'mtls') {
    if (mode === 'NO_SIDECAR')
      return broken(
        '503',
        endpoint.mode.bypassed
          ? `${endpoint.mode.explanation}: the application gets the Istio mTLS handshake it cannot read, so the call fails with 503 (a DestinationRule with tls DISABLE for this port avoids it)`
          : 'the server has no sidecar to terminate Istio mTLS, so the call fails with 503',
      );
    if (mode === 'DISABLE')
      return broken(
        '503',
        `${endpoint.mode.explanation}, so the server sidecar has no TLS chain and the call fails with 503`,
      );
    return ok('mtls', `${endpoint.mode.explanation}, which terminates Istio mTLS`);
  }
  // Non-Istio TLS (DestinationRule SIMPLE/MUTUAL).
  if (mode === 'NO_SIDECAR')
    return ok('tls', 'the server has no sidecar; this works only if the application itself serves TLS');
  if (mode === 'STRICT' || mode === 'AMBIENT_STRICT')
    return broken(
      'tls-error',
      `${endpoint.mode.explanation}, which requires a mesh-issued client certificate, so the TLS handshake fails`,
    );
  if (mode === 'DISABLE')
    return broken(
      'tls-error',
      `${endpoint.mode.explanation}: the sidecar has only plaintext chains, so the TLS connection is closed`,
    );
  if (endpoint.portProtocol === 'http')
    return broken(
      'tls-error',
      `${endpoint.mode.explanation}, and on an HTTP port non-Istio TLS matches no filter chain, so the connection is closed`,
    );
  return ok(
    'tls',
    `${endpoint.mode.explanation}; on a TCP port the TLS bytes pass through to the application`,
  );
}
