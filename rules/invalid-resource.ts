import { defineRule } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'invalid-resource',
    defaultSeverity: 'error',
    summary:
      'An Istio or Kubernetes resource that mtls-lint reasons about has a wrong, unknown or misplaced field.',
    needs: ['schema'],
    relatedCodes: ['IST0106 SchemaValidationError', 'IST0133 SchemaWarning'],
    docs: `
## What it catches
Fields of PeerAuthentication, legacy Policy/MeshPolicy, DestinationRule and AuthorizationPolicy — and the
Kubernetes fields that decide injection and ports — that are misspelt, misplaced, of the wrong type or out of range,
checked against mtls-lint's own schemas. Also Istio's validation rules that matter for mTLS: \`portLevelMtls\` needs a
\`selector\`; ports are 1..65535; a namespace-wide legacy Policy and a MeshPolicy must be named \`default\`;
enum values such as \`mode: STRCT\` (the allowed values are listed).

## Why it matters
Istio rejects some of these at apply time and silently ignores others: a misplaced \`peers:\` in a legacy Policy
turns "PERMISSIVE for httpbin" into "a policy with no peers", which in Istio ≤ 1.4 means **plaintext only** — every
sidecar client sending mTLS then gets 503. Resources with errors are left out of the mesh model (the webhook would
refuse them), so fix these first.

## Failing example
The Istio 1.1 migration task's own Policy has \`peers\` indented under the target:
\`\`\`yaml failing istio=1.4
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin, namespace: foo}
spec:
  targets:
  - name: httpbin
    peers:          # "peers" is not a field of a target; it belongs under spec
  - mtls:
      mode: PERMISSIVE
\`\`\`

## Fixed example
\`\`\`yaml fixed istio=1.4
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin, namespace: foo}
spec:
  targets:
  - name: httpbin
  peers:
  - mtls:
      mode: PERMISSIVE
\`\`\`

## Related
\`istioctl analyze\` IST0106 (schema) — but it silently skips legacy \`authentication.istio.io\` kinds since 1.6
and does not catch unknown fields.
`,
  },
  check(context) {
    for (const finding of context.schemaFindings) context.emit(finding);
    for (const f of context.inputs.diagnostics) if (f.rule === 'invalid-resource') context.emit(f);
  },
});
