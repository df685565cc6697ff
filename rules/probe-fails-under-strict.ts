import { defineRule, relatedAt } from '../src/rule.js';
import type { RelatedLocation } from '../src/types.js';

const STRICT = new Set(['STRICT', 'AMBIENT_STRICT']);

const EFFECT: Record<string, string> = {
  livenessProbe: 'the kubelet restarts the container again and again',
  readinessProbe: 'the pod never becomes ready, so its Services send it no traffic',
  startupProbe: 'the container never finishes starting and is restarted',
};

export default defineRule({
  meta: {
    id: 'probe-fails-under-strict',
    defaultSeverity: 'error',
    summary:
      "A kubelet httpGet or grpc probe reaches a sidecar's STRICT port without Istio's probe rewrite, so it fails.",
    needs: ['graph'],
    relatedCodes: ['istio.io/latest/docs/ops/configuration/mesh/app-health-check/'],
    docs: `
## What it catches
A liveness, readiness or startup probe with \`httpGet\` or \`grpc\` on a container port that the sidecar captures and
where STRICT mTLS applies, when Istio does not rewrite the probe to its agent:
- Istio 1.4 and 1.5 do not rewrite probes by default (\`values.sidecarInjectorWebhook.rewriteAppHTTPProbe: false\`);
  from 1.6 the default profile turns the rewrite on;
- the pod annotation \`sidecar.istio.io/rewriteAppHTTPProbers: "false"\`, or the install setting
  \`rewriteAppHTTPProbe: false\` in an IstioOperator or the istio-sidecar-injector ConfigMap in the inputs, turns it off;
- \`grpc\` probes are rewritten only from Istio 1.13.

The kubelet has no sidecar: it sends plaintext to the pod IP, and a STRICT sidecar resets the connection. The finding
is at the probe's port, with the setting that makes the port STRICT as a related location. The kubelet appears in
\`graph\` as a stand-in client of kind \`Kubelet\`.

Not a break: \`tcpSocket\` probes (the sidecar accepts the TCP connection itself), \`exec\` probes, probes with
\`httpGet.host\` set, ports excluded from capture (\`traffic.sidecar.istio.io/excludeInboundPorts\`, or left out of
\`includeInboundPorts\`), pods without a sidecar and ambient pods.

## Why it matters
A failing liveness probe restarts the container in a loop (CrashLoopBackOff); a failing readiness probe keeps the pod
out of its Services' endpoints, so the service goes dark; a failing startup probe never lets the container start.
This is one of the first things people see after turning on STRICT on an old install.

## Severity
Error: every pod of the workload is affected as soon as STRICT applies.

## Examples
The namespace of the examples: \`shop\`, injected, with a namespace-wide STRICT PeerAuthentication, and the Service
\`cart\` in front of the container port 8080.
\`\`\`yaml setup file=shop.yaml
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec:
  mtls: {mode: STRICT}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{name: http, port: 80, targetPort: http}]
\`\`\`

## Failing example
On Istio 1.5 the injector does not rewrite probes by default: the kubelet's plaintext \`GET /healthz\` meets the
STRICT sidecar.
\`\`\`yaml failing file=cart.yaml istio=1.5
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
      - name: app
        image: example.com/cart:1
        ports: [{name: http, containerPort: 8080}]
        livenessProbe:
          httpGet: {path: /healthz, port: http}   # plaintext from the kubelet: reset by the sidecar
\`\`\`

## Fixed example
Annotate the pod template so that the injector rewrites the probe to the Istio agent, which forwards it to the app:
\`\`\`yaml fixed file=cart.yaml istio=1.5
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata:
      labels: {app: cart}
      annotations: {sidecar.istio.io/rewriteAppHTTPProbers: "true"}
    spec:
      containers:
      - name: app
        image: example.com/cart:1
        ports: [{name: http, containerPort: 8080}]
        livenessProbe:
          httpGet: {path: /healthz, port: http}
\`\`\`
Or turn the rewrite on for the whole install (\`values.sidecarInjectorWebhook.rewriteAppHTTPProbe: true\`), or move the
probe to a port excluded from capture, or keep that port PERMISSIVE with \`portLevelMtls\`.

## Related
Istio's "Health Checking of Istio Services" page (istio.io/latest/docs/ops/configuration/mesh/app-health-check/).
istioctl and Kiali have no check for it.
`,
  },
  check(context) {
    for (const edge of context.graph.edges) {
      if (edge.client.kind !== 'Kubelet' || edge.outcome !== 'broken') continue;
      const c = edge.connections.find((x) => x.result.outcome === 'broken');
      const ev = edge.evidence;
      if (!c || !STRICT.has(c.server.mode) || !ev.resource || !ev.path) continue;
      const field = String(ev.path.find((p) => typeof p === 'string' && p.endsWith('Probe')) ?? 'probe');
      const cause = c.server.cause;
      const why = cause?.description ?? `STRICT mTLS (${c.server.explanation})`;
      const related: RelatedLocation[] = [];
      if (context.relatedLocations && cause)
        related.push(
          relatedAt(cause.resource, cause.path, `${cause.description}: the kubelet is no mesh client`),
        );
      const s = edge.server;
      const where = s.standIn
        ? `port ${c.targetPort ?? s.port}`
        : `port ${c.targetPort ?? s.port} (behind ${s.service}.${s.namespace}:${s.port})`;
      // Before 1.13 no setting makes Istio rewrite a grpc probe.
      const grpcUnrewritable =
        ev.path.includes('grpc') && !context.mesh.settings.release.has('grpc-probe-rewrite');
      context.report({
        resource: ev.resource,
        path: ev.path,
        message: `${edge.client.standIn!} fails (${ev.description}): the kubelet sends plaintext to ${where}, and ${why} makes the sidecar reset it, so ${EFFECT[field] ?? 'the probe fails'}. Fix: ${grpcUnrewritable ? `Istio ${context.mesh.settings.release.text} never rewrites grpc probes (1.13+ does): use an httpGet or tcpSocket probe, exclude the port from capture (traffic.sidecar.istio.io/excludeInboundPorts), or keep the port PERMISSIVE with portLevelMtls` : 'annotate the pod template sidecar.istio.io/rewriteAppHTTPProbers: "true" (or set values.sidecarInjectorWebhook.rewriteAppHTTPProbe: true), or exclude the port from capture (traffic.sidecar.istio.io/excludeInboundPorts), or keep the port PERMISSIVE with portLevelMtls'}.`,
        severity: 'error',
        edges: [
          {
            client: { namespace: edge.client.namespace, workload: edge.client.name, kind: 'Kubelet' },
            server: { namespace: s.namespace, service: s.service, port: s.port },
            caller: edge.caller,
          },
        ],
        related,
        keyDetail: `${s.namespace}/${s.service}:${s.port}`,
      });
    }
  },
});
