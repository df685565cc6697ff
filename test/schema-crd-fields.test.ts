// Schema lag (issue 15): every field Istio's CRDs define for a kind mtls-lint validates must be known to its schema,
// or a valid manifest is reported as having an unknown field (AuthorizationPolicy `trustDomains` in Istio 1.30 was).
// The field lists come from Istio's crd-all.gen.yaml of several releases (scripts/crd-fields.mjs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_BUILDERS, type SchemaId } from '../src/schema/schemas.js';
import type { JsonSchema } from '../src/schema/dsl.js';
import { lintYaml } from './helpers/mesh.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CRDS = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/istio-crd-fields.json'), 'utf8')) as {
  releases: string[];
  kinds: Record<string, Record<string, [string, string]>>;
};
const SCHEMA_OF: Record<string, SchemaId> = {
  PeerAuthentication: 'PeerAuthentication',
  AuthorizationPolicy: 'AuthorizationPolicy',
  DestinationRule: 'DestinationRule',
  Policy: 'LegacyPolicy',
  MeshPolicy: 'LegacyPolicy',
};

/** The schema node a path leads to: undefined when an open object accepts anything there, 'unknown' when refused. */
function follow(schema: JsonSchema, segments: string[]): JsonSchema | undefined | 'unknown' {
  let node: JsonSchema = schema;
  for (const seg of segments) {
    const alternatives = [node, ...((node.anyOf ?? node.oneOf ?? []) as JsonSchema[])];
    let next: JsonSchema | undefined;
    let open = false;
    for (const alt of alternatives) {
      if (seg === '[]') {
        if (alt.items && typeof alt.items === 'object') next ??= alt.items as JsonSchema;
        continue;
      }
      const props = alt.properties as Record<string, JsonSchema> | undefined;
      if (seg !== '*' && props?.[seg]) next ??= props[seg];
      else if (alt.additionalProperties && typeof alt.additionalProperties === 'object')
        next ??= alt.additionalProperties as JsonSchema;
      else if (alt.additionalProperties === undefined && (props || alt.type)) open = true;
    }
    if (next) node = next;
    else if (open || seg === '[]') return undefined;
    else return 'unknown';
  }
  return node;
}

describe('the schemas know every field of Istio CRDs', () => {
  for (const [kind, fields] of Object.entries(CRDS.kinds)) {
    it(`${kind}: ${Object.keys(fields).length} fields over Istio ${CRDS.releases[0]}–${CRDS.releases.at(-1)}`, () => {
      const schema = SCHEMA_BUILDERS[SCHEMA_OF[kind]!]();
      const unknown = Object.entries(fields)
        .filter(([p]) => follow(schema, p.split('.')) === 'unknown')
        .map(([p, [from, to]]) => `${p} (Istio ${from}${from === to ? '' : `–${to}`})`);
      expect(unknown).toEqual([]);
    });
  }
});

it('an AuthorizationPolicy with trustDomains / notTrustDomains (Istio 1.30) has no finding', async () => {
  const run = await lintYaml({
    'authz.yaml': `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: from-partner
  namespace: shop
spec:
  action: ALLOW
  rules:
  - from:
    - source:
        trustDomains: ["partner.example.com"]
        notTrustDomains: ["legacy.example.com"]
`,
  });
  expect(run.findings.filter((f) => f.rule === 'invalid-resource')).toEqual([]);
});
