// Which DestinationRule a client sidecar uses for a host, and which tls block applies to a port.
// istio-semantics.md §3. Sources: istio pilot/pkg/model/push_context.go (destinationRule,
// getExportedDestinationRuleFromNamespace), pilot/pkg/model/destination_rule.go (mergeDestinationRule),
// pilot/pkg/networking/util/util.go (GetPortLevelTrafficPolicy, MergeSubsetTrafficPolicy).
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import type { Cause, ClientTlsMode, DestinationRuleInfo } from './model.js';
import {
  arr,
  get,
  hostMatches,
  hostSpecificity,
  obj,
  portNumber,
  resolveIstioHost,
  selectorMatches,
  str,
  stringMap,
} from './util.js';
import type { Release } from './releases.js';
import { oldestFirst } from './server-mode.js';

// The shape lives in the model's vocabulary (model.ts), which rules read; re-exported for the readers here.
export type { DestinationRuleInfo };

export type TlsModeSetting = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface TlsChoice {
  /** undefined = the applying policy has no tls (auto mTLS or plaintext). */
  mode: TlsModeSetting | undefined;
  cause: Cause;
  /** SIMPLE/MUTUAL with a credentialName: sidecars may originate no TLS at all (build.ts asks the release). */
  credentialName?: boolean;
}

export function readDestinationRules(resources: Resource[]): DestinationRuleInfo[] {
  const out: DestinationRuleInfo[] = [];
  for (const r of resources) {
    if (r.kind !== 'DestinationRule' || r.group !== 'networking.istio.io' || r.namespace === undefined)
      continue;
    const host = str(get(r.value, 'spec', 'host'));
    if (!host) continue;
    const exportTo = get(r.value, 'spec', 'exportTo');
    const info: DestinationRuleInfo = {
      resource: r,
      namespace: r.namespace,
      host: resolveIstioHost(host.toLowerCase(), r.namespace),
      exportTo: Array.isArray(exportTo)
        ? exportTo.filter((e): e is string => typeof e === 'string')
        : undefined,
    };
    const selector = obj(get(r.value, 'spec', 'workloadSelector', 'matchLabels'));
    if (selector && Object.keys(selector).length) info.workloadSelector = stringMap(selector);
    out.push(info);
  }
  return out;
}

export class DestinationRuleIndex {
  private readonly byNamespace = new Map<string, DestinationRuleInfo[]>();

  constructor(
    readonly rules: DestinationRuleInfo[],
    private readonly rootNamespace: string,
    private readonly release: Release,
  ) {
    for (const dr of rules) {
      const list = this.byNamespace.get(dr.namespace);
      if (list) list.push(dr);
      else this.byNamespace.set(dr.namespace, [dr]);
    }
  }

  hasRulesIn(namespace: string): boolean {
    return this.byNamespace.has(namespace);
  }

  private selectorNamespaces: Set<string> | undefined;
  /**
   * Whether lookup() can depend on the client's labels in this namespace: only a rule of the client's own namespace
   * with a workloadSelector reads them. Elsewhere every client of the namespace gets the same answer.
   */
  labelsMatterIn(namespace: string): boolean {
    if (!this.selectorNamespaces) {
      this.selectorNamespaces = new Set();
      for (const dr of this.rules) if (dr.workloadSelector) this.selectorNamespaces.add(dr.namespace);
    }
    return this.selectorNamespaces.has(namespace);
  }

  /**
   * Clients with the same key pick the same DestinationRule for every host: a namespace without rules of its own
   * (and not named in any exportTo, not the root) sees only service- and root-namespace rules, like every other such
   * namespace. Used to group possible callers instead of enumerating them.
   */
  clientClassKey(namespace: string, labels: Record<string, string>): string {
    if (
      !this.byNamespace.has(namespace) &&
      namespace !== this.rootNamespace &&
      !this.namedInExportTo().has(namespace)
    )
      return '*';
    const selected = (this.byNamespace.get(namespace) ?? [])
      .filter((dr) => dr.workloadSelector && selectorMatches(dr.workloadSelector, labels))
      .map((dr) => dr.resource.name)
      .sort();
    return `${namespace}|${selected.join(',')}`;
  }

  /**
   * Namespaces whose sidecars may pick a different DestinationRule for `fqdn` than a sidecar anywhere else: those
   * holding a rule that matches the host (their own lookup step 1), those a matching rule is exported to by name,
   * and the root namespace. Every other namespace sees exactly the same rules for this host (service and root
   * namespace, exported to all), so its clients form one class — the grouping that keeps edges linear.
   */
  namespacesDistinctFor(fqdn: string): Set<string> {
    const out = new Set<string>([this.rootNamespace]);
    const add = (dr: DestinationRuleInfo) => {
      out.add(dr.namespace);
      for (const e of dr.exportTo ?? []) if (e !== '.' && e !== '*') out.add(e);
    };
    for (const dr of this.exactByHost().get(fqdn) ?? []) add(dr);
    for (const dr of this.wildcards()) if (hostMatches(dr.host, fqdn)) add(dr);
    return out;
  }

  private exact: Map<string, DestinationRuleInfo[]> | undefined;
  private wildcardRules: DestinationRuleInfo[] | undefined;
  private exactByHost(): Map<string, DestinationRuleInfo[]> {
    if (!this.exact) {
      this.exact = new Map();
      for (const dr of this.rules)
        if (!dr.host.startsWith('*')) this.exact.set(dr.host, [...(this.exact.get(dr.host) ?? []), dr]);
    }
    return this.exact;
  }
  private wildcards(): DestinationRuleInfo[] {
    return (this.wildcardRules ??= this.rules.filter((dr) => dr.host.startsWith('*')));
  }

  private exportNames: Set<string> | undefined;
  private namedInExportTo(): Set<string> {
    if (!this.exportNames) {
      this.exportNames = new Set();
      for (const dr of this.rules)
        for (const e of dr.exportTo ?? []) if (e !== '.' && e !== '*') this.exportNames.add(e);
    }
    return this.exportNames;
  }

  /**
   * The DestinationRule(s) a sidecar in `clientNamespace` uses for `fqdn` (a service in `serviceNamespace`).
   * Several DRs with the same host in one namespace are merged by Istio: the oldest top-level trafficPolicy wins
   * whole, so the first element is the one whose tls counts; the rest are reported as ambiguous.
   */
  lookup(
    clientNamespace: string,
    clientLabels: Record<string, string>,
    fqdn: string,
    serviceNamespace: string,
  ): DestinationRuleInfo[] {
    // 1. The client's own namespace: among the rules visible there (private ones included), the most specific.
    //    Proxies in the root namespace (the gateways) skip its public catch-all rules here, so that a mesh-wide
    //    `*.local` rule does not hide the service's own rule: only the root's private rules (1.8+), or none.
    //    push_context.go destinationRule(), the `proxyNameSpace != ps.Mesh.RootNamespace` branch.
    const inRoot = clientNamespace === this.rootNamespace;
    const visibleLocally = inRoot
      ? (dr: DestinationRuleInfo) =>
          this.release.has('root-namespace-private-destination-rules') && this.isPrivate(dr)
      : (dr: DestinationRuleInfo) => this.exportedTo(dr, clientNamespace, true);
    const local = this.mostSpecific(
      this.byNamespace.get(clientNamespace) ?? [],
      fqdn,
      clientLabels,
      visibleLocally,
      () => true,
      true,
    );
    if (local) return local;
    // 2. The service's namespace, 3. the root namespace. Private (exportTo ".") rules are not exported at all
    //    (push_context.go keeps them in namespaceLocalDestRules only); among the exported ones the most specific
    //    decides, and if it is not exported to the client's namespace that namespace yields nothing (§3.2).
    for (const ns of [serviceNamespace, this.rootNamespace]) {
      if (ns === clientNamespace && !inRoot) continue;
      const found = this.mostSpecific(
        this.byNamespace.get(ns) ?? [],
        fqdn,
        clientLabels,
        (dr) => !this.isPrivate(dr),
        (dr) => this.exportedTo(dr, clientNamespace, false),
        false,
      );
      if (found) return found;
    }
    return [];
  }

  private isPrivate(dr: DestinationRuleInfo): boolean {
    const entries = this.release.has('destination-rule-export-to-namespaces')
      ? (dr.exportTo ?? [])
      : (dr.exportTo ?? []).slice(0, 1);
    // push_context.go SetDestinationRules isPrivateOnly: exactly one entry, "." or the rule's own namespace.
    return entries.length === 1 && (entries[0] === '.' || entries[0] === dr.namespace);
  }

  /** Does a sidecar in `clientNamespace` see this rule at all (exportTo and its version rules)? */
  visibleTo(dr: DestinationRuleInfo, clientNamespace: string): boolean {
    return this.exportedTo(dr, clientNamespace, clientNamespace === dr.namespace);
  }

  private mostSpecific(
    candidates: DestinationRuleInfo[],
    fqdn: string,
    clientLabels: Record<string, string>,
    eligible: (dr: DestinationRuleInfo) => boolean,
    visible: (dr: DestinationRuleInfo) => boolean,
    isClientNamespace: boolean,
  ): DestinationRuleInfo[] | undefined {
    // A loop rather than filter: most namespaces asked hold no rule for the host, and then nothing is allocated.
    let matching: DestinationRuleInfo[] | undefined;
    for (const dr of candidates) if (hostMatches(dr.host, fqdn) && eligible(dr)) (matching ??= []).push(dr);
    if (!matching) return undefined;
    // workloadSelector rules (1.14+) apply only to matching proxies of their own namespace and win over catch-alls.
    if (isClientNamespace && this.release.has('destination-rule-workload-selector')) {
      const selected = matching.filter(
        (dr) => dr.workloadSelector && selectorMatches(dr.workloadSelector, clientLabels),
      );
      if (selected.length) matching = selected;
      else matching = matching.filter((dr) => !dr.workloadSelector);
      if (!matching.length) return [];
    } else {
      matching = matching.filter((dr) => !dr.workloadSelector);
      if (!matching.length) return undefined;
    }
    let bestHost = matching[0]!.host;
    for (const dr of matching) if (hostSpecificity(dr.host) > hostSpecificity(bestHost)) bestHost = dr.host;
    const top = matching.filter((dr) => dr.host === bestHost);
    // If the most specific rule is not visible to this client, the namespace yields nothing (no fallback).
    const exported = top.filter(visible);
    if (!exported.length) return undefined;
    const { chosen, others } = oldestFirst(exported);
    return [chosen, ...others];
  }

  private exportedTo(dr: DestinationRuleInfo, clientNamespace: string, local: boolean): boolean {
    const exportTo = dr.exportTo;
    if (!exportTo || exportTo.length === 0) return true;
    // 1.1–1.6 honour only exportTo[0] as "." or "*"; 1.7+ also namespace names.
    const namesToo = this.release.has('destination-rule-export-to-namespaces');
    const entries = namesToo ? exportTo : exportTo.slice(0, 1);
    return entries.some(
      (e) =>
        e === '*' ||
        (e === '.' && (local || dr.namespace === clientNamespace)) ||
        (namesToo && e === clientNamespace),
    );
  }
}

/**
 * The hosts whose clients a change to this DestinationRule may reach: what sidecars send there, and which namespaces
 * may choose differently for them (DestinationRuleIndex lookup, namespacesDistinctFor), both follow the host. A
 * workloadSelector also splits its namespace's clients for every host (clientClassKey): undefined, it reaches
 * anything. One the model does not read (another group, no host) reaches nothing.
 */
export function destinationRuleHosts(resource: Resource): string[] | undefined {
  const hosts: string[] = [];
  for (const dr of readDestinationRules([resource])) {
    if (dr.workloadSelector) return undefined;
    hosts.push(dr.host);
  }
  return hosts;
}

/**
 * The tls block that applies for a service port: a matching portLevelSettings entry replaces the whole top-level
 * policy (an entry without tls means "no tls", not inheritance); then a subset's policy the same way.
 */
export function tlsFor(
  dr: DestinationRuleInfo,
  servicePort: number,
  subset?: string,
  subsetRules: DestinationRuleInfo[] = [dr],
): TlsChoice {
  const spec = obj(dr.resource.value.spec) ?? {};
  let choice = policyTls(dr, obj(spec.trafficPolicy), ['spec', 'trafficPolicy'], servicePort);
  if (subset !== undefined) {
    // Merged rules concatenate their subsets (mergeDestinationRule): the subset may be another rule's.
    const found = findSubset(subsetRules, subset);
    const sp = found && obj(found.subset.trafficPolicy);
    if (found && sp) {
      const sub = policyTls(
        found.rule,
        sp,
        ['spec', 'subsets', found.index, 'trafficPolicy'],
        servicePort,
        subset,
      );
      if (sub.mode !== undefined || sub.fromPortLevel) choice = sub;
    }
  }
  const out: TlsChoice = { mode: choice.mode, cause: choice.cause };
  if (choice.credentialName) out.credentialName = true;
  return out;
}

function policyTls(
  dr: DestinationRuleInfo,
  policy: Record<string, unknown> | undefined,
  path: FieldPath,
  servicePort: number,
  subset?: string,
): TlsChoice & { fromPortLevel: boolean; credentialName?: true } {
  const describe = `DestinationRule ${dr.namespace}/${dr.resource.name}${subset !== undefined ? ` subset ${subset}` : ''}`;
  const settings = arr(policy?.portLevelSettings);
  const index = settings.findIndex((s) => portNumber(get(s, 'port', 'number')) === servicePort);
  if (index >= 0) {
    const mode = tlsMode(get(settings[index], 'tls', 'mode'));
    const p = [...path, 'portLevelSettings', index];
    return {
      mode,
      fromPortLevel: true,
      ...withCredentialName(mode, get(settings[index], 'tls', 'credentialName')),
      cause: {
        resource: dr.resource,
        path: mode ? [...p, 'tls', 'mode'] : p,
        description: mode
          ? `${describe} port ${servicePort} tls mode ${mode}`
          : `${describe} port ${servicePort} settings (no tls)`,
      },
    };
  }
  const mode = tlsMode(get(policy, 'tls', 'mode'));
  return {
    mode,
    fromPortLevel: false,
    ...withCredentialName(mode, get(policy, 'tls', 'credentialName')),
    cause: {
      resource: dr.resource,
      path: mode ? [...path, 'tls', 'mode'] : ['spec', 'host'],
      description: mode ? `${describe} tls mode ${mode}` : `${describe} (no tls)`,
    },
  };
}

function withCredentialName(
  mode: TlsModeSetting | undefined,
  credentialName: unknown,
): { credentialName?: true } {
  return (mode === 'SIMPLE' || mode === 'MUTUAL') && str(credentialName) ? { credentialName: true } : {};
}

/**
 * Several DestinationRules for one host in one namespace are merged (destination_rule.go mergeDestinationRule, since
 * 1.1): the oldest rule is the base, subsets are concatenated, and the top-level trafficPolicy of the oldest rule
 * that *has* one applies — a rule with subsets only does not hide a newer rule's tls. `rules` oldest first (lookup()).
 */
export function mergedPolicyRule(rules: DestinationRuleInfo[]): DestinationRuleInfo | undefined {
  return rules.find((dr) => obj(get(dr.resource.value, 'spec', 'trafficPolicy')) !== undefined) ?? rules[0];
}

/**
 * The DestinationRule tls mode the 1.12+ per-endpoint auto-mTLS check reads for a service port
 * (xds endpoint_builder.go / endpoints/mtls_checker.go trafficPolicyTLSModeForPort): the top-level tls, replaced by a
 * portLevelSettings entry only if that entry has tls. The cluster itself uses the entry whole (no tls: auto mTLS),
 * so a top-level tls under an entry without tls still decides per endpoint.
 */
export function endpointCheckTls(dr: DestinationRuleInfo, servicePort: number): TlsChoice | undefined {
  const path: FieldPath = ['spec', 'trafficPolicy'];
  const policy = obj(get(dr.resource.value, ...path));
  if (!policy) return undefined;
  const describe = `DestinationRule ${dr.namespace}/${dr.resource.name}`;
  const settings = arr(policy.portLevelSettings);
  const index = settings.findIndex(
    (s) => portNumber(get(s, 'port', 'number')) === servicePort && obj(get(s, 'tls')) !== undefined,
  );
  if (index >= 0) {
    const mode = tlsMode(get(settings[index], 'tls', 'mode'));
    return mode
      ? {
          mode,
          cause: {
            resource: dr.resource,
            path: [...path, 'portLevelSettings', index, 'tls', 'mode'],
            description: `${describe} port ${servicePort} tls mode ${mode}`,
          },
        }
      : undefined;
  }
  const mode = tlsMode(get(policy, 'tls', 'mode'));
  return mode
    ? {
        mode,
        cause: {
          resource: dr.resource,
          path: [...path, 'tls', 'mode'],
          description: `${describe} tls mode ${mode} (top level)`,
        },
      }
    : undefined;
}

/**
 * `trafficPolicy.loadBalancer.simple: PASSTHROUGH` at the top level: an ORIGINAL_DST cluster, for which auto mTLS
 * decides once for every endpoint (push_context.go BestEffortInferServiceMTLSMode reads the top-level policy only).
 */
export function passthroughLoadBalancer(dr: DestinationRuleInfo): Cause | undefined {
  const path: FieldPath = ['spec', 'trafficPolicy', 'loadBalancer', 'simple'];
  if (str(get(dr.resource.value, ...path)) !== 'PASSTHROUGH') return undefined;
  return {
    resource: dr.resource,
    path,
    description: `DestinationRule ${dr.namespace}/${dr.resource.name} loadBalancer PASSTHROUGH`,
  };
}

function tlsMode(v: unknown): TlsModeSetting | undefined {
  const m = str(v);
  return m === 'DISABLE' || m === 'SIMPLE' || m === 'MUTUAL' || m === 'ISTIO_MUTUAL' ? m : undefined;
}

export function clientModeFromTls(mode: TlsModeSetting | undefined, autoMtls: boolean): ClientTlsMode {
  if (mode) return mode;
  return autoMtls ? 'AUTO' : 'PLAINTEXT';
}

/** The first of `rules` (oldest first) that defines the subset, with its index there. */
export function findSubset(
  rules: DestinationRuleInfo[],
  subset: string,
): { rule: DestinationRuleInfo; subset: Record<string, unknown>; index: number } | undefined {
  for (const rule of rules) {
    const subsets = arr(get(rule.resource.value, 'spec', 'subsets'));
    const index = subsets.findIndex((s) => str(obj(s)?.name) === subset);
    if (index >= 0) return { rule, subset: obj(subsets[index])!, index };
  }
  return undefined;
}

/**
 * The DestinationRule tls the 1.19+ per-endpoint auto-mTLS check reads for a subset cluster (asked only when that
 * cluster sends AUTO): the subset's own trafficPolicy alone, a port entry with tls before its top level
 * (xds/mtls_checker.go tlsModeForDestinationRule(dr, subset, port), trafficPolicyTLSModeForPort).
 */
export function subsetEndpointCheckTls(
  found: { rule: DestinationRuleInfo; subset: Record<string, unknown>; index: number },
  servicePort: number,
): TlsChoice | undefined {
  const path: FieldPath = ['spec', 'subsets', found.index, 'trafficPolicy'];
  return policyModeForPort(found.rule, obj(found.subset.trafficPolicy), path, servicePort);
}

/**
 * 1.12–1.18: every subset of the (merged) rule in order, with the tls its policy sets for the port, for the
 * per-endpoint check that takes the first subset whose labels a pod has (1.18.0 xds/mtls_checker.go
 * tlsModeForDestinationRule(ep)); undefined when no subset sets tls, so the check never reads one.
 */
export function subsetEndpointChecks(
  rules: DestinationRuleInfo[],
  servicePort: number,
): { labels: Record<string, string>; mode?: string; cause?: Cause }[] | undefined {
  const out: { labels: Record<string, string>; mode?: string; cause?: Cause }[] = [];
  let any = false;
  for (const rule of rules)
    arr(get(rule.resource.value, 'spec', 'subsets')).forEach((s, index) => {
      const subset = obj(s);
      if (!subset) return;
      const check = policyModeForPort(
        rule,
        obj(subset.trafficPolicy),
        ['spec', 'subsets', index, 'trafficPolicy'],
        servicePort,
      );
      const labels = stringMap(subset.labels);
      if (check) {
        any = true;
        out.push({ labels, mode: check.mode!, cause: check.cause });
      } else out.push({ labels });
    });
  return any ? out : undefined;
}

function policyModeForPort(
  dr: DestinationRuleInfo,
  policy: Record<string, unknown> | undefined,
  path: FieldPath,
  servicePort: number,
): TlsChoice | undefined {
  if (!policy) return undefined;
  const subset = str(get(dr.resource.value, ...path.slice(0, -1), 'name'));
  const describe = `DestinationRule ${dr.namespace}/${dr.resource.name} subset ${subset ?? '?'}`;
  const settings = arr(policy.portLevelSettings);
  const index = settings.findIndex(
    (s) => portNumber(get(s, 'port', 'number')) === servicePort && obj(get(s, 'tls')) !== undefined,
  );
  const p: FieldPath =
    index >= 0 ? [...path, 'portLevelSettings', index, 'tls', 'mode'] : [...path, 'tls', 'mode'];
  const mode = tlsMode(get(policy, ...p.slice(path.length)));
  return mode
    ? {
        mode,
        cause: { resource: dr.resource, path: p, description: `${describe} tls mode ${mode}` },
      }
    : undefined;
}

/** A subset's labels (the endpoints its cluster holds), or undefined when it names none. */
export function subsetLabels(found: { subset: Record<string, unknown> }): Record<string, string> | undefined {
  const labels = stringMap(found.subset.labels);
  return Object.keys(labels).length ? labels : undefined;
}
