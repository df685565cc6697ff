// AuthorizationPolicy fields that only match mTLS traffic (istio-semantics.md §7; api security/v1beta1
// authorization_policy.proto: principals, namespaces … "requires mTLS enabled"; ISTIO-SECURITY-2021-004).
import type { Resource } from '../load/index.js';
import type { AuthzPolicy, MtlsOnlyField, Workload } from './model.js';
import { arr, get, obj, selectorMatches, str, stringMap } from './util.js';

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'];
const WHEN_KEYS = ['source.principal', 'source.namespace', 'connection.sni'];

export function readAuthorizationPolicies(resources: Resource[]): AuthzPolicy[] {
  const out: AuthzPolicy[] = [];
  for (const r of resources) {
    if (r.kind !== 'AuthorizationPolicy' || r.group !== 'security.istio.io' || r.namespace === undefined)
      continue;
    const mtlsFields: MtlsOnlyField[] = [];
    arr(get(r.value, 'spec', 'rules')).forEach((rule, ri) => {
      arr(obj(rule)?.from).forEach((from, fi) => {
        const source = obj(obj(from)?.source) ?? {};
        for (const field of SOURCE_FIELDS) {
          if (arr(source[field]).length)
            mtlsFields.push({
              path: ['spec', 'rules', ri, 'from', fi, 'source', field],
              field,
              positive: !field.startsWith('not'),
            });
        }
      });
      arr(obj(rule)?.when).forEach((cond, ci) => {
        const key = str(obj(cond)?.key);
        if (key && WHEN_KEYS.includes(key)) {
          const positive = arr(obj(cond)?.values).length > 0;
          mtlsFields.push({ path: ['spec', 'rules', ri, 'when', ci, 'key'], field: `when ${key}`, positive });
        }
      });
    });
    out.push({
      resource: r,
      namespace: r.namespace,
      selector: stringMap(get(r.value, 'spec', 'selector', 'matchLabels')),
      action: str(get(r.value, 'spec', 'action')) ?? 'ALLOW',
      mtlsFields,
    });
  }
  return out;
}

/** A policy in the root namespace applies mesh-wide; elsewhere to its namespace's workloads matching the selector. */
export function policySelects(ap: AuthzPolicy, workload: Workload, rootNamespace: string): boolean {
  if (ap.namespace !== rootNamespace && ap.namespace !== workload.namespace) return false;
  return selectorMatches(ap.selector, workload.labels);
}
