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
} from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'non-istio-tls-to-sidecar',
    defaultSeverity: 'warning',
    summary:
      'A DestinationRule originates SIMPLE/MUTUAL TLS toward a server with a sidecar (fails on STRICT and on HTTP ports).',
    needs: ['graph'],
    relatedCodes: ['IST0128', 'IST0129', 'tls-check CONFLICT (1.1–1.5)'],
    docs: `
## What it catches
A DestinationRule with \`tls.mode: SIMPLE\` or \`MUTUAL\` (TLS origination with your own certificates) for a host whose
endpoints have a sidecar. The sidecar expects Istio mTLS (ALPN \`istio\`) or plaintext:
- STRICT: the handshake fails unless the client certificate chains to the mesh CA;
- PERMISSIVE on an HTTP-declared port: no filter chain matches non-Istio TLS, the connection is closed;
- PERMISSIVE on a TCP or unnamed port: the TLS bytes pass through to the application (works only if it serves TLS);
- DISABLE: closed.

## Why it matters
Users see connection resets or 503 depending on the port protocol, and the traffic is never authenticated by the
mesh. \`istioctl authn tls-check\` reported these as CONFLICT.

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
  host: httpbin.foo.svc.cluster.local   # httpbin has a sidecar
  trafficPolicy:
    tls:
      mode: SIMPLE
\`\`\`

## Fixed example
\`\`\`yaml fixed file=destination-rule.yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin.foo.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL   # or drop tls and let auto mTLS decide
\`\`\`
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'sends-tls',
      (_e, c) => c.result.clientTls === 'tls' && c.server.mode !== 'NO_SIDECAR',
    );
    for (const group of groupByCause(hits, (h) => h.connection.client.cause)) {
      const n = countEdges(group.hits);
      const broken = group.hits.some((h) => h.connection.result.outcome === 'broken');
      const at = atCause(group.cause, group.hits);
      if (!at) continue;
      context.report({
        ...at,
        severity: severityFor(group.hits, 'warning'),
        message: `${group.cause?.description ?? 'SIMPLE/MUTUAL TLS'} originates non-Istio TLS toward ${n} sidecar server${n === 1 ? '' : 's'}: ${victimList(group.hits)}${broken ? '' : ' (passes through to the application only because the port is TCP and the server PERMISSIVE)'}. Fix: use tls mode ISTIO_MUTUAL, or remove tls and let auto mTLS decide.`,
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
