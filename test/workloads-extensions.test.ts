// Deployments written as extensions/v1beta1 (served until Kubernetes 1.16; istio-tutorial's recommendation-v4…v7)
// run pods with the same template as apps/v1 ones: they back Services and DestinationRule subsets like any other.
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const deployment = (apiVersion: string, version: string) => `apiVersion: ${apiVersion}
kind: Deployment
metadata: {name: recommendation-${version}, namespace: tutorial, labels: {app: recommendation, version: ${version}}}
spec:
  selector: {matchLabels: {app: recommendation, version: ${version}}}
  template:
    metadata: {labels: {app: recommendation, version: ${version}}}
    spec:
      containers: [{name: recommendation, image: example/recommendation:${version}, ports: [{containerPort: 8080}]}]
`;

const FILES = {
  'ns.yaml':
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: tutorial, labels: {istio-injection: enabled}}\n',
  'service.yaml': `apiVersion: v1
kind: Service
metadata: {name: recommendation, namespace: tutorial}
spec:
  selector: {app: recommendation}
  ports: [{name: http, port: 8080}]
`,
  'v1.yaml': deployment('apps/v1', 'v1'),
  'v4.yaml': deployment('extensions/v1beta1', 'v4'),
  'dr.yaml': `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: recommendation, namespace: tutorial}
spec:
  host: recommendation
  subsets:
    - {name: version-v1, labels: {version: v1}}
    - {name: version-v4, labels: {version: v4}}
`,
};

describe('extensions/v1beta1 Deployments are workloads', () => {
  it('back their Service: a subset selecting one is not reported as matching nothing', async () => {
    const run = await lintYaml(FILES);
    expect(run.findings.filter((f) => f.rule === 'unmatched-target')).toEqual([]);
    const service = run.result.mesh().services.find((s) => s.name === 'recommendation')!;
    expect(service.workloads.map((w) => w.name)).toEqual(['recommendation-v1', 'recommendation-v4']);
  });

  it('an extensions and an apps Deployment of one name are one workload (one object in a cluster)', async () => {
    const run = await lintYaml({ ...FILES, 'v1-old.yaml': deployment('extensions/v1beta1', 'v1') });
    const service = run.result.mesh().services.find((s) => s.name === 'recommendation')!;
    expect(service.workloads.map((w) => w.name)).toEqual(['recommendation-v1', 'recommendation-v4']);
  });

  it('only the kinds that group served: a Job under extensions is not a workload', async () => {
    const job = deployment('extensions/v1beta1', 'v5').replace('kind: Deployment', 'kind: Job');
    const run = await lintYaml({ ...FILES, 'job.yaml': job }, { allowInvalid: true });
    const service = run.result.mesh().services.find((s) => s.name === 'recommendation')!;
    expect(service.workloads.map((w) => w.name)).toEqual(['recommendation-v1', 'recommendation-v4']);
  });
});
