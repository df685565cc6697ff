import { locate, spanAt, trimmedSpan, type PositionTree } from './positions.js';
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
 * Turns offsets of one parsed chunk of a file into 1-based line/column spans: `base` is the chunk's offset in the
 * file's text (each YAML document is parsed on its own, see parse.ts).
 */
export class SourceLocator {
  constructor(
    readonly text: string,
    readonly lines: Int32Array,
    readonly base = 0,
  ) {}

  /** Span of [start, end) offsets relative to this locator's chunk. */
  spanOf(start: number, end: number): Span {
    return trimmedSpan(this.text, this.lines, start + this.base, end + this.base);
  }
}

/** What the parser hands over for one resource: plain data, so that it can come from a worker thread. */
export interface ResourceData extends Omit<Resource, 'span' | 'ref'> {
  /** The document the resource is in, and the path of the resource inside it (a `List` item's). */
  tree: PositionTree;
  prefix: (string | number)[];
}

/** A resource whose span() reads its document's PositionTree and its file's line starts. */
export function hydrateResource(data: ResourceData, lines: Int32Array): Resource {
  const { tree, prefix, ...fields } = data;
  const resource: Resource = {
    ...fields,
    span: (path, opts) => {
      const [from, to] = locate(tree, prefix.length ? [...prefix, ...path] : path, opts);
      return spanAt(lines, from, to);
    },
    ref: () => resourceRef(resource),
  };
  return resource;
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

function resourceRef(r: Pick<Resource, 'kind' | 'apiVersion' | 'namespace' | 'name'>): ResourceRef {
  const ref: ResourceRef = { kind: r.kind, apiVersion: r.apiVersion, name: r.name };
  if (r.namespace !== undefined) ref.namespace = r.namespace;
  return ref;
}

/** "Deployment legacy/sleep", "MeshPolicy default" — how a person names a resource in a message. */
export function describeResource(r: Pick<Resource, 'kind' | 'namespace' | 'name'>): string {
  return r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}
