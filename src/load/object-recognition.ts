// Kubernetes object recognition: which parsed documents are Kubernetes objects (apiVersion and kind, a known kind or
// group, a CRD-like group/version), which are something else (values files, tool configuration, templates) and
// which are objects with a mistake Kubernetes would reject. `List`s are unwrapped into their items.
import type { ParseLimits, ParsedFileData } from './parsed-file.js';
import { fileFinding } from './parsed-file.js';
import { locate, spanAt, type PositionTree } from './positions.js';
import type { SourceLocator } from './resource.js';
import { CLUSTER_SCOPED_KINDS, apiGroupVersion, type ResourceData } from './resource.js';
import { PLACEHOLDER, skipTemplate, templateStyle } from './templates.js';

export interface DocContext {
  file: string;
  /** The whole file's text (positions), and the document's chunk of it. */
  text: string;
  locator: SourceLocator;
  defaultNamespace: string;
  limits: ParseLimits;
  helmSource: string | undefined;
  /** Offsets (in the chunk) of LS and PS characters, which go-yaml keeps inside multi-line values. */
  lsPs?: number[];
}

export interface CollectContext extends DocContext {
  hasTemplate: boolean;
  positions: () => PositionTree;
}

/** apiVersions to suggest when a document forgot it. */
const SUGGESTED_API_VERSION: Record<string, string> = {
  PeerAuthentication: 'security.istio.io/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  VirtualService: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Sidecar: 'networking.istio.io/v1',
  Policy: 'authentication.istio.io/v1alpha1',
  MeshPolicy: 'authentication.istio.io/v1alpha1',
  Namespace: 'v1',
  Service: 'v1',
  Pod: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/** Kinds of Kubernetes and Istio that a document without apiVersion is still recognised by. */
const KNOWN_KINDS = new Set([
  ...Object.keys(SUGGESTED_API_VERSION),
  ...CLUSTER_SCOPED_KINDS,
  'Secret',
  'Endpoints',
  'EndpointSlice',
  'Ingress',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'PersistentVolumeClaim',
  'ReplicationController',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'WorkloadEntry',
  'WorkloadGroup',
  'Telemetry',
  'EnvoyFilter',
  'ProxyConfig',
  'WasmPlugin',
  'PeerAuthentication',
  'IstioOperator',
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'TLSRoute',
  'ReferenceGrant',
  'GatewayClass',
  'Rollout',
]);

function isKnownKind(kind: string): boolean {
  return KNOWN_KINDS.has(kind);
}

/** Core `v1`, `group/version` of a known group, or CRD-like: a DNS group with a dot and a Kubernetes version. */
function isKubernetesApiVersion(apiVersion: string): boolean {
  if (apiVersion === 'v1') return true;
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return false;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!/^v\d+(?:(?:alpha|beta)\d+)?$/.test(version)) return false;
  return group.includes('.') || KNOWN_GROUPS.has(group);
}

/** Kubernetes API groups without a dot in their name. */
const KNOWN_GROUPS = new Set(['apps', 'batch', 'autoscaling', 'policy', 'extensions']);

/** API groups of files that look like objects but are tool configuration, never applied to a cluster. */
const TOOL_CONFIG_GROUPS = new Set(['kustomize.config.k8s.io', 'config.kubernetes.io']);

/**
 * Decide whether a document (or a List item) is a Kubernetes object:
 * - `kind` and `apiVersion` both non-empty strings: an object (a `List` is unwrapped into its items);
 * - neither: not Kubernetes (values files, workflows, docker-compose…), skipped and counted;
 * - one of them, or either of the wrong type, *with* `metadata` or `spec`: an object with a mistake, reported
 *   as invalid-resource (Kubernetes would reject it, and a policy that is never applied must not pass unseen);
 * - one of them without `metadata`/`spec` (Chart.yaml has `apiVersion: v2`): not Kubernetes, skipped.
 */
export function collectResources(
  value: unknown,
  basePath: (string | number)[],
  out: ParsedFileData,
  ctx: CollectContext,
): void {
  if (!isObject(value)) {
    out.skipped++;
    return;
  }
  const { kind, apiVersion } = value;
  const hasKind = kind !== undefined && kind !== null;
  const hasApiVersion = apiVersion !== undefined && apiVersion !== null;
  const wellFormed =
    typeof kind === 'string' && kind !== '' && typeof apiVersion === 'string' && apiVersion !== '';
  if (!wellFormed) {
    const looksLikeObject = isObject(value.metadata) || isObject(value.spec);
    // With only one of the two, the other must say Kubernetes: a known kind (`kind: Eval` of a tool's config is
    // not), or an apiVersion of a known group or CRD-like `group/version`.
    const recognised = hasKind
      ? hasApiVersion || (typeof kind === 'string' && isKnownKind(kind))
      : typeof apiVersion !== 'string' || isKubernetesApiVersion(apiVersion);
    if (
      (!hasKind && !hasApiVersion) ||
      (!looksLikeObject && !(hasKind && hasApiVersion)) ||
      !recognised ||
      ctx.hasTemplate
    ) {
      out.skipped++;
      return;
    }
    reportMalformed(value, basePath, out, ctx);
    return;
  }
  // `name: "{{ .Values.name }}"`, `namespace: "{{ tg_namespace }}"`, `name: ${PROVIDER}-server`: a quoted or
  // plain placeholder where an identity belongs is an unrendered template, whatever the templating.
  const meta = isObject(value.metadata) ? value.metadata : undefined;
  const identity: [string, unknown][] = [
    ['kind', kind],
    ['apiVersion', apiVersion],
    ['metadata.name', meta?.name],
    ['metadata.namespace', meta?.namespace],
  ];
  const placeholder = identity.find(([, v]) => typeof v === 'string' && PLACEHOLDER.test(v));
  if (placeholder) {
    const path = [...basePath, ...placeholder[0].split('.')];
    const [from] = locate(ctx.positions(), path);
    skipTemplate(
      out,
      out.lines,
      from,
      `${templateStyle(placeholder[1] as string)} in ${placeholder[0]}: ${JSON.stringify(placeholder[1]).slice(0, 80)}`,
    );
    return;
  }
  const { group, version } = apiGroupVersion(apiVersion);
  if (TOOL_CONFIG_GROUPS.has(group)) {
    out.skipped++; // kustomization.yaml and friends
    return;
  }
  // `kubectl get -o yaml` output: a List of objects; each item keeps its own positions.
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, i) => collectResources(item, [...basePath, 'items', i], out, ctx));
    return;
  }
  const metadata = isObject(value.metadata) ? value.metadata : {};
  // `name: 42` is read as a number; Kubernetes wants a string (the schema check says so), keep it recognisable.
  const name = scalarText(metadata.name);
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
  const explicitNs = scalarText(metadata.namespace) || undefined;
  // As `kubectl apply -n NS` does: an object without metadata.namespace lands in --namespace.
  const namespace = clusterScoped ? undefined : (explicitNs ?? ctx.defaultNamespace);
  const resource: ResourceData = {
    kind,
    apiVersion,
    group,
    version,
    name,
    namespace,
    namespaceExplicit: !clusterScoped && explicitNs !== undefined,
    value,
    file: ctx.file,
    id: `${kind}/${namespace ?? ''}/${name}`,
    tree: ctx.positions(),
    prefix: basePath.slice(),
  };
  if (ctx.helmSource) resource.source = ctx.helmSource;
  out.resources.push(resource);
}

function reportMalformed(
  value: Record<string, unknown>,
  basePath: (string | number)[],
  out: ParsedFileData,
  ctx: CollectContext,
): void {
  const { kind, apiVersion } = value;
  const name = isObject(value.metadata) ? scalarText(value.metadata.name) : '';
  const what =
    typeof kind === 'string' && kind
      ? `This ${kind}${name ? ` (${name})` : ''}`
      : `This object${name ? ` (${name})` : ''}`;
  let field: string;
  let message: string;
  if (kind === undefined || kind === null) {
    field = 'apiVersion';
    message = `${what} has apiVersion ${JSON.stringify(apiVersion)} but no \`kind\`, so Kubernetes rejects it and mtls-lint did not check it. Add the kind (e.g. \`kind: PeerAuthentication\`).`;
  } else if (typeof kind !== 'string' || kind === '') {
    field = 'kind';
    message = `${what}: \`kind\` must be a non-empty string such as PeerAuthentication, not ${JSON.stringify(kind)}; Kubernetes rejects it and mtls-lint did not check it.`;
  } else if (apiVersion === undefined || apiVersion === null) {
    field = 'kind';
    const suggestion = SUGGESTED_API_VERSION[kind];
    message = `${what} has no \`apiVersion\`, so Kubernetes rejects it and mtls-lint did not check it. Add \`apiVersion: ${suggestion ?? 'GROUP/VERSION'}\`${suggestion ? '' : ' (see kubectl api-resources)'}.`;
  } else {
    field = 'apiVersion';
    message = `${what}: \`apiVersion\` must be a string such as security.istio.io/v1, not ${JSON.stringify(apiVersion)}; Kubernetes rejects it and mtls-lint did not check it.`;
  }
  const path = [...basePath, field];
  const f = fileFinding(
    'invalid-resource',
    ctx.file,
    spanAt(out.lines, ...locate(ctx.positions(), path, { key: true })),
    message,
    `malformed-object|${String(kind)}|${name}|${field}`,
  );
  if (ctx.helmSource) f.source = ctx.helmSource;
  out.diagnostics.push(f);
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
