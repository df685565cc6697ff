import { defineRule, relatedAt } from '../src/rule.js';
import { policyNames } from '../src/graph/network-policy.js';

export default defineRule({
  meta: {
    id: 'call-blocked-by-network-policy',
    defaultSeverity: 'info',
    summary:
      'A declared or inferred call that NetworkPolicies refuse: it cannot happen, so mtls-lint leaves it out of the mTLS checks.',
    needs: ['graph'],
    relatedCodes: ['kubernetes.io/docs/concepts/services-networking/network-policies/'],
    docs: `
## What it catches
A call mtls-lint knows about — declared (config \`callers\`, annotation \`mtls-lint.io/calls\`) or inferred (a service URL in
env, args or a ConfigMap; an AuthorizationPolicy source) — that \`networking.k8s.io/v1\` NetworkPolicies refuse: the
server's pods are isolated for ingress and no rule lets the client in on that port, or the client's pods are isolated
for egress and no rule lets them out. Peers are matched by \`podSelector\`, \`namespaceSelector\` (against the
namespace's labels, with \`kubernetes.io/metadata.name\`), named and numbered ports and \`endPort\`; \`ipBlock\` peers
are taken as outside the cluster. Callers the graph stands in for meet the policies as what they are: clients outside
the cluster of a \`LoadBalancer\`/\`NodePort\` Service match \`ipBlock\` peers only, and an ingress controller the
inputs do not show is a pod of a namespace they do not name (a \`namespaceSelector\` may let it in, on that assumption).

The same evaluation removes *possible* callers that no policy lets through (they are not callers). Namespaces whose
labels the inputs do not show keep their stand-ins possible, with that assumption in the caller's name.

## Why it matters
A call the network refuses fails whatever mTLS does, so mtls-lint does not report mTLS findings about it. If the call
is real, it is broken today by the NetworkPolicy: the info points at the reference and names the policy.

## Examples
The workloads of the examples: \`api\` in the injected, STRICT namespace \`shop\`, and \`sleep\` in \`legacy\`, whose env
names \`http://api.shop\` (an inferred call).
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app, image: x, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: legacy}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers: [{name: app, image: x, env: [{name: URL, value: "http://api.shop"}]}]
\`\`\`

## Failing example
\`\`\`yaml failing file=policy.yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {}}]   # legacy/sleep (env URL=http://api.shop) is in another namespace
    ports: [{port: http}]
\`\`\`

## Fixed example
Allow the caller if the call is real (a \`namespaceSelector\` for \`legacy\`), or drop the stale reference. Once the
call is allowed, the mTLS checks apply to it again: here \`legacy/sleep\` has no sidecar, so \`plaintext-to-strict\`
reports it until \`legacy\` is injected.
\`\`\`yaml fixed file=policy.yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from:
    - podSelector: {}
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: legacy}}
    ports: [{port: http}]
\`\`\`

## Related
Kubernetes NetworkPolicy documentation. istioctl and Kiali do not read NetworkPolicies.
`,
  },
  check(context) {
    for (const b of context.graph.blocked ?? []) {
      const ev = b.evidence;
      const resource = ev.resource ?? b.policies[0];
      if (!resource) continue;
      const client = b.client.standIn ?? `${b.client.namespace}/${b.client.name}`;
      const server = `${b.server.service}.${b.server.namespace}:${b.server.port}`;
      const names = policyNames(b.policies);
      context.report({
        resource,
        ...(ev.resource && ev.path ? { path: ev.path } : {}),
        severity: 'info',
        message: `This call cannot happen: ${client} → ${server} (${ev.kind}: ${ev.description}) is refused by ${names}, so no mTLS finding is made about it. If the call is real, it fails today: allow it in ${names}; if not, remove the stale reference.`,
        edges: [
          {
            client: { namespace: b.client.namespace, workload: b.client.name, kind: b.client.kind },
            server: { namespace: b.server.namespace, service: b.server.service, port: b.server.port },
            caller: ev.kind,
          },
        ],
        related: context.relatedLocations
          ? b.policies.map((p) =>
              relatedAt(p, ['spec'], `NetworkPolicy ${p.namespace ?? ''}/${p.name} refuses it`),
            )
          : [],
        keyDetail: `${b.client.namespace}/${b.client.name}->${server}`,
      });
    }
  },
});
