// Engine bugs that the properties found and that are not fixed yet. Each has a regression test marked `it.fails`
// in test/oracle/regressions.test.ts; when the engine is fixed that test fails (it passes for real), and the
// entry here must go, so the properties check that case again.
import type { Finding } from '../../src/types.js';
import type { TextFile } from './harness.js';

/**
 * oracle-regressions/kind-object-prototype-key.yaml: a document whose `kind` is an Object.prototype member
 * (`constructor`, `toString`, …) crashes the mesh model (POD_TEMPLATE_PATHS[kind] in src/mesh/workloads.ts).
 */
export function knownCrash(files: TextFile[]): boolean {
  return (
    KNOWN_CRASH_OPEN &&
    files.some((f) =>
      /^\s*"?kind"?\s*:\s*["']?(constructor|toString|toLocaleString|valueOf|hasOwnProperty|isPrototypeOf|propertyIsEnumerable|__proto__|__defineGetter__|__defineSetter__|__lookupGetter__|__lookupSetter__)["']?\s*$/m.test(
        f.text,
      ),
    )
  );
}

/**
 * oracle-regressions/stand-in-auto-mtls-1.4.yaml: under Istio 1.4 with auto mTLS on, the stand-in servers ("any
 * other service in <ns>", "any sidecar service in a namespace not in the inputs") are taken to receive mTLS,
 * although auto mTLS in 1.4 infers DISABLE for a service without a mTLS Policy and sends plaintext (§4.3). The
 * finding this produces has no cause, so it is anchored at the first victim in input order (or at no file at all
 * when every victim is a stand-in).
 */
export function knownStandInAutoMtls14(f: Pick<Finding, 'rule' | 'message'>): boolean {
  return (
    STAND_IN_14_OPEN &&
    f.rule === 'mtls-to-plaintext-server' &&
    f.message.startsWith('auto mTLS sends Istio mTLS') &&
    f.message.includes('Istio 1.4 then accepts plaintext only')
  );
}

/**
 * oracle-regressions/list-order.yaml: lists in the graph and in messages follow input order — the members of a
 * client group and the node's namespace (its first member's), the namespaces of a merged stand-in client ("any new
 * sidecar workload in foo, bar"), victim lists in messages (and which ones are cut off), and so the anchor of a
 * finding without a cause (its first victim); an edge's clientTls/serverMode (its first worst connection, when
 * several tie). While this is open, the layout properties compare findings by rule and severity only, client
 * groups by their sorted members and edges by their sorted connections; set it to false once the engine sorts.
 */
export const LIST_ORDER_BUG_OPEN = false;

export function clientNodeKey(client: {
  namespace: string;
  name: string;
  standIn?: string;
  members?: { namespace: string; name: string }[];
}): string {
  if (LIST_ORDER_BUG_OPEN && client.name === '*') {
    const standIn = /^any new sidecar workload in (.*?)(?: and (\d+) more)?$/.exec(client.standIn ?? '');
    if (standIn) {
      // The shown names are the first three in input order: compare the sorted names when all are shown, else the count.
      const names = standIn[1]!.split(', ');
      return standIn[2]
        ? `stand-in(${names.length + Number(standIn[2])} namespaces)`
        : `stand-in(${names.sort().join(', ')})`;
    }
    if (client.members?.length)
      return `group(${client.members
        .map((m) => `${m.namespace}/${m.name}`)
        .sort()
        .join(',')})`;
  }
  return `${client.namespace}/${client.name}`;
}

/**
 * oracle-regressions/mesh-config-precedence.yaml: with both an `istio` mesh ConfigMap and an IstioOperator that set
 * enableAutoMtls/rootNamespace, whichever comes first in the input wins. The ConfigMap is what istiod reads
 * (istio-semantics.md §4.1: "whoever renders the mesh ConfigMap decides"), so it should win whatever the order.
 */
export function knownMeshConfigConflict(texts: string[]): boolean {
  if (!MESH_CONFIG_OPEN) return false;
  const all = texts.join('\n---\n');
  return /kind:\s*IstioOperator/.test(all) && /kind:\s*ConfigMap/.test(all);
}

/**
 * oracle-regressions/caller-name-clash.yaml: a declared caller `from: ns/name` (or an annotation/AuthorizationPolicy
 * caller) when two workloads of different kinds share that name (a Deployment and a StatefulSet `sleep`): the graph
 * keeps one of them, the last in input order (src/graph/callers.ts byName). While open, the layout properties do not
 * generate two workloads with one name.
 */
export const WORKLOAD_NAME_CLASH_OPEN = false;
export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
  'ReplicationController',
  'Rollout',
]);

/**
 * oracle-regressions/mesh-config-yaml-warning.yaml: a mesh ConfigMap whose data.mesh YAML has warnings (e.g. a
 * `%directive`) makes src/mesh/settings.ts `parse()` call process.emitWarning, which Node prints on the process's
 * stderr — bypassing the CLI's io, quoting user text verbatim. While open, the robustness property ignores
 * YAMLWarning process warnings.
 */
export const YAML_WARNING_LEAK_OPEN = false;

/**
 * oracle-regressions/dr-lookup-client-namespace-visibility.yaml and dr-lookup-private-in-service-namespace.yaml:
 * src/mesh/destination-rules.ts picks the most specific host match first and checks visibility after, in every
 * namespace of the lookup. §3.2 filters first: in the client's namespace only rules visible there count (a more
 * specific rule exported elsewhere does not hide a visible `*.local`), and in the service's and root namespaces
 * only rules exported from them count (a private `exportTo: ["."]` rule does not hide a public one). While open, the
 * oracle does not decide calls where the two orders give different rules.
 */
export const DR_LOOKUP_BUG_OPEN = false;

// Fixed in the engine (fixtures flipped to status: fixed); kept as switches so a regression can be re-guarded.
const KNOWN_CRASH_OPEN = false;
const STAND_IN_14_OPEN = false;
const MESH_CONFIG_OPEN = false;

/**
 * oracle-regressions/authz-passthrough-1.4.yaml: under Istio 1.4 a plaintext call to a port no Service declares
 * reaches the server sidecar's inbound passthrough chain, which carries the RBAC filter (1.4.0
 * pilot/pkg/networking/plugin/authz/authorization.go OnInboundPassthrough → buildFilter) though no authentication
 * filter: an ALLOW policy on principals/namespaces denies it. The engine gives that connection the mode NO_SIDECAR
 * (right for authentication), and authz-requires-mtls skips NO_SIDECAR servers, so the 403 is not reported.
 */
const AUTHZ_PASSTHROUGH_14_OPEN = false;

export function knownAuthzPassthrough14(version: string, call: { undeclared?: boolean }): boolean {
  return AUTHZ_PASSTHROUGH_14_OPEN && version === '1.4' && call.undeclared === true;
}
