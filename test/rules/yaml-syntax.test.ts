// yaml-syntax: a file that is not valid YAML, or YAML that Kubernetes reads differently than it looks.
import { ruleTests } from './harness.js';

const pa = (mtls: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
${mtls}`;

ruleTests('yaml-syntax', {
  valid: [{ name: 'one mode per mtls block', yaml: pa('    mode: STRICT\n') }],
  invalid: [
    {
      name: 'a duplicate key: which one applies is not what the reader sees',
      yaml: pa('    mode: STRICT\n    mode: PERMISSIVE\n'),
      findings: [{ severity: 'error', file: 'manifests.yaml', line: 9, message: 'mode' }],
    },
    {
      name: 'an unclosed flow mapping',
      yaml: pa('    {mode: STRICT\n'),
      findings: [{ severity: 'error', file: 'manifests.yaml' }],
    },
  ],
});
