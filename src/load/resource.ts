import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { FieldPath, ResourceRef, Span } from '../types.js';

/**
 * One Kubernetes object from the inputs, with a way back to its source text.
 * `value` is plain JSON; `span(path)` finds the line and column of any field of it.
 */
export interface Resource {
  kind: string;
  apiVersion: string;
  /** API group without version ("" for core), e.g. "security.istio.io". */
  group: string;
  version: string;
  name: string;
  /** Undefined for cluster-scoped kinds (Namespace, MeshPolicy, …). */
  namespace: string | undefined;
  /** False when the namespace came from --namespace rather than metadata.namespace. */
  namespaceExplicit: boolean;
  value: Record<string, unknown>;
  /** Display path of the file (relative to the working directory) or "<stdin>". */
  file: string;
  /** Helm `# Source:` template path, when the input is `helm template` output. */
  source?: string;
  /** Stable identity: kind/namespace/name (apiVersion left out so v1beta1 → v1 is not a new resource). */
  id: string;
  /** Where a field is; falls back to the nearest existing ancestor. With key: the key of the last segment. */
  span(path: FieldPath, opts?: { key?: boolean }): Span;
  ref(): ResourceRef;
}

/**
 * Turns parser offsets into 1-based line/column spans. One per parsed chunk of a file: `base` is the chunk's
 * offset in the file's text (each YAML document is parsed on its own, see parse.ts), `lineCounter` covers the
 * whole file.
 */
export class SourceLocator {
  constructor(
    private readonly lineCounter: LineCounter,
    readonly text: string,
    readonly base = 0,
  ) {}

  /** Span of [start, end) offsets relative to this locator's chunk. */
  spanOf(start: number, end: number): Span {
    const from = start + this.base;
    let to = Math.max(end + this.base, from);
    // A block node's range ends at the next line's start; point at the end of its last content line instead.
    while (to > from && (this.text[to - 1] === '\n' || this.text[to - 1] === '\r')) to--;
    const a = this.lineCounter.linePos(from);
    const b = this.lineCounter.linePos(to);
    return { line: Math.max(a.line, 1), column: a.col, endLine: Math.max(b.line, 1), endColumn: b.col };
  }

  /**
   * Span of the node at `path`, or of its key with `{key: true}` (unknown-field and misplaced-key messages).
   * Map keys match by their string form, so `8080:` is found by the segment "8080" (ajv's instancePath) or 8080.
   * Aliases and `<<` merge keys are followed to where the value is written. A path that does not exist
   * stops at the nearest existing ancestor.
   */
  locate(root: Node | null | undefined, path: FieldPath, opts?: { key?: boolean }, doc?: Document): Span {
    let node: Node | null | undefined = root;
    let keyNode: Node | null | undefined;
    for (const segment of path) {
      node = resolveAlias(node, doc);
      if (isMap(node)) {
        const pair = findPair(node, String(segment), doc);
        if (!pair) break;
        keyNode = pair.key as Node;
        // `peers:` with nothing after it has no value node, or an empty one: point at the key then.
        const value = pair.value as Node | null;
        node =
          value && !(isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1])
            ? value
            : keyNode;
        continue;
      }
      if (isSeq(node)) {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const item = node.items[index] as Node | undefined;
        if (!item) break;
        keyNode = undefined;
        node = item;
        continue;
      }
      break;
    }
    const target = opts?.key && keyNode ? keyNode : node;
    const range = target?.range ?? root?.range;
    if (!range) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
    return this.spanOf(range[0], range[1]);
  }
}

function resolveAlias(node: Node | null | undefined, doc: Document | undefined): Node | null | undefined {
  // An alias stands for its anchor's node: positions inside it are where the anchor's value is written.
  for (let hops = 0; isAlias(node) && doc && hops < 100; hops++) {
    const target = (node as Alias).resolve(doc) as Node | undefined;
    if (!target) break;
    node = target;
  }
  return node;
}

/** `<<` with merge keys on: yaml represents the key's value as a symbol. */
export function isMergeKey(k: unknown): boolean {
  if (!isScalar(k)) return false;
  const v = k.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

function findPair(map: YAMLMap, segment: string, doc: Document | undefined, hops = 0): Pair | undefined {
  const pairs = map.items as Pair<unknown, unknown>[];
  // The last of duplicate keys: that is the value the resource holds (toJS keeps the last).
  for (let i = pairs.length - 1; i >= 0; i--) {
    const k = pairs[i]!.key as Node | null;
    if (isScalar(k) && !isMergeKey(k) && String(k.value) === segment) return pairs[i];
  }
  // `<<: *base` or `<<: [*a, *b]`: merged fields live in the anchors (the first listed wins, as in YAML 1.1).
  if (hops > 20) return undefined;
  for (const p of pairs) {
    const k = p.key as Node | null;
    if (!isMergeKey(k)) continue;
    const value = resolveAlias(p.value as Node | null, doc);
    const sources = isSeq(value) ? value.items.map((n) => resolveAlias(n as Node, doc)) : [value];
    for (const source of sources) {
      if (!isMap(source)) continue;
      const found = findPair(source, segment, doc, hops + 1);
      if (found) return found;
    }
  }
  return undefined;
}

export function apiGroupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Kinds that have no namespace; everything else takes --namespace when metadata.namespace is absent. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'MeshPolicy',
  // Istio ≤1.5 legacy RBAC: the mesh-wide switch is cluster-scoped.
  'ClusterRbacConfig',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'PriorityClass',
  'IngressClass',
  'APIService',
  'RuntimeClass',
  'CSIDriver',
  'VolumeAttachment',
  'ClusterIssuer',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

export function resourceRef(r: Pick<Resource, 'kind' | 'apiVersion' | 'namespace' | 'name'>): ResourceRef {
  const ref: ResourceRef = { kind: r.kind, apiVersion: r.apiVersion, name: r.name };
  if (r.namespace !== undefined) ref.namespace = r.namespace;
  return ref;
}

/** "Deployment legacy/sleep", "MeshPolicy default" — how a person names a resource in a message. */
export function describeResource(r: Pick<Resource, 'kind' | 'namespace' | 'name'>): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}
