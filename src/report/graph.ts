// `mtls-lint graph` output: table, json, mermaid, dot. Broken edges red, plaintext dashed, mTLS solid.
import type { Edge, Graph } from '../graph/graph.js';
import { clientLabel } from '../rule-report.js';
import { describeAmounts } from '../graph/observed.js';
import { defuseJson, oneLine, quoteName } from '../escape.js';

export const GRAPH_FORMATS = ['table', 'json', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

interface GraphEdgeJson {
  client: { namespace: string; workload: string; kind: string; members?: string[]; standIn?: string };
  server: { namespace: string; service: string; port: number; standIn?: string };
  caller: string;
  evidence: string;
  /** Where the evidence is, "file:line" (the resource a caller was inferred or declared from), when known. */
  evidenceAt?: string;
  clientTls: string;
  serverMode: string;
  outcome: string;
  failure?: string;
  explanation: string;
  /** Observed calls: the amounts the mesh's telemetry recorded, by the security the destination saw. */
  observed?: { mtls: number; plaintext: number; unknown: number; unit: string; window: string };
  /** The service port the client called, when a mesh VirtualService sends the call to this server instead. */
  routedFrom?: { namespace: string; service: string; port: number };
}

function graphEdgeJson(edge: Edge): GraphEdgeJson {
  const worst = edge.connections.find((c) => c.result.outcome === edge.outcome) ?? edge.connections[0];
  const members = edge.client.members;
  let client: GraphEdgeJson['client'];
  if (members?.length === 1 && !edge.client.standIn) {
    // A group of one is that workload: the same client object as its own edges.
    const m = members[0]!;
    client = { namespace: m.namespace, workload: m.name, kind: m.kind };
  } else {
    client = { namespace: edge.client.namespace, workload: edge.client.name, kind: edge.client.kind };
    if (members?.length) {
      // The members' namespace, or "*" when they span several (the node keeps its first member's, for sorting).
      client.namespace = members.every((m) => m.namespace === members[0]!.namespace)
        ? members[0]!.namespace
        : '*';
      client.members = members.map((m) => `${m.namespace}/${m.name}`);
    }
  }
  if (edge.client.standIn) client.standIn = edge.client.standIn;
  const server: GraphEdgeJson['server'] = {
    namespace: edge.server.namespace,
    service: edge.server.service,
    port: edge.server.port,
  };
  if (edge.server.standIn) server.standIn = edge.server.standIn;
  const out: GraphEdgeJson = {
    client,
    server,
    caller: edge.caller,
    evidence: edge.evidence.description,
    clientTls: edge.clientTls,
    serverMode: edge.serverMode,
    outcome: edge.outcome,
    explanation: worst?.result.explanation ?? '',
  };
  if (worst?.result.failure) out.failure = worst.result.failure;
  if (edge.routedFrom)
    out.routedFrom = {
      namespace: edge.routedFrom.namespace,
      service: edge.routedFrom.service,
      port: edge.routedFrom.port,
    };
  const { resource, path } = edge.evidence;
  if (resource) out.evidenceAt = `${resource.file}:${resource.span(path ?? []).line}`;
  const o = edge.evidence.observed;
  if (o)
    out.observed = {
      mtls: o.mtls,
      plaintext: o.plaintext,
      unknown: o.unknown,
      unit: o.unit,
      window: o.window,
    };
  return out;
}

export function formatGraph(graph: Graph, format: GraphFormat, includePossible: boolean): string {
  const edges = graph.edges.filter((e) => includePossible || e.caller !== 'possible');
  switch (format) {
    case 'json':
      return (
        defuseJson(
          JSON.stringify(
            { version: 1, edges: edges.map(graphEdgeJson), unresolved: graph.unresolved },
            null,
            2,
          ),
        ) + '\n'
      );
    case 'mermaid':
      return formatMermaid([{ edges }]);
    case 'dot':
      return formatDot([{ edges }]);
    default:
      return formatTable(edges, graph.unresolved, includePossible);
  }
}

/**
 * Several meshes (config `meshes:`) in one output: json edges and unresolved notes name their mesh (`mesh`); the
 * table has one section per mesh; mermaid and dot draw each mesh as its own subgraph, node names prefixed with it.
 */
export function formatMeshGraphs(
  graphs: readonly { mesh: string; graph: Graph }[],
  format: GraphFormat,
  includePossible: boolean,
): string {
  const shown = (g: Graph) => g.edges.filter((e) => includePossible || e.caller !== 'possible');
  switch (format) {
    case 'json': {
      const edges = graphs.flatMap(({ mesh, graph }) =>
        shown(graph).map((e) => ({ ...graphEdgeJson(e), mesh })),
      );
      const unresolved = graphs.flatMap(({ mesh, graph }) => graph.unresolved.map((u) => `[${mesh}] ${u}`));
      return defuseJson(JSON.stringify({ version: 1, edges, unresolved }, null, 2)) + '\n';
    }
    case 'mermaid':
      return formatMermaid(graphs.map(({ mesh, graph }) => ({ mesh, edges: shown(graph) })));
    case 'dot':
      return formatDot(graphs.map(({ mesh, graph }) => ({ mesh, edges: shown(graph) })));
    default:
      return graphs
        .map(
          ({ mesh, graph }) =>
            `== mesh ${quoteName(mesh)} ==\n${formatTable(shown(graph), graph.unresolved, includePossible)}`,
        )
        .join('\n');
  }
}

function serverText(e: Edge): string {
  return e.server.standIn ?? `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}

function outcomeText(e: Edge): string {
  const worst = e.connections.find((c) => c.result.outcome === e.outcome);
  const failure = worst?.result.failure;
  if (e.outcome !== 'broken') return e.outcome;
  // Users behind an ingress controller see its 502 for a reset upstream connection.
  if (e.client.reverseProxy && (failure === 'reset' || failure === 'tls-error')) return 'BROKEN (reset, 502)';
  return failure === 'reset'
    ? 'BROKEN (reset, curl 000)'
    : failure === '503'
      ? 'BROKEN (503)'
      : failure === '502'
        ? 'BROKEN (blocked, 502)'
        : 'BROKEN (TLS error)';
}

function formatTable(edges: Edge[], unresolved: string[], includePossible: boolean): string {
  // Names from the inputs: the client's starts a line, where `::error::…` would be a workflow command in a CI log.
  const rows = edges.map((e) => [
    quoteName(clientLabel(e)),
    quoteName(serverText(e)),
    e.clientTls,
    e.serverMode,
    outcomeText(e),
    `${e.caller}: ${oneLine(e.evidence.description)}`,
  ]);
  const header = ['CLIENT', 'SERVER:PORT', 'CLIENT SENDS', 'SERVER ACCEPTS', 'OUTCOME', 'HOW KNOWN'];
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [line(header), ...rows.map(line)];
  if (!edges.length)
    out.push(
      includePossible
        ? '(no edges)'
        : '(no observed, declared or inferred callers; --possible shows every possible caller)',
    );
  for (const u of unresolved) out.push(`note: ${oneLine(u)}`);
  return out.join('\n') + '\n';
}

// Control characters and line separators: a space in a drawing's label.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Mermaid ids must be plain; labels are quoted with # escapes for the few characters Mermaid treats specially. */
function mermaidLabel(s: string): string {
  return s.replace(CONTROLS, ' ').replace(/["<>&#|`]/g, (c) => `#${c.charCodeAt(0)};`);
}

function formatMermaid(parts: { mesh?: string; edges: Edge[] }[]): string {
  const ids = new Map<string, string>();
  const id = (label: string) => {
    let v = ids.get(label);
    if (!v) ids.set(label, (v = `n${ids.size}`));
    return v;
  };
  const lines = ['flowchart LR'];
  const links: string[] = [];
  const styles: string[] = [];
  for (const { mesh, edges } of parts) {
    const prefix = mesh === undefined ? '' : `${mesh}: `;
    const nodes: string[] = [];
    for (const e of edges) {
      const a = id(`c:${prefix}${clientLabel(e)}`);
      const b = id(`s:${prefix}${serverText(e)}`);
      nodes.push(a, b);
      const arrow = e.outcome === 'mtls' ? '-->' : '-.->';
      links.push(`  ${a} ${arrow}|${mermaidLabel(edgeLabel(e))}| ${b}`);
      if (e.outcome === 'broken') styles.push(`  linkStyle ${links.length - 1} stroke:#d00,stroke-width:2px`);
    }
    if (mesh !== undefined && nodes.length)
      lines.push(
        `  subgraph m${lines.length}["${mermaidLabel(mesh)}"]`,
        `    ${[...new Set(nodes)].join(' & ')}`,
        '  end',
      );
  }
  for (const [label, nid] of ids) {
    const text = mermaidLabel(label.slice(2));
    lines.push(label.startsWith('s:') ? `  ${nid}[("${text}")]` : `  ${nid}["${text}"]`);
  }
  return [...lines, ...links, ...styles].join('\n') + '\n';
}

/** A drawing's edge label: the outcome, and for observed calls what the mesh counted. */
function edgeLabel(e: Edge): string {
  const outcome = e.outcome === 'broken' ? outcomeText(e) : e.outcome;
  const o = e.evidence.observed;
  return o ? `${outcome}, observed ${describeAmounts(o)}` : outcome;
}

function dotString(s: string): string {
  // Graphviz reads HTML entities in strings: `&#35;` is a `#` in the drawing and no `##[` in a CI log.
  return `"${s.replace(/["\\]/g, '\\$&').replace(CONTROLS, ' ').replace(/##\[/g, '#&#35;[')}"`;
}

function formatDot(parts: { mesh?: string; edges: Edge[] }[]): string {
  const lines = ['digraph mtls {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  const servers = new Set<string>();
  for (const [i, { mesh, edges }] of parts.entries()) {
    const prefix = mesh === undefined ? '' : `${mesh}: `;
    const indent = mesh === undefined ? '  ' : '    ';
    if (mesh !== undefined) lines.push(`  subgraph cluster_${i} {`, `    label=${dotString(mesh)};`);
    for (const e of edges) {
      const server = prefix + serverText(e);
      if (!servers.has(server)) {
        servers.add(server);
        lines.push(`${indent}${dotString(server)} [shape=ellipse];`);
      }
      const style =
        e.outcome === 'broken'
          ? 'color=red, penwidth=2'
          : e.outcome === 'mtls'
            ? 'style=solid'
            : 'style=dashed';
      lines.push(
        `${indent}${dotString(prefix + clientLabel(e))} -> ${dotString(server)} [label=${dotString(edgeLabel(e))}, ${style}];`,
      );
    }
    if (mesh !== undefined) lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
