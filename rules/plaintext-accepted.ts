import { defineRule, type RuleContext } from '../src/rule.js';
import {
  atCause,
  causeKey,
  countEdges,
  findHitsAmong,
  groupByCause,
  victimList,
  victims,
} from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'plaintext-accepted',
    defaultSeverity: 'info',
    summary:
      'A PERMISSIVE server receives plaintext from known callers without a sidecar: they block STRICT and are unauthenticated; or a STRICT port bypasses the sidecar and takes plaintext.',
    needs: ['graph'],
    docs: `
## What it catches
Declared or inferred callers without a sidecar that reach a PERMISSIVE server port. They work today; they are the
callers that will break when the server moves to STRICT, and their requests carry no identity.

It also catches a port that STRICT does not cover because it **bypasses the sidecar**: the pod annotation
\`traffic.sidecar.istio.io/excludeInboundPorts\` lists it (or \`includeInboundPorts\` leaves it out), so the application
answers it directly and plaintext callers get through (a warning; any caller counts, possible ones too). Sidecar
callers still send mTLS there (auto mTLS goes by the pod, not the port), which the application cannot read: that is
reported as a 503 by \`mtls-to-plaintext-server\`.

## Why it matters
This is the to-do list of a migration: every caller listed must be injected (or given an exception) before STRICT.
Possible callers (any workload in the inputs) are not listed here, to keep the list actionable.

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
\`legacy/sleep\` (no sidecar) calls \`httpbin.foo:8000\`, whose namespace policy is PERMISSIVE:
\`\`\`yaml failing file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
\`\`\`

## Fixed example
Inject \`legacy/sleep\`, then set STRICT.
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
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'plaintext',
      (e, c) =>
        e.caller !== 'possible' &&
        e.client.sidecar === 'none' &&
        c.result.outcome === 'plaintext' &&
        (c.server.mode === 'PERMISSIVE' || c.server.mode === 'AMBIENT_PERMISSIVE'),
    );
    reportBypassedStrict(context);
    // One finding per server service: that is where the STRICT decision is made. A scrape of a pod port that no
    // Service fronts has no service: its workload is the server.
    const groups = groupByCause(hits, (h) => {
      const w = h.edge.server.serviceRef ? undefined : h.connection.serverWorkload;
      return {
        resource: h.edge.server.serviceRef?.resource ?? w!.resource,
        path: ['metadata', 'name'],
        description: w
          ? `${w.kind} ${w.namespace}/${w.name} port ${h.connection.targetPort ?? h.edge.server.port}`
          : `service ${h.edge.server.service}.${h.edge.server.namespace}`,
      };
    });
    for (const group of groups) {
      const n = countEdges(group.hits);
      const first = group.hits[0]!;
      const at = atCause(first.connection.server.cause ?? group.cause, group.hits);
      if (!at) continue;
      context.report({
        ...at,
        message: `${first.connection.server.explanation}, and ${n} caller${n === 1 ? '' : 's'} without a sidecar send${n === 1 ? 's' : ''} plaintext: ${victimList(group.hits, false)}. They are unauthenticated and would break under STRICT; ${group.hits.some((h) => h.edge.client.kind === 'ExternalClient') ? 'send clients outside the cluster through an Istio ingress gateway (or keep those ports PERMISSIVE) and inject the others' : 'inject them'} before tightening.`,
        ...victims(context, group.hits, () => 'caller without a sidecar'),
        keyDetail: `${causeKey(group.cause)}|${first.edge.server.service}.${first.edge.server.namespace}`,
      });
    }
  },
});

/**
 * STRICT that does not cover a port: the port bypasses the sidecar (inbound capture annotations), so plaintext callers
 * reach the application. One finding per bypass setting, listing the plaintext callers of the ports it opens.
 */
function reportBypassedStrict(context: RuleContext): void {
  const hits = findHitsAmong(
    context.graph,
    'plaintext',
    (_e, c) =>
      c.result.outcome === 'plaintext' &&
      c.server.mode === 'NO_SIDECAR' &&
      (c.server.bypassed?.mode === 'STRICT' || c.server.bypassed?.mode === 'AMBIENT_STRICT'),
  );
  for (const group of groupByCause(hits, (h) => h.connection.server.cause)) {
    const n = countEdges(group.hits);
    const first = group.hits[0]!;
    const strict = first.connection.server.bypassed!;
    const at = atCause(group.cause, group.hits);
    if (!at) continue;
    context.report({
      ...at,
      severity: 'warning',
      message: `${strict.explanation}, but STRICT does not cover port ${first.connection.targetPort} of ${first.connection.serverWorkload ? `${first.connection.serverWorkload.namespace}/${first.connection.serverWorkload.name}` : 'this workload'} (${group.cause!.description}): its traffic bypasses the sidecar, so ${n} caller${n === 1 ? '' : 's'} reach${n === 1 ? 'es' : ''} the application in plaintext, unauthenticated: ${victimList(group.hits, false)}. Fix: ${group.cause?.resource.kind === 'Service' ? 'declare the port in that Service (spec.ports), or upgrade to Istio 1.5+, whose passthrough chain enforces PeerAuthentication' : group.cause?.resource.kind === 'Sidecar' ? `add port ${first.connection.targetPort} to that Sidecar's ingress listeners, or upgrade to Istio 1.5+, whose passthrough chain enforces PeerAuthentication` : 'remove the port from the annotation'}, or accept it as a documented exception.`,
      ...victims(context, group.hits, () => 'plaintext caller past STRICT'),
      keyDetail: `bypass|${causeKey(group.cause)}`,
    });
  }
}
