// Small readers over plain JSON manifests. Manifests are untrusted: every accessor tolerates any shape.

export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Labels/annotations: only string values count (Kubernetes rejects others; the schema pass reports them). */
export function stringMap(v: unknown): Record<string, string> {
  const o = obj(v);
  const out: Record<string, string> = {};
  if (!o) return out;
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

export function get(v: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = obj(cur)?.[p];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Kubernetes label selector `matchLabels` semantics: every selector label is on the object (empty matches all). */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

export function portNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

export const CLUSTER_DOMAIN = 'cluster.local';

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * A host as a resource in `namespace` writes it, resolved the way Istio does for DestinationRule hosts:
 * a name without a dot gets `<ns>.svc.cluster.local` of the *resource's* namespace; anything with a dot is verbatim
 * (istio pilot/pkg/model/config.go ResolveShortnameToFQDN — so "reviews.default" is NOT expanded).
 */
export function resolveIstioHost(host: string, namespace: string): string {
  if (host === '*' || host.includes('.')) return host;
  return serviceFqdn(host, namespace);
}

/** Does a (resolved) DestinationRule host match a service FQDN? Exact, or `*.suffix` / `*`. */
export function hostMatches(pattern: string, fqdn: string): boolean {
  if (pattern === fqdn) return true;
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return fqdn.endsWith(pattern.slice(1));
  return false;
}

/** Specificity for "most specific host wins": exact beats any wildcard; longer wildcard beats shorter. */
export function hostSpecificity(pattern: string): number {
  if (!pattern.startsWith('*')) return 1_000_000;
  return pattern.length;
}

/** Levenshtein distance, for "did you mean" hints; 3 stands for anything over 2 (only near misses matter). */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Where an exportTo list (VirtualService from 1.6, ServiceEntry from 1.7) makes a resource of namespace `ns` visible:
 * "*" everywhere, else "~" nowhere, else the namespaces named ("." is `ns`). push_context.go initVirtualServices /
 * initServiceRegistry.
 */
export function exportScope(exportTo: readonly string[], ns: string): 'public' | 'none' | Set<string> {
  if (exportTo.includes('*')) return 'public';
  if (exportTo.includes('~')) return 'none';
  return new Set(exportTo.map((e) => (e === '.' ? ns : e)));
}
