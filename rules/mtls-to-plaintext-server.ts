import { defineRule } from '../src/rule.js';
import {
  atCause,
  causeKey,
  countEdges,
  findHitsAmong,
  groupByCause,
  severityFor,
  victimList,
  victims,
  type Hit,
} from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'mtls-to-plaintext-server',
    defaultSeverity: 'error',
    summary:
      'A client originates Istio mTLS to a server that cannot terminate it (no sidecar, DISABLE, or a pre-1.5 server without a mTLS policy).',
    needs: ['graph'],
    relatedCodes: [
      'IST0115 DestinationRuleUsesMTLSForWorkloadWithoutSidecar (retired 1.6)',
      'IST0113',
      'KIA0205',
      'KIA0206',
    ],
    docs: `
## What it catches
A sidecar client that sends Istio mutual TLS — because a DestinationRule says \`tls.mode: ISTIO_MUTUAL\` for the host
or port, or because auto mTLS still sends it (Istio 1.5–1.11 ignore workload- and port-level DISABLE) — to a server
endpoint that cannot terminate it:
- a workload without a sidecar (not injected, opted out, hostNetwork);
- a sidecar whose effective mode is DISABLE;
- in Istio ≤ 1.4, a sidecar with no Policy/MeshPolicy that has an mtls peer (plaintext only): the seed task's
  "ISTIO_MUTUAL without a permissive server".

The finding points at the \`tls.mode: ISTIO_MUTUAL\` line (or the DISABLE policy for the auto-mTLS case) and lists
the connections it breaks. A stand-in "any other service" per uninjected namespace catches mesh-wide rules such as
\`host: "*.local"\` with ISTIO_MUTUAL.

## Why it matters
The client sidecar gets a TLS error from the plaintext server and returns **HTTP 503** ("upstream connect error or
disconnect/reset before headers"); access logs show \`UF,URX\`.

## Examples
The workloads of the examples: \`sleep\` in the injected namespace \`foo\` calls \`httpbin\` in \`legacy\`, which has no
sidecar.
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: legacy}
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
metadata: {name: httpbin, namespace: legacy}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: foo
  annotations: {mtls-lint.io/calls: "httpbin.legacy:8000"}
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
  host: httpbin.legacy.svc.cluster.local   # httpbin in "legacy" has no sidecar
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
\`\`\`

## Fixed example
Remove the \`tls\` block and let auto mTLS pick plaintext for endpoints without a sidecar, set \`mode: DISABLE\` for
that host, or inject the server first (then PERMISSIVE, then ISTIO_MUTUAL).
\`\`\`yaml fixed file=destination-rule.yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin.legacy.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}   # no tls: auto mTLS decides per endpoint
\`\`\`

## Related
istioctl 1.5's IST0115 / IST0113 (retired in 1.6); Kiali KIA0205/KIA0206 (mesh/namespace-wide only, auto mTLS off).
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'broken',
      (_e, c) => c.result.outcome === 'broken' && c.result.clientTls === 'mtls',
    );
    // The client's DestinationRule is the cause when it forces ISTIO_MUTUAL; under auto mTLS the server policy is.
    const groups = groupByCause(hits, (h) =>
      h.connection.client.mode === 'ISTIO_MUTUAL' ? h.connection.client.cause : h.connection.server.cause,
    );
    for (const group of groups) {
      const n = countEdges(group.hits);
      const first = group.hits[0]!;
      const forced = first.connection.client.mode === 'ISTIO_MUTUAL';
      const what = group.cause?.description ?? (forced ? 'ISTIO_MUTUAL' : 'auto mTLS');
      const fix = forced
        ? fixForForced(
            first.connection.server.mode,
            first.connection.server.level,
            context.mesh.settings.autoMtls,
          )
        : fixForAuto;
      const at = atCause(group.cause, group.hits);
      if (!at) continue;
      // An ISTIO_MUTUAL rule toward servers whose sidecar was only assumed away (their namespace is not in the
      // inputs) says its author expects sidecars there: the inputs contradict the assumption, so it is not a warning.
      const unknown = forced ? assumedServerNamespaces(group.hits) : undefined;
      context.report({
        ...at,
        severity: unknown ? 'info' : severityFor(group.hits, 'error'),
        message: unknown
          ? `${what} sends Istio mTLS to servers in ${unknown} that have a sidecar only if ${unknown.includes(',') ? 'those namespaces are' : 'that namespace is'} labelled for injection, which the inputs do not say (mtls-lint assumed not); if ${unknown.includes(',') ? 'they are' : 'it is'} not, ${n} connection${n === 1 ? ' fails' : 's fail'}: ${victimList(group.hits)}. Add the Namespace manifest with its istio-injection or istio.io/rev label to the inputs (or namespaces: in .mtls-lint.yaml) to get a certain verdict.`
          : `${what} sends Istio mTLS to a server that cannot terminate it (${first.connection.server.explanation}); ${n} connection${n === 1 ? ' fails' : 's fail'}: ${victimList(group.hits)}. Fix: ${fix}.`,
        ...victims(
          context,
          group.hits,
          (h) => `calls ${h.edge.server.service}.${h.edge.server.namespace}:${h.edge.server.port}`,
        ),
        keyDetail: causeKey(group.cause),
      });
    }
  },
});

/** The namespaces of the servers, when every server's missing sidecar rests on its namespace not being in the inputs. */
function assumedServerNamespaces(hits: readonly Hit[]): string | undefined {
  const namespaces = new Set<string>();
  for (const h of hits) {
    const ns = h.connection.serverWorkload?.sidecar.unknownNamespace;
    if (!ns) return undefined;
    namespaces.add(ns);
  }
  return [...namespaces].sort().join(', ');
}

const fixForAuto =
  'upgrade to Istio 1.12+ (auto mTLS honours workload-level DISABLE there), or set a DestinationRule tls mode DISABLE for that port';

function fixForForced(mode: string, level: string, autoMtls: boolean): string {
  const drop = autoMtls
    ? 'remove the tls block so auto mTLS picks plaintext for endpoints without mTLS'
    : 'set tls mode DISABLE for that host';
  if (mode === 'NO_SIDECAR') return `inject a sidecar into the server first, or ${drop}`;
  if (level === 'default')
    return 'first give the server a PERMISSIVE policy (it accepts plaintext only without one in this Istio version), then send ISTIO_MUTUAL — the safe order is PERMISSIVE → clients send mTLS → STRICT';
  return `make the server PERMISSIVE instead of DISABLE, or ${drop}`;
}
