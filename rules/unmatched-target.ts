import { defineRule, relatedAt, type RuleContext } from '../src/rule.js';
import { configLocation, unresolvedConfigCallers } from '../src/graph/declared-callers.js';
import type { Resource } from '../src/load/index.js';
import type { DrSubset, MeshModel, Service, Workload } from '../src/mesh/model.js';
import type { FieldPath } from '../src/types.js';
import { editDistance } from '../src/mesh/util.js';
import {
  ANY_OTHER_NAMESPACE,
  describePeerAuthnSettings,
  describeTls,
  drTlsSummary,
  kubernetesHostNamespace,
  legacyPortMatches,
  legacyTargets,
} from '../src/mesh/config.js';
import { MESSAGE_LIST_CAP } from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'unmatched-target',
    defaultSeverity: 'warning',
    summary:
      "A PeerAuthentication/AuthorizationPolicy selector, legacy Policy target, DestinationRule host or subset matches nothing in the inputs, or a DestinationRule reaches none of its host's callers, so the setting applies to nothing.",
    needs: ['graph'],
    relatedCodes: [
      'IST0114 PolicySpecifiesPortNameThatDoesntExist (retired 1.6)',
      'IST0127 NoMatchingWorkloadsFound',
      'IST0173 DestinationRuleSubsetNotSelectPods',
      'IST0174 UnknownDestinationRuleHost',
      'KIA0004',
    ],
    docs: `
## What it catches
Settings that point at something that does not exist, so Istio accepts them and they do nothing:
- a declared caller in \`.mtls-lint.yaml\` \`callers:\` whose \`to\` is no Service of the inputs (a typo in the host: the
  call is dropped, and with it the finding it was written for) or whose \`from\` is no workload of the inputs; reported
  at the line of the config file;
- a **PeerAuthentication** or **AuthorizationPolicy** \`selector.matchLabels\` that matches no pod template in its
  namespace (the labels of \`spec.template.metadata.labels\`, not the Deployment's own labels);
- a legacy **Policy** target naming no Service of its namespace, a target in another namespace or written as a
  dotted host (Istio keys targets by \`<name>.<policy namespace>.svc.cluster.local\`), or a target port — by number
  or name — that the Service does not have (Policy ports are *service* ports). Checked for Istio ≤ 1.5 only: later
  releases ignore Policies altogether (see \`deprecated-api\`);
- a **DestinationRule** host that matches no Service and no ServiceEntry — including \`httpbin.foo\`, which Istio
  takes verbatim (only names without a dot are expanded, against the *rule's* namespace). A warning where the host is
  within two edits of a Service of its namespace (a typo, with the name meant); any other missing host of a namespace
  whose other Services are in the inputs is an info, since on public repositories that was always a Service deployed
  from elsewhere (a chart, another demo), never a mistake;
- a DestinationRule **subset** whose labels match none of the host's workloads, and a DestinationRule
  \`workloadSelector\` matching no workload of its namespace;
- a **DestinationRule that only clients the inputs do not show would use**: the sidecars that consult it (its own
  namespace, or — from the service's or the root namespace — those it is exported to) are all in namespaces with no
  workload, no Service and no Namespace object in the inputs, while the callers of its host that the inputs show
  (declared or inferred) are elsewhere and use another rule, or none. The classic: the client-side
  \`ISTIO_MUTUAL\` rule saved without \`metadata.namespace\` lands in \`default\`, and \`sleep.foo\` / \`sleep.bar\` never
  use it. The message says who would use it and what the callers use instead. Rules in the root namespace are
  mesh-wide and never reported so; a namespace the inputs declare or hold Services of is taken to have its workloads
  deployed from elsewhere.

"No match" is never claimed for the Services Istio's installation creates in the root namespace (\`istiod\`,
\`istio-ingressgateway\`, \`istio-eastwestgateway\` …) while the inputs do not hold the installation itself: addons
such as Prometheus in \`istio-system\` do not make that namespace's Services known.

"No match" is only claimed where the inputs hold that namespace's workloads (or Services). Otherwise one info
finding per namespace says which references could not be checked, so that a policy repository linted without its
applications is not flooded with guesses. A selector that does match workloads written without \`metadata.namespace\`
(which the run placed in \`--namespace\`, \`default\` unless given) is an info, not a warning: such manifests are usually
applied with \`kubectl apply -n NS\`; the message names them and the \`-n\` to lint them with.

## Why it matters
The user sees nothing at all: the STRICT policy never applies (traffic stays plaintext-capable), the
AuthorizationPolicy protects nothing, the DestinationRule's \`ISTIO_MUTUAL\` never reaches the client sidecars,
and a subset with no endpoints answers **503 \`no healthy upstream\`** once a VirtualService routes to it.

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
metadata: {name: httpbin-strict, namespace: foo}
spec:
  selector:
    matchLabels: {app: http-bin}     # the pods are labelled app: httpbin
  mtls: {mode: STRICT}
\`\`\`

## Fixed example
\`\`\`yaml fixed file=policy.yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin-strict, namespace: foo}
spec:
  selector:
    matchLabels: {app: httpbin}
  mtls: {mode: STRICT}
\`\`\`

## Options
None. Configure severity with \`rules: {unmatched-target: info}\` in \`.mtls-lint.yaml\`; silence one resource with
the annotation \`mtls-lint.io/ignore: "unmatched-target: <reason>"\`.

## Related
istioctl IST0127 (AuthorizationPolicy selector, live pods only), IST0173 / IST0174 (DestinationRule subset / host,
skipped when analysing files), IST0114 (legacy Policy port *name*, retired with 1.6); Kiali KIA0004 (PeerAuthentication
selector). mtls-lint checks these offline, from Deployment templates rather than running pods, and checks port
numbers too.
`,
  },
  check(context) {
    const { mesh } = context;
    const unchecked = new Uncheckable();

    // Declared callers (config) that name no Service or no workload of the inputs, at their config line.
    for (const u of unresolvedConfigCallers(mesh, context.options)) {
      context.report({
        location: configLocation(context.options, u.index, u.field),
        message: u.message,
        keyDetail: `callers|${u.index}|${u.field}`,
      });
    }

    // PeerAuthentication selectors (workload level; root-namespace selectors are ignored-setting's).
    for (const pa of mesh.peerAuthentications) {
      if (pa.level !== 'workload' || !pa.selector) continue;
      const path = ['spec', 'selector', 'matchLabels'];
      // A WorkloadEntry (a VM with a sidecar) is what it selects.
      if (mesh.workloadEntriesSelected(pa.namespace, pa.selector).length) continue;
      if (!mesh.workloadsKnownIn(pa.namespace)) {
        unchecked.add(
          pa.namespace,
          pa.resource,
          path,
          `PeerAuthentication ${pa.namespace}/${pa.resource.name} selector ${labelText(pa.selector)}`,
        );
        continue;
      }
      if (mesh.workloadsSelected(pa.namespace, pa.selector).length) continue;
      const placed = placedElsewhere(mesh, pa.namespace, pa.selector);
      context.report({
        resource: pa.resource,
        path,
        ...(placed ? { severity: 'info' as const } : {}),
        message: `PeerAuthentication ${pa.namespace}/${pa.resource.name} selects ${labelText(pa.selector)}, which matches no workload in ${pa.namespace}${nearMiss(mesh, pa.namespace, pa.selector)}, so its ${describePeerAuthnSettings(pa)} applies to nothing${placed ?? ". Fix: use the pod template's labels."}`,
      });
    }

    // AuthorizationPolicy selectors.
    for (const ap of mesh.authorizationPolicies) {
      if (!Object.keys(ap.selector).length) continue;
      const path = ['spec', 'selector', 'matchLabels'];
      const name = `AuthorizationPolicy ${ap.namespace}/${ap.resource.name}`;
      if (ap.namespace === mesh.settings.rootNamespace) {
        // A root-namespace policy applies in every namespace; the inputs rarely hold them all.
        if (!mesh.workloadsMatching(ap.selector).length) {
          unchecked.add(
            ap.namespace,
            ap.resource,
            path,
            `${name} selector ${labelText(ap.selector)} (mesh-wide: no workload of the inputs matches)`,
          );
        }
        continue;
      }
      if (mesh.workloadEntriesSelected(ap.namespace, ap.selector).length) continue;
      if (!mesh.workloadsKnownIn(ap.namespace)) {
        unchecked.add(ap.namespace, ap.resource, path, `${name} selector ${labelText(ap.selector)}`);
        continue;
      }
      if (mesh.workloadsSelected(ap.namespace, ap.selector).length) continue;
      const placed = placedElsewhere(mesh, ap.namespace, ap.selector);
      context.report({
        resource: ap.resource,
        path,
        ...(placed ? { severity: 'info' as const } : {}),
        message: `${name} selects ${labelText(ap.selector)}, which matches no workload in ${ap.namespace}${nearMiss(mesh, ap.namespace, ap.selector)}, so its ${ap.action} rules apply to nothing${placed ?? ". Fix: use the pod template's labels."}`,
      });
    }

    // Legacy Policy targets: they only matter where Istio still reads Policies (≤ 1.5).
    if (mesh.settings.release.has('legacy-authentication-policy')) {
      for (const policy of mesh.legacyPolicies) {
        if (policy.resource.kind !== 'Policy' || policy.namespace === undefined) continue;
        const ns = policy.namespace;
        const pname = `Policy ${ns}/${policy.resource.name}`;
        for (const t of legacyTargets(policy)) {
          const hostNs = kubernetesHostNamespace(t.fqdn);
          if (!hostNs) {
            context.report({
              resource: policy.resource,
              path: t.path,
              message: `${pname} target "${t.name}" is not a service name: Istio uses a dotted target verbatim as the host "${t.fqdn}", which no Kubernetes Service has, so the policy applies to nothing. Fix: write the short name of a Service in ${ns}.`,
              keyDetail: `target-${t.index}`,
            });
            continue;
          }
          if (hostNs !== ns) {
            context.report({
              resource: policy.resource,
              path: t.path,
              message: `${pname} targets a service in namespace ${hostNs}, but Istio only applies a Policy to services of its own namespace (${ns}), so this target does nothing. Fix: move the Policy to ${hostNs}.`,
              keyDetail: `target-${t.index}`,
            });
            continue;
          }
          const service = mesh.serviceByFqdn(t.fqdn);
          if (!service) {
            if (!mesh.servicesKnownIn(ns)) {
              unchecked.add(ns, policy.resource, t.path, `${pname} target ${t.name}`);
              continue;
            }
            context.report({
              resource: policy.resource,
              path: t.path,
              message: `${pname} targets "${t.name}", but there is no Service ${t.name} in ${ns}${serviceNames(mesh, ns)}, so this target applies to nothing. Fix: name the Service (metadata.name), not the Deployment.`,
              keyDetail: `target-${t.index}`,
            });
            continue;
          }
          for (const sel of t.ports) {
            if (service.ports.some((p) => legacyPortMatches(sel, p))) continue;
            const wanted = sel.number !== undefined ? `port ${sel.number}` : `a port named "${sel.name}"`;
            const viaTarget =
              sel.number !== undefined ? service.ports.find((p) => p.targetPort === sel.number) : undefined;
            const hint = viaTarget
              ? ` Policy ports are service ports: did you mean ${viaTarget.port}${viaTarget.name ? ` (${viaTarget.name})` : ''}, which targets container port ${sel.number}?`
              : ` Fix: use one of its service ports.`;
            context.report({
              resource: policy.resource,
              path: sel.path,
              message: `${pname} targets ${wanted} of Service ${ns}/${service.name}, which has no such port (ports: ${portList(service)}), so this target applies to nothing.${hint}`,
              keyDetail: sel.path.join('.'),
            });
          }
        }
      }
    }

    // DestinationRules: host, subsets, workloadSelector.
    for (const dr of mesh.destinationRules) {
      const name = `DestinationRule ${dr.namespace}/${dr.resource.name}`;
      const hostPath = ['spec', 'host'];
      let service: Service | undefined;
      if (!dr.host.startsWith('*')) {
        const hostNs = kubernetesHostNamespace(dr.host);
        service = hostNs ? mesh.serviceByFqdn(dr.host) : undefined;
        const declared = mesh.serviceEntriesFor(dr.host).length > 0;
        if (!service && !declared) {
          const installed = hostNs ? mesh.installationService(dr.host) : undefined;
          if (installed) {
            unchecked.addTo(
              { kind: 'installation' },
              dr.resource,
              hostPath,
              `${name} host ${dr.host} (${installed})`,
            );
          } else if (hostNs) {
            const near = mesh.servicesKnownIn(hostNs) ? similarService(mesh, dr.host, hostNs) : undefined;
            if (near) {
              context.report({
                resource: dr.resource,
                path: hostPath,
                message: `${name} host ${dr.host} matches no Service or ServiceEntry${serviceNames(mesh, hostNs)}, so no client uses its settings. Fix: did you mean ${near}?`,
              });
            } else if (mesh.servicesKnownIn(hostNs)) {
              // Other Services of the namespace are in the inputs, this one is not: on public repositories that was
              // always a Service deployed from elsewhere (a chart, another demo), never a mistake, so only an info.
              unchecked.addTo(
                { kind: 'partly', namespace: hostNs },
                dr.resource,
                hostPath,
                `${name} host ${dr.host}`,
              );
            } else {
              unchecked.add(hostNs, dr.resource, hostPath, `${name} host ${dr.host}`);
            }
          } else {
            const shortForm = dottedServiceName(mesh, dr.host);
            if (shortForm) {
              context.report({
                resource: dr.resource,
                path: hostPath,
                message: `${name} host "${dr.host}" matches nothing: Istio expands only names without a dot, so it looks for a host literally named "${dr.host}", not ${shortForm}. Fix: write host: ${shortForm}.`,
              });
            } else {
              unchecked.addTo(
                { kind: 'external' },
                dr.resource,
                hostPath,
                `${name} host ${dr.host} (no ServiceEntry in the inputs declares it)`,
              );
            }
          }
        }
      }
      for (const subset of mesh.destinationRuleSubsets(dr))
        checkSubset(dr.resource, name, subset, context.report, unchecked);
      if (dr.workloadSelector && mesh.settings.release.has('destination-rule-workload-selector')) {
        const path = ['spec', 'workloadSelector', 'matchLabels'];
        if (!mesh.workloadsKnownIn(dr.namespace)) {
          unchecked.add(
            dr.namespace,
            dr.resource,
            path,
            `${name} workloadSelector ${labelText(dr.workloadSelector)}`,
          );
        } else if (!mesh.workloadsSelected(dr.namespace, dr.workloadSelector).length) {
          context.report({
            resource: dr.resource,
            path,
            message: `${name} workloadSelector ${labelText(dr.workloadSelector)} matches no workload in ${dr.namespace}${nearMiss(mesh, dr.namespace, dr.workloadSelector)}, so no client uses it. Fix: use the client pods' template labels.`,
          });
        }
      }
    }

    // DestinationRules whose only possible users are sidecars of a namespace the inputs show nothing of, while the
    // host's callers in the inputs are elsewhere (the rule saved without a namespace lands in `default`).
    reportUnusedAudience(context);

    unchecked.report(context.report, (ns) => mesh.servicesKnownIn(ns));
  },
});

/**
 * A DestinationRule consulted only by sidecars of namespaces with no workload, no Service and no Namespace object
 * in the inputs (the model's audience: exportTo and the namespaces Istio looks in), while sidecar callers of its
 * host that the inputs show (declared or inferred) are in other namespaces and so never use it. Rules of the root
 * namespace are mesh-wide and not this; a namespace the inputs declare or hold Services of is left alone: its
 * workloads are simply deployed from elsewhere.
 */
function reportUnusedAudience(context: RuleContext): void {
  const { mesh } = context;
  const root = mesh.settings.rootNamespace;
  let callersByService: Map<Service, Map<string, Workload>> | undefined;
  const callersOf = (service: Service) => {
    if (!callersByService) {
      callersByService = new Map();
      for (const e of context.graph.edges) {
        const target = e.server.serviceRef;
        const w = e.client.workload;
        if (!target || !w || e.caller === 'possible' || e.client.sidecar !== 'sidecar') continue;
        let byName = callersByService.get(target);
        if (!byName) callersByService.set(target, (byName = new Map()));
        byName.set(`${w.name}.${w.namespace}`, w);
      }
    }
    return callersByService.get(service) ?? new Map<string, Workload>();
  };
  for (const dr of mesh.destinationRules) {
    if (dr.namespace === root || dr.host.startsWith('*')) continue;
    const service = mesh.serviceByFqdn(dr.host);
    if (!service) continue;
    const audience = mesh.destinationRuleAudience(dr);
    if (!audience.namespaces.length || audience.namespaces.includes(ANY_OTHER_NAMESPACE)) continue;
    const shown = (ns: string) => {
      const origin = mesh.namespaces.get(ns)?.origin;
      return mesh.servicesKnownIn(ns) || origin === 'manifest' || origin === 'config' || origin === 'system';
    };
    if (audience.namespaces.some(shown)) continue;
    const callers = [...callersOf(service)]
      .filter(([, w]) => !audience.namespaces.includes(w.namespace))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (!callers.length) continue;
    const name = `DestinationRule ${dr.namespace}/${dr.resource.name}`;
    const users = audience.namespaces.join(', ');
    // What those callers use instead: the model's lookup, per caller.
    const instead = new Set(
      callers.map(([, w]) => {
        const used = mesh.destinationRuleFor(w.namespace, w.labels, dr.host, service.namespace)[0];
        return used ? `DestinationRule ${used.namespace}/${used.resource.name}` : 'no DestinationRule';
      }),
    );
    const listed = callers.slice(0, MESSAGE_LIST_CAP).map(([c]) => c);
    const more = callers.length > MESSAGE_LIST_CAP ? ` and ${callers.length - MESSAGE_LIST_CAP} more` : '';
    const implicit = !dr.resource.namespaceExplicit;
    const placed = implicit
      ? ` It has no metadata.namespace, so it lands in ${dr.namespace} (as with kubectl apply without -n).`
      : '';
    context.report({
      resource: dr.resource,
      path: implicit ? ['metadata'] : ['metadata', 'namespace'],
      message: `${name} (host ${dr.host}, ${describeTls(drTlsSummary(dr))}) is used only by sidecars in ${users} (${audience.reason}), and the inputs hold no workload there.${placed} The callers of ${service.name}.${service.namespace} in the inputs do not use it: ${listed.join(', ')}${more} (in other namespaces) use ${[...instead].join(' or ')} for that host. Fix: put it in ${service.namespace}, the namespace of the service (or in the root namespace ${root} for every client); if it is meant for clients in ${users} only, lint their workloads with it.`,
      keyDetail: 'audience',
    });
  }
}

type Report = RuleContext['report'];

function checkSubset(
  resource: Resource,
  name: string,
  subset: DrSubset,
  report: Report,
  unchecked: Uncheckable,
): void {
  const { service, labels, index: i } = subset;
  const subsetName = subset.name ?? `#${i}`;
  const path = ['spec', 'subsets', i, 'labels'];
  if (subset.unknown === 'no-selector') {
    unchecked.add(
      service.namespace,
      resource,
      path,
      `${name} subset ${subsetName} (Service ${service.namespace}/${service.name} has no selector, so its endpoints are not in the inputs)`,
    );
    return;
  }
  if (subset.unknown === 'no-workloads') {
    unchecked.add(
      service.namespace,
      resource,
      path,
      `${name} subset ${subsetName} (no workload of the inputs is behind ${service.name}.${service.namespace})`,
    );
    return;
  }
  if (subset.workloads?.length) return;
  report({
    resource,
    path,
    message: `${name} subset ${subsetName} (${labelText(labels)}) matches none of the workloads behind ${service.name}.${service.namespace} (${workloadLabels(service.workloads, Object.keys(labels))}); traffic routed to it fails with 503 "no healthy upstream". Fix: use labels the pods carry.`,
    keyDetail: `subset-${i}`,
  });
}

/** A Service of `namespace` whose name is within two edits of the host's: the likely typo, as its FQDN. */
function similarService(mesh: MeshModel, host: string, namespace: string): string | undefined {
  const wanted = host.split('.', 1)[0]!;
  let best: { fqdn: string; d: number } | undefined;
  for (const s of mesh.services) {
    if (s.namespace !== namespace) continue;
    const d = editDistance(wanted, s.name);
    if (d > 0 && d <= 2 && (!best || d < best.d))
      best = { fqdn: `${s.name}.${namespace}.svc.cluster.local`, d };
  }
  return best?.fqdn;
}

/**
 * Why references could not be checked: a namespace the inputs hold nothing of, a namespace whose other Services they
 * hold (`partly`), the Services of the Istio installation, or hosts outside the cluster.
 */
type UncheckedScope =
  | { kind: 'namespace'; namespace: string }
  | { kind: 'partly'; namespace: string }
  | { kind: 'installation' }
  | { kind: 'external' };

/** The key detail of each scope's finding (public: SARIF fingerprints and PR matching use it). */
function scopeKey(scope: UncheckedScope): string {
  switch (scope.kind) {
    case 'installation':
      return '(the Istio installation)';
    case 'external':
      return '(hosts outside the cluster)';
    case 'partly':
      return `${scope.namespace}|partly`;
    default:
      return scope.namespace;
  }
}

class Uncheckable {
  private readonly byScope = new Map<
    string,
    { scope: UncheckedScope; items: { resource: Resource; path: FieldPath; what: string }[] }
  >();

  add(namespace: string, resource: Resource, path: FieldPath, what: string): void {
    this.addTo({ kind: 'namespace', namespace }, resource, path, what);
  }

  addTo(scope: UncheckedScope, resource: Resource, path: FieldPath, what: string): void {
    const key = scopeKey(scope);
    let group = this.byScope.get(key);
    if (!group) this.byScope.set(key, (group = { scope, items: [] }));
    group.items.push({ resource, path, what });
  }

  report(report: Report, servicesKnownIn: (namespace: string) => boolean): void {
    for (const [key, { scope, items: found }] of this.byScope) {
      // By resource, not by visit order: the rule walks the model's lists in input order, and the list and the anchor
      // must not change when the same manifests are split over other files.
      const items = byResource(found);
      const first = items[0]!;
      const shown = items.slice(0, MESSAGE_LIST_CAP).map((i) => i.what);
      const more = items.length > MESSAGE_LIST_CAP ? `; and ${items.length - MESSAGE_LIST_CAP} more` : '';
      let about: string;
      let why: string;
      let lintWith: string;
      if (scope.kind === 'installation') {
        about = ' to Services of the Istio installation';
        why = 'their Services come with the Istio installation, which the inputs do not hold';
        lintWith =
          'the installation manifests (istioctl manifest generate, or helm template of the istiod chart)';
      } else if (scope.kind === 'external') {
        about = ' to hosts outside the cluster';
        why =
          'Istio applies a DestinationRule only to hosts in its registry, and the inputs hold no ServiceEntry for these';
        lintWith = 'their ServiceEntries';
      } else {
        const ns = scope.namespace;
        about = ` into namespace ${ns}`;
        why =
          scope.kind === 'partly'
            ? `the inputs hold other Services of namespace ${ns} but not these, which may be deployed from elsewhere (a chart, another repository); if not, the rules name a host that does not exist`
            : servicesKnownIn(ns)
              ? `the inputs contain Services but no workloads in namespace ${ns}`
              : `the inputs contain no workloads or Services in namespace ${ns}`;
        lintWith = `${ns}'s manifests`;
      }
      report({
        resource: first.resource,
        path: first.path,
        severity: 'info',
        message: `Could not check ${items.length} reference${items.length === 1 ? '' : 's'}${about}: ${why} (${shown.join('; ')}${more}). Lint them together with ${lintWith} to check them.`,
        related: items.slice(1, 100).map((i) => relatedAt(i.resource, i.path, i.what)),
        keyDetail: `unchecked|${key}`,
      });
    }
  }
}

/** Sorted by namespace, name and kind of the resource (stable: one resource's references keep their order). */
function byResource<T extends { resource: Resource }>(items: T[]): T[] {
  const key = (r: Resource) => `${r.namespace ?? ''}\0${r.name}\0${r.kind}`;
  const keyed = items.map((item) => ({ item, key: key(item.resource) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** "(workloads there: httpbin app=httpbin, sleep app=sleep)": the labels a person compares against. */
/**
 * The selector does match workloads written without metadata.namespace, which the run placed in another namespace
 * (--namespace, default "default"). Such manifests are usually applied with `kubectl apply -n NS`, so the policy
 * most likely applies to them: the finding is then an info that says what was assumed and how to tell mtls-lint.
 */
function placedElsewhere(
  mesh: MeshModel,
  namespace: string,
  selector: Record<string, string>,
): string | undefined {
  const ws = mesh
    .workloadsMatching(selector)
    .filter((w) => !w.resource.namespaceExplicit && w.namespace !== namespace);
  if (!ws.length) return undefined;
  const names = ws.slice(0, MESSAGE_LIST_CAP).map((w) => w.name);
  const more = ws.length > MESSAGE_LIST_CAP ? ` and ${ws.length - MESSAGE_LIST_CAP} more` : '';
  return ` — unless ${names.join(', ')}${more}, which match${ws.length === 1 ? 'es' : ''} it but ${ws.length === 1 ? 'has' : 'have'} no metadata.namespace (this run placed ${ws.length === 1 ? 'it' : 'them'} in ${ws[0]!.namespace}), ${ws.length === 1 ? 'is' : 'are'} applied to ${namespace}. If so, run mtls-lint with -n ${namespace} for those manifests (or set metadata.namespace).`;
}

function nearMiss(mesh: MeshModel, namespace: string, selector: Record<string, string>): string {
  const ws = mesh.workloads.filter((w) => w.namespace === namespace);
  if (!ws.length) return '';
  return ` (workloads there: ${workloadLabels(ws, Object.keys(selector))})`;
}

function workloadLabels(ws: Workload[], keys: string[]): string {
  const shown = ws.slice(0, MESSAGE_LIST_CAP).map((w) => {
    const relevant = Object.fromEntries(Object.entries(w.labels).filter(([k]) => keys.includes(k)));
    const text = labelText(Object.keys(relevant).length ? relevant : w.labels);
    return `${w.name} ${text || '(no labels)'}`;
  });
  return (
    shown.join(', ') + (ws.length > MESSAGE_LIST_CAP ? `, and ${ws.length - MESSAGE_LIST_CAP} more` : '')
  );
}

function serviceNames(mesh: MeshModel, namespace: string): string {
  const names = mesh.services.filter((s) => s.namespace === namespace).map((s) => s.name);
  if (!names.length) return '';
  const shown = names.slice(0, MESSAGE_LIST_CAP).join(', ');
  return ` (Services in ${namespace}: ${shown}${names.length > MESSAGE_LIST_CAP ? `, and ${names.length - MESSAGE_LIST_CAP} more` : ''})`;
}

function portList(service: Service): string {
  return (
    service.ports
      .map(
        (p) => `${p.name ? `${p.name} ` : ''}${p.port}${p.targetPort !== p.port ? `→${p.targetPort}` : ''}`,
      )
      .join(', ') || 'none'
  );
}

/** `httpbin.foo` or `httpbin.foo.svc` naming a Service of the inputs: the FQDN the user meant. */
function dottedServiceName(mesh: MeshModel, host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length !== 2 && !(parts.length === 3 && parts[2] === 'svc')) return undefined;
  const service = mesh.services.find((s) => s.name === parts[0] && s.namespace === parts[1]);
  return service ? `${service.name}.${service.namespace}.svc.cluster.local` : undefined;
}
