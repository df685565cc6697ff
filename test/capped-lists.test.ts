// Lists a finding caps (edges, related) say how much they left out; `graph -f json` groups say who they hold.
import { describe, expect, it } from 'vitest';
import { cli, lintYaml } from './helpers/mesh.js';

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy2}
`;

const SERVER = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{containerPort: 80}]}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: foo}
spec: {mtls: {mode: STRICT}}
`;

/** `n` Deployments without a sidecar in `ns`, each declaring (or not) that it calls httpbin.foo:8000. */
function clients(ns: string, n: number, declared: boolean): string {
  const calls = declared ? `\n      annotations: {mtls-lint.io/calls: "httpbin.foo:8000"}` : '';
  return Array.from(
    { length: n },
    (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: client-${i}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: client-${i}}}
  template:
    metadata:
      labels: {app: client-${i}}${calls}
    spec: {containers: [{name: c, image: curl}]}
`,
  ).join('---\n');
}

interface JsonFinding {
  rule: string;
  edges?: unknown[];
  edgesOmitted?: number;
  related?: unknown[];
  relatedOmitted?: number;
}

describe('capped lists in the JSON report', () => {
  it('a finding with 130 declared callers lists 100 edges and 100 related locations and says how many more', async () => {
    const run = await lintYaml({
      'ns.yaml': NAMESPACES,
      'server.yaml': SERVER,
      'clients.yaml': clients('legacy', 130, true),
    });
    const out = await cli(['-f', 'json', '.'], run.dir);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { findings: JsonFinding[] };
    const strict = report.findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict).toHaveLength(1);
    const f = strict[0]!;
    // 130 callers: 100 listed, 30 left out.
    expect(f.edges).toHaveLength(100);
    expect(f.edgesOmitted).toBe(30);
    // Two places per caller: its manifest (metadata.name) and the annotation that declares the call.
    expect(f.related).toHaveLength(100);
    expect(f.relatedOmitted).toBe(260 - 100);
  });

  it('counts the members of a group of possible callers past the cap, and leaves the fields out when nothing is cut', async () => {
    const run = await lintYaml({
      'ns.yaml': NAMESPACES,
      'server.yaml': SERVER,
      'clients.yaml': clients('legacy', 70, false),
      'clients2.yaml': clients('legacy2', 60, false),
    });
    const out = await cli(['-f', 'json', '--fail-on', 'never', '.'], run.dir);
    const report = JSON.parse(out.stdout) as { findings: JsonFinding[] };
    const strict = report.findings.find((f) => f.rule === 'plaintext-to-strict')!;
    expect(strict.edges).toHaveLength(100);
    expect(strict.edgesOmitted).toBe(130 - 100);

    const small = await lintYaml({
      'ns.yaml': NAMESPACES,
      'server.yaml': SERVER,
      'clients.yaml': clients('legacy', 3, true),
    });
    const few = JSON.parse((await cli(['-f', 'json', '.'], small.dir)).stdout) as { findings: JsonFinding[] };
    const g = few.findings.find((f) => f.rule === 'plaintext-to-strict')!;
    expect(g.edges).toHaveLength(3);
    expect(g).not.toHaveProperty('edgesOmitted');
    expect(g).not.toHaveProperty('relatedOmitted');
  });
});
