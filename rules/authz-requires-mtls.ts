import { defineRule, type RuleContext } from '../src/rule.js';
import { countEdges, findHitsAmong, severityFor, victimList, victims, type Hit } from '../src/rule-report.js';
import type { Workload } from '../src/mesh/model.js';
import { policySelects } from '../src/mesh/authz.js';

export default defineRule({
  meta: {
    id: 'authz-requires-mtls',
    defaultSeverity: 'error',
    summary:
      'An AuthorizationPolicy matches on principals/namespaces, but plaintext callers reach the workloads it selects (403, or they slip past a DENY); or it selects only workloads without a proxy, so nothing enforces it.',
    securitySeverity: '8.0',
    needs: ['graph'],
    relatedCodes: ['KIA0105'],
    docs: `
## What it catches
An AuthorizationPolicy whose rules use fields that only exist for mTLS traffic — \`source.principals\`,
\`notPrincipals\`, \`namespaces\`, \`notNamespaces\`, or \`when\` keys \`source.principal\`, \`source.namespace\`,
\`connection.sni\` — selecting workloads that receive plaintext from some caller (PERMISSIVE or DISABLE server, or a
client that sends plaintext).

It also catches an AuthorizationPolicy (any action, any fields) whose selected workloads all run **without a proxy**
— no sidecar and not in ambient mode: nothing enforces it there, every call gets through. That is a warning (an
info where the inputs do not tell whether those pods are injected). Plaintext callers of such a workload are not
reported as 403s: only a sidecar, or ztunnel/a waypoint in ambient mode, enforces a policy.

## Why it matters
A plaintext connection carries no peer identity. An **ALLOW** policy on principals or namespaces then denies it:
HTTP **403 \`RBAC: access denied\`** (TCP: connection closed). A **DENY** policy on them never matches it, so the
caller **slips past the DENY** (ISTIO-SECURITY-2021-004). \`istioctl analyze\` has no check for this.

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
\`\`\`yaml failing file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/legacy/sa/default"]   # legacy/sleep calls in plaintext: no principal, 403
\`\`\`

## Fixed example
Inject the plaintext callers (then they carry the identity the policy names), or make the server STRICT once every
caller has a sidecar (the plaintext caller then fails loudly at connect time instead). For a DENY, add a rule with
\`notPrincipals: ["*"]\` to deny plaintext.
\`\`\`yaml fixed file=policy.yaml
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}   # sleep restarted with a sidecar
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/legacy/sa/default"]
\`\`\`

## Related
Kiali KIA0105 ("This field requires mTLS to be enabled") — namespace/workload status only, no per-caller view.
`,
  },
  check(context) {
    const { mesh, graph } = context;
    // ALLOW on principals/namespaces denies plaintext (403); ALLOW on notPrincipals/notNamespaces lets plaintext from
    // the excluded peers through; DENY on principals/namespaces never matches plaintext. DENY with not* fields is the
    // recommended way to refuse plaintext, so it is not reported.
    const relevant = (ap: (typeof mesh.authorizationPolicies)[number]) =>
      ap.action === 'ALLOW'
        ? ap.mtlsFields
        : ap.action === 'DENY'
          ? ap.mtlsFields.filter((f) => f.positive)
          : [];
    reportUnenforced(context);
    const policies = mesh.authorizationPolicies.filter((ap) => relevant(ap).length > 0);
    if (!policies.length) return;
    // Index plaintext connections by the server workload they reach, so each policy looks only at its own workloads.
    const plaintextByServer = new Map<Workload, Hit[]>();
    for (const hit of findHitsAmong(
      graph,
      'plaintext',
      // Only a proxy enforces the policy: a server without one answers plaintext callers whatever it says (Istio 1.4's
      // passthrough chain authorizes without authenticating).
      (_e, c) =>
        c.result.outcome === 'plaintext' &&
        c.serverWorkload !== undefined &&
        (c.server.mode !== 'NO_SIDECAR' || c.server.authorizes === true),
    )) {
      const list = plaintextByServer.get(hit.connection.serverWorkload!) ?? [];
      list.push(hit);
      plaintextByServer.set(hit.connection.serverWorkload!, list);
    }
    // A policy outside the root namespace selects only workloads of its own namespace: look only at those (in the
    // same order), instead of every server workload for every policy.
    const root = mesh.settings.rootNamespace;
    const servers = [...plaintextByServer];
    const serversByNamespace = new Map<string, typeof servers>();
    for (const entry of servers) {
      const list = serversByNamespace.get(entry[0].namespace) ?? [];
      list.push(entry);
      serversByNamespace.set(entry[0].namespace, list);
    }
    for (const ap of policies) {
      const hits: Hit[] = [];
      const candidates = ap.namespace === root ? servers : (serversByNamespace.get(ap.namespace) ?? []);
      for (const [workload, list] of candidates)
        if (policySelects(ap, workload, root)) for (const hit of list) hits.push(hit);
      if (!hits.length) continue;
      const n = countEdges(hits);
      const fields = relevant(ap);
      const field = fields.find((f) => f.positive) ?? fields[0]!;
      const effect =
        ap.action === 'DENY'
          ? 'they carry no peer identity, so this DENY never matches them and they slip past it'
          : field.positive
            ? 'they carry no peer identity, so this ALLOW does not match them and they get 403 RBAC: access denied (on TCP ports and ports no Service declares: the connection is closed)'
            : `they carry no peer identity, so ${field.field} lets them through even from the peers it excludes`;
      context.report({
        resource: ap.resource,
        path: field.path,
        atKey: true,
        severity: severityFor(hits, 'error'),
        message: `AuthorizationPolicy ${ap.namespace}/${ap.resource.name} (${ap.action}) matches on ${field.field}, which needs mTLS, but ${n} caller${n === 1 ? '' : 's'} reach${n === 1 ? 'es' : ''} its workloads in plaintext: ${victimList(hits, false)}; ${effect}. Fix: inject those callers and make the server STRICT${ap.action === 'DENY' ? ', or add a DENY rule with notPrincipals: ["*"]' : ''}.`,
        ...victims(
          context,
          hits,
          (h) =>
            `reaches ${h.edge.server.service}.${h.edge.server.namespace}:${h.edge.server.port} in plaintext`,
        ),
        keyDetail: field.path.join('.'),
      });
    }
  },
});

/**
 * AuthorizationPolicies whose selected workloads (in the inputs) all run without a proxy: the policy is sent to no
 * sidecar, ztunnel or waypoint, so nothing enforces it (istio-semantics.md §7; authz is applied by the proxy's RBAC
 * filter only). Root-namespace policies select across namespaces; a selector matching nothing is unmatched-target's.
 */
function reportUnenforced(context: RuleContext): void {
  const { mesh } = context;
  const root = mesh.settings.rootNamespace;
  const byNamespace = new Map<string, Workload[]>();
  for (const w of mesh.workloads) {
    const list = byNamespace.get(w.namespace);
    if (list) list.push(w);
    else byNamespace.set(w.namespace, [w]);
  }
  for (const ap of mesh.authorizationPolicies) {
    // targetRef(s) bind the policy to a waypoint or gateway, which the selected pods need not run themselves.
    const spec = ap.resource.value.spec as Record<string, unknown> | undefined;
    if (spec && (spec.targetRef !== undefined || spec.targetRefs !== undefined)) continue;
    const candidates = ap.namespace === root ? mesh.workloads : (byNamespace.get(ap.namespace) ?? []);
    const selected = candidates.filter((w) => policySelects(ap, w, root));
    if (!selected.length || selected.some((w) => w.sidecar.state !== 'none')) continue;
    const certain = selected.every((w) => w.sidecar.certain);
    const names = selected.map((w) => `${w.kind} ${w.namespace}/${w.name}`);
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
    const why = selected[0]!.sidecar.reason;
    const hasSelector = Object.keys(ap.selector).length > 0;
    context.report({
      resource: ap.resource,
      path: hasSelector ? ['spec', 'selector'] : ['metadata', 'name'],
      atKey: hasSelector,
      severity: certain ? 'warning' : 'info',
      message: `AuthorizationPolicy ${ap.namespace}/${ap.resource.name} (${ap.action}) is not enforced at all: the workload${selected.length === 1 ? '' : 's'} it selects (${shown}) run${selected.length === 1 ? 's' : ''} without a sidecar or ambient proxy (${why}), and only a proxy applies AuthorizationPolicies, so every call gets through${ap.action === 'DENY' ? ' what this DENY should block' : ap.action === 'ALLOW' ? ', allowed or not' : ''}. Fix: inject ${selected.length === 1 ? 'it' : 'them'} (or enrol ${selected.length === 1 ? 'it' : 'them'} in ambient mode) before relying on this policy.`,
      keyDetail: 'not-enforced',
    });
  }
}
