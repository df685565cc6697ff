// duplicate-resource: one object (kind, namespace, name) defined twice in the inputs; Kubernetes keeps one.
import { ruleTests } from './harness.js';

const pa = (name: string, mode: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: tutorial}
spec: {mtls: {mode: ${mode}}}
`;

ruleTests('duplicate-resource', {
  valid: [
    {
      name: 'two objects of one kind with different names',
      files: { 'a.yaml': pa('default', 'STRICT'), 'b.yaml': pa('legacy', 'PERMISSIVE') },
    },
  ],
  invalid: [
    {
      name: 'the same PeerAuthentication in two files (enable-mtls.yml, disable-mtls.yml)',
      files: { 'enable-mtls.yml': pa('default', 'STRICT'), 'disable-mtls.yml': pa('default', 'DISABLE') },
      findings: [{ message: 'tutorial' }],
    },
  ],
});
