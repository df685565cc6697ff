// What a change to the inputs can reach in the mesh model and the graph. PR mode analyses the base as the head with
// only that part recomputed (engine.ts AnalyzeHow.reuse): the edges of servers outside the scope, and the workloads,
// services, namespaces and mesh settings, are the head's own objects. What a change to a kind reaches comes from the
// kinds buildMeshModel and buildGraph declare they read; test/change-scope.test.ts checks the result against a full
// analysis.
import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../load/index.js';
import { hasSchemaErrors } from '../schema/validate.js';
import { extractServices } from '../mesh/services.js';
import { arr, get, obj } from '../mesh/util.js';
import { WORKLOAD_KINDS, extractWorkloads } from '../mesh/workloads.js';
import type { ServerScope } from '../graph/server-scope.js';
import { MODEL_INPUTS } from '../mesh/build.js';
import type { KindInput } from '../mesh/model.js';
import { GRAPH_INPUTS } from '../graph/build.js';
import { serviceExposure } from '../graph/ingress.js';

/**
 * How far a change to each kind reaches, from what the model and the graph declare they read (MODEL_INPUTS,
 * GRAPH_INPUTS; they refuse to read other kinds). A kind neither reads changes no edge. Two readers of one kind with
 * different reaches: the change reaches everything.
 */
const REACH: ReadonlyMap<string, KindInput> = (() => {
  const reach = new Map<string, KindInput>();
  for (const input of [...MODEL_INPUTS, ...GRAPH_INPUTS])
    for (const kind of input.kinds) {
      const before = reach.get(kind);
      reach.set(
        kind,
        !before || before.reach === input.reach ? (before ?? input) : { ...input, reach: 'everything' },
      );
    }
  return reach;
})();

export interface ChangeScope extends ServerScope {
  /** The resources that differ, base and head side (for tests and messages). */
  changed: Resource[];
}

/**
 * How far the difference between two sets of inputs reaches, or undefined when it may reach everything (then the
 * base is analysed in full). Resources are compared by identity (unchanged files parse to the same objects) and, in
 * a changed file, by content: a Namespace beside the PeerAuthentication that changed is not itself a change, and
 * neither is a new image or replica count of a Deployment, which the model does not read (modelView).
 */
export function changeScope(base: readonly Resource[], head: readonly Resource[]): ChangeScope | undefined {
  const inHead = new Set(head);
  const inBase = new Set(base);
  const baseOnly = base.filter((r) => !inHead.has(r));
  const headOnly = head.filter((r) => !inBase.has(r));
  // The model keeps input order among equals (the first Namespace of a name, the oldest policy): files both sides
  // have, and the resources both share, must come in the same order.
  const files = (rs: readonly Resource[]) => [...new Set(rs.map((r) => r.file))];
  const baseFiles = files(base);
  const headFiles = files(head);
  const inBoth = (list: string[], other: string[]) => {
    const set = new Set(other);
    return list.filter((f) => set.has(f));
  };
  if (!isDeepStrictEqual(inBoth(baseFiles, headFiles), inBoth(headFiles, baseFiles))) return undefined;
  const shared = head.filter((r) => inBase.has(r));
  let next = 0;
  for (const r of base) if (inHead.has(r) && shared[next++] !== r) return undefined;

  // Pair the rest by content, in file order; pairs must keep their order too.
  const baseById = new Map<string, Resource[]>();
  for (const r of baseOnly) push(baseById, r.id, r);
  const paired = new Set<Resource>();
  const pairedOrder: string[] = [];
  for (const h of headOnly) {
    const candidates = baseById.get(h.id);
    const i = candidates?.findIndex((b) => !paired.has(b) && sameForModel(b, h)) ?? -1;
    if (i < 0) continue;
    paired.add(candidates![i]!).add(h);
    pairedOrder.push(h.id);
  }
  const baseOrder = baseOnly.filter((r) => paired.has(r)).map((r) => r.id);
  if (!isDeepStrictEqual(baseOrder, pairedOrder)) return undefined;
  const changed = [...baseOnly, ...headOnly].filter((r) => !paired.has(r));

  const namespaces = new Set<string>();
  const hosts: string[] = [];
  for (const r of changed) {
    const input = REACH.get(r.kind);
    if (!input) continue;
    if (input.reach === 'everything') return undefined;
    if (input.reach === 'hosts') {
      const reached = input.hostsOf?.(r);
      if (!reached) return undefined;
      hosts.push(...reached);
      continue;
    }
    if (r.namespace === undefined) return undefined;
    namespaces.add(r.namespace);
  }
  // Every namespace a resource names is one the model knows (and may inject, or stand in for): a namespace that
  // only changed resources name must be named on both sides.
  const named = (rs: Resource[]) =>
    new Set(rs.flatMap((r) => (r.namespace === undefined ? [] : [r.namespace])));
  const baseNamed = named(changed.filter((r) => inBase.has(r)));
  const headNamed = named(changed.filter((r) => inHead.has(r)));
  const oneSided = [...baseNamed]
    .filter((ns) => !headNamed.has(ns))
    .concat([...headNamed].filter((ns) => !baseNamed.has(ns)));
  if (oneSided.length) {
    const unchanged = new Set<string>();
    const changedSet = new Set(changed);
    for (const r of head) if (r.namespace !== undefined && !changedSet.has(r)) unchanged.add(r.namespace);
    if (oneSided.some((ns) => !unchanged.has(ns))) return undefined;
  }
  return { namespaces, hosts, changed };
}

/**
 * A change in the root namespace reaches every server: its PeerAuthentications and Policies are mesh-wide, its
 * AuthorizationPolicies select workloads in every namespace. The root namespace is a mesh setting, known only once
 * the model is built (a change to the mesh config is a global one anyway).
 */
export function reachesAllServers(scope: ServerScope, rootNamespace: string): boolean {
  return scope.namespaces.has(rootNamespace);
}

/**
 * The same document for the model, wherever it is: the same place and type, and the same value, or, for a workload
 * or a Service, the same of what the model and the graph read (modelView) and the same validity (a resource with
 * schema errors is left out of the model). Rules that read resources themselves read the base's own.
 */
function sameForModel(a: Resource, b: Resource): boolean {
  if (
    a.kind !== b.kind ||
    a.apiVersion !== b.apiVersion ||
    a.namespace !== b.namespace ||
    a.namespaceExplicit !== b.namespaceExplicit ||
    a.file !== b.file ||
    a.source !== b.source
  )
    return false;
  if (isDeepStrictEqual(a.value, b.value)) return true;
  const view = modelView(a);
  return (
    view !== undefined && isDeepStrictEqual(view, modelView(b)) && hasSchemaErrors(a) === hasSchemaErrors(b)
  );
}

/**
 * Everything the model and the graph read of a workload (mesh/workloads.ts extractWorkloads; graph/callers.ts: the
 * calls annotation, containers' env, command, args and envFrom, volumes; graph/probes.ts: probes) or of a Service (extractServices).
 * Undefined for other kinds, which are compared whole.
 */
function modelView(r: Resource): unknown {
  if (WORKLOAD_KINDS.has(r.kind)) {
    const workload = extractWorkloads([r]).map(({ resource: _, ...fields }) => fields);
    const spec = obj(get(r.value, ...(workload[0]?.podPath ?? []), 'spec'));
    const calls = (list: unknown) =>
      arr(list).map((c) => {
        const co = obj(c);
        // graph/probes.ts reads the container's name and probes.
        return co
          ? [
              co.env,
              co.command,
              co.args,
              co.envFrom,
              co.name,
              co.livenessProbe,
              co.readinessProbe,
              co.startupProbe,
            ]
          : c;
      });
    return {
      workload,
      annotations: get(r.value, 'metadata', 'annotations'),
      containers: calls(spec?.containers),
      initContainers: calls(spec?.initContainers),
      volumes: spec?.volumes,
    };
  }
  if (r.kind === 'Service')
    // graph/scrapers.ts: ServiceMonitors select Services by their labels.
    return [
      extractServices([r], []).map(({ resource: _, workloads: __, ...fields }) => fields),
      serviceExposure(r),
      get(r.value, 'metadata', 'labels'),
    ];
  return undefined;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
