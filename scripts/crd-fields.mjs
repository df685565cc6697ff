// Extract the field paths Istio's CRDs define, per release and kind, into test/fixtures/istio-crd-fields.json:
// test/schema-crd-fields.test.ts checks that mtls-lint's schemas know every one of them (no "unknown field" for a
// field the release has). Run: node scripts/crd-fields.mjs DIR_WITH_istio-X.Y.Z.yaml (Istio's crd-all.gen.yaml).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const KINDS = new Set([
  'PeerAuthentication',
  'AuthorizationPolicy',
  'DestinationRule',
  'Policy',
  'MeshPolicy',
]);
const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/crd-fields.mjs DIR');

/** Paths of every property under `schema`: map values as `*`, list items as `[]`. */
function paths(schema, prefix, out) {
  if (!schema || typeof schema !== 'object') return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const p = [...prefix, key];
    out.add(p.join('.'));
    paths(child, p, out);
  }
  if (schema.items) paths(schema.items, [...prefix, '[]'], out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    paths(schema.additionalProperties, [...prefix, '*'], out);
}

const releases = {};
for (const file of readdirSync(dir).filter((f) => /^istio-[\d.]+\.yaml$/.test(f))) {
  const release = file.replace(/^istio-|\.yaml$/g, '');
  const kinds = {};
  for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
    const crd = doc.toJS();
    const kind = crd?.spec?.names?.kind;
    if (crd?.kind !== 'CustomResourceDefinition' || !KINDS.has(kind)) continue;
    const versions = crd.spec.versions ?? [];
    const out = new Set();
    for (const v of versions) paths(v.schema?.openAPIV3Schema?.properties?.spec, ['spec'], out);
    paths(crd.spec.validation?.openAPIV3Schema?.properties?.spec, ['spec'], out);
    if (out.size) kinds[kind] = [...out].sort();
  }
  releases[release] = kinds;
}
// Per kind, every path with the first and last release (of those given) that defines it.
const order = Object.keys(releases).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const byKind = {};
for (const release of order) {
  for (const [kind, list] of Object.entries(releases[release])) {
    const fields = (byKind[kind] ??= {});
    for (const p of list) fields[p] = [fields[p]?.[0] ?? release, release];
  }
}
const out = { releases: order, kinds: byKind };
writeFileSync(
  'test/fixtures/istio-crd-fields.json',
  `${JSON.stringify(out, null, 1).replace(/\[\n\s+("[^"]+"),\n\s+("[^"]+")\n\s+\]/g, '[$1, $2]')}\n`,
);
console.log(
  Object.entries(byKind)
    .map(([k, f]) => `${k}: ${Object.keys(f).length} fields`)
    .join('\n'),
);
