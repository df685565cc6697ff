import { defineRule } from '../src/rule.js';

// The diff (src/diff/transitions.ts) is the only place that sees both base and head: it compares their graphs and
// hands this rule, through the context, what a change made worse and no other finding reports.
export default defineRule({
  meta: {
    id: 'connection-downgrade',
    defaultSeverity: 'error',
    summary:
      'PR mode: a connection that worked in the base is plaintext or broken in the head (mTLS → plaintext, mTLS or plaintext → broken).',
    securitySeverity: '7.0',
    needs: [],
    docs: `
## What it catches
Only with \`--base\` (and in the GitHub Action on pull requests). For every client → service port pair that exists in
both the base and the head, mtls-lint compares the outcome. A change that makes it worse is reported with both
states and the setting that changed:

\`\`\`
legacy/sleep → httpbin.foo:8000: plaintext (200) → reset, caused by foo/Policy example-httpbin-permissive line 11:
PERMISSIVE → STRICT. This skips "clients send mTLS" of the safe order PERMISSIVE → clients send mTLS → STRICT:
legacy/sleep has no sidecar, so it cannot send mTLS: inject it first, or keep PERMISSIVE.
\`\`\`

- **mTLS → plaintext**: a DestinationRule now says \`tls.mode: DISABLE\`, a client lost its sidecar, or a server
  policy moved to DISABLE. The connection still works, unencrypted and without identity.
- **mTLS or plaintext → broken**: STRICT reached a client that sends plaintext, or a client now sends
  \`ISTIO_MUTUAL\` to a server without a sidecar (HTTP 503 from the client sidecar, connection reset, TLS error).

When another rule already reports the broken connection (\`plaintext-to-strict\` on the \`mode: STRICT\` line), the
transition is added to that finding instead of a second one. The victim may be in a file the change did not touch.

## Why it matters
The Istio migration task moves in three steps: servers accept both (PERMISSIVE), clients send mTLS
(DestinationRule \`ISTIO_MUTUAL\` or auto mTLS), and only then servers require it (STRICT). A change that skips a step
breaks the clients that were not ready; the message names the step that was skipped.

## Severity
Error when a declared or inferred caller breaks; warning for a downgrade to plaintext, or a break of a possible caller;
info for a possible caller's downgrade.

## Examples
The workloads of the examples: \`httpbin\` in the injected namespace \`foo\`, and \`sleep\` in \`legacy\`, which calls
\`httpbin.foo:8000\` (the annotation declares the call; mtls-lint also infers calls from URLs in env and ConfigMaps).
\`\`\`yaml setup file=apps.yaml
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      containers:
      - {name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: legacy
  annotations: {mtls-lint.io/calls: "httpbin.foo:8000"}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - {name: sleep, image: curlimages/curl, command: [sleep, infinity]}
\`\`\`

## Failing example
A pull request changes \`policy.yaml\` from this, on the base branch,
\`\`\`yaml failing file=policy.yaml base
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
\`\`\`
to this (legacy/sleep, without a sidecar, calls httpbin.foo):
\`\`\`yaml failing file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: STRICT}
\`\`\`

## Fixed example
Inject the callers first (or keep PERMISSIVE for the ports they use with \`portLevelMtls\`), then switch to STRICT in a
later change. The first change injects \`legacy\`:
\`\`\`yaml fixed file=policy.yaml base
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
\`\`\`
\`\`\`yaml fixed file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}   # sleep restarted with a sidecar
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
\`\`\`

## Options
Off with \`rules: {connection-downgrade: off}\`; a severity there replaces the computed one.

## Related
\`istioctl x precheck\` and \`istioctl analyze\` look at one state of the cluster, never at a change.
`,
  },
  check(context) {
    // Nothing on one side alone (a plain lint has no transitions).
    for (const transition of context.transitions ?? []) context.report(transition);
  },
});
