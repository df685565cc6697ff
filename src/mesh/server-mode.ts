// What a server accepts on a target port: PeerAuthentication (1.5+) and legacy Policy/MeshPolicy (≤ 1.5).
// istio-semantics.md §0.1, §1, §2. Sources: istio pilot/pkg/security/authn/policy_applier.go
// (ComposePeerAuthentication), pilot/pkg/model/authentication.go, istio@1.4.0 pilot/pkg/model/push_context.go
// (AuthenticationPolicyForWorkload), istio@1.5.0 policy_applier.go (shouldUseAlphaMtlsPolicy).
import type { Resource } from '../load/index.js';
import { describeResource } from '../load/resource.js';
import type { FieldPath } from '../types.js';
import type {
  Cause,
  LegacyPolicy,
  PeerAuthn,
  PeerAuthnMode,
  PolicyLevel,
  ServerMode,
  ServerModeResult,
  Service,
  ServicePort,
  Workload,
} from './model.js';
import {
  arr,
  get,
  obj,
  portNumber,
  resolveIstioHost,
  selectorMatches,
  serviceFqdn,
  str,
  stringMap,
} from './util.js';
import type { Release } from './releases.js';

type MtlsMode = PeerAuthnMode;

// The shapes live in the model's vocabulary (model.ts), which rules read; re-exported for the readers here.
export type { LegacyPolicy, PeerAuthn };

function mtlsMode(v: unknown): MtlsMode {
  const m = str(v);
  return m === 'DISABLE' || m === 'PERMISSIVE' || m === 'STRICT' ? m : 'UNSET';
}

export function readPeerAuthentications(resources: Resource[]): PeerAuthn[] {
  const out: PeerAuthn[] = [];
  for (const r of resources) {
    if (r.kind !== 'PeerAuthentication' || r.group !== 'security.istio.io' || r.namespace === undefined)
      continue;
    const spec = obj(r.value.spec) ?? {};
    const matchLabels = obj(get(spec, 'selector', 'matchLabels'));
    const portLevel = new Map<number, MtlsMode>();
    for (const [k, v] of Object.entries(obj(spec.portLevelMtls) ?? {})) {
      const port = portNumber(k);
      if (port !== undefined) portLevel.set(port, mtlsMode(get(v, 'mode')));
    }
    const pa: PeerAuthn = {
      resource: r,
      namespace: r.namespace,
      mode: mtlsMode(get(spec, 'mtls', 'mode')),
      portLevel,
    };
    if (matchLabels && Object.keys(matchLabels).length) pa.selector = stringMap(matchLabels);
    out.push(pa);
  }
  return out;
}

export function readLegacyPolicies(resources: Resource[]): LegacyPolicy[] {
  const out: LegacyPolicy[] = [];
  for (const r of resources) {
    if (r.group !== 'authentication.istio.io' || (r.kind !== 'Policy' && r.kind !== 'MeshPolicy')) continue;
    const spec = obj(r.value.spec) ?? {};
    const targets = arr(spec.targets).flatMap((t, index) => {
      const name = str(obj(t)?.name);
      if (!name) return [];
      const ports = arr(obj(t)?.ports).map((p) => {
        const po = obj(p);
        const port: { number?: number; name?: string } = {};
        const n = portNumber(po?.number);
        if (n !== undefined) port.number = n;
        const nm = str(po?.name);
        if (nm) port.name = nm;
        return port;
      });
      return [{ name, ports, index }];
    });
    // The first peer with an `mtls` key decides; `mtls:` (null) and `mtls: {}` are STRICT (enum default 0).
    let mode: LegacyPolicy['mode'] = 'DISABLE';
    let modePath: FieldPath = ['spec'];
    const peers = arr(spec.peers);
    for (let i = 0; i < peers.length; i++) {
      const peer = obj(peers[i]);
      if (!peer || !('mtls' in peer)) continue;
      const m = str(get(peer.mtls, 'mode'));
      mode = m === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT';
      modePath = m ? ['spec', 'peers', i, 'mtls', 'mode'] : ['spec', 'peers', i, 'mtls'];
      break;
    }
    if (mode === 'DISABLE' && peers.length === 0 && 'peers' in spec) modePath = ['spec', 'peers'];
    out.push({
      resource: r,
      namespace: r.kind === 'MeshPolicy' ? undefined : r.namespace,
      targets,
      mode,
      modePath,
    });
  }
  return out;
}

/**
 * Istio keeps the oldest of several policies at one level, in the order of sortByCreationComparator
 * (pilot/pkg/model/config.go): creationTimestamp, ties by the string "name.namespace" (so `a-b` sorts before `a`).
 * Manifests rarely carry timestamps (an unparsable one counts as none): then the order is that tie-break alone,
 * never input order, and `ambiguous` says the cluster may decide otherwise.
 */
export function oldestFirst<T extends { resource: Resource }>(
  items: T[],
): { chosen: T; ambiguous: boolean; others: T[] } {
  const time = (t: T) => {
    const ms = Date.parse(str(get(t.resource.value, 'metadata', 'creationTimestamp')) ?? '');
    return Number.isNaN(ms) ? undefined : ms;
  };
  const allStamped = items.every((t) => time(t) !== undefined);
  const key = (t: T) => `${t.resource.name}.${t.resource.namespace ?? ''}`;
  const sorted = [...items].sort((a, b) => {
    if (allStamped) {
      const d = time(a)! - time(b)!;
      if (d !== 0) return d;
    }
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { chosen: sorted[0]!, ambiguous: items.length > 1 && !allStamped, others: sorted.slice(1) };
}

export class ServerPolicies {
  private readonly paByNamespace = new Map<string, PeerAuthn[]>();
  private readonly legacyByNamespace = new Map<string, LegacyPolicy[]>();
  private readonly meshPolicies: LegacyPolicy[];

  constructor(
    readonly peerAuthentications: PeerAuthn[],
    readonly legacy: LegacyPolicy[],
    private readonly rootNamespace: string,
    private readonly release: Release,
  ) {
    for (const pa of peerAuthentications) push(this.paByNamespace, pa.namespace, pa);
    for (const p of legacy) if (p.namespace !== undefined) push(this.legacyByNamespace, p.namespace, p);
    // MeshPolicy lookup requires the name `default` (istio@1.4.0 push_context.go).
    this.meshPolicies = legacy.filter(
      (p) => p.resource.kind === 'MeshPolicy' && p.resource.name === 'default',
    );
  }

  /** Mesh-level PAs: root namespace, no selector. Root-namespace PAs with a selector are ignored by Istio. */
  meshLevel(): PeerAuthn[] {
    return (this.paByNamespace.get(this.rootNamespace) ?? []).filter((p) => !p.selector);
  }

  namespaceLevel(namespace: string): PeerAuthn[] {
    if (namespace === this.rootNamespace) return [];
    return (this.paByNamespace.get(namespace) ?? []).filter((p) => !p.selector);
  }

  workloadLevel(namespace: string, labels: Record<string, string>): PeerAuthn[] {
    if (namespace === this.rootNamespace) return [];
    return (this.paByNamespace.get(namespace) ?? []).filter(
      (p) => p.selector && selectorMatches(p.selector, labels),
    );
  }

  /** Namespace-wide legacy Policies (no targets) of a namespace; Istio uses the oldest. */
  legacyNamespaceWide(namespace: string): LegacyPolicy[] {
    return (this.legacyByNamespace.get(namespace) ?? []).filter(
      (p) => p.resource.kind === 'Policy' && p.targets.length === 0 && !hasTargetsKey(p),
    );
  }

  /** MeshPolicies named `default`, the only ones Istio reads. */
  legacyMesh(): LegacyPolicy[] {
    return this.meshPolicies;
  }

  anyPeerAuthenticationApplies(namespace: string, labels: Record<string, string>): boolean {
    return (
      this.meshLevel().length +
        this.namespaceLevel(namespace).length +
        this.workloadLevel(namespace, labels).length >
      0
    );
  }

  /**
   * ComposePeerAuthentication: start PERMISSIVE; mesh, namespace, workload override unless UNSET; then the
   * workload policy's port-level entry for the target port. `labels` undefined = a stand-in workload with no
   * workload-level policy.
   */
  composePeerAuthentication(
    namespace: string,
    labels: Record<string, string> | undefined,
    targetPort: number | undefined,
  ): ServerModeResult {
    // Mesh and namespace levels are the same for every workload of a namespace: their lists and what each sets are
    // computed once (this runs for every server port of every workload).
    let result = this.defaultResult;
    const meshList = (this.meshLevelList ??= this.meshLevel());
    let namespaceList = this.namespaceLevelLists.get(namespace);
    if (!namespaceList)
      this.namespaceLevelLists.set(namespace, (namespaceList = this.namespaceLevel(namespace)));
    for (const [level, candidates] of [
      ['mesh', meshList],
      ['namespace', namespaceList],
    ] as const) {
      if (!candidates.length) continue;
      let set = this.levelResults.get(candidates);
      if (set === undefined) this.levelResults.set(candidates, (set = this.levelResult(level, candidates)));
      if (set) result = set;
    }
    const candidates = labels ? this.workloadLevel(namespace, labels) : [];
    if (candidates.length) {
      const { chosen, ambiguous, others } = oldestFirst(candidates);
      const portMode = targetPort !== undefined ? chosen.portLevel.get(targetPort) : undefined;
      if (chosen.mode !== 'UNSET') {
        result = paResult(
          chosen,
          'workload',
          chosen.mode,
          ['spec', 'mtls', 'mode'],
          ambiguous ? others : undefined,
        );
      }
      if (portMode !== undefined && portMode !== 'UNSET' && targetPort !== undefined) {
        result = paResult(
          chosen,
          'port',
          portMode,
          ['spec', 'portLevelMtls', String(targetPort), 'mode'],
          ambiguous ? others : undefined,
        );
      }
    }
    return result;
  }

  private readonly defaultResult: ServerModeResult = {
    mode: 'PERMISSIVE',
    level: 'default',
    explanation: 'no PeerAuthentication applies, so Istio uses PERMISSIVE',
  };
  private meshLevelList: PeerAuthn[] | undefined;
  private readonly namespaceLevelLists = new Map<string, PeerAuthn[]>();
  /** What the chosen policy of a mesh- or namespace-level list sets (null: UNSET at namespace level, nothing). */
  private readonly levelResults = new Map<PeerAuthn[], ServerModeResult | null>();

  private levelResult(level: 'mesh' | 'namespace', candidates: PeerAuthn[]): ServerModeResult | null {
    const { chosen, ambiguous, others } = oldestFirst(candidates);
    if (chosen.mode !== 'UNSET')
      return paResult(chosen, level, chosen.mode, ['spec', 'mtls', 'mode'], ambiguous ? others : undefined);
    // "UNSET is treated as permissive for mesh-policy" (addPeerAuthentication).
    if (level === 'mesh')
      return paResult(chosen, level, 'PERMISSIVE', ['spec'], ambiguous ? others : undefined);
    return null;
  }

  /**
   * The legacy policy for (service, service port) in 1.1–1.5: service-target entries, then namespace entries,
   * then MeshPolicy `default`; within a list the first entry whose port matches (or has no ports) wins.
   */
  legacyPolicyFor(
    service: Service,
    port: ServicePort | undefined,
  ): { policy: LegacyPolicy; level: PolicyLevel; ambiguous: LegacyPolicy[] } | undefined {
    const fqdn = serviceFqdn(service.name, service.namespace);
    const inNs = this.legacyByNamespace.get(service.namespace) ?? [];
    const targeted = inNs.filter((p) =>
      p.targets.some(
        (t) =>
          resolveIstioHost(t.name, p.namespace ?? service.namespace) === fqdn &&
          (t.ports.length === 0 ||
            (port !== undefined &&
              t.ports.some(
                (tp) => tp.number === port.port || (tp.name !== undefined && tp.name === port.name),
              ))),
      ),
    );
    if (targeted.length) {
      const { chosen, ambiguous, others } = oldestFirst(targeted);
      const portSpecific = chosen.targets.some((t) => t.ports.length > 0);
      return {
        policy: chosen,
        level: portSpecific ? 'legacy-port' : 'legacy-service',
        ambiguous: ambiguous ? others : [],
      };
    }
    return this.legacyNamespaceOrMesh(service.namespace);
  }

  /** Server mode of a sidecar workload on a target port reached through (service, port). */
  sidecarServerMode(
    workload: Pick<Workload, 'namespace' | 'labels'> | undefined,
    namespace: string,
    targetPort: number | undefined,
    via?: { service: Service; port: ServicePort },
  ): ServerModeResult {
    const v = this.release;
    const labels = workload?.labels;
    const useAlpha =
      v.has('legacy-authentication-policy') &&
      (!v.has('peer-authentication') || !this.anyPeerAuthenticationApplies(namespace, labels ?? {}));
    if (useAlpha) {
      // 1.5 consults alpha only when no PeerAuthentication applies (shouldUseAlphaMtlsPolicy); ≤ 1.4 only alpha.
      const found = via ? this.legacyPolicyFor(via.service, via.port) : this.legacyNamespaceOrMesh(namespace);
      if (found) {
        const p = found.policy;
        const result: ServerModeResult = {
          mode: p.mode,
          level: found.level,
          cause: legacyCause(p),
          explanation:
            p.mode === 'DISABLE'
              ? `${describeResource(p.resource)} has no mtls peer, so the sidecar accepts plaintext only`
              : `${describeResource(p.resource)} sets ${p.mode}`,
        };
        if (found.ambiguous.length) result.ambiguousWith = found.ambiguous.map((x) => x.resource);
        return result;
      }
      if (v.has('no-policy-plaintext-only')) {
        // ≤ 1.4: no policy means no TLS filter chain at all: plaintext only (istio@1.4.0 InboundFilterChain nil).
        return {
          mode: 'DISABLE',
          level: 'default',
          explanation: `no authentication Policy applies, and Istio ${v.text} then accepts plaintext only`,
        };
      }
      return {
        mode: 'PERMISSIVE',
        level: 'default',
        explanation: 'no PeerAuthentication or Policy applies, so Istio uses PERMISSIVE',
      };
    }
    return this.composePeerAuthentication(namespace, labels, targetPort);
  }

  private legacyNamespaceOrMesh(
    namespace: string,
  ): { policy: LegacyPolicy; level: PolicyLevel; ambiguous: LegacyPolicy[] } | undefined {
    const nsWide = (this.legacyByNamespace.get(namespace) ?? []).filter(
      (p) => p.resource.kind === 'Policy' && p.targets.length === 0 && !hasTargetsKey(p),
    );
    if (nsWide.length) {
      const { chosen, ambiguous, others } = oldestFirst(nsWide);
      return { policy: chosen, level: 'legacy-namespace', ambiguous: ambiguous ? others : [] };
    }
    if (this.meshPolicies.length) {
      const { chosen, ambiguous, others } = oldestFirst(this.meshPolicies);
      return { policy: chosen, level: 'legacy-mesh', ambiguous: ambiguous ? others : [] };
    }
    return undefined;
  }
}

/** A policy whose targets are all unnamed is not namespace-wide; it matches nothing. */
function hasTargetsKey(p: LegacyPolicy): boolean {
  return arr(get(p.resource.value, 'spec', 'targets')).length > 0;
}

function paResult(
  pa: PeerAuthn,
  level: PolicyLevel,
  mode: MtlsMode,
  path: FieldPath,
  ambiguous: PeerAuthn[] | undefined,
): ServerModeResult {
  const m = mode as ServerMode;
  const where = level === 'port' ? `port ${path[2]}` : `${level}-level`;
  const result: ServerModeResult = {
    mode: m,
    level,
    cause: {
      resource: pa.resource,
      path,
      description: `PeerAuthentication ${pa.namespace}/${pa.resource.name} (${where}) mode ${mode}`,
    },
    explanation: `PeerAuthentication ${pa.namespace}/${pa.resource.name} sets ${mode}${level === 'port' ? ` on port ${path[2]}` : ''}`,
  };
  if (ambiguous?.length) result.ambiguousWith = ambiguous.map((a) => a.resource);
  return result;
}

function legacyCause(p: LegacyPolicy): Cause {
  return {
    resource: p.resource,
    path: p.modePath,
    description: `${describeResource(p.resource)} ${p.mode === 'DISABLE' ? '(no mtls peer: plaintext only)' : `mode ${p.mode}`}`,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
