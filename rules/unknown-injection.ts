import { defineRule } from '../src/rule.js';
import type { Workload } from '../src/mesh/model.js';
import { MESSAGE_LIST_CAP } from '../src/rule-report.js';
import { relatedAt } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'unknown-injection',
    defaultSeverity: 'info',
    summary:
      "A workload's sidecar state depends on a namespace the inputs do not define; says what was assumed.",
    needs: ['mesh'],
    relatedCodes: ['IST0102 NamespaceNotInjected'],
    docs: `
## What it catches
Workloads in a namespace that no \`Namespace\` manifest in the inputs defines and that \`.mtls-lint.yaml\` does not
describe. Whether they get a sidecar depends on that namespace's \`istio-injection\` / \`istio.io/rev\` labels, which
mtls-lint cannot see. It assumes **no sidecar** (a namespace without injection labels gets none) unless the pod asks
for one with the label \`sidecar.istio.io/inject: "true"\` (Istio 1.10+), and says so here; findings that rest on this
assumption are one severity lower (two lower when they also concern only possible callers), and a DestinationRule with
ISTIO_MUTUAL toward such servers — its author expects sidecars there — is only an info in \`mtls-to-plaintext-server\`.

## Why it matters
Every connectivity verdict about these workloads depends on the assumption. Tell mtls-lint the truth and the
verdicts become certain.

## Failing example
\`\`\`yaml failing
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: payments
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - {name: sleep, image: curlimages/curl, command: [sleep, infinity]}
# no Namespace payments in the inputs, nor in .mtls-lint.yaml
\`\`\`

## Fixed example
\`\`\`yaml fixed
apiVersion: v1
kind: Namespace
metadata: {name: payments, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: payments
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - {name: sleep, image: curlimages/curl, command: [sleep, infinity]}
\`\`\`

## Fix
Add the Namespace manifest to the inputs, or describe it in \`.mtls-lint.yaml\`:
\`\`\`yaml
namespaces:
  payments:
    injection: enabled     # or disabled; also revision: canary, ambient: true
\`\`\`
`,
  },
  check(context) {
    const byNamespace = new Map<string, Workload[]>();
    for (const w of context.mesh.workloads) {
      const ns = w.sidecar.unknownNamespace;
      if (!ns) continue;
      const list = byNamespace.get(ns) ?? [];
      list.push(w);
      byNamespace.set(ns, list);
    }
    for (const [ns, workloads] of byNamespace) {
      const first = workloads[0]!;
      const names = workloads
        .slice(0, MESSAGE_LIST_CAP)
        .map((w) => `${w.kind} ${w.name}`)
        .join(', ');
      const more =
        workloads.length > MESSAGE_LIST_CAP ? ` and ${workloads.length - MESSAGE_LIST_CAP} more` : '';
      context.report({
        resource: first.resource,
        path: first.resource.namespaceExplicit ? ['metadata', 'namespace'] : ['metadata'],
        message: `Namespace ${ns} is not in the inputs, so mtls-lint assumed ${first.sidecar.state === 'sidecar' ? 'a sidecar' : 'no sidecar'} for ${names}${more} (${first.sidecar.reason}). Add the Namespace manifest or \`namespaces: {${ns}: {injection: enabled|disabled}}\` to .mtls-lint.yaml.`,
        related: workloads
          .slice(1, 100)
          .map((w) => relatedAt(w.resource, ['metadata', 'name'], `${w.kind} ${w.name} in ${ns}`)),
        keyDetail: ns,
      });
    }
  },
});
