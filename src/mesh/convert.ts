// Legacy authentication.istio.io Policy / MeshPolicy → security.istio.io PeerAuthentication, keeping what each
// server port accepted under the legacy lookup (istio-semantics.md §2; istio@1.4.0 push_context.go
// AuthenticationPolicyForWorkload) the same under PeerAuthentication composition (§1; ComposePeerAuthentication):
// - MeshPolicy `default` → selector-less PeerAuthentication in the root namespace;
// - namespace-wide Policy → selector-less PeerAuthentication in its namespace;
// - targeted Policy → PeerAuthentication whose selector is the target Service's selector; service ports become
//   target (container) ports under portLevelMtls, because PeerAuthentication keys ports by target port (§1.7);
// - `mtls: {}` / `mtls:` (null) → STRICT; no mtls peer → DISABLE, which is what a legacy sidecar did (plaintext only).
// Where no PeerAuthentication does the same (a Service without selector, two Services with different policies over
// the same pods, a namespace policy of the root namespace, competing policies without timestamps), it says so.
import type { Resource } from '../load/index.js';
import { stringifyForKubernetes, stringifyForKubernetesFile } from '../load/yaml-writer.js';
import type { LegacyPolicy, MeshModel, PolicyLevels, Service, Workload } from './model.js';
import type { FieldPath } from '../types.js';
import { kubernetesHostNamespace, legacyPortMatches, legacyTargets } from './config.js';
import { oldestFirst } from './server-mode.js';
import { get, obj, selectorMatches } from './util.js';
import type { Release } from './releases.js';
import { oneLine, quoteName } from '../escape.js';

type PeerMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface ConvertedPolicy {
  /** The file of the first source policy: `--out-dir` writes the PeerAuthentication next to its origin. */
  file: string;
  /** Legacy policies this PeerAuthentication replaces (several when policies for one workload merge). */
  sources: Resource[];
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  mode?: PeerMode;
  portLevel: Map<number, PeerMode>;
  /** The manifest, ready for YAML. */
  value: Record<string, unknown>;
}

export interface ConversionNote {
  /** The legacy policy it is about; absent for notes about the whole set. */
  resource?: Resource;
  path?: FieldPath;
  message: string;
  /** True when (part of) the policy could not be converted: the output is incomplete. */
  unconverted: boolean;
}

export interface Conversion {
  policies: ConvertedPolicy[];
  notes: ConversionNote[];
  /** Every legacy policy considered. */
  legacy: LegacyPolicy[];
}

export interface ConvertOptions {
  /** The release the PeerAuthentications are for: apiVersion v1 from 1.22, v1beta1 before. */
  targetVersion: Release;
}

const conversions = new WeakMap<MeshModel, Conversion>();

/** The conversion of every legacy policy in a mesh model (cached per model and target version). */
export function convertMesh(mesh: MeshModel, options: ConvertOptions): Conversion {
  const hit = conversions.get(mesh);
  if (hit && (hit as Conversion & { version?: string }).version === options.targetVersion.text) return hit;
  const result = Object.assign(convertLegacyPolicies(mesh, options), { version: options.targetVersion.text });
  conversions.set(mesh, result);
  return result;
}

function peerAuthenticationApiVersion(v: Release): string {
  // security.istio.io/v1 appears in 1.22 (api@1.22.0); v1beta1 from 1.5.
  return v.has('peer-authentication-v1') ? 'security.istio.io/v1' : 'security.istio.io/v1beta1';
}

function describe(r: Resource): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

/** What a service port's desired mode is: a concrete mode from a targeted policy, or inherit the namespace/mesh one. */
type Desired =
  | { mode: PeerMode; source: LegacyPolicy }
  | { mode: 'inherit' }
  | { mode: 'ambiguous'; list: LegacyPolicy[] };

function convertLegacyPolicies(mesh: MeshModel, options: ConvertOptions): Conversion {
  const root = mesh.settings.rootNamespace;
  const policies: ConvertedPolicy[] = [];
  const notes: ConversionNote[] = [];
  const legacy = mesh.legacyPolicies;
  const note = (p: LegacyPolicy | undefined, message: string, unconverted: boolean, path?: FieldPath) => {
    const n: ConversionNote = { message, unconverted };
    if (p) {
      n.resource = p.resource;
      n.path = path ?? ['metadata', 'name'];
    }
    notes.push(n);
  };
  // Names already given per namespace, so that each new PeerAuthentication gets a free one without a scan.
  const takenNames = new Map<string, Set<string>>();
  const emit = (
    sources: LegacyPolicy[],
    namespace: string,
    name: string,
    selector: Record<string, string> | undefined,
    mode: PeerMode | undefined,
    portLevel: Map<number, PeerMode>,
  ) => {
    const spec: Record<string, unknown> = {};
    if (selector) spec.selector = { matchLabels: { ...selector } };
    if (mode) spec.mtls = { mode };
    if (portLevel.size)
      spec.portLevelMtls = new Map(
        [...portLevel].sort((a, b) => a[0] - b[0]).map(([p, m]) => [p, { mode: m }]),
      );
    const c: ConvertedPolicy = {
      file: sources[0]!.resource.file,
      sources: sources.map((s) => s.resource),
      namespace,
      name: uniqueName(takenNames, namespace, name),
      portLevel,
      value: {},
    };
    if (selector) c.selector = selector;
    if (mode) c.mode = mode;
    c.value = {
      apiVersion: peerAuthenticationApiVersion(options.targetVersion),
      kind: 'PeerAuthentication',
      metadata: { name: c.name, namespace },
      spec,
    };
    policies.push(c);
  };

  for (const p of legacy) noteDroppedFields(p, note);

  // 1. MeshPolicy: Istio reads only the one named `default`.
  const meshDefault = mesh.policies.legacyMesh();
  for (const p of legacy.filter((x) => x.resource.kind === 'MeshPolicy' && !meshDefault.includes(x))) {
    note(
      p,
      `${describe(p.resource)} is not named "default", so Istio never used it; nothing to convert.`,
      false,
    );
  }
  if (meshDefault.length) {
    const { chosen } = oldestFirst(meshDefault);
    emit([chosen], root, 'default', undefined, chosen.mode, new Map());
  }

  // 2. Namespace-wide Policies.
  const namespaces = [
    ...new Set(legacy.flatMap((p) => (p.namespace === undefined ? [] : [p.namespace]))),
  ].sort();
  for (const ns of namespaces) {
    const wide = mesh.policies.legacyNamespaceWide(ns);
    if (!wide.length) continue;
    if (ns === root) {
      for (const p of wide) {
        note(
          p,
          `${describe(p.resource)} applies to namespace ${root} only, but ${root} is the root namespace, where a selector-less PeerAuthentication is mesh-wide and one with a selector is ignored: no PeerAuthentication does the same. Give the workloads of ${root} their own policy some other way, or drop it.`,
          true,
        );
      }
      continue;
    }
    const { chosen, ambiguous, others } = oldestFirst(wide);
    if (ambiguous) {
      for (const p of wide) {
        note(
          p,
          `${wide.length} namespace-wide Policies in ${ns} (${wide.map((x) => x.resource.name).join(', ')}): Istio used the oldest, which the manifests do not tell (no creationTimestamp), so mtls-lint does not guess. Keep one and convert again.`,
          true,
        );
      }
      continue;
    }
    for (const o of others)
      note(
        o,
        `${describe(o.resource)} was ignored by Istio (${describe(chosen.resource)} is older); not converted.`,
        false,
      );
    emit([chosen], ns, chosen.resource.name, undefined, chosen.mode, new Map());
  }

  // 3. Targeted Policies → workload-level PeerAuthentications, one per Service selector.
  const targetedServices = new Map<Service, LegacyPolicy[]>();
  for (const p of legacy) {
    if (p.resource.kind !== 'Policy' || p.namespace === undefined) continue;
    for (const t of legacyTargets(p)) {
      const hostNs = kubernetesHostNamespace(t.fqdn);
      if (!hostNs) {
        note(
          p,
          `Target "${t.name}" is a dotted name that Istio took verbatim as a host no Service has, so it did nothing; not converted.`,
          false,
          t.path,
        );
        continue;
      }
      if (hostNs !== p.namespace) {
        note(
          p,
          `Target "${t.name}" is a service in namespace ${hostNs}; Istio applied a Policy only to services of its own namespace, so it did nothing; not converted.`,
          false,
          t.path,
        );
        continue;
      }
      const service = mesh.serviceByFqdn(t.fqdn);
      if (!service) {
        note(
          p,
          `Service ${hostNs}/${t.name} is not in the inputs, so its selector (which becomes the PeerAuthentication's selector) is unknown. Convert the Policy together with the Service's manifest.`,
          true,
          t.path,
        );
        continue;
      }
      for (const sel of t.ports) {
        if (!service.ports.some((sp) => legacyPortMatches(sel, sp))) {
          note(
            p,
            `Service ${hostNs}/${service.name} has no port ${sel.number ?? `named "${sel.name}"`}, so this target port did nothing; not converted.`,
            false,
            sel.path,
          );
        }
      }
      const list = targetedServices.get(service) ?? [];
      if (!list.includes(p)) list.push(p);
      targetedServices.set(service, list);
    }
  }

  interface Plan {
    service: Service;
    sources: LegacyPolicy[];
    mode?: PeerMode;
    portLevel: Map<number, PeerMode>;
  }
  const plans: Plan[] = [];
  for (const [service, targeting] of targetedServices) {
    if (service.namespace === root) {
      for (const p of targeting)
        note(
          p,
          `Service ${service.name} is in the root namespace ${root}, where Istio ignores PeerAuthentications with a selector: no PeerAuthentication does the same for it alone.`,
          true,
        );
      continue;
    }
    if (!service.selector) {
      for (const p of targeting)
        note(
          p,
          `Service ${service.namespace}/${service.name} has no selector (its endpoints are managed by hand), so there are no pod labels for a PeerAuthentication selector. Put labels on those pods and write the PeerAuthentication yourself.`,
          true,
        );
      continue;
    }
    const plan = planService(mesh, service, mesh.policies, (p, m) => note(p, m, true));
    if (plan) plans.push({ service, ...plan });
  }

  // Services over the same pods: one PeerAuthentication must serve them all.
  const byNamespace = new Map<string, Plan[]>();
  for (const plan of plans) push(byNamespace, plan.service.namespace, plan);
  // Pods per namespace, indexed once: every pair of plans below asks about its namespace's pods.
  const workloadsByNamespace = new Map<string, Workload[]>();
  for (const w of mesh.workloads)
    if (byNamespace.has(w.namespace)) push(workloadsByNamespace, w.namespace, w);
  for (const [ns, list] of byNamespace) {
    const pods = workloadsByNamespace.get(ns) ?? [];
    const dropped = new Set<Plan>();
    const impossible = new Set<Plan>();
    for (const a of list) {
      for (const b of list) {
        if (a === b || dropped.has(a) || dropped.has(b)) continue;
        const sa = a.service.selector!;
        const sb = b.service.selector!;
        const shared = pods.some((w) => selectorMatches(sa, w.labels) && selectorMatches(sb, w.labels));
        const aCoversB = contains(sa, sb);
        if (!shared && !aCoversB && !contains(sb, sa)) continue;
        if (samePlan(a, b) && aCoversB) {
          // Same requirements and every pod of b is a pod of a: a's selector serves both.
          for (const s of b.sources) if (!a.sources.includes(s)) a.sources.push(s);
          dropped.add(b);
        } else if (!samePlan(a, b)) {
          impossible.add(a).add(b);
        }
      }
    }
    for (const plan of list) {
      if (dropped.has(plan)) continue;
      if (impossible.has(plan)) {
        const others = list.filter((o) => o !== plan && impossible.has(o)).map((o) => o.service.name);
        for (const p of plan.sources) {
          note(
            p,
            `Services ${[plan.service.name, ...others].join(' and ')} in ${ns} select the same pods but had different policies; a pod gets one workload-level PeerAuthentication (the oldest), so no set of PeerAuthentications does the same. Give the pods distinct labels per policy, or align the policies.`,
            true,
          );
        }
        continue;
      }
      const single = plan.sources.length === 1 ? plan.sources[0]!.resource.name : plan.service.name;
      emit(plan.sources, ns, single, plan.service.selector, plan.mode, plan.portLevel);
      if (
        !options.targetVersion.has('auto-mtls-honours-workload-disable') &&
        (plan.mode === 'DISABLE' || [...plan.portLevel.values()].includes('DISABLE'))
      ) {
        note(
          plan.sources.find((p) => p.mode === 'DISABLE') ?? plan.sources[0],
          `The workload-level DISABLE for ${plan.service.name}.${ns} is honoured by servers, but auto-mTLS clients of Istio ${options.targetVersion.text} (before 1.12) ignore it and send mTLS (HTTP 503): give those clients a DestinationRule with tls mode DISABLE.`,
          false,
        );
      }
    }
  }

  if (legacy.length && !meshDefault.length && !options.targetVersion.has('no-policy-plaintext-only')) {
    notes.push({
      message: `No MeshPolicy "default" in the inputs: in Istio ≤ 1.4 a service that no Policy covered accepted plaintext only; from 1.5 it is PERMISSIVE. If you relied on that (clients that must not use mTLS), add a mesh-wide PeerAuthentication with mode DISABLE in ${root}.`,
      unconverted: false,
    });
  }
  const seen = new Set<string>();
  const unique = notes.filter((n) => {
    const k = `${n.resource?.id ?? ''}|${n.resource?.file ?? ''}|${n.path?.join('.') ?? ''}|${n.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { policies, notes: unique, legacy };
}

/**
 * What one Service's pods need: for each pod behind it, the mode every target port got under the legacy lookup
 * (through any Service that selects the pod), merged over the pods. Undefined when it cannot be expressed.
 */
function planService(
  mesh: MeshModel,
  service: Service,
  policies: PolicyLevels,
  fail: (p: LegacyPolicy, message: string) => void,
): { sources: LegacyPolicy[]; mode?: PeerMode; portLevel: Map<number, PeerMode> } | undefined {
  const sources: LegacyPolicy[] = [];
  const concrete = new Map<number, { mode: PeerMode; source: LegacyPolicy; via: string }>();
  const inherit = new Map<number, string>();
  let failed = false;
  const failAll = (message: string) => {
    failed = true;
    for (const p of sourcesOf(service, policies)) fail(p, message);
  };
  // Pods behind the service; without them only the service's own numeric target ports are known.
  const pods: (Workload | undefined)[] = service.workloads.length ? service.workloads : [undefined];
  for (const w of pods) {
    const servicesOfPod = w ? mesh.servicesSelecting(w) : [service];
    for (const s of servicesOfPod) {
      for (const sp of s.ports) {
        const tp = w
          ? mesh.targetPort(s, sp, w)
          : typeof sp.targetPort === 'number'
            ? sp.targetPort
            : undefined;
        const desired = desiredFor(policies, s, sp);
        if (tp === undefined) {
          if (desired.mode !== 'inherit' && desired.mode !== 'ambiguous' && s === service) {
            failAll(
              `Service ${service.namespace}/${service.name} port ${sp.port} targets the named port "${sp.targetPort}", which ${w ? `${w.kind} ${w.name} does not declare` : 'cannot be resolved without the pods in the inputs'}; PeerAuthentication needs the container port number.`,
            );
          }
          continue;
        }
        const via = `${s.name}:${sp.port}`;
        if (desired.mode === 'ambiguous') {
          failAll(
            `${desired.list.map((p) => p.resource.name).join(' and ')} both apply to ${s.name}.${s.namespace}:${sp.port}; Istio used the oldest, which the manifests do not tell (no creationTimestamp), so mtls-lint does not guess. Keep one and convert again.`,
          );
          continue;
        }
        if (desired.mode === 'inherit') {
          if (!inherit.has(tp)) inherit.set(tp, via);
          continue;
        }
        if (!sources.includes(desired.source)) sources.push(desired.source);
        const prior = concrete.get(tp);
        if (prior && prior.mode !== desired.mode) {
          failAll(
            `Container port ${tp} is reached through ${prior.via} (${prior.mode}) and ${via} (${desired.mode}): two Services with different policies over the same pods; a PeerAuthentication keys by container port and cannot tell them apart.`,
          );
        }
        if (!prior) concrete.set(tp, { mode: desired.mode, source: desired.source, via });
      }
    }
  }
  for (const [tp, via] of inherit) {
    const c = concrete.get(tp);
    if (c)
      failAll(
        `Container port ${tp} is reached through ${c.via} (${c.mode}, from a targeted Policy) and ${via} (namespace or mesh policy): two Services with different policies over the same pods.`,
      );
  }
  if (failed || !concrete.size) return undefined;
  const modes = new Set([...concrete.values()].map((c) => c.mode));
  if (!inherit.size && modes.size === 1) return { sources, mode: [...modes][0]!, portLevel: new Map() };
  return { sources, portLevel: new Map([...concrete].map(([tp, c]) => [tp, c.mode])) };
}

function desiredFor(policies: PolicyLevels, service: Service, port: Service['ports'][number]): Desired {
  const found = policies.legacyPolicyFor(service, port);
  if (!found || (found.level !== 'legacy-service' && found.level !== 'legacy-port'))
    return { mode: 'inherit' };
  // Competing targeted policies without timestamps: the oldest won, unknown which. Refuse rather than guess.
  if (found.ambiguous.length) return { mode: 'ambiguous', list: [found.policy, ...found.ambiguous] };
  return { mode: found.policy.mode, source: found.policy };
}

function sourcesOf(service: Service, policies: PolicyLevels): LegacyPolicy[] {
  const out: LegacyPolicy[] = [];
  for (const sp of service.ports) {
    const found = policies.legacyPolicyFor(service, sp);
    if (!found || (found.level !== 'legacy-service' && found.level !== 'legacy-port')) continue;
    for (const p of [found.policy, ...found.ambiguous]) if (!out.includes(p)) out.push(p);
  }
  return out;
}

function samePlan(
  a: { mode?: PeerMode; portLevel: Map<number, PeerMode> },
  b: { mode?: PeerMode; portLevel: Map<number, PeerMode> },
): boolean {
  if (a.mode !== b.mode || a.portLevel.size !== b.portLevel.size) return false;
  for (const [p, m] of a.portLevel) if (b.portLevel.get(p) !== m) return false;
  return true;
}

/** Every pod that selector `b` picks is also picked by `a`. */
function contains(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === v);
}

/** `name`, or `name-2`, `name-3` … if a PeerAuthentication of that name exists in the namespace; records it as taken. */
function uniqueName(takenNames: Map<string, Set<string>>, namespace: string, name: string): string {
  let taken = takenNames.get(namespace);
  if (!taken) takenNames.set(namespace, (taken = new Set()));
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}-${i}`;
  taken.add(unique);
  return unique;
}

/** Fields with no PeerAuthentication counterpart: say so rather than drop them silently. */
function noteDroppedFields(
  p: LegacyPolicy,
  note: (p: LegacyPolicy, message: string, unconverted: boolean, path?: FieldPath) => void,
): void {
  const spec = obj(p.resource.value.spec) ?? {};
  if (spec.origins !== undefined || spec.principalBinding !== undefined) {
    note(
      p,
      'Its origins (end-user JWT) are not part of mTLS and are not converted: write a RequestAuthentication (and an AuthorizationPolicy requiring requestPrincipals) for them.',
      true,
      spec.origins !== undefined ? ['spec', 'origins'] : ['spec', 'principalBinding'],
    );
  }
  const peers = Array.isArray(spec.peers) ? spec.peers : [];
  peers.forEach((peer, i) => {
    if (get(peer, 'mtls', 'allowTls') !== undefined || get(peer, 'mtls', 'peerIsOptional') !== undefined) {
      note(
        p,
        'allowTls / peerIsOptional do not change which connections a sidecar accepts and have no PeerAuthentication counterpart; dropped.',
        false,
        ['spec', 'peers', i, 'mtls'],
      );
    }
    if (obj(peer) && 'jwt' in obj(peer)!) {
      note(
        p,
        'A jwt peer method has no PeerAuthentication counterpart and is not converted (use RequestAuthentication).',
        true,
        ['spec', 'peers', i],
      );
    }
  });
}

/** The conversion as YAML documents, each with a comment naming what it replaces. */
export function renderPolicy(c: ConvertedPolicy): string {
  // Names come from the inputs: one comment line whatever they hold, no workflow command when printed in a CI log.
  const from = c.sources
    .map((r) => `${oneLine(describe(r))} (${quoteName(r.file)}:${r.span([]).line})`)
    .join(', ');
  // A value with a line break double-quoted (\n), not a block scalar whose lines could start with `::`; no `##[`.
  const body = stringifyForKubernetesFile(c.value);
  return `# Converted by mtls-lint from ${from}\n${body}`;
}

/** One line of YAML (flow style), for messages. */
export function renderPolicyInline(c: ConvertedPolicy): string {
  return stringifyForKubernetes(c.value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
