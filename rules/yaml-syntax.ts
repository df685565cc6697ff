import { defineRule } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'yaml-syntax',
    defaultSeverity: 'error',
    summary: 'A manifest is not valid YAML (syntax error, duplicate key, alias bomb); the broken document is not checked.',
    needs: ['inputs'],
    docs: `
## What it catches
YAML that does not parse: bad indentation, tabs, an unclosed quote or bracket, an unknown tag; **duplicate keys**
in one mapping; and documents whose aliases expand past the limit (a "billion laughs" attack). The finding points
at the parser's line and column.

## Why it matters
\`kubectl apply\` refuses a broken document, or — for duplicate keys — tools disagree on which value wins
(\`kubectl\` keeps the last, other YAML readers the first), so the policy in the cluster may not be the one in review.
A broken document is also invisible to every other check: mtls-lint cannot tell what it would do to traffic.
The rest of the file, and every other file, is still checked.

## Failing example
\`\`\`yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
    mode: STRICT
    mode: PERMISSIVE   # duplicate key: which one is applied?
\`\`\`

## Fixed example
\`\`\`yaml
spec:
  mtls:
    mode: PERMISSIVE
\`\`\`

## Options
Limits are set in \`.mtls-lint.yaml\` under \`limits:\` (\`maxAliasCount\`, default 100).

## Related
\`istioctl analyze\` exits 65 on unparseable files without a position; kubeconform reports no line.
`,
  },
  check(context) {
    for (const finding of context.inputs.diagnostics) if (finding.rule === 'yaml-syntax') context.emit(finding);
  },
});
