import { defineRule } from '../src/rule.js';
import { IGNORE_ANNOTATION, suppressionsOf } from '../src/suppress.js';

export default defineRule({
  meta: {
    id: 'invalid-suppression',
    defaultSeverity: 'warning',
    summary: `An \`${IGNORE_ANNOTATION}\` annotation entry has no reason or is malformed, so it suppresses nothing.`,
    needs: ['inputs'],
    docs: `
## What it catches
Entries of the \`${IGNORE_ANNOTATION}\` annotation that are not \`rule-id: reason\`. Suppressions must say why, so
that the next reader knows whether the reason still holds.

## Why it matters
An entry without a reason is ignored: the finding it meant to silence still shows, and this warning says why.

## Failing example
\`\`\`yaml failing
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
  annotations:
    mtls-lint.io/ignore: "plaintext-to-strict"
spec:
  mtls: {mode: STRICT}
\`\`\`

## Fixed example
\`\`\`yaml fixed
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
  annotations:
    mtls-lint.io/ignore: "plaintext-to-strict: legacy batch jobs move into the mesh in Q3"
spec:
  mtls: {mode: STRICT}
\`\`\`
Several entries are separated by \`;\`. \`*: reason\` silences every rule on that resource.
`,
  },
  check(context) {
    for (const resource of context.inputs.resources) {
      const parsed = suppressionsOf(resource);
      for (const problem of parsed?.problems ?? []) {
        context.report({
          resource,
          path: ['metadata', 'annotations', IGNORE_ANNOTATION],
          message: `Suppression ${problem}; it suppresses nothing until it has one.`,
          keyDetail: problem,
        });
      }
    }
  },
});
