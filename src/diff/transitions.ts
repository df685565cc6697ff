// Transitions: connections whose outcome gets worse between base and head (mTLS → plaintext or broken,
// plaintext → broken), with the setting that changed and the step of the safe migration order it skips
// (PERMISSIVE → clients send mTLS → STRICT; Istio task "Mutual TLS Migration").
import type { LintResult } from '../engine.js';
import { checkWith } from '../engine.js';
import type { Edge, EdgeConnection, Graph } from '../graph/graph.js';
import { EDGE_LIST_CAP, MESSAGE_LIST_CAP } from '../rule-report.js';
import type { Cause, Workload } from '../mesh/model.js';
import type { ResolvedOptions } from '../options.js';
import { relatedAt, type ReportDescriptor } from '../rule.js';
import type { EdgeRef, Finding, RelatedLocation, Severity } from '../types.js';
import { findRule } from '../../rules/index.js';

/** The rule that reports the transitions no other finding covers (rules/connection-downgrade.ts). */
const TRANSITION_RULE = 'connection-downgrade';
const transitionRule = findRule(TRANSITION_RULE)!;

type Outcome = Edge['outcome'];
const RANK: Record<Outcome, number> = { mtls: 0, tls: 1, plaintext: 2, broken: 3 };
const STRICT = new Set(['STRICT', 'AMBIENT_STRICT']);
const ACCEPTS_MTLS = new Set(['STRICT', 'PERMISSIVE', 'AMBIENT_STRICT', 'AMBIENT_PERMISSIVE']);

/** One concrete client → one concrete service port, in one graph. */
interface PairState {
  key: string;
  edge: Edge;
  connection: EdgeConnection;
  client: { namespace: string; name: string; kind: string; workload?: Workload };
  ref: EdgeRef;
}

/** What a finding lists of a transition: the head side and the two states. */
interface Listed {
  head: PairState;
  from: string;
  to: string;
}

interface Transition extends Listed {
  base: PairState;
  /** "legacy/sleep → httpbin.foo:8000: plaintext (200) → reset, caused by … PERMISSIVE → STRICT. <skipped step>" */
  text: string;
  /** The same without the advice, for appending to a finding that already gives it. */
  short: string;
  cause?: Cause;
  /** Transitions with the same cause (or the same removed setting) become one finding. */
  group: string;
  severity: Severity;
}

// How the comparison stays linear: possible callers are grouped edges whose `members` arrays are shared between
// server ports, so a change like PERMISSIVE → STRICT in one namespace makes (clients × ports) pairs worse. Pairs are
// never expanded one by one. At each server port, a head group edge is compared with each base group edge at the
// same port as a whole: if the head outcome is worse, the members the two groups share make one Run (their
// intersection, computed once per pair of member arrays). Clients that also have an edge of their own at that port
// (known callers, which large shared groups still list) are compared one by one, as Points. A finding then lists
// the first few transitions in the order a full expansion would have met them (head edge, then member) and counts
// the rest, so the output is the same as comparing every pair.

/** A client of an edge with one client: a known caller, or a declared caller the inputs do not contain. */
interface SingleEdge {
  edge: Edge;
  /** Index in graph.edges: the order in which pairs are met. */
  order: number;
  client: PairState['client'];
  clientKey: string;
}

interface GroupEdge {
  edge: Edge;
  order: number;
  members: readonly Workload[];
}

/** The edges of one graph at one server port. Group edges at one port have disjoint members. */
interface PortEdges {
  singles: SingleEdge[];
  groups: GroupEdge[];
  singlesByClient: Map<string, SingleEdge[]>;
}

/** One transition, compared on its own. */
interface Point {
  order: number;
  /** Index in the head group edge's members (0 for a single). */
  member: number;
  t: Transition;
  /** The head finding that already reports this connection. */
  covering?: Finding;
}

/** Members of one head group edge that were in one base group edge at the same port, all made worse the same way. */
interface Run {
  order: number;
  port: string;
  head: GroupEdge;
  base: GroupEdge;
  /** Ascending indices into head.members; shared between runs (cached per pair of member arrays). */
  indices: readonly number[];
  /** Indices compared one by one instead (known callers; connections a head finding already reports). */
  excluded: Set<number>;
  count: number;
  /** The first index not excluded. */
  first: number;
  /** The transition of the run's first member; the others differ only in the client. */
  t: Transition;
}

/** For tests. */
export interface CompareOptions {
  /** Compare every client × port pair on its own: the slow reference the grouped comparison must equal. */
  oneByOne?: boolean;
  /** Counts what was compared: points (one pair), runs (a group's members at once), and the transitions in all. */
  stats?: { points: number; runs: number; transitions: number };
}

type Item = ({ kind: 'point' } & Point) | ({ kind: 'run' } & Run);

const worsens = (from: Outcome, to: Outcome) =>
  RANK[to] > RANK[from] && (to === 'plaintext' || to === 'broken');
const clientKeyOf = (c: { namespace: string; kind: string; name: string }) =>
  `${c.namespace}/${c.kind}/${c.name}`;
const portKeyOf = (e: Edge) => `${e.server.namespace}/${e.server.service}:${e.server.port}`;
/** The same key for an EdgeRef: a finding that lists a connection names it like this. */
const refKeyOf = (e: EdgeRef) =>
  `${e.client.namespace}/${e.client.kind}/${e.client.workload}>${e.server.namespace}/${e.server.service}:${e.server.port}`;

function edgesByPort(
  graph: Graph,
  caches: Caches,
  only?: (server: Edge['server']) => boolean,
): Map<string, PortEdges> {
  // Grouped by the Service object and port number first: building a string key per edge cost more than the rest.
  const byService = new Map<NonNullable<Edge['server']['serviceRef']> | string, Map<number, PortEdges>>();
  const out = new Map<string, PortEdges>();
  graph.edges.forEach((edge, order) => {
    if (edge.server.standIn || !edge.connections.length) return;
    if (only && !only(edge.server)) return;
    const service = edge.server.serviceRef ?? portKeyOf(edge);
    let ports = byService.get(service);
    if (!ports) byService.set(service, (ports = new Map()));
    let at = ports.get(edge.server.port);
    if (!at) {
      const key = portKeyOf(edge);
      at = out.get(key);
      if (!at) out.set(key, (at = { singles: [], groups: [], singlesByClient: new Map() }));
      ports.set(edge.server.port, at);
    }
    const c = edge.client;
    if (c.members?.length) {
      at.groups.push({ edge, order, members: c.members });
      return;
    }
    // A declared caller that the inputs do not contain still is a named client; a "*" stand-in is not.
    if (c.standIn && !c.workload && c.name === '*') return;
    // The kubelet's probes are probe-fails-under-strict's, which PR mode marks new by itself.
    if (c.kind === 'Kubelet') return;
    // A workload has an edge at many ports: its client and key are made once (hundreds of thousands of edges).
    const single: SingleEdge =
      c.workload &&
      c.workload.namespace === c.namespace &&
      c.workload.name === c.name &&
      c.workload.kind === c.kind
        ? { edge, order, client: caches.clientOf(c.workload), clientKey: caches.keyOf(c.workload) }
        : singleOf(edge, order);
    at.singles.push(single);
    const list = at.singlesByClient.get(single.clientKey);
    if (list) list.push(single);
    else at.singlesByClient.set(single.clientKey, [single]);
  });
  return out;
}

function singleOf(edge: Edge, order: number): SingleEdge {
  const c = edge.client;
  const client: PairState['client'] =
    c.standIn && !c.workload
      ? { namespace: c.namespace, name: c.name, kind: c.kind }
      : { namespace: c.namespace, name: c.name, kind: c.kind, workload: c.workload };
  return { edge, order, client, clientKey: clientKeyOf(client) };
}

/** Per-call caches keyed by the graph's shared arrays and edges. */
class Caches {
  private readonly indexes = new WeakMap<readonly Workload[], Map<string, number>>();
  private readonly intersections = new WeakMap<readonly Workload[], WeakMap<readonly Workload[], number[]>>();
  private readonly splits = new WeakMap<readonly number[], Map<string, number[][]>>();
  private readonly connections = new WeakMap<Edge, EdgeConnection>();
  private readonly keys = new WeakMap<Workload, string>();
  private readonly clients = new WeakMap<Workload, PairState['client']>();

  /** A workload as a client, made once: pair states only read it. */
  clientOf(w: Workload): PairState['client'] {
    let client = this.clients.get(w);
    if (!client) this.clients.set(w, (client = memberClient(w)));
    return client;
  }

  /** A workload's client key, built once: the same workload is a member of many arrays. */
  keyOf(m: Workload): string {
    let key = this.keys.get(m);
    if (key === undefined) this.keys.set(m, (key = clientKeyOf(m)));
    return key;
  }

  /** Client key → index, once per members array (arrays are shared between edges). */
  memberIndex(members: readonly Workload[]): Map<string, number> {
    let index = this.indexes.get(members);
    if (!index) {
      index = new Map();
      members.forEach((m, i) => index!.set(this.keyOf(m), i));
      this.indexes.set(members, index);
    }
    return index;
  }

  /** Ascending indices into `head` of the clients `base` also holds; walks the smaller array. */
  shared(head: readonly Workload[], base: readonly Workload[]): readonly number[] {
    let byBase = this.intersections.get(head);
    if (!byBase) this.intersections.set(head, (byBase = new WeakMap()));
    let out = byBase.get(base);
    if (!out) {
      out = [];
      if (base.length < head.length) {
        const index = this.memberIndex(head);
        for (const m of base) {
          const i = index.get(this.keyOf(m));
          if (i !== undefined) out.push(i);
        }
        out.sort((a, b) => a - b);
      } else {
        const index = this.memberIndex(base);
        head.forEach((m, i) => {
          if (index.has(this.keyOf(m))) out!.push(i);
        });
      }
      byBase.set(base, out);
    }
    return out;
  }

  /** `indices` split by a key of each member, in order of first index; cached per indices array and kind of key. */
  split(
    indices: readonly number[],
    kind: string,
    keyOf: (i: number) => string,
  ): readonly (readonly number[])[] {
    let byKind = this.splits.get(indices);
    if (!byKind) this.splits.set(indices, (byKind = new Map()));
    let parts = byKind.get(kind);
    if (!parts) {
      const byKey = new Map<string, number[]>();
      for (const i of indices) {
        const k = keyOf(i);
        const part = byKey.get(k);
        if (part) part.push(i);
        else byKey.set(k, [i]);
      }
      byKind.set(kind, (parts = [...byKey.values()]));
    }
    return parts;
  }

  /** The connection that shows the edge's outcome. */
  connection(edge: Edge): EdgeConnection {
    let c = this.connections.get(edge);
    if (!c) {
      c = edge.connections.find((x) => x.result.outcome === edge.outcome) ?? edge.connections[0]!;
      this.connections.set(edge, c);
    }
    return c;
  }
}

function pairState(caches: Caches, edge: Edge, client: PairState['client'], port: string): PairState {
  return {
    key: `${clientKeyOf(client)}>${port}`,
    edge,
    connection: caches.connection(edge),
    client,
    ref: {
      client: { namespace: client.namespace, workload: client.name, kind: client.kind },
      server: { namespace: edge.server.namespace, service: edge.server.service, port: edge.server.port },
      caller: edge.caller,
    },
  };
}

const memberClient = (m: Workload): PairState['client'] => ({
  namespace: m.namespace,
  name: m.name,
  kind: m.kind,
  workload: m,
});

/**
 * A client's state at a port: the worst of its edges there (of equals, the one met first), and where it was first
 * met (edge order, then member). A group edge no worse than the client's own edges, and met after them, changes
 * neither, so its members are not looked up.
 */
function stateAt(
  caches: Caches,
  at: PortEdges,
  clientKey: string,
  port: string,
): { edge: Edge; state: () => PairState; order: number; member: number } | undefined {
  let first: { order: number; member: number } | undefined;
  let worst: { order: number; member: number; edge: Edge; client: PairState['client'] } | undefined;
  const meet = (order: number, member: number, edge: Edge, client: () => PairState['client']) => {
    const before = (a: { order: number; member: number }) =>
      order < a.order || (order === a.order && member < a.member);
    if (!first || before(first)) first = { order, member };
    const rank = RANK[edge.outcome];
    if (!worst || rank > RANK[worst.edge.outcome] || (rank === RANK[worst.edge.outcome] && before(worst)))
      worst = { order, member, edge, client: client() };
  };
  for (const s of at.singlesByClient.get(clientKey) ?? []) meet(s.order, 0, s.edge, () => s.client);
  for (const g of at.groups) {
    if (worst && first && RANK[g.edge.outcome] <= RANK[worst.edge.outcome] && g.order > first.order) continue;
    const i = caches.memberIndex(g.members).get(clientKey);
    if (i !== undefined) meet(g.order, i, g.edge, () => caches.clientOf(g.members[i]!));
  }
  if (!first || !worst) return undefined;
  const { edge, client } = worst;
  // The pair state only for a transition: most clients' connections do not get worse.
  return {
    edge,
    state: () => pairState(caches, edge, client, port),
    order: first.order,
    member: first.member,
  };
}

/**
 * What of a member, beyond its edges, decides which finding its transition joins (describeTransition's group): the
 * sidecar setting of a client that lost or gained its sidecar, or its name when no setting names the change.
 * Undefined when nothing does; `kind` names the function for the cache.
 */
function memberKeyOf(
  bc: EdgeConnection,
  hc: EdgeConnection,
): { kind: string; of: (m: Workload) => string } | undefined {
  if (bc.client.mode === hc.client.mode || hc.client.cause) return undefined;
  const sidecarChanged = (bc.client.mode === 'NO_SIDECAR') !== (hc.client.mode === 'NO_SIDECAR');
  const named = !bc.client.cause;
  return {
    kind: `${sidecarChanged}|${named}`,
    of: (m) => {
      const c = sidecarChanged ? m.sidecar.cause : undefined;
      if (c) return `cause:${c.resource.id}|${c.resource.file}|${c.path.join('.')}`;
      return named ? `client:${m.namespace}/${m.name}` : '';
    },
  };
}

/**
 * Head findings by the connections they list: the first finding (not an info) that lists a connection reports it.
 * Indexed by server first; client keys are built only for server ports that have transitions.
 */
class CoveringIndex {
  private readonly byServer = new Map<
    string,
    Map<string, Map<number, { ref: EdgeRef; finding: Finding }[]>>
  >();
  private readonly byPort = new Map<readonly unknown[], Map<string, Finding>>();

  constructor(findings: readonly Finding[]) {
    for (const finding of findings) {
      if (finding.severity === 'info') continue;
      for (const ref of finding.edges ?? []) {
        const { namespace, service, port } = ref.server;
        let services = this.byServer.get(namespace);
        if (!services) this.byServer.set(namespace, (services = new Map()));
        let ports = services.get(service);
        if (!ports) services.set(service, (ports = new Map()));
        const list = ports.get(port);
        if (list) list.push({ ref, finding });
        else ports.set(port, [{ ref, finding }]);
      }
    }
  }

  /** Client key → the finding that reports the connection to this server port. */
  at(server: Edge['server']): ReadonlyMap<string, Finding> | undefined {
    const list = this.byServer.get(server.namespace)?.get(server.service)?.get(server.port);
    if (!list) return undefined;
    let clients = this.byPort.get(list);
    if (!clients) {
      clients = new Map();
      for (const { ref, finding } of list) {
        const key = `${ref.client.namespace}/${ref.client.kind}/${ref.client.workload}`;
        if (!clients.has(key)) clients.set(key, finding);
      }
      this.byPort.set(list, clients);
    }
    return clients;
  }
}

/**
 * Every transition between the two graphs, as Points and Runs. Connections a head finding already reports are taken
 * out of runs, so that the finding can list them.
 */
function compareGraphs(base: Graph, head: Graph, covering: CoveringIndex, compare: CompareOptions): Item[] {
  const caches = new Caches();
  // A base made from the head (PR mode, diff/base.ts) shares the head's edges of servers the change cannot reach:
  // they are the same objects, so only the others can differ. Orders stay the full graphs' indices.
  const only = base.derivedFrom?.graph === head ? base.derivedFrom.recomputed : undefined;
  const baseEdges = edgesByPort(base, caches, only);
  const items: Item[] = [];
  for (const [port, at] of edgesByPort(head, caches, only)) {
    const before = baseEdges.get(port);
    if (!before) continue; // a new service: the rules judge it on its own
    if (
      !at.singles.some((s) => worsens('mtls', s.edge.outcome)) &&
      !at.groups.some((g) => worsens('mtls', g.edge.outcome))
    )
      continue;

    const covered = covering.at((at.singles[0] ?? at.groups[0])!.edge.server);
    // Clients with an edge of their own on either side, one by one.
    const individual = new Set<string>([...at.singlesByClient.keys(), ...before.singlesByClient.keys()]);
    if (compare.oneByOne)
      for (const g of [...at.groups, ...before.groups])
        for (const m of g.members) individual.add(caches.keyOf(m));
    for (const clientKey of individual) {
      const h = stateAt(caches, at, clientKey, port);
      if (!h || !worsens('mtls', h.edge.outcome)) continue;
      const b = stateAt(caches, before, clientKey, port);
      if (!b || !worsens(b.edge.outcome, h.edge.outcome)) continue;
      const t = describeTransition(b.state(), h.state());
      const point: Point = { order: h.order, member: h.member, t };
      const finding = covered?.get(clientKey);
      if (finding) point.covering = finding;
      items.push({ kind: 'point', ...point });
    }

    // Group against group.
    for (const g of at.groups) {
      if (!worsens('mtls', g.edge.outcome)) continue;
      const headIndex = caches.memberIndex(g.members);
      for (const bg of before.groups) {
        if (!worsens(bg.edge.outcome, g.edge.outcome)) continue;
        const shared = caches.shared(g.members, bg.members);
        if (!shared.length) continue;
        const baseIndex = caches.memberIndex(bg.members);
        const excluded = new Set<number>();
        for (const clientKey of individual) {
          const i = headIndex.get(clientKey);
          if (i !== undefined && baseIndex.has(clientKey)) excluded.add(i);
        }
        const bc = caches.connection(bg.edge);
        const hc = caches.connection(g.edge);
        const memberKey = memberKeyOf(bc, hc);
        const parts = memberKey
          ? caches.split(shared, memberKey.kind, (i) => memberKey.of(g.members[i]!))
          : [shared];
        for (const indices of parts) {
          const run = {
            port,
            head: g,
            base: bg,
            indices,
            excluded: new Set([...excluded].filter((i) => includes(indices, i))),
          };
          // Connections a head finding lists leave the run: the finding names them.
          for (const [clientKey, finding] of covered ?? []) {
            const i = headIndex.get(clientKey);
            if (i === undefined || run.excluded.has(i) || !includes(indices, i)) continue;
            run.excluded.add(i);
            const t = describeTransition(
              basePair(caches, bg, clientKey, port),
              pairState(caches, g.edge, memberClient(g.members[i]!), port),
            );
            items.push({ kind: 'point', order: g.order, member: i, t, covering: finding });
          }
          const count = indices.length - run.excluded.size;
          const first = run.excluded.size ? indices.find((i) => !run.excluded.has(i)) : indices[0];
          if (!count || first === undefined) continue;
          const t = describeTransition(
            basePair(caches, bg, caches.keyOf(g.members[first]!), port),
            pairState(caches, g.edge, memberClient(g.members[first]!), port),
          );
          items.push({ kind: 'run', order: g.order, ...run, count, first, t });
        }
      }
    }
  }
  items.sort((a, b) => a.order - b.order || firstMember(a) - firstMember(b));
  if (compare.stats) {
    for (const item of items) compare.stats[item.kind === 'point' ? 'points' : 'runs']++;
    compare.stats.transitions += items.reduce((n, x) => n + countOf(x), 0);
  }
  return items;
}

function basePair(caches: Caches, bg: GroupEdge, clientKey: string, port: string): PairState {
  return pairState(
    caches,
    bg.edge,
    memberClient(bg.members[caches.memberIndex(bg.members).get(clientKey)!]!),
    port,
  );
}

function includes(sorted: readonly number[], x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

const firstMember = (item: Item) => (item.kind === 'point' ? item.member : item.first);

const countOf = (item: Item) => (item.kind === 'point' ? 1 : item.count);

/** Items' (item, member) pairs, items sorted by order then first member, in the order pairs are met: head edge, then member. */
function* inOrder(items: readonly Item[]): Generator<[Item, number]> {
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j]!.order === items[i]!.order) j++;
    if (j === i + 1) {
      const item = items[i]!;
      for (const m of membersOf(item)) yield [item, m];
    } else {
      // Items of one head edge interleave by member.
      const cursors = items.slice(i, j).map((item) => {
        const members = membersOf(item);
        return { item, members, next: members.next().value };
      });
      for (;;) {
        let pick: (typeof cursors)[number] | undefined;
        for (const c of cursors)
          if (c.next !== undefined && (pick?.next === undefined || c.next < pick.next)) pick = c;
        if (pick?.next === undefined) break;
        yield [pick.item, pick.next];
        pick.next = pick.members.next().value;
      }
    }
    i = j;
  }
}

function* membersOf(item: Item): Generator<number, undefined> {
  if (item.kind === 'point') yield item.member;
  else for (const i of item.indices) if (!item.excluded.has(i)) yield i;
  return undefined;
}

/** A run member's transition as a finding lists it: the run's first transition with this client. */
function listedOf(item: Item, member: number): Listed {
  if (item.kind === 'point' || member === item.first) return item.t;
  const m = item.head.members[member]!;
  const head: PairState = {
    ...item.t.head,
    key: `${clientKeyOf(m)}>${item.port}`,
    client: memberClient(m),
    ref: { ...item.t.head.ref, client: { namespace: m.namespace, workload: m.name, kind: m.kind } },
  };
  return { head, from: item.t.from, to: item.t.to };
}

function stateLabel(p: PairState): string {
  const r = p.connection.result;
  switch (r.outcome) {
    case 'mtls':
      return 'mTLS';
    case 'plaintext':
      return isHttp(p) ? 'plaintext (200)' : 'plaintext (works)';
    case 'tls':
      return 'TLS passed through to the app';
    case 'broken':
      return r.failure === 'reset'
        ? 'reset'
        : r.failure === '503'
          ? '503'
          : r.failure === 'tls-error'
            ? 'TLS error'
            : r.failure === '502'
              ? '502 (blocked)'
              : 'broken';
  }
}

function stateKey(p: PairState): string {
  const r = p.connection.result;
  return r.outcome === 'broken' ? (r.failure ?? 'broken') : r.outcome;
}

function isHttp(p: PairState): boolean {
  const port = p.edge.server.servicePort;
  const proto = `${port?.appProtocol ?? ''} ${port?.name ?? ''}`.toLowerCase();
  return /(^|\s)(http|http2|grpc|grpc-web|h2c)(\s|-|$)/.test(proto);
}

function clientText(p: PairState): string {
  return `${p.client.namespace}/${p.client.name}`;
}

function serverText(p: PairState): string {
  return `${p.edge.server.service}.${p.edge.server.namespace}:${p.edge.server.port}`;
}

/** "foo/Policy example-httpbin-permissive line 11", as a reviewer finds it in the diff. */
function causeText(c: Cause): string {
  const r = c.resource;
  const line = r.span(c.path).line;
  return `${r.namespace ? `${r.namespace}/` : ''}${r.kind} ${r.name} line ${line}`;
}

function describeTransition(b: PairState, h: PairState): Transition {
  const bc = b.connection;
  const hc = h.connection;
  const changes: string[] = [];
  let cause: Cause | undefined;
  let skipped = '';
  let step = '';

  const serverChanged = bc.server.mode !== hc.server.mode;
  const clientChanged = bc.client.mode !== hc.client.mode;
  if (serverChanged) {
    cause = hc.server.cause;
    const what = hc.server.cause
      ? causeText(hc.server.cause)
      : bc.server.cause
        ? `${causeText(bc.server.cause)} (removed in the head)`
        : 'the server policy';
    changes.push(`${what}: ${bc.server.mode} → ${hc.server.mode}`);
  }
  if (clientChanged) {
    // The workload's injection setting is the cause only if the sidecar itself came or went.
    const sidecarChanged = (bc.client.mode === 'NO_SIDECAR') !== (hc.client.mode === 'NO_SIDECAR');
    const c = hc.client.cause ?? (sidecarChanged ? h.client.workload?.sidecar.cause : undefined);
    cause ??= c;
    const what = hc.client.cause
      ? causeText(hc.client.cause)
      : bc.client.cause
        ? `${causeText(bc.client.cause)} (removed in the head)`
        : c
          ? causeText(c)
          : `what ${clientText(h)} sends`;
    changes.push(`${what}: client ${bc.client.mode} → ${hc.client.mode}`);
  }
  if (!changes.length) {
    // Same modes, different result: the endpoint changed (a workload lost its sidecar, a port moved).
    cause = hc.server.cause ?? hc.client.cause;
    changes.push(hc.result.explanation);
  }

  // Which step of PERMISSIVE → clients send mTLS → STRICT did the change skip?
  if (STRICT.has(hc.server.mode) && serverChanged) {
    if (!ACCEPTS_MTLS.has(bc.server.mode)) {
      skipped = `This skips PERMISSIVE: the safe order is PERMISSIVE → clients send mTLS → STRICT, and ${serverText(h)} went from ${bc.server.mode} straight to ${hc.server.mode}.`;
      step = 'skipped step: PERMISSIVE';
    } else if (b.edge.outcome !== 'mtls') {
      const who = clientText(h);
      const how =
        hc.client.mode === 'NO_SIDECAR'
          ? `${who} has no sidecar, so it cannot send mTLS: inject it first, or keep PERMISSIVE`
          : `${who} still sends plaintext (${hc.client.explanation}); give it mTLS first (tls mode ISTIO_MUTUAL or auto mTLS)`;
      skipped = `This skips "clients send mTLS" of the safe order PERMISSIVE → clients send mTLS → STRICT: ${how}.`;
      step = `skipped step: "clients send mTLS" (${hc.client.mode === 'NO_SIDECAR' ? `${who} has no sidecar` : `${who} still sends plaintext`})`;
    }
  } else if (
    clientChanged &&
    hc.result.clientTls === 'mtls' &&
    h.edge.outcome === 'broken' &&
    !ACCEPTS_MTLS.has(hc.server.mode)
  ) {
    skipped = `This skips PERMISSIVE: ${serverText(h)} does not accept mTLS (${hc.server.mode}); make it PERMISSIVE (or inject it) before clients send mTLS.`;
    step = 'skipped step: PERMISSIVE';
  } else if (b.edge.outcome === 'mtls' && h.edge.outcome === 'plaintext') {
    skipped = `This undoes "clients send mTLS" of the safe order PERMISSIVE → clients send mTLS → STRICT: the traffic is now unencrypted and unauthenticated.`;
    step = 'undoes the step "clients send mTLS"';
  }

  const from = stateLabel(b);
  const to = stateLabel(h);
  const change = `${clientText(h)} → ${serverText(h)}: ${from} → ${to}, caused by ${changes.join('; ')}`;
  const text = `${change}.${skipped ? ` ${skipped}` : ''}`;
  const short = `${change}${step ? `; ${step}` : ''}.`;
  // Broken for a known caller is an error; a downgrade to plaintext a warning; possible callers one step lower.
  const certain = h.edge.caller !== 'possible';
  const severity: Severity =
    h.edge.outcome === 'broken' ? (certain ? 'error' : 'warning') : certain ? 'warning' : 'info';
  const group = cause ? `${cause.resource.id}|${cause.path.join('.')}` : `changed:${changes.join(';')}`;
  const t: Transition = {
    base: b,
    head: h,
    from: stateKey(b),
    to: stateKey(h),
    text,
    short,
    severity,
    group,
  };
  if (cause) t.cause = cause;
  return t;
}

/**
 * Attach each transition to the head finding that already reports its edge (the plaintext-to-strict error on the
 * `mode: STRICT` line), which then counts as new; a transition that no finding covers becomes a connection-downgrade
 * finding at the setting that caused it. Suppressed connection-downgrade findings go to `suppressed`.
 */
export function applyTransitions(
  base: Pick<LintResult, 'graph'>,
  head: LintResult,
  findings: Finding[],
  options: ResolvedOptions,
  compare: CompareOptions = {},
): { findings: Finding[]; suppressed: Finding[] } {
  const configured = options.config.rules?.[TRANSITION_RULE];
  if (configured === 'off') return { findings, suppressed: [] };

  const out = findings.map((f) => ({ ...f }));
  const items = compareGraphs(base.graph(), head.graph(), new CoveringIndex(out), compare);
  if (!items.length) return { findings, suppressed: [] };

  const attached = new Map<Finding, Transition[]>();
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    if (item.kind === 'point' && item.covering) push(attached, item.covering, item.t);
    else push(groups, item.t.group, item);
  }
  for (const [f, ts] of attached) {
    // The finding already explains the problem and the fix; add what changed, for the first edge in full.
    f.new = true;
    const byKey = new Map(ts.map((t) => [t.head.key, t]));
    f.edges = f.edges?.map((e) => {
      const t = byKey.get(refKeyOf(e));
      return t ? { ...e, transition: { from: t.from, to: t.to } } : e;
    });
    f.transition = { from: ts[0]!.from, to: ts[0]!.to };
    f.message += ` Change: ${ts[0]!.short}${moreText(ts.length, ts.slice(1))}`;
  }
  const standalone = [...groups.values()].map((g) => transitionDescriptor(g));
  if (!standalone.length) return { findings: out, suppressed: [] };
  const { kept, suppressed } = checkWith(head, options, [transitionRule], standalone);
  return { findings: [...out, ...kept.map((f) => ({ ...f, new: true }))], suppressed };
}

/** " The same change makes N more connections worse: …", listing the first of `next` (the ones after the first). */
function moreText(total: number, next: readonly Listed[]): string {
  const more = total - 1;
  if (more <= 0) return '';
  const shown = next
    .slice(0, MESSAGE_LIST_CAP)
    .map((t) => `${clientText(t.head)} → ${serverText(t.head)}`)
    .join('; ');
  const rest = more > MESSAGE_LIST_CAP ? `; and ${more - MESSAGE_LIST_CAP} more` : '';
  return ` The same change makes ${more} more connection${more === 1 ? '' : 's'} worse: ${shown}${rest}.`;
}

/**
 * Clients of `items` not in `seen` (relatedOmitted), without walking every (client, port) pair: a run's indices are
 * shared by every port its members' groups meet, so each shared (members, indices) is walked once.
 */
function clientsLeftOut(items: readonly Item[], seen: Set<string>): number {
  let n = 0;
  const count = (w: Workload | undefined) => {
    if (w && !seen.has(w.resource.id)) {
      seen.add(w.resource.id);
      n++;
    }
  };
  const walked = new Map<readonly Workload[], Set<readonly number[]>>();
  for (const item of items) {
    if (item.kind === 'point') {
      count(item.t.head.client.workload ?? undefined);
      continue;
    }
    const members = item.head.members;
    if (!item.excluded.size) {
      let done = walked.get(members);
      if (!done) walked.set(members, (done = new Set()));
      if (done.has(item.indices)) continue;
      done.add(item.indices);
    }
    for (const i of item.indices) if (!item.excluded.has(i)) count(members[i]);
  }
  return n;
}

/** One finding per cause: the first transition in full, the others listed; every victim an edge and related location. */
function transitionDescriptor(items: readonly Item[]): ReportDescriptor {
  const t = items[0]!.t;
  const h = t.head;
  const listed: Listed[] = [];
  const related: RelatedLocation[] = [];
  const seen = new Set<string>();
  for (const [item, member] of inOrder(items)) {
    if (listed.length < EDGE_LIST_CAP) listed.push(listedOf(item, member));
    const w = item.kind === 'point' ? item.t.head.client.workload : item.head.members[member];
    if (w && !seen.has(w.resource.id) && related.length < EDGE_LIST_CAP) {
      seen.add(w.resource.id);
      related.push(
        relatedAt(
          w.resource,
          ['metadata', 'name'],
          `${w.namespace}/${w.name}: ${item.t.head.connection.client.explanation}`,
        ),
      );
    }
    if (listed.length >= EDGE_LIST_CAP && related.length >= EDGE_LIST_CAP) break;
  }
  const relatedOmitted = related.length >= EDGE_LIST_CAP ? clientsLeftOut(items, seen) : 0;
  const svc = h.edge.server.serviceRef;
  if (svc)
    related.push(
      relatedAt(svc.resource, ['metadata', 'name'], `${serverText(h)}: ${h.connection.server.explanation}`),
    );
  const rank = { info: 1, warning: 2, error: 3 } as const;
  const worst = items.reduce((a, x) => (rank[x.t.severity] > rank[a] ? x.t.severity : a), t.severity);
  const total = items.reduce((n, x) => n + countOf(x), 0);
  const d: ReportDescriptor = {
    message: `${t.text}${moreText(total, listed.slice(1))}`,
    severity: worst,
    edges: listed.map((x) => ({ ...x.head.ref, transition: { from: x.from, to: x.to } })),
    related,
    ...(total > listed.length ? { edgesOmitted: total - listed.length } : {}),
    ...(relatedOmitted ? { relatedOmitted } : {}),
    keyDetail: t.group,
    transition: { from: t.from, to: t.to },
  };
  const w = h.client.workload;
  if (t.cause) {
    d.resource = t.cause.resource;
    d.path = t.cause.path;
  } else if (svc) {
    // A removed setting has no line in the head: point at the service whose connections changed.
    d.resource = svc.resource;
    d.path = h.edge.server.servicePort
      ? ['spec', 'ports', h.edge.server.servicePort.index]
      : ['metadata', 'name'];
  } else if (w) {
    d.resource = w.resource;
    d.path = ['metadata', 'name'];
  }
  return d;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
