// invalid-resource: a manifest the API server (or Istio's CRD schema) would reject or read differently.
import { ruleTests } from './harness.js';

const policy = (spec: string) => `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata:
  name: httpbin
  namespace: foo
spec:
${spec}`;

ruleTests('invalid-resource', {
  valid: [
    {
      name: "the migration task's Policy with peers under spec",
      yaml: policy('  targets:\n  - name: httpbin\n  peers:\n  - mtls:\n      mode: PERMISSIVE\n'),
      istioVersion: '1.4',
    },
  ],
  invalid: [
    {
      name: 'peers indented under the target (the Istio 1.1 task as printed): an unknown field of a target',
      yaml: policy('  targets:\n  - name: httpbin\n    peers:\n  - mtls:\n      mode: PERMISSIVE\n'),
      istioVersion: '1.4',
      findings: [
        {
          severity: 'error',
          file: 'manifests.yaml',
          line: 9,
          column: 5,
          message: '`peers` is not a field of a target',
        },
        {
          severity: 'error',
          line: 10,
          column: 5,
          message: 'looks like a `peers` entry that ended up in `targets`',
        },
      ],
    },
    {
      name: 'a PeerAuthentication mode Istio does not know',
      yaml: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls:
    mode: STRICTLY
`,
      findings: [{ line: 6, message: 'STRICTLY' }],
    },
  ],
});
