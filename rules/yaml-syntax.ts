import { defineRule } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'yaml-syntax',
    defaultSeverity: 'error',
    summary:
      'A manifest is not valid YAML (syntax error, duplicate key, alias bomb); the broken document is not checked.',
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
The rest of the file, and every other file, is still checked (kubectl itself stops reading a file at the first
document it refuses: the documents after it are not applied).

## Read as Kubernetes reads it
kubectl and the API server read YAML with go-yaml v2 (YAML 1.1, through sigs.k8s.io/yaml, which turns each
document into JSON); istiod reads the mesh config the same way. mtls-lint reads what they decode, and says so
where a YAML 1.2 reader would see something else:
- unquoted \`y\`, \`yes\`, \`on\`, \`n\`, \`no\`, \`off\` (any case go-yaml knows) are booleans, \`0777\` is octal (511),
  \`0b101\` binary, \`1_000\` is 1000; keys too (\`on:\` is the key \`"true"\`). \`enableAutoMtls: off\` is false; a
  label \`version: on\` is a boolean, which Kubernetes rejects (\`invalid-resource\`);
- \`.inf\` and \`.nan\`, a null key (\`~:\`), the escape \`\\/\`: kubectl refuses the document (error);
- lines end at LF, CRLF, a lone CR, NEL, LS (U+2028) and PS (U+2029): a comment line does not hide what follows such
  a break (a note names the character);
- kubectl splits a file only at lines that start with \`---\` and reads the first YAML document of each part: a
  document after \`...\` without \`---\` is never applied (warning); \`--- {…}\` or \`----\` ("invalid Yaml document
  separator") and a directive (\`%YAML\`) alone before \`---\` stop kubectl there (error);
- a file that starts with \`{\` is JSON for kubectl: YAML flow style there fails (error);
- go-yaml does not check the indentation of lines inside quotes and brackets: such documents are read, not errors.

## Failing example
\`\`\`yaml failing
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
\`\`\`yaml fixed
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
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
    for (const finding of context.inputs.diagnostics)
      if (finding.rule === 'yaml-syntax') context.emit(finding);
  },
});
