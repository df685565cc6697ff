import { defineRule } from '../src/rule.js';
import {
  atCause,
  causeKey,
  countEdges,
  findHitsAmong,
  groupByCause,
  observedTrafficNote,
  severityFor,
  victimList,
  victims,
  type Hit,
} from '../src/rule-report.js';
import { isNginxPodIps } from '../src/graph/ingress.js';

const STRICT = new Set(['STRICT', 'AMBIENT_STRICT']);
/** Stand-in callers that no injection of theirs can fix from these manifests. */
const OUTSIDE = new Set(['ExternalClient', 'IngressController']);

export default defineRule({
  meta: {
    id: 'plaintext-to-strict',
    defaultSeverity: 'error',
    summary:
      'A caller that sends plaintext (no sidecar, DestinationRule DISABLE, or no tls without auto mTLS) reaches a STRICT server port.',
    securitySeverity: '7.5',
    needs: ['graph'],
    relatedCodes: ['IST0113 MTLSPolicyConflict (retired 1.6)', 'KIA0401', 'KIA0501', 'KIA0207', 'KIA0208'],
    docs: `
## What it catches
A server port whose effective mode is STRICT (PeerAuthentication at mesh, namespace, workload or port level, or a
legacy Policy/MeshPolicy) and a caller that sends plaintext to it:
- a workload without a sidecar (namespace not injected, \`sidecar.istio.io/inject: "false"\`, hostNetwork);
- a sidecar client whose DestinationRule sets \`tls.mode: DISABLE\` for that host or port;
- a sidecar client with no DestinationRule tls while auto mTLS is off (Istio ≤ 1.4, or \`enableAutoMtls: false\`).
- a sidecar client calling the host of a \`MESH_EXTERNAL\` ServiceEntry (the default \`location\`) whose endpoints
  (WorkloadEntries, selected pods) run sidecars: Istio never applies auto mTLS to mesh-external hosts.

One finding per cause: the \`mode: STRICT\` line, listing every caller it breaks; the callers' manifests are related
locations. Callers are declared (config \`callers\`, annotation \`mtls-lint.io/calls\`), inferred (service URLs in env,
args and ConfigMaps; AuthorizationPolicy sources; the ingress controller behind an \`Ingress\`; "clients outside the
cluster" of a LoadBalancer, NodePort or externalIPs Service; gateway proxies calling the destinations of their routes;
Prometheus through ServiceMonitor/PodMonitor endpoints and, without Istio's metrics merging, \`prometheus.io\`
annotations — the Prometheus workload of the inputs, else a stand-in assumed without a sidecar), observed (the mesh's
own telemetry, \`--traffic\`/\`--prometheus\`), or possible (any other workload in the inputs that no NetworkPolicy
refuses, and a stand-in for "any new sidecar workload" in each injected namespace). Callers from outside the mesh get
their own fix: route them through an Istio ingress gateway, or inject the ingress controller and let it call the
Service (ingress-nginx: \`nginx.ingress.kubernetes.io/service-upstream: "true"\`). The kubelet's probes have their own
rule, \`probe-fails-under-strict\`.

## Why it matters
Clients without a sidecar get a **connection reset** (curl exit 56, \`%{http_code}\` = \`000\`); sidecar clients sending
plaintext get **HTTP 503** from their own sidecar. This is the step the Istio migration task warns about: STRICT
only once no caller without a sidecar is left.

## Severity
Error when a declared or inferred caller breaks, or when the broken caller stands for *every* sidecar workload of a
namespace (e.g. STRICT with auto mTLS off and no ISTIO_MUTUAL DestinationRule). Warning when only possible callers
are affected. Lowered one step when the client's sidecar state rests on an assumption (namespace not in the inputs,
or an ingress controller the inputs do not show, assumed without a sidecar).

## Examples
The workloads of the examples: \`httpbin\` in the injected namespace \`foo\`, and \`sleep\` in \`legacy\`, which calls
\`httpbin.foo:8000\` (the annotation declares the call; mtls-lint also infers calls from URLs in env and ConfigMaps).
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
  namespace: legacy
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
\`\`\`yaml failing file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: STRICT}          # legacy/sleep has no sidecar: connection reset
\`\`\`

## Fixed example
Keep \`mode: PERMISSIVE\` until \`legacy/sleep\` is injected (label namespace \`legacy\` with
\`istio-injection: enabled\` and restart it), then switch to STRICT. Or scope STRICT to the workloads whose callers
are all in the mesh with a workload selector or \`portLevelMtls\`.
\`\`\`yaml fixed file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}   # sleep restarted with a sidecar
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: STRICT}
\`\`\`

## Related
istioctl 1.5's IST0113 MTLSPolicyConflict (retired in 1.6, never with auto mTLS); Kiali KIA0401/KIA0501
(STRICT without an mTLS DestinationRule, auto mTLS off only). Neither sees uninjected clients.
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'broken',
      (_e, c) =>
        c.result.outcome === 'broken' && c.result.clientTls === 'plaintext' && STRICT.has(c.server.mode),
    );
    for (const group of groupByCause(hits, (h) => h.connection.server.cause)) {
      const n = countEdges(group.hits);
      const what = group.cause?.description ?? 'STRICT mTLS';
      const at = atCause(group.cause, group.hits);
      if (!at) continue;
      context.report({
        ...at,
        severity: severityFor(group.hits, 'error'),
        message: `${what} breaks ${n} caller${n === 1 ? '' : 's'} that send${n === 1 ? 's' : ''} plaintext: ${victimList(group.hits)}. Fix: ${fixFor(group.hits)}; the safe order is PERMISSIVE → clients send mTLS → STRICT.${observedTrafficNote(context.graph, group.hits)}`,
        ...victims(context, group.hits, (h) => `sends plaintext: ${h.connection.client.explanation}`),
        keyDetail: causeKey(group.cause),
      });
    }
  },
});

function fixFor(hits: Hit[]): string {
  const kinds = new Set(hits.map((h) => h.edge.client.kind));
  const reasons = new Set(hits.map(reasonOf));
  const fixes: string[] = [];
  if (
    hits.some((h) => /^(ServiceMonitor|PodMonitor|annotation prometheus)/.test(h.edge.evidence.description))
  )
    fixes.push(
      "let Prometheus scrape through Istio's metrics merging (prometheus.io annotations, on by default from 1.7) or give it the Istio certificates (https with tlsConfig certFile from the istio-proxy cert volume, istio.io/latest/docs/ops/integrations/prometheus/)",
    );
  // Callers from outside the mesh cannot simply be injected.
  if (kinds.has('ExternalClient'))
    fixes.push(
      'send clients outside the cluster through an Istio ingress gateway, or keep those ports PERMISSIVE (portLevelMtls)',
    );
  if (
    kinds.has('IngressController') ||
    hits.some(
      (h) =>
        h.edge.evidence.resource?.kind === 'Ingress' &&
        h.connection.client.mode === 'NO_SIDECAR' &&
        !isNginxPodIps(h.connection.client),
    )
  )
    fixes.push(
      'inject a sidecar into the ingress controller and set nginx.ingress.kubernetes.io/service-upstream: "true" on the Ingress (or keep PERMISSIVE until then)',
    );
  if (hits.some((h) => isNginxPodIps(h.connection.client)))
    fixes.push(
      'set nginx.ingress.kubernetes.io/service-upstream: "true" on the Ingress, so that the controller\'s sidecar sends mTLS',
    );
  if (
    hits.some(
      (h) =>
        reasonOf(h) === 'none' &&
        !OUTSIDE.has(h.edge.client.kind) &&
        h.edge.evidence.resource?.kind !== 'Ingress',
    )
  )
    fixes.push('inject a sidecar into those callers (or keep PERMISSIVE until they are)');
  if (reasons.has('bypass'))
    fixes.push(
      'take the port or range out of the traffic.sidecar.istio.io annotation that sends it past their sidecar',
    );
  if (reasons.has('egress')) fixes.push("add the service to their Sidecar resource's egress hosts");
  if (reasons.has('undeclared-port'))
    fixes.push(
      'declare the port they call in the Service (spec.ports), so that their sidecars have a cluster with auto mTLS for it instead of the plaintext PassthroughCluster',
    );
  if (reasons.has('mesh-external'))
    fixes.push(
      'set location: MESH_INTERNAL on the ServiceEntry (its endpoints run sidecars, so auto mTLS then sends mTLS), or give its host a DestinationRule with tls mode ISTIO_MUTUAL',
    );
  if (reasons.has('DISABLE')) fixes.push('remove tls mode DISABLE from the DestinationRule they use');
  if (hits.some((h) => reasonOf(h) === 'PLAINTEXT' && !isNginxPodIps(h.connection.client)))
    fixes.push('give them a DestinationRule with tls mode ISTIO_MUTUAL (auto mTLS is off)');
  if (reasons.has('credential'))
    fixes.push(
      'give the DestinationRule with credentialName a workloadSelector (Istio 1.14+) or use tls mode ISTIO_MUTUAL for in-mesh servers',
    );
  if (reasons.has('passthrough'))
    fixes.push(
      'inject every endpoint of the service, or drop loadBalancer PASSTHROUGH from the DestinationRule',
    );
  if (reasons.has('endpoint-check'))
    fixes.push(
      'give the portLevelSettings entry its own tls (it does not inherit, but the endpoint check reads the top level)',
    );
  if (reasons.has('subset-check')) {
    const subsets = new Set(
      hits.flatMap((h) =>
        (h.connection.client.autoMtlsInputs?.endpointCheckBySubset ?? [])
          .filter((x) => x.cause && h.connection.result.explanation.includes(x.cause.description))
          .map((x) => x.cause!.description),
      ),
    );
    fixes.push(
      `remove ${[...subsets].join(' and ')} (this Istio release's per-endpoint check applies a subset's tls to its pods even when no route sends traffic there; 1.19+ does not)`,
    );
  }
  if (reasons.has('tls-label'))
    fixes.push(
      'remove the security.istio.io/tlsMode label from the server pods (the injector sets it to istio)',
    );
  if (reasons.has('AUTO'))
    fixes.push(
      'make the server policy consistent for auto mTLS (it sees a DISABLE at namespace or mesh level)',
    );
  return fixes.join(', and ');
}

/**
 * What made a caller send plaintext decides the fix: no sidecar, a capture annotation, a Sidecar's egress, a
 * DestinationRule (DISABLE, no tls, credentialName, PASSTHROUGH, a top-level tls the endpoint check reads), auto mTLS.
 */
function reasonOf(h: Hit): string {
  const c = h.connection.client;
  const key = c.cause?.path.at(-1);
  if (c.mode === 'NO_SIDECAR') return c.cause ? 'bypass' : 'none';
  if (c.mode === 'PLAINTEXT' && c.cause?.resource.kind === 'Sidecar') return 'egress';
  if (c.mode === 'PLAINTEXT' && c.passthrough && c.cause?.resource.kind === 'Service')
    return 'undeclared-port';
  if (c.mode === 'PLAINTEXT' && c.cause?.resource.kind === 'ServiceEntry') return 'mesh-external';
  if (c.mode === 'PLAINTEXT' && key === 'credentialName') return 'credential';
  if (c.mode === 'AUTO' && h.connection.result.explanation.includes('security.istio.io/tlsMode'))
    return 'tls-label';
  if (c.mode === 'AUTO' && c.autoMtlsInputs) {
    const why = h.connection.result.explanation;
    if (c.autoMtlsInputs.passthroughLb && why.includes(c.autoMtlsInputs.passthroughLb.description))
      return 'passthrough';
    if (c.autoMtlsInputs.endpointCheck && why.includes(c.autoMtlsInputs.endpointCheck.cause.description))
      return 'endpoint-check';
    if (c.autoMtlsInputs.endpointCheckBySubset?.some((s) => s.cause && why.includes(s.cause.description)))
      return 'subset-check';
  }
  return c.mode;
}
