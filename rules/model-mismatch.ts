import { defineRule } from '../src/rule.js';
import { describeAmounts } from '../src/graph/observed.js';
import { nameLocation } from '../src/rule-report.js';
import type { Edge } from '../src/graph/graph.js';

export default defineRule({
  meta: {
    id: 'model-mismatch',
    defaultSeverity: 'warning',
    summary:
      'Observed traffic disagrees with the manifests: the mesh saw plaintext where they say mTLS, or the reverse.',
    needs: ['graph'],
    docs: `
## What it catches
With observed traffic (\`--traffic FILE\` or \`--prometheus URL\`), every call the mesh recorded is compared with what
the manifests say that client sends to that service:
- the destination's proxy reported **plaintext** (\`connection_security_policy="none"\`) from a client the manifests
  say sends mTLS;
- it reported **mTLS** only, from a client the manifests say sends plaintext;
- a destination reported the connection's security at all, so it has a sidecar, where the manifests say it has none.

## Why it matters
mtls-lint predicts outcomes from the manifests. When the mesh behaves differently, something the manifests do not
show is in play, and every prediction about that client or service is suspect: a namespace label set by hand or by
another tool, a DestinationRule applied with \`kubectl\` and never committed, pods not restarted since injection was
enabled, or an Istio release older than \`--istio-version\`. Find which before trusting a STRICT plan.

Compare against the manifests that are deployed: run it on the main branch. In PR mode (\`--base\`) a change that alters
what a client sends is expected to disagree with traffic observed before it, so the rule only reports what the base
already disagreed with (shown with \`--all\`).

## Failing example
The manifests enable injection for \`foo\` and nothing pins plaintext, so \`foo/sleep\` sends mTLS to \`httpbin.foo\`; the
traffic shows the destination receiving plaintext from \`foo/sleep\` (its pod was never restarted after the
namespace was labelled):
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: kong/httpbin, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curlimages/curl}]}
\`\`\`
\`\`\`json failing traffic file=traffic.json
{"status": "success", "data": {"resultType": "vector", "result": [
  {"metric": {"reporter": "destination", "source_workload": "sleep", "source_workload_namespace": "foo",
              "destination_service_name": "httpbin", "destination_service_namespace": "foo",
              "connection_security_policy": "none"},
   "value": [1764925200, "40"]}]}}
\`\`\`

## Fixed example
Restart \`foo/sleep\` (\`kubectl rollout restart deploy/sleep -n foo\`) so that it gets its sidecar; the next traffic
window shows mTLS:
\`\`\`json fixed traffic file=traffic.json
{"status": "success", "data": {"resultType": "vector", "result": [
  {"metric": {"reporter": "destination", "source_workload": "sleep", "source_workload_namespace": "foo",
              "destination_service_name": "httpbin", "destination_service_namespace": "foo",
              "connection_security_policy": "mutual_tls"},
   "value": [1764925200, "40"]}]}}
\`\`\`
`,
  },
  check(context) {
    // Istio's metrics carry no port: an observed call is one edge per service port, and one finding per client and
    // service, naming the ports where the model disagrees.
    const calls = new Map<string, { edge: Edge; problem: Problem; ports: number[] }>();
    for (const edge of context.graph.edges) {
      if (edge.caller !== 'observed' || edge.client.standIn || !edge.server.serviceRef) continue;
      const problem = disagreement(edge);
      if (!problem) continue;
      const key = `${edge.client.namespace}/${edge.client.name}|${edge.server.service}.${edge.server.namespace}`;
      const call = calls.get(key);
      if (call) call.ports.push(edge.server.port);
      else calls.set(key, { edge, problem, ports: [edge.server.port] });
    }
    for (const [key, { edge, problem, ports }] of calls) {
      const observed = edge.evidence.observed!;
      const client = `${edge.client.namespace}/${edge.client.name}`;
      const server = `${edge.server.service}.${edge.server.namespace}:${ports.join(',')}`;
      const related = edge.client.workload
        ? [nameLocation(edge.client.workload.resource, `${client}: ${problem.model}`)]
        : [];
      context.report({
        resource: edge.server.serviceRef!.resource,
        path: ['metadata', 'name'],
        message: `Observed traffic disagrees with the manifests for ${client} → ${server}: the mesh saw ${problem.seen} (${describeAmounts(observed)}; ${observed.origins.join(', ')}), but the manifests say ${problem.model}. Likely: ${problem.likely}; predictions for this connection are unreliable until the manifests match the cluster.`,
        ...(context.relatedLocations ? { related } : {}),
        keyDetail: key,
      });
    }
  },
});

interface Problem {
  seen: string;
  model: string;
  likely: string;
}

function disagreement(edge: Edge): Problem | undefined {
  const o = edge.evidence.observed!;
  const sends = edge.connections.map((c) => c.result.clientTls);
  const reported = o.mtls + o.plaintext > 0;
  if (reported && edge.connections.length && edge.connections.every((c) => c.server.mode === 'NO_SIDECAR'))
    return {
      seen: 'the destination report the connection\u2019s security, so it has a sidecar',
      model: 'its workloads have no sidecar',
      likely: `the namespace ${edge.server.namespace} or its pods are injected by a label or annotation the inputs do not show`,
    };
  if (o.plaintext > 0 && sends.length && sends.every((s) => s === 'mtls'))
    return {
      seen: 'plaintext arrive',
      model: `the client sends mTLS (${edge.connections[0]!.client.explanation})`,
      likely:
        edge.client.sidecar === 'sidecar'
          ? 'the client\u2019s pods run without a sidecar (not restarted since injection was enabled), or a DestinationRule with tls DISABLE was applied by hand'
          : 'the client is configured differently in the cluster than in the inputs',
    };
  if (o.mtls > 0 && o.plaintext === 0 && sends.length && sends.every((s) => s === 'plaintext'))
    return {
      seen: 'only mTLS arrive',
      model: `the client sends plaintext (${edge.connections[0]!.client.explanation})`,
      likely:
        edge.client.sidecar === 'none'
          ? `the client has a sidecar in the cluster (its namespace ${edge.client.namespace} is injected by a label the inputs do not show)`
          : 'a DestinationRule in the cluster that the inputs do not contain, or an Istio release with auto mTLS where --istio-version has none',
    };
  return undefined;
}
