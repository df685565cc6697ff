// Applying a plan the way kubectl would: objects are identified by (API group, kind, namespace, name); `apply -f`
// replaces or adds, `delete -f` removes. The state is plain YAML text, read back by the real loader or the real CLI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

type Doc = Record<string, unknown>;

/** Objects in input order, by identity. */
export type ClusterState = Map<string, Doc>;

const CLUSTER_SCOPED = new Set(['Namespace', 'MeshPolicy']);

function identity(d: Doc, namespace: string): string {
  const meta = (d.metadata ?? {}) as Doc;
  const api = String(d.apiVersion ?? '');
  const group = api.includes('/') ? api.slice(0, api.indexOf('/')) : '';
  const kind = String(d.kind);
  const ns = CLUSTER_SCOPED.has(kind) ? '' : String(meta.namespace ?? namespace);
  return `${group}|${kind}|${ns}|${String(meta.name)}`;
}

/** Documents of YAML texts (comments and empty documents dropped). */
export function docsOf(text: string): Doc[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Doc => !!d && typeof d === 'object' && 'kind' in d);
}

export function stateOf(texts: string[], namespace = 'default'): ClusterState {
  const state: ClusterState = new Map();
  for (const t of texts) for (const d of docsOf(t)) state.set(identity(d, namespace), d);
  return state;
}

/** Every *.yaml/*.yml under a directory, sorted, as texts. */
export function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

export function applyDocs(state: ClusterState, docs: Doc[], namespace = 'default'): void {
  for (const d of docs) state.set(identity(d, namespace), d);
}

export function deleteDocs(state: ClusterState, docs: Doc[], namespace = 'default'): void {
  for (const d of docs) {
    const key = identity(d, namespace);
    if (!state.has(key)) throw new Error(`kubectl delete: ${key} does not exist`);
    state.delete(key);
  }
}

/** `kubectl apply -f DIR/ && kubectl delete -f DIR/delete/` for one step directory of --out-dir. */
export function applyStepDir(state: ClusterState, dir: string, namespace = 'default'): void {
  for (const f of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(f)) continue;
    applyDocs(state, docsOf(readFileSync(path.join(dir, f), 'utf8')), namespace);
  }
  const del = path.join(dir, 'delete');
  try {
    for (const f of readdirSync(del).sort())
      deleteDocs(state, docsOf(readFileSync(path.join(del, f), 'utf8')), namespace);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export function stateYaml(state: ClusterState): string {
  // YAML, not JSON lines (a file that starts with `{` is one JSON document to kubectl), and 1.1-safe: `no` quoted.
  return [...state.values()].map((d) => stringify(d, { version: '1.1' })).join('---\n');
}

export interface GraphEdgeJson {
  client: { namespace: string; workload: string; kind: string };
  server: { namespace: string; service: string; port: number };
  caller: string;
  outcome: string;
}

/** Counts as the plan reports them, from `mtls-lint graph -f json` (declared and inferred callers). */
export function countsOf(edges: GraphEdgeJson[]): {
  mtls: number;
  plaintext: number;
  broken: number;
  tls: number;
} {
  const c = { mtls: 0, plaintext: 0, broken: 0, tls: 0 };
  for (const e of edges) c[e.outcome as keyof typeof c]++;
  return c;
}

const RANK: Record<string, number> = { mtls: 0, tls: 0, plaintext: 1, broken: 2 };

/** Edges (declared/inferred) whose outcome got worse from `before` to `after`. */
export function worsened(before: GraphEdgeJson[], after: GraphEdgeJson[]): string[] {
  const key = (e: GraphEdgeJson) =>
    `${e.client.kind}:${e.client.namespace}/${e.client.workload}→${e.server.namespace}/${e.server.service}:${e.server.port}`;
  const was = new Map(before.map((e) => [key(e), e.outcome]));
  return after
    .filter((e) => was.has(key(e)) && RANK[e.outcome]! > RANK[was.get(key(e))!]!)
    .map((e) => `${key(e)}: ${was.get(key(e))} → ${e.outcome}`);
}
