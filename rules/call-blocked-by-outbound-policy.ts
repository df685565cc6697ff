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
    id: 'call-blocked-by-outbound-policy',
    defaultSeverity: 'error',
    summary:
      'Under outboundTrafficPolicy REGISTRY_ONLY, a sidecar client calls a destination it has no cluster for (a host outside its Sidecar egress, a port no Service declares): its sidecar blocks the call.',
    needs: ['graph'],
    relatedCodes: [
      'istio.io/latest/docs/tasks/traffic-management/egress/egress-control/',
      'istio.io/latest/docs/reference/config/networking/sidecar/',
    ],
    docs: `
## What it catches
A known caller (declared, inferred from a URL in env, args or a ConfigMap, or observed) with a sidecar whose
\`outboundTrafficPolicy\` is \`REGISTRY_ONLY\` — set mesh-wide (\`meshConfig.outboundTrafficPolicy.mode\` in the \`istio\`
ConfigMap or an IstioOperator) or by the \`Sidecar\` resource that configures the client (Istio 1.3+; a Sidecar's
\`outboundTrafficPolicy\` without \`mode\` is \`REGISTRY_ONLY\`, the field's zero value) — toward a destination its sidecar
has no cluster for:

- a Service outside the hosts of the client's \`Sidecar\` \`egress\` listeners;
- a port that a headless Service does not declare, called by the Service's name or a pod's own name
  (\`kafka-0.kafka-headless:9999\`).

The client sidecar sends such traffic to the BlackHoleCluster: an HTTP request gets **502** from its catch-all route
when it has an HTTP listener on that port (another service in its scope has an HTTP port there); otherwise the
connection is **closed** (curl exit 56, HTTP code 000). Istio 1.0, which has no PassthroughCluster, drops it the same
way. Under \`ALLOW_ANY\` (the default) the same traffic leaves through the PassthroughCluster in plaintext instead:
\`plaintext-to-strict\` and \`plaintext-between-sidecars\` report that.

## Why it matters
The call fails whatever the server's mTLS mode is, and \`istioctl analyze\` does not say so: the Sidecar or the
Service looks fine on its own. The finding is on the setting that leaves the destination out (the Sidecar's \`egress\`,
or the Service's \`ports\`), which is where the fix goes.

## Examples
\`shop/web\` (injected) calls \`http://api.backend:8080\`; \`api\` is in the injected namespace \`backend\`.
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: backend, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: backend}
spec:
  selector: {app: api}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: backend}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app, image: x, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: x, env: [{name: API_URL, value: "http://api.backend:8080"}]}]
\`\`\`

## Failing example
\`\`\`yaml failing file=sidecar.yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress:
  - hosts: ["./*", "istio-system/*"]     # backend/api is not here: shop/web's call is blocked
\`\`\`

## Fixed example
Add the host to the egress hosts (or the namespace, \`"backend/*"\`):
\`\`\`yaml fixed file=sidecar.yaml
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
  egress:
  - hosts: ["./*", "istio-system/*", "backend/api.backend.svc.cluster.local"]
\`\`\`

## Related
Istio's egress control task (REGISTRY_ONLY, BlackHoleCluster) and the Sidecar reference. istioctl and Kiali do not
report calls that a Sidecar's egress leaves out.
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'broken',
      (_e, c) => c.result.outcome === 'broken' && c.client.mode === 'BLOCKED',
    );
    for (const group of groupByCause(hits, (h) => h.connection.client.cause)) {
      const n = countEdges(group.hits);
      const first = group.hits[0]!.connection.client;
      const at = atCause(group.cause, group.hits);
      if (!at) continue;
      const kind = group.cause?.resource.kind;
      const fix =
        kind === 'Sidecar' && group.cause?.path.includes('egress')
          ? 'add the service\'s host to that Sidecar\'s egress hosts ("namespace/host" or "namespace/*")'
          : kind === 'Service'
            ? 'declare the port in that Service (spec.ports), so the client sidecars get a cluster for it'
            : 'add a ServiceEntry or a Service for the destination, or set outboundTrafficPolicy ALLOW_ANY for these clients';
      context.report({
        ...at,
        severity: severityFor(group.hits, 'error'),
        message: `${n} call${n === 1 ? ' is' : 's are'} blocked by the client sidecar: ${victimList(group.hits)}. ${capitalize(first.explanation.replace(/^blocked: /, ''))}. Fix: ${fix}.`,
        ...victims(context, group.hits, () => 'its sidecar blocks the call'),
        keyDetail: causeKey(group.cause),
      });
    }
  },
});

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
