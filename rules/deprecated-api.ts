import { defineRule } from '../src/rule.js';
import {
  convertMesh,
  renderPolicyInline,
  type ConversionNote,
  type ConvertedPolicy,
} from '../src/mesh/convert.js';
import type { Resource } from '../src/load/index.js';
import { releaseOf } from '../src/mesh/releases.js';

export default defineRule({
  meta: {
    id: 'deprecated-api',
    defaultSeverity: 'warning',
    summary:
      'An authentication.istio.io/v1alpha1 Policy or MeshPolicy: deprecated in Istio 1.5 and silently ignored from 1.6 (error there); the message shows the PeerAuthentication that does the same.',
    needs: ['mesh'],
    relatedCodes: ['IST0120 PolicyDeprecated (retired)', 'IST0121 MeshPolicyDeprecated (retired)'],
    docs: `
## What it catches
Resources of the legacy authentication API, \`authentication.istio.io/v1alpha1\` \`Policy\` and \`MeshPolicy\`
(Istio 1.0–1.5). Istio 1.5 reads them only for workloads that no PeerAuthentication covers; **1.6 and later ignore
them entirely** (the analyzer that warned about them went away too, and \`istioctl analyze\` now skips them as an
unknown kind without a word). The message shows the \`security.istio.io\` PeerAuthentication that gives every
server port the same mode — the output of \`mtls-lint convert\` for that policy — or says why no PeerAuthentication
can do the same.

## Why it matters
After an upgrade to 1.6+, a STRICT Policy silently stops applying: the workloads fall back to PERMISSIVE and accept
**plaintext** again, and a policy without mtls peers no longer keeps mTLS clients out. Nothing fails at apply time.

## Severity
Warning up to Istio 1.5 (the policy still works; convert before you upgrade); **error** for \`--istio-version\` 1.6
or later, where the resource does nothing.

## Examples
The workload of the examples: \`httpbin\` in namespace \`foo\` (Service port 8000 → container port 80).
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
\`\`\`

## Failing example
\`\`\`yaml failing file=policy.yaml
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: httpbin-strict, namespace: foo}
spec:
  targets:
  - name: httpbin
    ports: [{number: 8000}]
  peers:
  - mtls: {}
\`\`\`

## Fixed example
With \`Service httpbin\` selecting \`app: httpbin\` and mapping port 8000 to container port 80:
\`\`\`yaml fixed file=policy.yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin-strict, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  portLevelMtls:
    80: {mode: STRICT}
\`\`\`
\`mtls-lint convert ./manifests --out-dir converted/\` writes these for a whole directory.

## Related
istioctl 1.5's IST0120 / IST0121 (Policy / MeshPolicy deprecated, info; removed with the API). See also
\`ignored-setting\`, which says what applies instead of a legacy policy on 1.6+.
`,
  },
  check(context) {
    const { mesh } = context;
    if (!mesh.legacyPolicies.length) return;
    const v = mesh.settings.release;
    // PeerAuthentication exists from 1.5: show what to write when moving there.
    const target = v.has('peer-authentication') ? v : releaseOf('1.5');
    const conversion = convertMesh(mesh, { targetVersion: target });
    // Conversions and notes by the legacy policy they are about (in their order), looked up once per policy below.
    const convertedFrom = new Map<Resource, ConvertedPolicy[]>();
    for (const c of conversion.policies)
      for (const source of new Set(c.sources)) push(convertedFrom, source, c);
    const notesAbout = new Map<Resource, ConversionNote[]>();
    for (const n of conversion.notes) if (n.resource) push(notesAbout, n.resource, n);
    // A PeerAuthentication that replaces several policies is shown in each of their findings: render it once.
    const rendered = new Map<ConvertedPolicy, string>();
    const inline = (c: ConvertedPolicy) => {
      let text = rendered.get(c);
      if (text === undefined) rendered.set(c, (text = renderPolicyInline(c)));
      return text;
    };
    for (const p of mesh.legacyPolicies) {
      const r = p.resource;
      const name = r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
      const status = !v.has('legacy-authentication-policy')
        ? `was removed in Istio 1.6, so Istio ${v.text} ignores ${name} and it does nothing`
        : v.has('peer-authentication')
          ? `is deprecated in Istio 1.5 (used only for workloads no PeerAuthentication covers) and ignored from 1.6`
          : `is ignored from Istio 1.6; replace it when you move to 1.5 or later`;
      const converted = convertedFrom.get(r) ?? [];
      const blocking = (notesAbout.get(r) ?? []).filter((n) => n.unconverted);
      const info = (notesAbout.get(r) ?? []).filter((n) => !n.unconverted);
      let replacement: string;
      if (converted.length) {
        const together = [...new Set(converted.flatMap((c) => c.sources).filter((s) => s !== r))];
        replacement = ` The same as a PeerAuthentication${together.length ? ` (together with ${together.map((s) => `${s.kind} ${s.namespace}/${s.name}`).join(', ')})` : ''}: ${converted.map(inline).join(' and ')}.`;
        if (blocking.length)
          replacement += ` Not all of it converts: ${blocking.map((n) => n.message).join(' ')}`;
      } else if (blocking.length) {
        replacement = ` No PeerAuthentication does the same: ${blocking.map((n) => n.message).join(' ')}`;
      } else if (info.length) {
        replacement = ` Nothing to convert: ${info.map((n) => n.message).join(' ')} Delete it.`;
      } else {
        replacement = '';
      }
      context.report({
        resource: r,
        path: ['apiVersion'],
        severity: !v.has('legacy-authentication-policy') ? 'error' : 'warning',
        message: `${r.apiVersion} ${r.kind} ${status}.${replacement}${converted.length ? ' `mtls-lint convert` writes it.' : ''}`,
      });
    }
  },
});

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
