// unknown-injection: workloads in a namespace the inputs do not define; their sidecar is an assumption.
import { ruleTests } from './harness.js';
import { app, docs, namespace } from '../helpers/mesh.js';

ruleTests('unknown-injection', {
  valid: [
    {
      name: 'the Namespace manifest is in the inputs',
      yaml: docs(namespace('payments'), app('payments', 'api')),
    },
    {
      name: '.mtls-lint.yaml describes the namespace',
      yaml: app('payments', 'api'),
      config: 'namespaces:\n  payments:\n    injection: enabled\n',
    },
  ],
  invalid: [
    {
      name: 'a Deployment in a namespace nobody defines: one finding per namespace, naming the workloads',
      yaml: docs(app('payments', 'api'), app('payments', 'worker', { noService: true })),
      findings: [
        {
          severity: 'info',
          file: 'manifests.yaml',
          message: [
            'Namespace payments is not in the inputs',
            'no sidecar',
            'Deployment api, Deployment worker',
          ],
        },
      ],
    },
  ],
});
