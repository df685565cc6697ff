import { defineRule, relatedAt, type RuleContext } from '../src/rule.js';
import type { Resource } from '../src/load/index.js';
import type { ServerModeResult } from '../src/mesh/model.js';
import {
  ANY_OTHER_NAMESPACE,
  describePeerAuthnSettings,
  legacyPortMatches,
  legacyTargets,
} from '../src/mesh/config.js';
import type { LegacyPolicy, ShadowHit } from '../src/mesh/model.js';

export default defineRule({
  meta: {
    id: 'ignored-setting',
    defaultSeverity: 'warning',
    summary:
      'A setting Istio accepts but ignores: portLevelMtls keyed by a service port, a selector PeerAuthentication in the root namespace, a DestinationRule no client consults or one whose missing tls shadows ISTIO_MUTUAL, a legacy Policy on Istio ≥ 1.6.',
    needs: ['mesh'],
    relatedCodes: ['KIA0204', 'IST0106 SchemaValidationError (portLevelMtls without selector)'],
    docs: `
## What it catches
- **\`portLevelMtls\` keyed by a port that is not a target port** of the selected workloads. Istio keys it by the
  container (target) port — \`listener_inbound.go\` calls \`ForPort(TargetPort)\` — so a *service* port does nothing;
  the message says "did you mean target port 80?". Istio 1.5–1.8 apply port-level mTLS only to ports that a Service
  routes to (other ports share the passthrough chain built with port 0); 1.9+ also honour a declared container port
  without a Service.
- **A PeerAuthentication with a selector in the root namespace** (\`istio-system\` unless \`meshConfig.rootNamespace\`
  says otherwise). Istio ignores it (\`ComposePeerAuthentication\`); only the selector-less root policy applies,
  mesh-wide. (The API reference contradicts itself here; the code ignores it.)
- **A DestinationRule no client consults**: a sidecar reads rules of its own namespace, then of the service's
  namespace, then of the root namespace (\`push_context.go destinationRule\`). A rule elsewhere only affects clients in
  its own namespace — reported when that namespace has no sidecar clients — and \`exportTo\` can hide a rule from
  everyone (Istio ≤ 1.6 reads only \`exportTo[0]\`, and only \`.\` or \`*\`).
- **A DestinationRule without tls that shadows an ISTIO_MUTUAL rule** while auto mTLS is off: Istio does not merge
  rules across hosts or namespaces, so a host-specific rule without \`tls\` (or a \`portLevelSettings\` entry without
  \`tls\`, which replaces the top-level policy instead of inheriting it) makes clients send plaintext where the
  wildcard \`ISTIO_MUTUAL\` rule would have given mTLS. Not reported with auto mTLS on, where "no tls" means auto.
- **A legacy Policy or MeshPolicy on Istio ≥ 1.6**, which ignores \`authentication.istio.io\` entirely: the message
  says what applies instead (see also \`deprecated-api\` for the PeerAuthentication to write).

## Why it matters
Nothing fails at apply time: the STRICT exception on port 8000 never applies, the "mesh-wide" policy with a selector
does nothing, and a DestinationRule tidy-up silently turns mTLS into plaintext (HTTP 503 at a STRICT server).

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
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8000: {mode: PERMISSIVE}     # the service port: ignored
\`\`\`

## Fixed example
\`\`\`yaml fixed file=policy.yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  mtls: {mode: STRICT}
  portLevelMtls:
    80: {mode: PERMISSIVE}       # the container port the Service targets
\`\`\`

## Options
Auto mTLS is read from \`.mtls-lint.yaml\` (\`mesh.autoMtls\`), an \`istio\` mesh ConfigMap or IstioOperator in the
inputs, or the Istio version's default.

## Related
Kiali KIA0204 ("mTLS settings of a non-local Destination Rule are overridden") compares host strings literally and
ignores port-level settings; istioctl IST0106 rejects \`portLevelMtls\` without a selector (reported here by
\`invalid-resource\`). Neither knows the service-port/target-port mix-up.
`,
  },
  check(context) {
    const { mesh } = context;
    const v = mesh.settings.release;
    const root = mesh.settings.rootNamespace;

    for (const pa of mesh.peerAuthentications) {
      const pname = `PeerAuthentication ${pa.namespace}/${pa.resource.name}`;
      if (pa.level === 'root-selector') {
        context.report({
          resource: pa.resource,
          path: ['spec', 'selector'],
          message: `${pname} has a selector in the root namespace ${root}: Istio ignores selector policies there (only the selector-less root policy applies, mesh-wide), so its ${describePeerAuthnSettings(pa)} applies to nothing. Fix: move it to the namespace of the workloads it selects, or remove the selector to make it the mesh-wide policy.`,
        });
        continue;
      }
      if (pa.level !== 'workload' || !pa.selector || !pa.portLevel.size) continue;
      const keys = mesh.portLevelMtlsKeys(pa);
      if (!keys.length) continue; // selects nothing: unmatched-target says so
      const workloads = mesh.workloadsSelected(pa.namespace, pa.selector);
      const names =
        workloads
          .slice(0, 3)
          .map((w) => w.name)
          .join(', ') + (workloads.length > 3 ? ', …' : '');
      for (const key of keys) {
        const { port, asServicePort } = key;
        let message: string;
        if (key.verdict === 'service-port' && asServicePort) {
          message = `${pname} portLevelMtls key ${port} is the service port of ${asServicePort.service.name}.${asServicePort.service.namespace}, but Istio keys portLevelMtls by the container (target) port, so this entry does nothing: did you mean target port ${asServicePort.targetPort}?`;
        } else if (key.verdict === 'unrouted') {
          message = `${pname} portLevelMtls key ${port} is a container port of ${names} that no Service routes to; Istio ${v.text} applies port-level mTLS only to ports behind a Service (1.9+ also to other ports), so this entry does nothing. Fix: expose the port in a Service, or drop the entry.`;
        } else if (key.verdict === 'no-port') {
          const known = key.knownPorts;
          message = `${pname} portLevelMtls key ${port} is not a target port of ${names}${known.length ? ` (its ports: ${known.join(', ')})` : ''}, so this entry does nothing${key.undeclaredApplies ? ` unless the app listens on an undeclared port ${port}` : ''}. Fix: key it by the container port.`;
        } else {
          continue; // applies, or (1.9+, nothing declared) the app may listen there
        }
        const path = ['spec', 'portLevelMtls', String(port)];
        context.report({ resource: pa.resource, path, atKey: true, message, keyDetail: `port-${port}` });
      }
    }

    // DestinationRules that no sidecar consults.
    for (const dr of mesh.destinationRules) {
      const audience = mesh.destinationRuleAudience(dr);
      if (audience.namespaces.some((ns) => mesh.mayHaveSidecarClients(ns))) continue;
      const name = `DestinationRule ${dr.namespace}/${dr.resource.name}`;
      if (!audience.namespaces.length) {
        const exportTo = dr.exportTo ?? [];
        context.report({
          resource: dr.resource,
          path: ['spec', 'exportTo'],
          message: `${name}: exportTo ${JSON.stringify(exportTo)} hides it from every namespace${!v.has('destination-rule-export-to-namespaces') ? ` (Istio ${v.text} reads only the first entry, and only "." or "*")` : ''}, so no client uses it for ${dr.host}. Fix: export it to the clients' namespaces (or "*").`,
        });
        continue;
      }
      const which = audience.namespaces.filter((ns) => ns !== ANY_OTHER_NAMESPACE);
      context.report({
        resource: dr.resource,
        path: ['metadata', 'namespace'],
        message: `${name} is consulted only by sidecars in ${which.join(', ')} (${audience.reason}), and ${which.length === 1 ? 'that namespace has' : 'those namespaces have'} no sidecar workloads (no injection label, no injected pod), so no client uses it for ${dr.host}. Fix: move it to the namespace of the service${dr.namespace === root ? '' : ` or to the root namespace ${root}`}.`,
      });
    }

    // Shadowed ISTIO_MUTUAL (auto mTLS off only: with auto mTLS, "no tls" is auto).
    if (!mesh.settings.autoMtls) {
      const byRule = new Map<ShadowHit['rule'], ShadowHit[]>();
      for (const hit of mesh.shadowedMutualRules()) {
        const list = byRule.get(hit.rule) ?? [];
        list.push(hit);
        byRule.set(hit.rule, list);
      }
      for (const [dr, hits] of byRule) {
        const byPath = new Map<string, ShadowHit[]>();
        for (const h of hits) byPath.set(h.path.join('.'), [...(byPath.get(h.path.join('.')) ?? []), h]);
        for (const group of byPath.values())
          reportShadow(context, dr.resource, group, mesh.settings.autoMtlsSource);
      }
    }

    // Legacy Policies on a release that no longer reads them.
    if (!v.has('legacy-authentication-policy')) {
      for (const p of mesh.legacyPolicies) reportIgnoredLegacy(context, p);
    }
  },
});

type Ctx = Pick<RuleContext, 'report' | 'mesh'>;

function reportShadow(context: Ctx, resource: Resource, hits: ShadowHit[], autoSource: string): void {
  const first = hits[0]!;
  const dr = first.rule;
  const name = `DestinationRule ${dr.namespace}/${resource.name}`;
  const ports = [...new Set(hits.map((h) => h.port).filter((p): p is number => p !== undefined))];
  const portText = ports.length ? ` (port${ports.length === 1 ? '' : 's'} ${ports.join(', ')})` : '';
  const namespaces = [...new Set(hits.map((h) => h.clientNamespace))];
  const named = namespaces.filter((ns) => ns !== ANY_OTHER_NAMESPACE);
  const clients = named.length
    ? `clients in ${named.join(', ')}${named.length < namespaces.length ? ' and in other namespaces' : ''}`
    : 'clients in other namespaces';
  const self = first.shadowed === dr;
  const s = first.shadowed;
  const message = self
    ? `${name} has a portLevelSettings entry without tls${portText}; a port entry replaces the top-level trafficPolicy instead of inheriting it, so the top-level ISTIO_MUTUAL does not apply there and, with auto mTLS off (${autoSource}), ${clients} send plaintext to ${dr.host}${portText}: HTTP 503 at a STRICT server, a silent downgrade at a PERMISSIVE one. Fix: add tls.mode: ISTIO_MUTUAL to the port entry.`
    : `${name} sets no tls, and Istio does not merge DestinationRules across hosts or namespaces: for ${clients} it replaces DestinationRule ${s.namespace}/${s.resource.name} (host ${s.host}, ISTIO_MUTUAL), so with auto mTLS off (${autoSource}) they send plaintext to ${dr.host}${portText}: HTTP 503 at a STRICT server, a silent downgrade at a PERMISSIVE one. Fix: add tls.mode: ISTIO_MUTUAL to its trafficPolicy${ports.length && first.path.includes('portLevelSettings') ? ' port entry' : ''}.`;
  context.report({
    resource,
    path: first.path,
    message,
    related: [
      relatedAt(
        s.resource,
        first.shadowedPath,
        `the ISTIO_MUTUAL setting that ${self ? 'the port entry replaces' : 'is shadowed'}`,
      ),
    ],
    keyDetail: `shadow|${first.path.join('.')}`,
  });
}

function reportIgnoredLegacy(context: Ctx, p: LegacyPolicy): void {
  const { mesh } = context;
  const r = p.resource;
  const pname = r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
  const asked = p.mode === 'DISABLE' ? 'plaintext-only setting (no mtls peer)' : p.mode;
  const instead = insteadOf(context, p);
  const same = instead?.mode === p.mode;
  context.report({
    resource: r,
    path: p.modePath,
    severity: same ? 'info' : 'warning',
    message: `Istio ${mesh.settings.version.text} ignores authentication.istio.io ${r.kind} (read only up to 1.5), so ${pname}'s ${asked} does nothing${instead ? `: ${instead.what} gets ${instead.mode} ${same ? 'anyway' : 'instead'}, because ${instead.explanation}` : ''}. Fix: replace it with a PeerAuthentication (mtls-lint convert writes it).`,
  });
}

/** What applies on a current release where the legacy policy would have: the mesh model's answer. */
function insteadOf(
  context: Ctx,
  p: LegacyPolicy,
): { what: string; mode: ServerModeResult['mode']; explanation: string } | undefined {
  const { mesh } = context;
  if (p.resource.kind === 'MeshPolicy') {
    const m = mesh.namespaceServerMode(ANY_OTHER_NAMESPACE);
    return { what: 'the mesh', mode: m.mode, explanation: m.explanation };
  }
  if (p.namespace === undefined) return undefined;
  const targets = legacyTargets(p);
  if (!targets.length) {
    const m = mesh.namespaceServerMode(p.namespace);
    return { what: `namespace ${p.namespace}`, mode: m.mode, explanation: m.explanation };
  }
  for (const t of targets) {
    const service = mesh.serviceByFqdn(t.fqdn);
    const w = service?.workloads.find((x) => x.sidecar.state === 'sidecar');
    if (!service || !w) continue;
    const port = service.ports.find(
      (sp) => !t.ports.length || t.ports.some((sel) => legacyPortMatches(sel, sp)),
    );
    if (!port) continue;
    const m = mesh.serverMode(w, mesh.targetPort(service, port, w), { service, port });
    return {
      what: `${service.name}.${service.namespace}:${port.port}`,
      mode: m.mode,
      explanation: m.explanation,
    };
  }
  return undefined;
}
