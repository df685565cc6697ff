// Turning edges into findings: one finding per root cause, victims listed, long lists capped.
import type { Cause } from '../mesh/model.js';
import type { ReportDescriptor } from '../rule.js';
import { relatedAt } from '../rule.js';
import type { EdgeRef, RelatedLocation, Severity } from '../types.js';
import type { Edge, EdgeConnection } from './graph.js';

/** Names listed in a message before "and N more". */
export const MESSAGE_LIST_CAP = 5;
/** Edges and related locations kept in one finding's JSON/SARIF. */
export const EDGE_LIST_CAP = 100;

export interface Hit {
  edge: Edge;
  connection: EdgeConnection;
}

export interface CauseGroup {
  cause: Cause | undefined;
  hits: Hit[];
}

/** Group (edge, connection) pairs by the setting that causes them, in first-seen order. */
export function groupByCause(hits: Hit[], causeOf: (hit: Hit) => Cause | undefined): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const hit of hits) {
    const cause = causeOf(hit);
    const key = cause ? `${cause.resource.id}|${cause.resource.file}|${cause.path.join('.')}` : `no-cause|${hit.edge.server.namespace}/${hit.edge.server.service}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { cause, hits: [] }));
    g.hits.push(hit);
  }
  return [...groups.values()];
}

/** Collect (edge, connection) pairs matching a predicate. */
export function findHits(edges: readonly Edge[], predicate: (edge: Edge, c: EdgeConnection) => boolean): Hit[] {
  const out: Hit[] = [];
  for (const edge of edges) for (const connection of edge.connections) if (predicate(edge, connection)) out.push({ edge, connection });
  return out;
}

/** "legacy/sleep", "3 workloads without a sidecar (legacy/sleep, …)", "any new sidecar workload in foo". */
export function clientLabel(edge: Edge): string {
  const c = edge.client;
  if (c.standIn) return c.standIn;
  if (c.members?.length) {
    if (c.members.length === 1) return `${c.members[0]!.namespace}/${c.members[0]!.name}`;
    const oneNamespace = c.members.every((m) => m.namespace === c.members![0]!.namespace);
    const what = c.sidecar === 'none' ? ' without a sidecar' : oneNamespace ? ` in ${c.members[0]!.namespace}` : ` with a ${c.sidecar === 'ambient' ? 'ztunnel' : 'sidecar'}`;
    return `${c.members.length} workloads${what} (${c.members
      .slice(0, 3)
      .map((m) => `${m.namespace}/${m.name}`)
      .join(', ')}${c.members.length > 3 ? ', …' : ''})`;
  }
  return `${c.namespace}/${c.name}`;
}

export function serverLabel(edge: Edge, hit?: EdgeConnection): string {
  const s = edge.server;
  if (s.standIn) return s.standIn;
  const target = hit?.targetPort !== undefined && hit.targetPort !== s.port ? ` (target port ${hit.targetPort})` : '';
  return `${s.service}.${s.namespace}:${s.port}${target}`;
}

export function failureText(c: EdgeConnection): string {
  switch (c.result.failure) {
    case 'reset':
      return 'connection reset, curl 000';
    case '503':
      return 'HTTP 503';
    case 'tls-error':
      return 'TLS handshake fails';
    default:
      return c.result.outcome;
  }
}

/** Known callers first, then possible ones, then stand-ins: the list a person reads should start with facts. */
function byCertainty(hits: Hit[]): Hit[] {
  const rank = (h: Hit) => (h.edge.client.standIn ? 3 : h.edge.caller === 'declared' ? 0 : h.edge.caller === 'inferred' ? 1 : 2);
  return [...hits].sort((a, b) => rank(a) - rank(b));
}

/** Unique "client → server:port (what they see)" phrases, capped. */
export function victimList(hits: Hit[], withFailure = true): string {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const { edge, connection } of byCertainty(hits)) {
    const phrase = `${clientLabel(edge)} → ${serverLabel(edge)}${withFailure && connection.result.failure ? ` (${failureText(connection)})` : ''}`;
    if (seen.has(phrase)) continue;
    seen.add(phrase);
    phrases.push(phrase);
  }
  const shown = phrases.slice(0, MESSAGE_LIST_CAP).join('; ');
  return phrases.length > MESSAGE_LIST_CAP ? `${shown}; and ${phrases.length - MESSAGE_LIST_CAP} more` : shown;
}

export function countEdges(hits: Hit[]): number {
  const seen = new Set<string>();
  for (const { edge } of hits) seen.add(`${clientLabel(edge)}|${serverLabel(edge)}`);
  return seen.size;
}

/** JSON edge refs: concrete clients (group members expanded), capped. */
export function edgeRefs(hits: Hit[]): EdgeRef[] {
  const out: EdgeRef[] = [];
  const seen = new Set<string>();
  for (const { edge } of byCertainty(hits)) {
    const clients = edge.client.members?.length
      ? edge.client.members.map((m) => ({ namespace: m.namespace, workload: m.name, kind: m.kind }))
      : [{ namespace: edge.client.namespace, workload: edge.client.name, kind: edge.client.standIn ? 'StandIn' : edge.client.kind }];
    for (const client of clients) {
      const ref: EdgeRef = { client, server: { namespace: edge.server.namespace, service: edge.server.service, port: edge.server.port }, caller: edge.caller };
      const k = JSON.stringify(ref);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(ref);
      if (out.length >= EDGE_LIST_CAP) return out;
    }
  }
  return out;
}

/** Victims' own manifests as related locations: the client workloads and the services they call. */
export function victimLocations(hits: Hit[], describe: (hit: Hit) => string): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const seen = new Set<string>();
  for (const hit of byCertainty(hits)) {
    const clients = hit.edge.client.workload ? [hit.edge.client.workload] : (hit.edge.client.members ?? []);
    for (const w of clients) {
      if (seen.has(w.resource.id)) continue;
      seen.add(w.resource.id);
      out.push(relatedAt(w.resource, ['metadata', 'name'], describe(hit)));
      if (out.length >= EDGE_LIST_CAP) return out;
    }
    const evidence = hit.edge.evidence;
    if (evidence.resource && evidence.path) {
      const k = `${evidence.resource.id}|${evidence.path.join('.')}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(relatedAt(evidence.resource, evidence.path, `${hit.edge.caller} caller: ${evidence.description}`));
      }
    }
  }
  return out;
}

/** Error when a declared or inferred caller (or a stand-in for every such client) is hit; one lower if only possible callers. */
export function severityFor(hits: Hit[], base: Severity): Severity {
  const certain = hits.some((h) => h.edge.caller !== 'possible' || h.edge.client.standIn !== undefined);
  // A verdict rests on an assumption when either end's sidecar state was assumed (namespace not in the inputs).
  const assumed = hits.every((h) => h.edge.client.workload?.sidecar.certain === false || h.connection.serverWorkload?.sidecar.certain === false);
  if (certain && !assumed) return base;
  return base === 'error' ? 'warning' : 'info';
}

/** A descriptor pointing at the cause (or at a fallback resource field). */
/**
 * Where a finding points: its cause, else the first victim with a manifest (the server's Service port, else the
 * client workload). Undefined when every victim is a stand-in and nothing caused it: there is no line to point at.
 */
export function atCause(cause: Cause | undefined, hits: Hit[]): Pick<ReportDescriptor, 'resource' | 'path'> | undefined {
  if (cause) return { resource: cause.resource, path: cause.path };
  for (const hit of byCertainty(hits)) {
    const svc = hit.edge.server.serviceRef;
    if (svc) return { resource: svc.resource, path: hit.edge.server.servicePort ? ['spec', 'ports', hit.edge.server.servicePort.index] : ['metadata', 'name'] };
    const w = hit.edge.client.workload ?? hit.edge.client.members?.[0];
    if (w) return { resource: w.resource, path: ['metadata', 'name'] };
  }
  return undefined;
}

export function causeKey(cause: Cause | undefined): string {
  return cause ? `${cause.resource.id}:${cause.path.join('.')}` : 'none';
}
