import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
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

export class SourceLocator {
  constructor(
    private readonly lineCounter: LineCounter,
    readonly text: string,
  ) {}

  spanOf(start: number, end: number): Span {
    const a = this.lineCounter.linePos(start);
    let endOffset = end;
    // A block node's range ends at the next line's start; point at the end of its last content line instead.
    while (endOffset > start && (this.text[endOffset - 1] === '\n' || this.text[endOffset - 1] === '\r')) endOffset--;
    const b = this.lineCounter.linePos(Math.max(endOffset, start));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  /** Span of a node, or of a key (for unknown-field and missing-field messages). */
  locate(root: Node | null | undefined, path: FieldPath, opts?: { key?: boolean }): Span {
    let node: Node | null | undefined = root;
    let keyNode: Node | null | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = (node.items as Pair<unknown, unknown>[]).find((p) => {
          const k = p.key as Node | null;
          return isScalar(k) ? String(k.value) === String(segment) : false;
        });
        if (!pair) break;
        keyNode = pair.key as Node;
        // `peers:` with nothing after it has a null value node; point at the key then.
        node = (pair.value as Node | null) ?? keyNode;
        continue;
      }
      if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
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
