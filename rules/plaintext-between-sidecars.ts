import { defineRule } from '../src/rule.js';
import {
  atCause,
  causeKey,
  countEdges,
  findHitsAmong,
  groupByCause,
  victimList,
  victims,
  type Hit,
} from '../src/rule-report.js';
import { CLUSTER_DOMAIN } from '../src/mesh/util.js';

export default defineRule({
  meta: {
    id: 'plaintext-between-sidecars',
    defaultSeverity: 'warning',
    summary:
      'Both ends have sidecars but the connection is plaintext (DestinationRule DISABLE, PeerAuthentication DISABLE, or auto mTLS off).',
    securitySeverity: '5.0',
    needs: ['graph'],
    relatedCodes: ['KIA0204', 'KIA0505', 'KIA0506'],
    docs: `
## What it catches
Connections where the client and the server both run a sidecar — so mTLS would cost nothing — but traffic goes in
plaintext because of:
- a DestinationRule \`tls.mode: DISABLE\` for the host or port;
- a server-side PeerAuthentication (or legacy Policy) DISABLE that auto mTLS honours;
- no tls in the DestinationRule that applies (a host-specific rule without tls shadows a wildcard ISTIO_MUTUAL rule)
  while auto mTLS is off.

## Why it matters
A **silent downgrade**: requests still return 200, but they are unencrypted and unauthenticated, and
AuthorizationPolicies on principals or namespaces deny them (403). istioctl's old checks only flagged
STRICT-vs-plaintext conflicts, never this.

## Examples
The workloads of the examples: \`sleep\` and \`httpbin\`, both with a sidecar in namespace \`foo\`; \`sleep\` calls
\`httpbin.foo:8000\`.
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      containers:
      - {name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: foo
  annotations: {mtls-lint.io/calls: "httpbin.foo:8000"}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - {name: sleep, image: curlimages/curl, command: [sleep, infinity]}
\`\`\`

## Failing example
\`\`\`yaml failing file=destination-rule.yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin.foo.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
\`\`\`

## Fixed example
Remove the \`tls\` block (auto mTLS) or set \`mode: ISTIO_MUTUAL\`.
\`\`\`yaml fixed file=destination-rule.yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin.foo.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
\`\`\`
`,
  },
  check(context) {
    // Only explicit downgrades: plaintext because nothing asked for mTLS yet (Istio ≤ 1.4 before a migration) is
    // the starting point of a migration, not a finding.
    // A rule without tls is a downgrade only when it hides an ISTIO_MUTUAL rule for the same host (the io
    // network-issues trap, istio-semantics.md §4.5); otherwise, without auto mTLS, it sends what no rule would send.
    // The model's own lookup answers it: the rule the client would pick if this one were not there, with the
    // namespaces it consults and exportTo (an ISTIO_MUTUAL rule it cannot see hides nothing).
    const shadowsMutual = (h: Hit) => {
      const s = h.edge.server;
      const c = h.edge.client;
      const client = {
        namespace: c.namespace,
        sidecar: c.sidecar,
        labels: c.workload?.labels ?? c.members?.[0]?.labels ?? {},
      };
      const host = `${s.standIn ? '(any)' : s.service}.${s.namespace}.svc.${CLUSTER_DOMAIN}`;
      return context.mesh.mutualRuleShadowedFor(client, host, s.namespace, s.port) !== undefined;
    };
    const causeOf = (h: Hit) => {
      const { client, server } = h.connection;
      if (client.mode === 'DISABLE' || (client.mode === 'PLAINTEXT' && client.cause && shadowsMutual(h)))
        return client.cause;
      // The client's outbound capture annotations send this traffic past its sidecar; or its Sidecar resource's
      // egress hosts leave the service out (PassthroughCluster, plaintext).
      if (client.mode === 'NO_SIDECAR' && client.cause) return client.cause;
      if (client.mode === 'PLAINTEXT' && client.cause?.resource.kind === 'Sidecar') return client.cause;
      // A port the Service does not declare, called on a pod's address: the PassthroughCluster, plaintext.
      if (client.mode === 'PLAINTEXT' && client.passthrough && client.cause?.resource.kind === 'Service')
        return client.cause;
      // A MESH_EXTERNAL ServiceEntry whose endpoints run sidecars: no auto mTLS toward them.
      if (client.mode === 'PLAINTEXT' && client.cause?.resource.kind === 'ServiceEntry') return client.cause;
      // SIMPLE/MUTUAL with credentialName and no workloadSelector: the sidecar originates no TLS at all (1.7+).
      if (client.mode === 'PLAINTEXT' && client.cause?.path.at(-1) === 'credentialName') return client.cause;
      // Auto mTLS chose plaintext because of the rule: loadBalancer PASSTHROUGH with an endpoint without sidecar, or
      // a top-level tls the per-endpoint check reads under a port entry without tls.
      if (client.mode === 'AUTO' && client.autoMtlsInputs) {
        const { passthroughLb, endpointCheck } = client.autoMtlsInputs;
        if (passthroughLb && h.connection.result.explanation.includes(passthroughLb.description))
          return passthroughLb;
        if (endpointCheck && h.connection.result.explanation.includes(endpointCheck.cause.description))
          return endpointCheck.cause;
        // 1.12–1.18: a subset's tls, which the check applied to that subset's pods.
        for (const s of client.autoMtlsInputs.endpointCheckBySubset ?? [])
          if (s.cause && h.connection.result.explanation.includes(s.cause.description)) return s.cause;
      }
      // A server DISABLE causes plaintext only where the client would otherwise send mTLS, i.e. under auto mTLS
      // (which honours it); a client that sends plaintext anyway (no tls, auto mTLS off) is not downgraded by it.
      if (server.mode === 'DISABLE' && server.level !== 'default' && client.mode === 'AUTO')
        return server.cause;
      return undefined;
    };
    const hits = findHitsAmong(
      context.graph,
      'plaintext',
      (e, c) =>
        e.client.sidecar === 'sidecar' &&
        c.result.outcome === 'plaintext' &&
        c.server.mode !== 'NO_SIDECAR' &&
        !c.server.mode.startsWith('AMBIENT'),
    ).filter((h) => causeOf(h) !== undefined);
    for (const group of groupByCause(hits, causeOf)) {
      const n = countEdges(group.hits);
      const first = group.hits[0]!;
      const why =
        first.connection.client.mode === 'AUTO' || first.connection.client.mode === 'NO_SIDECAR'
          ? first.connection.result.explanation
          : first.connection.client.mode === 'PLAINTEXT'
            ? first.connection.client.explanation
            : group.cause!.description;
      const at = atCause(group.cause, group.hits);
      if (!at) continue;
      context.report({
        ...at,
        message: `${group.cause!.description} makes ${n} connection${n === 1 ? '' : 's'} between sidecars plaintext: ${victimList(group.hits, false)} — ${why}. They still return 200 but are unencrypted and carry no identity; fix: ${first.connection.client.mode === 'NO_SIDECAR' ? 'take the port or range out of that annotation, so the sidecar sees the traffic' : first.connection.client.cause?.resource.kind === 'Sidecar' ? "add the service to that Sidecar's egress hosts" : first.connection.client.cause?.resource.kind === 'Service' ? 'declare the port in that Service (spec.ports), so the client sidecars get a cluster with auto mTLS for it' : first.connection.client.cause?.resource.kind === 'ServiceEntry' ? 'set location: MESH_INTERNAL on that ServiceEntry (its endpoints run sidecars), or give its host a DestinationRule with tls mode ISTIO_MUTUAL' : first.connection.client.cause?.path.at(-1) === 'credentialName' ? 'give that DestinationRule a workloadSelector for the clients that hold the credential (Istio 1.14+), or use tls mode ISTIO_MUTUAL for in-mesh servers' : first.connection.client.mode === 'PLAINTEXT' ? 'add tls mode ISTIO_MUTUAL to that DestinationRule' : 'remove the DISABLE (auto mTLS then sends mTLS) or set tls mode ISTIO_MUTUAL'}.`,
        ...victims(context, group.hits, () => 'sidecar client sending plaintext'),
        keyDetail: causeKey(group.cause),
      });
    }
  },
});
