// call-blocked-by-outbound-policy: under outboundTrafficPolicy REGISTRY_ONLY a sidecar client's call to a destination
// it has no cluster for (outside its Sidecar egress, a port no Service declares) is blocked by its own sidecar.
import { expect } from 'vitest';
import { byRule, lineOf } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const APPS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: backend, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
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
apiVersion: v1
kind: Service
metadata: {name: db, namespace: backend}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: tcp-pg, port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: backend}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: pg, ports: [{containerPort: 5432}, {containerPort: 9187}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: x
        env:
        - {name: API_URL, value: "http://api.backend:8080"}
        - {name: METRICS, value: "db-0.db.backend:9187"}
`;

const MESH_REGISTRY_ONLY = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
`;

const sidecar = (hosts: string, policy = '') => `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:${policy}
  egress:
  - hosts: [${hosts}]
`;

ruleTests('call-blocked-by-outbound-policy', {
  valid: [
    {
      name: 'ALLOW_ANY (the default): the undeclared port and the egress miss go through the PassthroughCluster',
      yaml: APPS + sidecar('"./*"'),
      check: (r) => {
        expect(r.findings.map((f) => f.rule).sort()).toEqual([
          'plaintext-between-sidecars',
          'plaintext-between-sidecars',
        ]);
      },
    },
    {
      name: 'REGISTRY_ONLY, the Sidecar lists backend and the port is declared: nothing is blocked',
      yaml: (APPS + MESH_REGISTRY_ONLY + sidecar('"./*", "backend/*"')).replace(
        'ports: [{name: tcp-pg, port: 5432}]',
        'ports: [{name: tcp-pg, port: 5432}, {name: http-metrics, port: 9187}]',
      ),
    },
    {
      name: 'an uninjected client is not blocked by a policy of sidecars',
      yaml: (APPS + MESH_REGISTRY_ONLY).replace(
        'metadata: {name: shop, labels: {istio-injection: enabled}}',
        'metadata: {name: shop}',
      ),
    },
  ],
  invalid: [
    {
      name: 'mesh-wide REGISTRY_ONLY: the Sidecar egress miss and the undeclared port, each at its own cause',
      yaml: APPS + MESH_REGISTRY_ONLY + sidecar('"./*"'),
      findings: [
        {
          severity: 'error',
          line: lineOf(APPS, 'ports: [{name: tcp-pg, port: 5432}]'),
          message: [
            '1 call is blocked by the client sidecar: shop/web → db.backend:9187 (connection reset, curl 000)',
            'Service backend/db declares no port 9187',
            'outboundTrafficPolicy REGISTRY_ONLY in ConfigMap istio-system/istio',
            'Fix: declare the port in that Service',
          ],
        },
        {
          severity: 'error',
          line: lineOf(APPS + MESH_REGISTRY_ONLY + sidecar('"./*"'), '- hosts:'),
          message: [
            'shop/web → api.backend:8080',
            'Sidecar shop/default egress hosts (./*) do not include api.backend.svc.cluster.local',
            "Fix: add the service's host to that Sidecar's egress hosts",
          ],
        },
      ],
      check: (r) => {
        const [f] = byRule(r, 'call-blocked-by-outbound-policy');
        expect(f?.related?.map((x) => x.line)).toContain(lineOf(APPS, 'db-0.db.backend:9187'));
        // A blocked call sends nothing: no plaintext finding about it.
        expect(byRule(r, 'plaintext-between-sidecars')).toEqual([]);
      },
    },
    {
      name: "the Sidecar's own outboundTrafficPolicy REGISTRY_ONLY (no mesh config)",
      yaml:
        APPS +
        sidecar(
          '"./*", "backend/db.backend.svc.cluster.local"',
          '\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}',
        ),
      findings: [
        { line: lineOf(APPS, 'ports: [{name: tcp-pg, port: 5432}]'), message: 'db.backend:9187' },
        { message: ['api.backend:8080', 'Sidecar shop/default outboundTrafficPolicy REGISTRY_ONLY'] },
      ],
    },
    {
      name: 'Istio 1.2 ignores the Sidecar outboundTrafficPolicy, but the mesh-wide REGISTRY_ONLY still blocks',
      istioVersion: '1.2',
      yaml: APPS + MESH_REGISTRY_ONLY + sidecar('"./*"', '\n  outboundTrafficPolicy: {mode: ALLOW_ANY}'),
      findings: [{ message: 'db.backend:9187' }, { message: 'api.backend:8080' }],
    },
  ],
});
