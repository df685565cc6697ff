// Transitions: connections whose outcome gets worse between base and head (mTLS → plaintext or broken,
// plaintext → broken), with the setting that changed and the step of the safe migration order it skips
// (PERMISSIVE → clients send mTLS → STRICT; Istio task "Mutual TLS Migration").
import type { LintResult } from '../engine.js';
import { toFinding } from '../engine.js';
import type { Edge, EdgeConnection, Graph } from '../graph/graph.js';
import { EDGE_LIST_CAP, MESSAGE_LIST_CAP } from '../graph/group.js';
import type { Cause, Workload } from '../mesh/model.js';
import type { ResolvedOptions } from '../options.js';
import { relatedAt, type ReportDescriptor } from '../rule.js';
import { applySuppressions } from '../suppress.js';
import type { EdgeRef, Finding, RelatedLocation, Severity } from '../types.js';
import connectionDowngrade from '../../rules/connection-downgrade.js';

export const TRANSITION_RULE = connectionDowngrade.meta.id;

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

export interface Transition {
  base: PairState;
  head: PairState;
  from: string;
  to: string;
  /** "legacy/sleep → httpbin.foo:8000: plaintext (200) → reset, caused by … PERMISSIVE → STRICT. <skipped step>" */
  text: string;
  /** The same without the advice, for appending to a finding that already gives it. */
  short: string;
  cause?: Cause;
  /** Transitions with the same cause (or the same removed setting) become one finding. */
  group: string;
  severity: Severity;
}

/** Concrete pairs of a graph: grouped possible callers are expanded; stand-ins (unknown clients/servers) are left out. */
export function pairStates(
  graph: Graph,
  keepEdge: (edge: Edge) => boolean = () => true,
  keepMember: (edge: Edge, member: Workload) => boolean = () => true,
): Map<string, PairState> {
  const out = new Map<string, PairState>();
  for (const edge of graph.edges) {
    if (edge.server.standIn || !edge.connections.length || !keepEdge(edge)) continue;
    const clients = edge.client.members?.length
      ? edge.client.members.filter((m) => keepMember(edge, m)).map((m) => ({ namespace: m.namespace, name: m.name, kind: m.kind, workload: m }))
      : edge.client.standIn && !edge.client.workload
        ? // a declared caller that the inputs do not contain still is a named client; a "*" stand-in is not
          edge.client.name === '*'
          ? []
          : [{ namespace: edge.client.namespace, name: edge.client.name, kind: edge.client.kind }]
        : [
            {
              namespace: edge.client.namespace,
              name: edge.client.name,
              kind: edge.client.kind,
              workload: edge.client.workload,
            },
          ];
    const connection =
      edge.connections.find((c) => c.result.outcome === edge.outcome) ?? edge.connections[0]!;
    for (const client of clients) {
      const key = `${client.namespace}/${client.kind}/${client.name}>${edge.server.namespace}/${edge.server.service}:${edge.server.port}`;
      const prev = out.get(key);
      if (prev && RANK[prev.edge.outcome] >= RANK[edge.outcome]) continue;
      const ref: EdgeRef = {
        client: { namespace: client.namespace, workload: client.name, kind: client.kind },
        server: { namespace: edge.server.namespace, service: edge.server.service, port: edge.server.port },
        caller: edge.caller,
      };
      out.set(key, { key, edge, connection, client, ref });
    }
  }
  return out;
}

export function findTransitions(base: Graph, head: Graph): Transition[] {
  // Expanding every grouped edge into client × service pairs is quadratic; only server ports where some client
  // class can have got worse are expanded. A class can only have got worse if the base had a better outcome for the
  // same kind of client (sidecar state) at that port, or if a member's sidecar state itself changed.
  const serverKey = (e: Edge) => `${e.server.namespace}/${e.server.service}:${e.server.port}`;
  const baseBest = new Map<string, number>();
  const baseSidecar = new Map<string, string>();
  const seenArrays = new Set<readonly Workload[]>();
  for (const e of base.edges) {
    if (e.server.standIn) continue;
    const k = `${serverKey(e)}|${e.client.sidecar}`;
    baseBest.set(k, Math.min(baseBest.get(k) ?? Infinity, RANK[e.outcome]));
    // Group edges share their members array: visit each array once, or this loop is edges × workloads.
    const members = e.client.members ?? (e.client.workload ? [e.client.workload] : []);
    if (seenArrays.has(members)) continue;
    seenArrays.add(members);
    for (const m of members) baseSidecar.set(m.resource.id, m.sidecar.state);
  }
  const sidecarChanged = (m: Workload) => baseSidecar.has(m.resource.id) && baseSidecar.get(m.resource.id) !== m.sidecar.state;
  const anyChanged = new WeakMap<readonly Workload[], boolean>();
  const someChanged = (members: readonly Workload[]) => {
    let v = anyChanged.get(members);
    if (v === undefined) anyChanged.set(members, (v = members.some(sidecarChanged)));
    return v;
  };
  const candidatePorts = new Set<string>();
  const classWorse = (e: Edge) => (baseBest.get(`${serverKey(e)}|${e.client.sidecar}`) ?? Infinity) < RANK[e.outcome];
  const headWorse = (e: Edge) => e.outcome === 'plaintext' || e.outcome === 'broken';
  for (const e of head.edges) {
    if (e.server.standIn || !headWorse(e)) continue;
    if (classWorse(e) || someChanged(e.client.members ?? []) || (e.client.workload && sidecarChanged(e.client.workload)))
      candidatePorts.add(serverKey(e));
  }
  if (!candidatePorts.size) return [];
  const before = pairStates(base, (e) => candidatePorts.has(serverKey(e)));
  const after = pairStates(
    head,
    (e) => candidatePorts.has(serverKey(e)) && headWorse(e),
    (e, m) => classWorse(e) || (someChanged(e.client.members ?? []) && sidecarChanged(m)),
  );
  const out: Transition[] = [];
  for (const [key, h] of after) {
    const b = before.get(key);
    if (!b) continue; // a new client or service: the rules judge it on its own
    const from = b.edge.outcome;
    const to = h.edge.outcome;
    if (RANK[to] <= RANK[from] || (to !== 'plaintext' && to !== 'broken')) continue;
    out.push(describeTransition(b, h));
  }
  return out;
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

const sameEdge = (a: EdgeRef, b: EdgeRef) =>
  a.client.namespace === b.client.namespace &&
  a.client.workload === b.client.workload &&
  a.client.kind === b.client.kind &&
  a.server.namespace === b.server.namespace &&
  a.server.service === b.server.service &&
  a.server.port === b.server.port;

/**
 * Attach each transition to the head finding that already reports its edge (the plaintext-to-strict error on the
 * `mode: STRICT` line), which then counts as new; a transition that no finding covers becomes a connection-downgrade
 * finding at the setting that caused it. Suppressed connection-downgrade findings go to `suppressed`.
 */
export function applyTransitions(
  base: LintResult,
  head: LintResult,
  findings: Finding[],
  options: ResolvedOptions,
): { findings: Finding[]; suppressed: Finding[] } {
  const configured = options.config.rules?.[TRANSITION_RULE];
  if (configured === 'off') return { findings, suppressed: [] };
  const transitions = findTransitions(base.graph(), head.graph());
  if (!transitions.length) return { findings, suppressed: [] };

  const out = findings.map((f) => ({ ...f }));
  const groups = new Map<string, Transition[]>();
  const attached = new Map<Finding, Transition[]>();
  for (const t of transitions) {
    const covering = out.find((f) => f.edges?.some((e) => sameEdge(e, t.head.ref)) && f.severity !== 'info');
    if (covering) attached.set(covering, [...(attached.get(covering) ?? []), t]);
    else groups.set(t.group, [...(groups.get(t.group) ?? []), t]);
  }
  for (const [f, ts] of attached) {
    // The finding already explains the problem and the fix; add what changed, for the first edge in full.
    f.new = true;
    f.edges = f.edges?.map((e) => {
      const t = ts.find((x) => sameEdge(e, x.head.ref));
      return t ? { ...e, transition: { from: t.from, to: t.to } } : e;
    });
    f.transition = { from: ts[0]!.from, to: ts[0]!.to };
    f.message += ` Change: ${ts[0]!.short}${moreText(ts)}`;
  }
  const standalone = [...groups.values()].map((ts) => transitionFinding(ts, configured));
  if (!standalone.length) return { findings: out, suppressed: [] };
  const { kept, suppressed } = applySuppressions(standalone, head.inputs.resources, options);
  return { findings: [...out, ...kept.map((f) => ({ ...f, new: true }))], suppressed };
}

function moreText(ts: Transition[]): string {
  const more = ts.slice(1).map((t) => `${clientText(t.head)} → ${serverText(t.head)}`);
  if (!more.length) return '';
  const shown = more.slice(0, MESSAGE_LIST_CAP).join('; ');
  const rest = more.length > MESSAGE_LIST_CAP ? `; and ${more.length - MESSAGE_LIST_CAP} more` : '';
  return ` The same change makes ${more.length} more connection${more.length === 1 ? '' : 's'} worse: ${shown}${rest}.`;
}

/** One finding per cause: the first transition in full, the others listed; every victim an edge and related location. */
function transitionFinding(ts: Transition[], override: Severity | undefined): Finding {
  const t = ts[0]!;
  const h = t.head;
  const related: RelatedLocation[] = [];
  const seen = new Set<string>();
  for (const x of ts) {
    const w = x.head.client.workload;
    if (w && !seen.has(w.resource.id) && related.length < EDGE_LIST_CAP) {
      seen.add(w.resource.id);
      related.push(
        relatedAt(
          w.resource,
          ['metadata', 'name'],
          `${clientText(x.head)}: ${x.head.connection.client.explanation}`,
        ),
      );
    }
  }
  const svc = h.edge.server.serviceRef;
  if (svc)
    related.push(
      relatedAt(svc.resource, ['metadata', 'name'], `${serverText(h)}: ${h.connection.server.explanation}`),
    );
  const rank = { info: 1, warning: 2, error: 3 } as const;
  const worst = ts.reduce((a, x) => (rank[x.severity] > rank[a] ? x.severity : a), t.severity);
  const d: ReportDescriptor = {
    message: `${t.text}${moreText(ts)}`,
    severity: override ?? worst,
    edges: ts.slice(0, EDGE_LIST_CAP).map((x) => ({ ...x.head.ref, transition: { from: x.from, to: x.to } })),
    related,
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
  return toFinding(connectionDowngrade, d);
}
