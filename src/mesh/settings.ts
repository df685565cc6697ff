// Mesh-wide settings: root namespace and auto mTLS, from (in order) .mtls-lint.yaml, an `istio` mesh ConfigMap or an
// IstioOperator in the inputs, and the chosen Istio version's defaults.
import { decodeEmbeddedYaml } from '../load/kube-yaml.js';
import type { Resource } from '../load/index.js';
import type { ResolvedOptions } from '../options.js';
import type { MeshSettingsResolved } from './model.js';
import { get, obj, str } from './util.js';
import { releaseOf, type Release } from './releases.js';

/**
 * enableAutoMtls default per version (istio-semantics.md §4.1): introduced in 1.4 (off); 1.5's mesh.go default is
 * false but the 1.5 helm values and the default operator profile set it on, which is what installs got; 1.6+ on
 * (pkg/config/mesh/mesh.go DefaultMeshConfig).
 */
function defaultAutoMtls(v: Release): boolean {
  return v.has('auto-mtls-on-by-default');
}

interface MeshConfigFound {
  rootNamespace?: { value: string; resource: Resource; path: (string | number)[] };
  outboundTrafficPolicy?: { value: string; resource: Resource; path: (string | number)[] };
  autoMtls?: { value: boolean; resource: Resource; path: (string | number)[] };
  defaultVirtualServiceExportTo?: string[];
}

/** meshConfig.defaultVirtualServiceExportTo as a list of strings, or undefined when not a list. */
function exportToList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : undefined;
}

/** Read meshConfig from `ConfigMap istio` (data.mesh, a YAML string) or an IstioOperator's spec.meshConfig. */
function findMeshConfig(resources: Resource[]): MeshConfigFound {
  const found: MeshConfigFound = {};
  // istiod reads the mesh ConfigMap, so it wins over an IstioOperator (which only renders it), whatever the input
  // order; among several, `istio` first, then by namespace and name, so the answer never depends on file order.
  const rank = (r: Resource) => (r.kind === 'ConfigMap' ? (r.name === 'istio' ? 0 : 1) : 2);
  const meshConfigMap = (r: Resource) =>
    r.kind === 'ConfigMap' && (r.name === 'istio' || r.name.startsWith('istio-')) && r.group === '';
  const operator = (r: Resource) => r.kind === 'IstioOperator' && r.group === 'install.istio.io';
  // Only candidates are sorted: a large repository has thousands of other ConfigMaps.
  const ordered = resources
    .filter((r) => meshConfigMap(r) || operator(r))
    .sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const r of ordered) {
    if (meshConfigMap(r)) {
      // istio-<revision> ConfigMaps hold the same mesh config for revisioned control planes.
      const text = str(get(r.value, 'data', 'mesh'));
      if (!text) continue;
      // istiod reads it as kubectl reads manifests (sigs.k8s.io/yaml): `enableAutoMtls: off` is false.
      const mesh = decodeEmbeddedYaml(text);
      if (mesh === undefined) continue; // a broken embedded mesh config is not ours to report; defaults apply
      const auto = get(mesh, 'enableAutoMtls');
      const root = get(mesh, 'rootNamespace');
      const outbound = str(get(mesh, 'outboundTrafficPolicy', 'mode'));
      if (outbound && !found.outboundTrafficPolicy)
        found.outboundTrafficPolicy = { value: outbound, resource: r, path: ['data', 'mesh'] };
      if (typeof auto === 'boolean' && !found.autoMtls)
        found.autoMtls = { value: auto, resource: r, path: ['data', 'mesh'] };
      if (typeof root === 'string' && root && !found.rootNamespace)
        found.rootNamespace = { value: root, resource: r, path: ['data', 'mesh'] };
      found.defaultVirtualServiceExportTo ??= exportToList(get(mesh, 'defaultVirtualServiceExportTo'));
    } else if (operator(r)) {
      const mc = obj(get(r.value, 'spec', 'meshConfig'));
      const auto = mc?.enableAutoMtls;
      const root = mc?.rootNamespace;
      const outbound = str(get(mc, 'outboundTrafficPolicy', 'mode'));
      if (outbound && !found.outboundTrafficPolicy)
        found.outboundTrafficPolicy = {
          value: outbound,
          resource: r,
          path: ['spec', 'meshConfig', 'outboundTrafficPolicy', 'mode'],
        };
      if (typeof auto === 'boolean' && !found.autoMtls)
        found.autoMtls = { value: auto, resource: r, path: ['spec', 'meshConfig', 'enableAutoMtls'] };
      if (typeof root === 'string' && root && !found.rootNamespace)
        found.rootNamespace = { value: root, resource: r, path: ['spec', 'meshConfig', 'rootNamespace'] };
      found.defaultVirtualServiceExportTo ??= exportToList(mc?.defaultVirtualServiceExportTo);
      // 1.4/1.5 installs set auto mTLS through values.global.mtls.auto.
      const legacyAuto = get(r.value, 'spec', 'values', 'global', 'mtls', 'auto');
      if (typeof legacyAuto === 'boolean' && !found.autoMtls)
        found.autoMtls = {
          value: legacyAuto,
          resource: r,
          path: ['spec', 'values', 'global', 'mtls', 'auto'],
        };
    }
  }
  return found;
}

export function resolveMeshSettings(resources: Resource[], options: ResolvedOptions): MeshSettingsResolved {
  const version = options.istioVersion;
  const release = releaseOf(version);
  const configured = options.config.mesh ?? {};
  const found = findMeshConfig(resources);
  const settings: MeshSettingsResolved = {
    version,
    release,
    rootNamespace: 'istio-system',
    autoMtls: defaultAutoMtls(release),
    autoMtlsSource: `the default for Istio ${version.text}`,
  };
  if (found.outboundTrafficPolicy?.value === 'REGISTRY_ONLY') {
    const r = found.outboundTrafficPolicy.resource;
    settings.outboundTrafficPolicy = 'REGISTRY_ONLY';
    settings.outboundTrafficPolicyCause = {
      resource: r,
      path: found.outboundTrafficPolicy.path,
      description: `outboundTrafficPolicy REGISTRY_ONLY in ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`,
    };
  }
  if (found.defaultVirtualServiceExportTo)
    settings.defaultVirtualServiceExportTo = found.defaultVirtualServiceExportTo;
  if (configured.rootNamespace) settings.rootNamespace = configured.rootNamespace;
  else if (found.rootNamespace) {
    settings.rootNamespace = found.rootNamespace.value;
    settings.rootNamespaceCause = {
      resource: found.rootNamespace.resource,
      path: found.rootNamespace.path,
      description: `rootNamespace in ${found.rootNamespace.resource.kind} ${found.rootNamespace.resource.name}`,
    };
  }
  if (!release.has('auto-mtls')) {
    // Auto mTLS does not exist before 1.4, whatever the config says.
    settings.autoMtls = false;
    settings.autoMtlsSource = `Istio ${version.text}, which has no auto mTLS`;
  } else if (configured.autoMtls !== undefined) {
    settings.autoMtls = configured.autoMtls;
    settings.autoMtlsSource = '.mtls-lint.yaml mesh.autoMtls';
  } else if (found.autoMtls) {
    const r = found.autoMtls.resource;
    settings.autoMtls = found.autoMtls.value;
    settings.autoMtlsSource = `enableAutoMtls in ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
    settings.autoMtlsCause = { resource: r, path: found.autoMtls.path, description: settings.autoMtlsSource };
  }
  return settings;
}
