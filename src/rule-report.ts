// The rule framework's reporting helpers: turning edges into findings, one finding per root cause, victims listed,
// long lists capped.
import { describeAmounts } from './graph/observed.js';
import type { Resource } from './load/index.js';
import type { Cause, Workload } from './mesh/model.js';
import type { ReportDescriptor, RuleContext } from './rule.js';
import { relatedAt } from './rule.js';
import { isEntryEndpoint } from './mesh/service-entries.js';
import type { EdgeRef, FieldPath, RelatedLocation, Severity } from './types.js';
import type { CallerEvidence, ClientNode, Edge, EdgeConnection, Graph } from './graph/graph.js';

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
    const key = cause
      ? `${cause.resource.id}|${cause.resource.file}|${cause.path.join('.')}`
      : `no-cause|${hit.edge.server.namespace}/${hit.edge.server.service}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { cause, hits: [] }));
    g.hits.push(hit);
  }
  return [...groups.values()];
}

/** Which connections a rule looks at: broken ones, plaintext ones, or those where the client sends non-Istio TLS. */
export type HitSubset = 'broken' | 'plaintext' | 'sends-tls';

const hitSubsets = new WeakMap<Graph, Record<HitSubset, Hit[]>>();

/**
 * findHits over one subset of a graph's connections (the predicate still sees every field). The subsets are made
 * in one pass per graph, in edge order: most rules look at the few broken or plaintext connections, and a pass over
 * every edge per rule cost more than the rules themselves.
 */
export function findHitsAmong(
  graph: Graph,
  subset: HitSubset,
  predicate: (edge: Edge, c: EdgeConnection) => boolean,
): Hit[] {
  let subsets = hitSubsets.get(graph);
  if (!subsets) {
    subsets = { broken: [], plaintext: [], 'sends-tls': [] };
    for (const edge of graph.edges) {
      // The kubelet's probes have their own rule (probe-fails-under-strict), located at the probe.
      if (edge.client.kind === 'Kubelet') continue;
      for (const connection of edge.connections) {
        const { outcome, clientTls } = connection.result;
        if (outcome !== 'broken' && outcome !== 'plaintext' && clientTls !== 'tls') continue;
        const hit = { edge, connection };
        if (outcome === 'broken') subsets.broken.push(hit);
        else if (outcome === 'plaintext') subsets.plaintext.push(hit);
        if (clientTls === 'tls') subsets['sends-tls'].push(hit);
      }
    }
    hitSubsets.set(graph, subsets);
  }
  return subsets[subset].filter((h) => predicate(h.edge, h.connection));
}

/** "legacy/sleep", "3 workloads without a sidecar (legacy/sleep, …)", "any new sidecar workload in foo". */
export function clientLabel(edge: Edge): string {
  const c = edge.client;
  if (c.standIn) return c.standIn;
  if (c.members?.length) return membersLabel(c.members, c.sidecar);
  return `${c.namespace}/${c.name}`;
}

/** Labels of shared members arrays: one group is listed at every server port it may call, so compute it once. */
const membersLabels = new WeakMap<readonly Workload[], { sidecar: ClientNode['sidecar']; label: string }>();

function membersLabel(members: readonly Workload[], sidecar: ClientNode['sidecar']): string {
  const cached = membersLabels.get(members);
  if (cached?.sidecar === sidecar) return cached.label;
  let label: string;
  if (members.length === 1) label = `${members[0]!.namespace}/${members[0]!.name}`;
  else {
    const oneNamespace = members.every((m) => m.namespace === members[0]!.namespace);
    const what =
      sidecar === 'none'
        ? ' without a sidecar'
        : oneNamespace
          ? ` in ${members[0]!.namespace}`
          : ` with a ${sidecar === 'ambient' ? 'ztunnel' : 'sidecar'}`;
    label = `${members.length} workloads${what} (${members
      .slice(0, 3)
      .map((m) => `${m.namespace}/${m.name}`)
      .join(', ')}${members.length > 3 ? ', …' : ''})`;
  }
  membersLabels.set(members, { sidecar, label });
  return label;
}

function serverLabel(edge: Edge, hit?: EdgeConnection): string {
  const s = edge.server;
  if (s.standIn) return s.standIn;
  if (hit?.targetPort !== undefined && hit.targetPort !== s.port)
    return `${s.service}.${s.namespace}:${s.port} (target port ${hit.targetPort})`;
  // A server node is shared by every edge to its port, and victim lists and counts ask for it per hit.
  let label = serverLabels.get(s);
  if (label === undefined) serverLabels.set(s, (label = `${s.service}.${s.namespace}:${s.port}`));
  return label;
}

const serverLabels = new WeakMap<Edge['server'], string>();

function failureText(c: EdgeConnection, client: ClientNode): string {
  // Behind a reverse proxy the user sees the proxy's answer to the failed upstream connection, not the reset.
  if (client.reverseProxy && (c.result.failure === 'reset' || c.result.failure === 'tls-error'))
    return `HTTP 502 Bad Gateway from ${client.reverseProxy}: its upstream connection is reset`;
  switch (c.result.failure) {
    case 'reset':
      return 'connection reset, curl 000';
    case '503':
      return 'HTTP 503';
    case 'tls-error':
      return 'TLS handshake fails';
    case '502':
      return 'HTTP 502 from the client sidecar';
    default:
      return c.result.outcome;
  }
}

/** Known callers first, then possible ones, then stand-ins: the list a person reads should start with facts. */
function byCertainty(hits: Hit[]): Hit[] {
  // A stable sort on five ranks: bucket, then concatenate (linear; findings can hold tens of thousands of hits).
  // A stand-in inferred from a resource (an Ingress's controller) is a fact too: after the known workloads.
  const buckets: Hit[][] = [[], [], [], [], []];
  for (const h of hits)
    buckets[
      h.edge.client.standIn && h.edge.client.kind === 'Workload'
        ? 4
        : h.edge.caller === 'declared' || (h.edge.caller === 'observed' && !h.edge.client.standIn)
          ? 0
          : h.edge.caller === 'inferred' || h.edge.caller === 'observed'
            ? h.edge.client.standIn
              ? 2
              : 1
            : 3
    ]!.push(h);
  return buckets.flat();
}

/** Unique "client → server:port (what they see)" phrases, capped. */
export function victimList(hits: Hit[], withFailure = true): string {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const { edge, connection } of byCertainty(hits)) {
    const observed = edge.client.standIn ? undefined : edge.evidence.observed;
    const phrase = `${clientLabel(edge)}${observed ? ` (observed: ${describeAmounts(observed)})` : ''} → ${serverLabel(edge)}${withFailure && connection.result.failure ? ` (${failureText(connection, edge.client)})` : ''}`;
    if (seen.has(phrase)) continue;
    seen.add(phrase);
    phrases.push(phrase);
  }
  const shown = phrases.slice(0, MESSAGE_LIST_CAP).join('; ');
  return phrases.length > MESSAGE_LIST_CAP
    ? `${shown}; and ${phrases.length - MESSAGE_LIST_CAP} more`
    : shown;
}

export function countEdges(hits: Hit[]): number {
  const seen = new Set<string>();
  const counted = new Set<Edge>();
  for (const { edge } of hits) {
    // An edge is hit once per failing connection (backing workload); its label pair is the same each time.
    if (counted.has(edge)) continue;
    counted.add(edge);
    seen.add(`${clientLabel(edge)}|${serverLabel(edge)}`);
  }
  return seen.size;
}

function edgeRefsCounted(hits: Hit[]): { edges: EdgeRef[]; omitted: number } {
  const out: EdgeRef[] = [];
  let omitted = 0;
  // Client keys seen per server port: a client is listed once per port, with the most certain caller kind (hits are
  // in order of certainty). Members arrays met at the port, which are counted once.
  const seen = new Map<string, { clients: Set<string>; arrays: Set<readonly Workload[]> }>();
  // Every ref of an edge seen before is a duplicate (an edge is hit once per failing connection).
  const expanded = new Set<Edge>();
  for (const { edge } of byCertainty(hits)) {
    if (expanded.has(edge)) continue;
    expanded.add(edge);
    const s = edge.server;
    const serverKey = lengthPrefixed(s.namespace, s.service, String(s.port));
    let at = seen.get(serverKey);
    if (!at) seen.set(serverKey, (at = { clients: new Set(), arrays: new Set() }));
    const clients = at.clients;
    // Refs are read-only output: the refs of one edge share its server object, and a workload's client object is
    // shared by every ref to it (a large mesh has hundreds of thousands of refs).
    let server: EdgeRef['server'] | undefined;
    const add = (key: string, client: EdgeRef['client']): void => {
      if (clients.has(key)) return;
      clients.add(key);
      if (out.length >= EDGE_LIST_CAP) {
        omitted++;
        return;
      }
      server ??= { namespace: s.namespace, service: s.service, port: s.port };
      out.push({ client, server, caller: edge.caller });
    };
    const members = edge.client.members;
    if (members?.length) {
      if (at.arrays.has(members)) continue;
      at.arrays.add(members);
      let i = 0;
      for (; i < members.length && out.length < EDGE_LIST_CAP; i++) {
        const ref = workloadRef(members[i]!);
        add(ref.key, ref.client);
      }
      if (i < members.length) omitted += members.length - i - alreadyListed(members, i, clients);
    } else {
      const c = edge.client;
      // Stand-ins for workloads are "StandIn"; callers inferred from a resource say what they are (IngressController…).
      const kind = c.standIn && c.kind === 'Workload' ? 'StandIn' : c.kind;
      add(lengthPrefixed(c.namespace, c.name, kind), { namespace: c.namespace, workload: c.name, kind });
    }
  }
  return { edges: out, omitted };
}

/** Position of each member's key, per members array (arrays are shared by every port a group may call). */
const memberPositions = new WeakMap<readonly Workload[], Map<string, number>>();

/** How many of `members[from..]` are among `clients` (the port's known callers, few): walks `clients`, not `members`. */
function alreadyListed(members: readonly Workload[], from: number, clients: Set<string>): number {
  let positions = memberPositions.get(members);
  if (!positions) {
    positions = new Map();
    for (let i = 0; i < members.length; i++) positions.set(workloadRef(members[i]!).key, i);
    memberPositions.set(members, positions);
  }
  let n = 0;
  for (const key of clients) if ((positions.get(key) ?? -1) >= from) n++;
  return n;
}

/** Length-prefixed fields: as unambiguous as JSON.stringify of them, and cheap. */
function lengthPrefixed(...fields: string[]): string {
  let key = '';
  for (const f of fields) key += `${f.length}:${f}`;
  return key;
}

/** The same workloads are members of many edges in many findings: their keys and client objects are made once. */
const workloadRefs = new WeakMap<Workload, { key: string; client: EdgeRef['client'] }>();

function workloadRef(w: Workload): { key: string; client: EdgeRef['client'] } {
  let ref = workloadRefs.get(w);
  if (!ref)
    workloadRefs.set(
      w,
      (ref = {
        key: lengthPrefixed(w.namespace, w.name, w.kind),
        client: { namespace: w.namespace, workload: w.name, kind: w.kind },
      }),
    );
  return ref;
}

/** victimLocations, capped at EDGE_LIST_CAP, and how many more distinct places there are. */
function victimLocationsCounted(
  context: Pick<RuleContext, 'relatedLocations'>,
  hits: Hit[],
  describe: (hit: Hit) => string,
): { related: RelatedLocation[]; omitted: number } {
  if (!context.relatedLocations) return { related: [], omitted: 0 };
  const out: RelatedLocation[] = [];
  let omitted = 0;
  // Clients by their resource (object identity: past the cap this is met once per member of every group, and hashing
  // an object is cheaper than hashing its id), evidence by its place.
  const seen = new Set<Resource>();
  const seenPlaces = new Set<string>();
  // An edge hit again adds nothing (its clients and evidence are already seen), nor does a members array already
  // walked to its end; skipping them keeps this linear in hits rather than hits × group size.
  const visited = new Set<Edge>();
  const walked = new Set<readonly Workload[]>();
  for (const hit of byCertainty(hits)) {
    if (visited.has(hit.edge)) continue;
    visited.add(hit.edge);
    const members = hit.edge.client.workload ? undefined : hit.edge.client.members;
    const clients = hit.edge.client.workload
      ? [hit.edge.client.workload]
      : members && !walked.has(members)
        ? members
        : [];
    // One message per hit, made when its first client is listed (every client of the hit gets the same one).
    let message: string | undefined;
    for (const w of clients) {
      if (seen.has(w.resource)) continue;
      seen.add(w.resource);
      // Past the cap, places are only counted (no message, no position).
      if (out.length >= EDGE_LIST_CAP) omitted++;
      else out.push(nameLocation(w.resource, (message ??= describe(hit))));
    }
    if (members) walked.add(members);
    const evidence = hit.edge.evidence;
    if (evidence.resource && evidence.path) {
      const place = evidencePlace(evidence, evidence.resource, evidence.path);
      if (!seenPlaces.has(place.key)) {
        seenPlaces.add(place.key);
        if (out.length >= EDGE_LIST_CAP) omitted++;
        else
          out.push({
            file: evidence.resource.file,
            line: place.line,
            column: place.column,
            message: `${hit.edge.caller} caller: ${evidence.description}`,
          });
      }
    }
    // A ServiceEntry's endpoint (WorkloadEntry, inline endpoint, the host): the line that decides its sidecar state.
    const endpoint = hit.connection.serverWorkload;
    const decided = endpoint && isEntryEndpoint(endpoint) ? endpoint.sidecar.cause : undefined;
    if (decided) {
      const key = `${decided.resource.id}|${decided.path.join('.')}`;
      if (!seenPlaces.has(key)) {
        seenPlaces.add(key);
        if (out.length >= EDGE_LIST_CAP) omitted++;
        else out.push(relatedAt(decided.resource, decided.path, `endpoint: ${decided.description}`));
      }
    }
  }
  return { related: out, omitted };
}

/**
 * A finding's victims as edges and related locations, each capped, with the count of what was left out
 * (the JSON `edgesOmitted` / `relatedOmitted`).
 */
export function victims(
  context: Pick<RuleContext, 'relatedLocations'>,
  hits: Hit[],
  describe: (hit: Hit) => string,
): Pick<ReportDescriptor, 'edges' | 'edgesOmitted' | 'related' | 'relatedOmitted'> {
  const e = edgeRefsCounted(hits);
  const r = victimLocationsCounted(context, hits, describe);
  const out: Pick<ReportDescriptor, 'edges' | 'edgesOmitted' | 'related' | 'relatedOmitted'> = {
    edges: e.edges,
    related: r.related,
  };
  if (e.omitted) out.edgesOmitted = e.omitted;
  if (r.omitted) out.relatedOmitted = r.omitted;
  return out;
}

/** Each evidence's de-duplication key and position: one evidence object is listed by many findings. */
const evidencePlaces = new WeakMap<CallerEvidence, { key: string; line: number; column: number }>();

function evidencePlace(
  evidence: CallerEvidence,
  resource: Resource,
  path: FieldPath,
): { key: string; line: number; column: number } {
  let place = evidencePlaces.get(evidence);
  if (!place) {
    const { line, column } = relatedAt(resource, path, '');
    evidencePlaces.set(evidence, (place = { key: `${resource.id}|${path.join('.')}`, line, column }));
  }
  return place;
}

/** Where each workload's metadata.name is: the same few thousand workloads are victims of many findings. */
const nameSpans = new WeakMap<Resource, { line: number; column: number }>();

export function nameLocation(resource: Resource, message: string): RelatedLocation {
  let span = nameSpans.get(resource);
  if (!span) {
    const { line, column } = relatedAt(resource, ['metadata', 'name'], message);
    nameSpans.set(resource, (span = { line, column }));
  }
  return { file: resource.file, line: span.line, column: span.column, message };
}

/**
 * Error when a declared or inferred caller (or a stand-in for every such client) is hit; one lower if only possible
 * callers are, one lower if every verdict rests on an assumed sidecar state — two guesses stacked are two lower.
 */
export function severityFor(hits: Hit[], base: Severity): Severity {
  const certain = hits.some((h) => h.edge.caller !== 'possible' || h.edge.client.standIn !== undefined);
  // A verdict rests on an assumption when either end's sidecar state was assumed (namespace not in the inputs).
  const assumed = hits.every(
    (h) =>
      h.edge.client.workload?.sidecar.certain === false ||
      h.edge.client.sidecarAssumed === true ||
      h.edge.client.members?.every((m) => !m.sidecar.certain) === true ||
      h.connection.serverWorkload?.sidecar.certain === false,
  );
  let severity = base;
  if (!certain) severity = lower(severity);
  if (assumed) severity = lower(severity);
  return severity;
}

function lower(severity: Severity): Severity {
  return severity === 'error' ? 'warning' : 'info';
}

/** A descriptor pointing at the cause (or at a fallback resource field). */
/**
 * Where a finding points: its cause, else the first victim with a manifest (the server's Service port, else the
 * client workload). Undefined when every victim is a stand-in and nothing caused it: there is no line to point at.
 */
export function atCause(
  cause: Cause | undefined,
  hits: Hit[],
): Pick<ReportDescriptor, 'resource' | 'path'> | undefined {
  if (cause) return { resource: cause.resource, path: cause.path };
  for (const hit of byCertainty(hits)) {
    const svc = hit.edge.server.serviceRef;
    if (svc)
      return {
        resource: svc.resource,
        path: hit.edge.server.servicePort
          ? ['spec', 'ports', hit.edge.server.servicePort.index]
          : ['metadata', 'name'],
      };
    const w = hit.edge.client.workload ?? hit.edge.client.members?.[0];
    if (w) return { resource: w.resource, path: ['metadata', 'name'] };
  }
  return undefined;
}

export function causeKey(cause: Cause | undefined): string {
  return cause ? `${cause.resource.id}:${cause.path.join('.')}` : 'none';
}

/** Per graph: the observed calls into each service ("ns/name"), summed over callers. */
const observedInto = new WeakMap<
  Graph,
  Map<string, { mtls: number; plaintext: number; unknown: number; callers: number }>
>();

/**
 * What observed traffic says about the services of hits that rest on possible callers only: a sentence for the
 * message, or "" when the run has no traffic or a known caller is among the hits.
 */
export function observedTrafficNote(graph: Graph, hits: Hit[]): string {
  if (!graph.observedWindow || hits.some((h) => h.edge.caller !== 'possible')) return '';
  let into = observedInto.get(graph);
  if (!into) {
    into = new Map();
    // An observed call is one edge per service port: its amounts count once per client and service.
    const counted = new Set<string>();
    for (const e of graph.edges) {
      const o = e.evidence.observed;
      if (e.caller !== 'observed' || !o) continue;
      const key = `${e.server.namespace}/${e.server.service}`;
      const call = `${e.client.namespace}\0${e.client.name}\0${e.client.standIn ?? ''}\0${key}`;
      if (counted.has(call)) continue;
      counted.add(call);
      const sum = into.get(key) ?? { mtls: 0, plaintext: 0, unknown: 0, callers: 0 };
      sum.mtls += o.mtls;
      sum.plaintext += o.plaintext;
      sum.unknown += o.unknown;
      sum.callers++;
      into.set(key, sum);
    }
    observedInto.set(graph, into);
  }
  const services = [
    ...new Set(
      hits
        .filter((h) => !h.edge.server.standIn)
        .map((h) => `${h.edge.server.namespace}/${h.edge.server.service}`),
    ),
  ];
  if (!services.length) return '';
  const parts = services.slice(0, MESSAGE_LIST_CAP).map((key) => {
    const [ns, name] = key.split('/') as [string, string];
    const sum = into.get(key);
    if (!sum || !sum.callers) return `no call to ${name}.${ns} was observed`;
    if (sum.plaintext === 0 && sum.unknown === 0)
      return `${name}.${ns} had only mTLS callers (${sum.callers} workload${sum.callers === 1 ? '' : 's'}), none of these`;
    return `${name}.${ns} had ${sum.callers} observed caller${sum.callers === 1 ? '' : 's'}, none of these`;
  });
  return ` Observed traffic over ${graph.observedWindow}: ${parts.join('; ')}.`;
}
