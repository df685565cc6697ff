import { defineRule } from '../src/rule.js';

export default defineRule({
  meta: {
    id: 'duplicate-resource',
    defaultSeverity: 'warning',
    summary:
      'Several complete documents define one object (same group, kind, namespace and name); the finding says which one was analysed and why.',
    needs: ['inputs'],
    docs: `
## What it catches
Two or more documents in the inputs with one identity — API group, kind, namespace and name, as Kubernetes
identifies an object — such as \`enable-mtls.yml\` and \`disable-mtls.yml\` both defining PeerAuthentication
\`tutorial/default\`, or \`release/all.yaml\` repeating \`kubernetes-manifests/cart.yaml\`. The apiVersion is not part of
the identity: \`security.istio.io/v1beta1\` and \`v1\` documents of one name are the same object.

mtls-lint analyses exactly one of them, so that one object is never counted twice (and never reported as two
policies competing with each other):
- a document with schema errors (see \`invalid-resource\`) never replaces a valid one;
- otherwise the last one in input order — paths in the order given, directories walked in name order — as
  \`kubectl apply -f\` over the same inputs leaves the last one applied in the cluster.

The finding is on a document that was not analysed, names every place, and says which one was used. When none of the
documents sets \`metadata.namespace\`, they may well be applied to different namespaces (\`kubectl apply -n alpha\`,
\`-n beta\`) and be different objects: the finding is then info, and linting each with its own \`--namespace\` checks
them all.

Partial documents — a \`Deployment\` without a pod template, a container without an image, or any file a
\`kustomization.yaml\` in the inputs lists under \`patches\`, \`patchesStrategicMerge\` or \`patchesJson6902\` — are kustomize
patches, not objects: they are left out of the analysis and reported once per file as an \`input-error\` info, never as
\`invalid-resource\` errors and never in place of the complete object.

## Why it matters
Which definition the cluster holds depends on the order someone applies them, so the manifests under review do not
say what runs. A repository of alternatives (environments, demo steps, before/after files) is better linted one
alternative at a time.

## Failing example
Two steps of a tutorial, linted together:
\`\`\`yaml failing file=enable-mtls.yml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: tutorial}
spec: {mtls: {mode: STRICT}}
\`\`\`
\`\`\`yaml failing file=disable-mtls.yml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: tutorial}
spec: {mtls: {mode: DISABLE}}
\`\`\`

## Fixed example
Keep one definition per object in the inputs: lint each step or environment on its own
(\`mtls-lint steps/enable\`), or lint the rendered output of an overlay (\`kustomize build overlays/prod | mtls-lint -\`).
\`\`\`yaml fixed file=enable-mtls.yml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: tutorial}
spec: {mtls: {mode: STRICT}}
\`\`\`

## Options
Turn it off with \`rules: {duplicate-resource: off}\` when the inputs are alternatives on purpose; the analysis
still reads one document per object.
`,
  },
  check(context) {
    for (const f of context.inputs.diagnostics) if (f.rule === 'duplicate-resource') context.emit(f);
  },
});
