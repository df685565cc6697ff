// Who cannot call whom: networking.k8s.io/v1 NetworkPolicy, as the Kubernetes docs define it
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/). A pod is isolated for ingress (egress)
// when a policy of its namespace selects it with that policy type; then a connection is allowed only if some such
// policy has a rule whose peers and ports match it. Both ends must allow it. ipBlock peers are outside the cluster.
import type { Resource } from '../load/index.js';
import type { NamespaceInfo, Service, ServicePort, Workload } from '../mesh/model.js';
import { resolveTargetPort } from '../mesh/services.js';
import { isEntryEndpoint } from '../mesh/service-entries.js';
import { arr, get, obj, portNumber, str, stringMap } from '../mesh/util.js';

export interface Selector {
  matchLabels: Record<string, string>;
  expressions: { key: string; operator: string; values: string[] }[];
}

interface Peer {
  pod?: Selector;
  namespace?: Selector;
  ipBlock: boolean;
}

interface PolicyRule {
  /** undefined: every peer (the rule lists none). */
  peers: Peer[] | undefined;
  /** undefined: every port. */
  ports: { port?: number | string; endPort?: number; protocol: string }[] | undefined;
}

interface Policy {
  resource: Resource;
  namespace: string;
  selector: Selector;
  /** undefined when the policy does not isolate in that direction. */
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

/** One end of a connection as the policies see it. */
export type Endpoint =
  | { kind: 'workload'; workload: Workload }
  /** A pod the inputs do not show, in a namespace (undefined: a namespace not in the inputs); labels unknown. */
  | { kind: 'new-pod'; namespace: string | undefined }
  /** Outside the cluster (matches ipBlock peers only). */
  | { kind: 'outside' };

export interface Verdict {
  allowed: boolean;
  /** The policies that isolate the end that refuses it ("NetworkPolicy frontend in shop"). */
  policies: Resource[];
  /** Allowed only on an assumption (a namespace whose labels the inputs do not show). */
  assumption?: string;
}

const ALLOWED: Verdict = { allowed: true, policies: [] };

/** A metav1.LabelSelector (matchLabels and matchExpressions). */
export function selectorOf(v: unknown): Selector {
  const o = obj(v) ?? {};
  return {
    matchLabels: stringMap(o.matchLabels),
    expressions: arr(o.matchExpressions).map((e) => ({
      key: str(obj(e)?.key) ?? '',
      operator: str(obj(e)?.operator) ?? '',
      values: arr(obj(e)?.values).map((x) => String(x)),
    })),
  };
}

export function matches(s: Selector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== v) return false;
  for (const e of s.expressions) {
    const has = Object.hasOwn(labels, e.key);
    const ok =
      e.operator === 'In'
        ? has && e.values.includes(labels[e.key]!)
        : e.operator === 'NotIn'
          ? !has || !e.values.includes(labels[e.key]!)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

function isEmpty(s: Selector): boolean {
  return !Object.keys(s.matchLabels).length && !s.expressions.length;
}

function rulesOf(v: unknown, peerKey: 'from' | 'to'): PolicyRule[] {
  return arr(v).map((r) => {
    const ro = obj(r) ?? {};
    const peers = ro[peerKey] === undefined ? undefined : arr(ro[peerKey]);
    const ports = ro.ports === undefined ? undefined : arr(ro.ports);
    return {
      peers: peers?.map((p) => {
        const po = obj(p) ?? {};
        const peer: Peer = { ipBlock: po.ipBlock !== undefined };
        if (po.podSelector !== undefined) peer.pod = selectorOf(po.podSelector);
        if (po.namespaceSelector !== undefined) peer.namespace = selectorOf(po.namespaceSelector);
        return peer;
      }),
      ports: ports?.map((p) => {
        const po = obj(p) ?? {};
        const raw = po.port;
        const port = portNumber(raw) ?? str(raw);
        const out: { port?: number | string; endPort?: number; protocol: string } = {
          protocol: (str(po.protocol) ?? 'TCP').toUpperCase(),
        };
        if (port !== undefined) out.port = port;
        const end = portNumber(po.endPort);
        if (end !== undefined) out.endPort = end;
        return out;
      }),
    };
  });
}

export class NetworkPolicies {
  private readonly byNamespace = new Map<string, Policy[]>();
  readonly count: number;

  constructor(
    resources: Resource[],
    private readonly namespaces: Map<string, NamespaceInfo>,
  ) {
    let n = 0;
    for (const r of resources) {
      if (r.kind !== 'NetworkPolicy' || r.group !== 'networking.k8s.io' || r.namespace === undefined)
        continue;
      const spec = obj(get(r.value, 'spec')) ?? {};
      const declared = spec.policyTypes === undefined ? undefined : arr(spec.policyTypes).map(String);
      // Without policyTypes: Ingress always, Egress when the policy has egress rules.
      const ingress = declared ? declared.includes('Ingress') : true;
      const egress = declared ? declared.includes('Egress') : spec.egress !== undefined;
      const policy: Policy = { resource: r, namespace: r.namespace, selector: selectorOf(spec.podSelector) };
      if (ingress) policy.ingress = rulesOf(spec.ingress, 'from');
      if (egress) policy.egress = rulesOf(spec.egress, 'to');
      const list = this.byNamespace.get(r.namespace);
      if (list) list.push(policy);
      else this.byNamespace.set(r.namespace, [policy]);
      n++;
    }
    this.count = n;
  }

  /** Whether `client` may open a connection to `server`'s container port `port` (TCP). */
  verdict(client: Endpoint, server: Workload, port: number): Verdict {
    if (!this.count) return ALLOWED;
    const assumptions: string[] = [];
    // A ServiceEntry endpoint that is no pod (a WorkloadEntry, an inline endpoint, the host) is outside the cluster:
    // no policy isolates it, and the client's egress rules let it through only by an ipBlock.
    const outside = isEntryEndpoint(server);
    // Ingress at the server.
    const isolating = outside
      ? []
      : (this.byNamespace.get(server.namespace) ?? []).filter(
          (p) => p.ingress && matches(p.selector, server.labels),
        );
    if (isolating.length) {
      let allowed = false;
      const ingressAssumptions: string[] = [];
      for (const p of isolating) {
        for (const rule of p.ingress!) {
          if (!portMatches(rule, server, port)) continue;
          const m = this.peerMatches(rule, p.namespace, client);
          if (m === true) allowed = true;
          else if (m) ingressAssumptions.push(m);
          if (allowed) break;
        }
        if (allowed) break;
      }
      if (!allowed && !ingressAssumptions.length)
        return { allowed: false, policies: isolating.map((p) => p.resource) };
      if (!allowed) assumptions.push(...ingressAssumptions);
    }
    // Egress at the client.
    const egress = this.egressIsolating(client);
    if (egress.length) {
      const target: Endpoint = outside ? { kind: 'outside' } : { kind: 'workload', workload: server };
      let allowed = false;
      const egressAssumptions: string[] = [];
      for (const p of this.byNamespace.get(clientNamespace(client)!) ?? []) {
        if (!p.egress) continue;
        // A new pod may be selected by any policy of its namespace: each one's rules may let it out.
        if (client.kind === 'workload' && !matches(p.selector, client.workload.labels)) continue;
        for (const rule of p.egress) {
          if (!portMatches(rule, server, port)) continue;
          const m = this.peerMatches(rule, p.namespace, target);
          if (m === true) allowed = true;
          else if (m) egressAssumptions.push(m);
          if (allowed) break;
        }
        if (allowed) break;
      }
      if (!allowed && !egressAssumptions.length)
        return { allowed: false, policies: egress.map((p) => p.resource) };
      if (!allowed) assumptions.push(...egressAssumptions);
    }
    if (!assumptions.length) return ALLOWED;
    return { allowed: true, policies: [], assumption: [...new Set(assumptions)].join('; ') };
  }

  /** Policies that isolate the client for egress (a new pod: those that select every pod of its namespace). */
  private egressIsolating(client: Endpoint): Policy[] {
    const ns = clientNamespace(client);
    if (ns === undefined) return [];
    return (this.byNamespace.get(ns) ?? []).filter(
      (p) =>
        p.egress &&
        (client.kind === 'workload' ? matches(p.selector, client.workload.labels) : isEmpty(p.selector)),
    );
  }

  /** true: a peer of the rule matches; a string: one may, if an assumption holds; false: none does. */
  private peerMatches(rule: PolicyRule, policyNamespace: string, who: Endpoint): boolean | string {
    if (!rule.peers) return true;
    let maybe: string | undefined;
    for (const peer of rule.peers) {
      if (who.kind === 'outside') {
        if (peer.ipBlock) return true;
        continue;
      }
      if (peer.ipBlock) continue; // ipBlock: outside the cluster only (pod IPs are not modelled)
      // Namespace: the policy's own without namespaceSelector.
      const ns = who.kind === 'workload' ? who.workload.namespace : who.namespace;
      let nsMatch: boolean | string;
      if (!peer.namespace) nsMatch = ns === policyNamespace;
      else if (ns === undefined)
        nsMatch =
          'a namespace not in the inputs might carry the labels a NetworkPolicy namespaceSelector allows';
      else {
        const info = this.namespaces.get(ns);
        if (!info || info.origin === 'unknown')
          nsMatch = `the labels of namespace ${ns} are not in the inputs, so a NetworkPolicy namespaceSelector might allow it`;
        else nsMatch = matches(peer.namespace, { ...info.labels, 'kubernetes.io/metadata.name': ns });
      }
      if (nsMatch === false) continue;
      // Pods: a new pod may carry any labels.
      const podMatch = !peer.pod || who.kind === 'new-pod' || matches(peer.pod, who.workload.labels);
      if (!podMatch) continue;
      if (nsMatch === true) return true;
      maybe ??= nsMatch;
    }
    return maybe ?? false;
  }
}

function clientNamespace(e: Endpoint): string | undefined {
  return e.kind === 'workload' ? e.workload.namespace : e.kind === 'new-pod' ? e.namespace : undefined;
}

function portMatches(rule: PolicyRule, server: Workload, port: number): boolean {
  if (!rule.ports) return true;
  return rule.ports.some((p) => {
    if (p.protocol !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string')
      return server.containerPorts.some((c) => c.name === p.port && c.port === port);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

/** "NetworkPolicy default-deny in shop, NetworkPolicy api in shop". */
export function policyNames(policies: Resource[]): string {
  return policies.map((p) => `NetworkPolicy ${p.name} in ${p.namespace ?? ''}`).join(', ');
}

/**
 * Whether `client` may reach a Service port: allowed if it may reach at least one backing workload at its target
 * port (an assumption only if every allowed workload rests on one); refused with every policy that refused it.
 */
export function serviceVerdict(
  policies: NetworkPolicies,
  client: Endpoint,
  service: Service,
  port: ServicePort,
): Verdict {
  return workloadsVerdict(policies, client, service.workloads, (w) => resolveTargetPort(port, w));
}

/**
 * The same over some workloads and the container port each is called on: a per-pod name's pods, or a port no
 * Service declares (the call reaches the pod's own address, so the policies see that port).
 */
export function workloadsVerdict(
  policies: NetworkPolicies,
  client: Endpoint,
  workloads: readonly Workload[],
  targetPort: (w: Workload) => number | undefined,
): Verdict {
  if (!policies.count) return ALLOWED;
  const refusing = new Set<Resource>();
  let assumed: Verdict | undefined;
  for (const w of workloads) {
    const target = targetPort(w);
    if (target === undefined) continue;
    const v = policies.verdict(client, w, target);
    if (v.allowed && !v.assumption) return v;
    if (v.allowed) assumed ??= v;
    else for (const p of v.policies) refusing.add(p);
  }
  return assumed ?? (refusing.size ? { allowed: false, policies: [...refusing] } : ALLOWED);
}
