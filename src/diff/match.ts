// Matching head findings against base findings by identity, not by line: moving a file, reordering documents or
// adding lines above a finding does not make it new.
import { SEVERITY_RANK, type EdgeRef, type Finding } from '../types.js';

/**
 * Mark each head finding `new: true|false`. A head finding is old when the base had a finding with the same key
 * (rule + resource + field + detail such as the edge) at the same or a higher severity; each base finding matches
 * at most one head finding, so a second copy of a problem is new. Findings without a resource (YAML syntax, input
 * errors) have keys that include a position or a file; they also match the same rule + file + message.
 * A finding that lists victims (edges) is new when it lists one the base finding did not: "STRICT breaks 2 callers"
 * where the base broke one is a new breakage, under the same key.
 */
export function markNew(head: readonly Finding[], base: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding[]>();
  const byText = new Map<string, Finding[]>();
  for (const f of base) {
    push(byKey, f.key, f);
    if (!f.resource) push(byText, textKey(f), f);
  }
  const used = new Set<Finding>();
  // A base finding's edges as keys, built once: it is a candidate for every head finding with its key.
  const edgeKeys = new Map<Finding, Set<string>>();
  const edgesWithin = (head: Finding, base: Finding): boolean => {
    if (!head.edges?.length) return true;
    // Usually the base lists the same edges in the same order: compare in place before building keys.
    const baseEdges = base.edges ?? [];
    if (head.edges.every((e, i) => baseEdges[i] !== undefined && sameEdge(e, baseEdges[i]))) return true;
    let before = edgeKeys.get(base);
    if (!before) edgeKeys.set(base, (before = new Set((base.edges ?? []).map(edgeKey))));
    return head.edges.every((e) => before.has(edgeKey(e)));
  };
  const take = (list: Finding[] | undefined, f: Finding): boolean => {
    const hit = list?.find(
      (b) => !used.has(b) && SEVERITY_RANK[b.severity] >= SEVERITY_RANK[f.severity] && edgesWithin(f, b),
    );
    if (!hit) return false;
    used.add(hit);
    return true;
  };
  // Exact identities first, so that a looser text match cannot take a base finding that an exact one needs.
  const exact = head.map((f) => take(byKey.get(f.key), f));
  return head.map((f, i) => {
    const old = exact[i] || (!f.resource && take(byText.get(textKey(f)), f));
    return { ...f, new: !old };
  });
}

function sameEdge(a: EdgeRef, b: EdgeRef): boolean {
  return (
    a.client.namespace === b.client.namespace &&
    a.client.kind === b.client.kind &&
    a.client.workload === b.client.workload &&
    a.server.namespace === b.server.namespace &&
    a.server.service === b.server.service &&
    a.server.port === b.server.port
  );
}

function edgeKey(e: EdgeRef): string {
  return `${e.client.namespace}/${e.client.kind}/${e.client.workload}>${e.server.namespace}/${e.server.service}:${e.server.port}`;
}

function textKey(f: Finding): string {
  return `${f.rule}\0${f.file}\0${f.message}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
