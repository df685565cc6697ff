// input-error: inputs mtls-lint refused or could not read, so that no silent gap is left in the check.
import { ruleTests } from './harness.js';

const pa = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: STRICT}}
`;

ruleTests('input-error', {
  valid: [{ name: 'a UTF-8 manifest', files: { 'policy.yaml': pa } }],
  invalid: [
    {
      name: 'a binary with a .yaml name (NUL bytes): an error naming the file; the other files are still checked',
      files: { 'policy.yaml': pa, 'image.yaml': 'GIF89a\u0000\u0001\u0000' },
      findings: [{ severity: 'error', file: 'image.yaml', message: 'NUL' }],
    },
    {
      name: 'a manifest over limits.maxFileSize',
      files: { 'policy.yaml': pa, 'big.yaml': pa + `# ${'x'.repeat(2000)}\n` },
      config: 'limits:\n  maxFileSize: 1024\n',
      findings: [{ severity: 'error', file: 'big.yaml', message: 'maxFileSize' }],
    },
  ],
});
