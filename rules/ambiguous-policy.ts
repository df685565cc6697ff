import { defineRule, relatedAt, type RuleContext } from '../src/rule.js';
import type { Resource } from '../src/load/index.js';
import type { FieldPath, Severity } from '../src/types.js';
import {
  creationTimestamp,
  describePeerAuthnSettings,
  describeTls,
  drTlsSummary,
  kubernetesHostNamespace,
  legacyTargets,
  legacyTargetsOverlap,
  samePeerAuthnSettings,
} from '../src/mesh/config.js';
import type { DestinationRuleInfo, LegacyPolicy, PeerAuthn } from '../src/mesh/model.js';
import { oldestFirst } from '../src/mesh/server-mode.js';
import { MESSAGE_LIST_CAP } from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'ambiguous-policy',
    defaultSeverity: 'warning',
    summary:
      'Several policies compete at one level (PeerAuthentications, legacy Policies, DestinationRules for one host); Istio keeps the oldest, which manifests cannot tell.',
    needs: ['mesh'],
    relatedCodes: ['KIA0002', 'KIA0003', 'KIA0201'],
    docs: `
## What it catches
Istio does not merge policies that compete at one level; it keeps the **oldest** (\`metadata.creationTimestamp\`,
ties broken by the string \`name.namespace\`) and ignores the rest (\`pilot/pkg/model/authentication.go\`, \`config.go
sortByCreationComparator\`). Manifests in a repository rarely carry timestamps, so which one wins depends on the
order they were applied in. The finding sits on the policy that comes last in Istio's order (without timestamps: by
\`name.namespace\` alone), never on the order of the files. Reported:
- several **mesh-wide** PeerAuthentications (root namespace, no selector);
- several **namespace-wide** PeerAuthentications in one namespace;
- several **workload-level** PeerAuthentications selecting the same workload (their \`portLevelMtls\` maps are
  not merged either) — from the workloads in the inputs, or, without them, when one selector contains the other;
- several legacy **Policies** for one service port, or several namespace-wide Policies in one namespace (Istio ≤ 1.5,
  where they still apply);
- several **DestinationRules** for the same host in one namespace whose \`trafficPolicy\` tls differ: Istio merges
  them, keeping the subsets of all but only the oldest rule's \`trafficPolicy\`, whole (\`mergeDestinationRule\`).

Each finding names every competing policy and the outcome with each. When all of them carry
\`creationTimestamp\`, the finding says which one Istio uses and which are ignored. Competing policies with the
same settings are reported as info only (the outcome does not depend on the order).

## Why it matters
The same manifests give STRICT in one cluster and PERMISSIVE in another — or after a re-apply. A port-level
exception in the newer PeerAuthentication silently does nothing. A newer DestinationRule's \`tls: ISTIO_MUTUAL\` is
dropped because an older rule for the host has a \`trafficPolicy\` without tls: plaintext, or HTTP 503 at a STRICT
server.

## Failing example
\`\`\`yaml failing
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: foo}     # a second namespace-wide policy: which one applies?
spec:
  mtls: {mode: STRICT}
\`\`\`

## Fixed example
One namespace-wide PeerAuthentication per namespace (by convention named \`default\`); exceptions as workload-level
policies with a selector and \`portLevelMtls\` in one PeerAuthentication per workload.
\`\`\`yaml fixed
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
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: PERMISSIVE}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  mtls: {mode: STRICT}
\`\`\`

## Related
Kiali KIA0002 (several namespace-wide PeerAuthentications), KIA0003 (several selecting one workload), KIA0201
(several DestinationRules for one host/subset, mTLS rules excluded). mtls-lint also covers mesh-wide policies,
legacy Policies, and compares the tls the competing DestinationRules would give.
`,
  },
  check(context) {
    const { mesh } = context;
    const root = mesh.settings.rootNamespace;

    // PeerAuthentications: mesh and namespace level.
    const mesh_ = mesh.policies.meshLevel();
    if (mesh_.length > 1)
      reportPeerAuthns(
        context,
        mesh_,
        `mesh-wide PeerAuthentications (root namespace ${root}, no selector)`,
        'the mesh default',
      );
    const namespaces = new Set(mesh.peerAuthentications.map((p) => p.namespace));
    for (const ns of namespaces) {
      const list = mesh.policies.namespaceLevel(ns);
      if (list.length > 1)
        reportPeerAuthns(context, list, `namespace-wide PeerAuthentications in ${ns}`, `namespace ${ns}`);
    }

    // Workload level: from the workloads in the inputs …
    const groups = new Map<string, { pas: PeerAuthn[]; workloads: string[] }>();
    for (const w of mesh.workloads) {
      const pas = mesh.policies.workloadLevel(w.namespace, w.labels);
      if (pas.length < 2) continue;
      const key = pas
        .map((p) => p.resource.id)
        .sort()
        .join('|');
      const g = groups.get(key) ?? { pas, workloads: [] };
      g.workloads.push(`${w.kind} ${w.name}`);
      groups.set(key, g);
    }
    // Which reported groups each policy is in: a pair already reported together is not reported again (a set of
    // pairs was quadratic, and past 2^24 pairs "Set maximum size exceeded").
    const groupsOf = new Map<Resource, Set<number>>();
    let groupIndex = 0;
    for (const g of groups.values()) {
      for (const p of g.pas) {
        const set = groupsOf.get(p.resource);
        if (set) set.add(groupIndex);
        else groupsOf.set(p.resource, new Set([groupIndex]));
      }
      groupIndex++;
      const ns = g.pas[0]!.namespace;
      reportPeerAuthns(
        context,
        g.pas,
        `PeerAuthentications select the same workloads in ${ns} (${capped(g.workloads)})`,
        capped(g.workloads),
        true,
      );
    }
    const together = (list: PeerAuthn[]) => {
      const [first, ...rest] = list.map((p) => groupsOf.get(p.resource));
      if (!first) return false;
      for (const g of first) if (rest.every((s) => s?.has(g))) return true;
      return false;
    };
    // … and, where the inputs lack them, selectors that contain one another select the same pods whatever they are.
    for (const [a, b] of mesh.peerAuthnSelectorOverlaps()) {
      if (together([...a, ...b])) continue;
      const pas = a === b ? a : [...a, ...b];
      // Equal selectors may list their labels in different orders: name them as the oldest policy writes them.
      const outer = labelText(oldestFirst(a).chosen.selector!);
      const inner = labelText(oldestFirst(b).chosen.selector!);
      const what =
        a === b
          ? `PeerAuthentications in ${a[0]!.namespace} select the same pods: every pod with ${outer}`
          : `PeerAuthentications in ${a[0]!.namespace} select the same pods: every pod with ${inner} also has ${outer}`;
      reportPeerAuthns(context, pas, what, `pods with ${inner}`, true);
    }

    // Legacy Policies, where Istio still reads them.
    if (mesh.settings.release.has('legacy-authentication-policy')) reportLegacy(context);

    // DestinationRules for one host in one namespace, with different tls.
    for (const group of mesh.mergedDestinationRules()) {
      const withPolicy = group.rules.filter((dr) => drTlsSummary(dr).hasTrafficPolicy);
      if (withPolicy.length < 2) continue;
      const texts = new Set(withPolicy.map((dr) => describeTls(drTlsSummary(dr))));
      if (texts.size < 2) continue;
      reportDestinationRules(context, withPolicy, group.newestWins);
    }
  },
});

type Ctx = Pick<RuleContext, 'report' | 'mesh'>;

function reportPeerAuthns(
  context: Ctx,
  pas: PeerAuthn[],
  what: string,
  scope: string,
  workloadLevel = false,
): void {
  pas = byAge(pas);
  const same = pas.every((p) => samePeerAuthnSettings(p, pas[0]!));
  const each = pas.map((p) => `${name(p.resource)} (${describePeerAuthnSettings(p)})`);
  const portNote =
    workloadLevel && pas.some((p) => p.portLevel.size)
      ? ' Their portLevelMtls maps are not merged either.'
      : '';
  const fix = workloadLevel
    ? 'Fix: merge them into one PeerAuthentication per workload (portLevelMtls for the exceptions), or make the selectors disjoint.'
    : 'Fix: keep one and delete the others.';
  const outcome = same
    ? `They all set ${describePeerAuthnSettings(pas[0]!)}, so the outcome for ${scope} is the same either way.`
    : `Outcome for ${scope}: ${capped(
        pas.map((p) => `with ${name(p.resource)}, ${describePeerAuthnSettings(p)}`),
        '; ',
      )}.${portNote}`;
  report(
    context,
    pas.map((p) => ({ resource: p.resource, path: ['metadata', 'name'] as FieldPath })),
    `${pas.length} ${what}: ${capped(each)}.`,
    outcome,
    fix,
    same ? 'info' : 'warning',
  );
}

function reportLegacy(context: Ctx): void {
  const { mesh } = context;
  const describe = (p: LegacyPolicy) =>
    `${name(p.resource)} (${p.mode === 'DISABLE' ? 'no mtls peer: plaintext only' : p.mode})`;
  const emit = (list: LegacyPolicy[], what: string, scope: string) => {
    list = byAge(list);
    const same = list.every((p) => p.mode === list[0]!.mode);
    const outcome = same
      ? `They all give ${list[0]!.mode === 'DISABLE' ? 'plaintext only' : list[0]!.mode}, so the outcome for ${scope} is the same either way.`
      : `Outcome for ${scope}: ${list.map((p) => `with ${name(p.resource)}, ${p.mode === 'DISABLE' ? 'plaintext only' : p.mode}`).join('; ')}.`;
    report(
      context,
      list.map((p) => ({ resource: p.resource, path: p.modePath })),
      `${list.length} ${what}: ${list.map(describe).join(', ')}.`,
      outcome,
      'Fix: keep one Policy per service port (a port-specific target does not outrank an older port-less one).',
      same ? 'info' : 'warning',
    );
  };
  const namespaces = new Set(
    mesh.legacyPolicies.flatMap((p) => (p.namespace === undefined ? [] : [p.namespace])),
  );
  for (const ns of namespaces) {
    const list = mesh.policies.legacyNamespaceWide(ns);
    if (list.length > 1) emit(list, `namespace-wide Policies in ${ns}`, `namespace ${ns}`);
  }
  // Service ports of the inputs: the model's own lookup says which policies compete.
  const byKey = new Map<string, { list: LegacyPolicy[]; ports: string[] }>();
  for (const service of mesh.services) {
    for (const port of service.ports) {
      const found = mesh.policies.legacyPolicyFor(service, port);
      if (
        !found ||
        !found.ambiguous.length ||
        (found.level !== 'legacy-service' && found.level !== 'legacy-port')
      )
        continue;
      const list = [found.policy, ...found.ambiguous];
      const key = list
        .map((p) => p.resource.id)
        .sort()
        .join('|');
      const g = byKey.get(key) ?? { list, ports: [] };
      g.ports.push(`${service.name}.${service.namespace}:${port.port}`);
      byKey.set(key, g);
    }
  }
  for (const g of byKey.values()) emit(g.list, `Policies target ${capped(g.ports)}`, capped(g.ports));
  // Targets naming services the inputs do not hold: overlapping port selectors compete whatever the ports are.
  const byHost = new Map<string, LegacyPolicy[]>();
  for (const p of mesh.legacyPolicies) {
    for (const t of legacyTargets(p)) {
      if (!kubernetesHostNamespace(t.fqdn) || mesh.serviceByFqdn(t.fqdn)) continue;
      const list = byHost.get(t.fqdn) ?? [];
      if (!list.includes(p)) list.push(p);
      byHost.set(t.fqdn, list);
    }
  }
  for (const [host, list] of byHost) {
    if (list.length < 2) continue;
    const overlapping = list.filter((p) => list.some((q) => q !== p && legacyTargetsOverlap(p, q, host)));
    if (overlapping.length > 1) emit(overlapping, `Policies target ${host} on overlapping ports`, host);
  }
}

function reportDestinationRules(context: Ctx, rules: DestinationRuleInfo[], newestWins: boolean): void {
  rules = byAge(rules);
  const auto = context.mesh.settings.autoMtls;
  const effect = (dr: DestinationRuleInfo) => {
    const s = drTlsSummary(dr);
    const text = describeTls(s);
    return s.top === undefined
      ? `${text} (${auto ? 'auto mTLS decides' : 'plaintext: auto mTLS is off'})`
      : text;
  };
  const host = rules[0]!.host;
  const where = newestWins ? '' : ` in ${rules[0]!.namespace}`;
  const rule = newestWins
    ? 'Istio 1.0 uses the newest rule for a host string'
    : 'Istio merges them, keeping every subset but only one trafficPolicy, whole';
  report(
    context,
    rules.map((dr) => ({ resource: dr.resource, path: ['spec', 'trafficPolicy'] as FieldPath })),
    `${rules.length} DestinationRules configure host ${host}${where} with different tls: ${rules.map((dr) => `${name(dr.resource)} (${describeTls(drTlsSummary(dr))})`).join(', ')}. ${rule}.`,
    `Clients send: ${rules.map((dr) => `with ${name(dr.resource)}, ${effect(dr)}`).join('; ')}.`,
    'Fix: keep one DestinationRule per host and namespace, or give them the same tls.',
    'warning',
    newestWins,
  );
}

/**
 * One finding per group: at the newest policy (or the one that sorts last by name), the others as
 * related locations; says which one Istio uses when every policy carries a creationTimestamp.
 */
function report(
  context: Ctx,
  items: { resource: Resource; path: FieldPath }[],
  what: string,
  outcome: string,
  fix: string,
  severity: Severity,
  newestWins = false,
): void {
  // Oldest first (creationTimestamp, then name), as Istio orders them: the finding goes on the last one, the
  // newest or the one that sorts last — never on input order, so moving files does not move the finding.
  const { chosen, ambiguous, others } = oldestFirst(items);
  const ordered = [chosen, ...others];
  const at = ordered[ordered.length - 1]!;
  let decided: string;
  if (!ambiguous) {
    const used = newestWins ? (others[others.length - 1] ?? chosen) : chosen;
    const ignored = items.filter((i) => i !== used).map((i) => name(i.resource));
    decided = `All carry creationTimestamp: Istio uses ${name(used.resource)} (${newestWins ? 'newest' : 'oldest'}, ${creationTimestamp(used.resource)}) and ignores ${ignored.join(', ')}.`;
  } else {
    decided = `Istio keeps the ${newestWins ? 'newest' : 'oldest'} (creationTimestamp, then name), which the manifests do not tell.`;
  }
  context.report({
    resource: at.resource,
    path: at.path,
    severity,
    message: `${what} ${decided} ${outcome} ${fix}`,
    // Thousands of competing policies are one finding with a bounded list of places.
    related: ordered
      .slice(0, -1)
      .slice(0, RELATED_CAP)
      .map((i) => relatedAt(i.resource, i.path, `competes with ${name(at.resource)}`)),
    keyDetail: items
      .map((i) => i.resource.id)
      .sort()
      .join('+'),
  });
}

const RELATED_CAP = 50;

/** Oldest first, as Istio orders them: lists in messages do not follow input order. */
function byAge<T extends { resource: Resource }>(items: T[]): T[] {
  const { chosen, others } = oldestFirst(items);
  return [chosen, ...others];
}

function name(r: Resource): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.namespace}/${r.name}`;
}

function capped(list: string[], separator = ', '): string {
  const shown = list.slice(0, MESSAGE_LIST_CAP).join(separator);
  return list.length > MESSAGE_LIST_CAP ? `${shown} and ${list.length - MESSAGE_LIST_CAP} more` : shown;
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
