// The injector's install-time settings that decide who reaches a pod's ports from outside the mesh: whether it
// rewrites the kubelet's probes (values.sidecarInjectorWebhook.rewriteAppHTTPProbe) and whether it merges the
// app's Prometheus metrics into the agent's (meshConfig.enablePrometheusMerge). Read from an IstioOperator, the
// istio-sidecar-injector ConfigMap or the mesh ConfigMap when the inputs hold them.
import { decodeEmbeddedYaml } from '../load/kube-yaml.js';
import type { Resource } from '../load/index.js';
import type { FieldPath } from '../types.js';
import { get, str } from '../mesh/util.js';

interface SettingFound {
  value: boolean;
  resource: Resource;
  path: FieldPath;
  /** "IstioOperator istio-system/installed-state values.sidecarInjectorWebhook.rewriteAppHTTPProbe". */
  description: string;
}

export interface InjectorSettings {
  rewriteAppHTTPProbe?: SettingFound;
  enablePrometheusMerge?: SettingFound;
}

/** Resources sorted so that the answer never depends on file order: ConfigMaps (what istiod reads) first. */
export function injectorSettings(configMaps: Resource[], operators: Resource[]): InjectorSettings {
  const out: InjectorSettings = {};
  const byId = (a: Resource, b: Resource) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (const r of configMaps.filter((c) => c.group === '').sort(byId)) {
    if (r.name === 'istio-sidecar-injector' || r.name.startsWith('istio-sidecar-injector-')) {
      // 1.6+: data.values is the chart's values as JSON; 1.4/1.5: the rendered template's first line in data.config.
      const values = str(get(r.value, 'data', 'values'));
      const v = values
        ? get(decodeEmbeddedYaml(values), 'sidecarInjectorWebhook', 'rewriteAppHTTPProbe')
        : undefined;
      const config = str(get(r.value, 'data', 'config'));
      const m = config ? /^\s*rewriteAppHTTPProbe:\s*(true|false)\s*$/m.exec(config) : null;
      const value = typeof v === 'boolean' ? v : m ? m[1] === 'true' : undefined;
      if (value !== undefined && !out.rewriteAppHTTPProbe)
        out.rewriteAppHTTPProbe = {
          value,
          resource: r,
          path: ['data', typeof v === 'boolean' ? 'values' : 'config'],
          description: `ConfigMap ${r.namespace}/${r.name} rewriteAppHTTPProbe: ${value}`,
        };
    } else if (r.name === 'istio' || r.name.startsWith('istio-')) {
      const mesh = str(get(r.value, 'data', 'mesh'));
      const merge = mesh ? get(decodeEmbeddedYaml(mesh), 'enablePrometheusMerge') : undefined;
      if (typeof merge === 'boolean' && !out.enablePrometheusMerge)
        out.enablePrometheusMerge = {
          value: merge,
          resource: r,
          path: ['data', 'mesh'],
          description: `mesh config ${r.namespace}/${r.name} enablePrometheusMerge: ${merge}`,
        };
    }
  }
  for (const r of operators.filter((o) => o.group === 'install.istio.io').sort(byId)) {
    const rewrite = get(r.value, 'spec', 'values', 'sidecarInjectorWebhook', 'rewriteAppHTTPProbe');
    if (typeof rewrite === 'boolean' && !out.rewriteAppHTTPProbe)
      out.rewriteAppHTTPProbe = {
        value: rewrite,
        resource: r,
        path: ['spec', 'values', 'sidecarInjectorWebhook', 'rewriteAppHTTPProbe'],
        description: `IstioOperator ${r.namespace ?? ''}/${r.name} values.sidecarInjectorWebhook.rewriteAppHTTPProbe: ${rewrite}`,
      };
    const merge = get(r.value, 'spec', 'meshConfig', 'enablePrometheusMerge');
    if (typeof merge === 'boolean' && !out.enablePrometheusMerge)
      out.enablePrometheusMerge = {
        value: merge,
        resource: r,
        path: ['spec', 'meshConfig', 'enablePrometheusMerge'],
        description: `IstioOperator ${r.namespace ?? ''}/${r.name} meshConfig.enablePrometheusMerge: ${merge}`,
      };
  }
  return out;
}

/** Go's strconv.ParseBool, as the injector reads boolean annotations; undefined for anything else. */
export function parseGoBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|t|T|TRUE|true|True)$/.test(value)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(value)) return false;
  return undefined;
}
