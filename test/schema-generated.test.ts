// The ajv validators are generated ahead of time (compiling them at run time cost more than the CLI's start-up
// budget). This keeps the committed file in step with the schemas; UPDATE_VALIDATORS=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { Ajv } from 'ajv';
import {
  AJV_OPTIONS,
  generateConfigValidatorSource,
  generateValidatorsSource,
} from '../src/schema/generate.js';
import * as generated from '../src/schema/generated/validators.js';
import { SCHEMA_BUILDERS, SCHEMA_IDS } from '../src/schema/schemas.js';

test.each([
  [
    'validators.ts',
    new URL('../src/schema/generated/validators.ts', import.meta.url),
    generateValidatorsSource,
  ],
  [
    'config-validator.ts',
    new URL('../src/schema/generated/config-validator.ts', import.meta.url),
    generateConfigValidatorSource,
  ],
] as const)(
  'src/schema/generated/%s matches its schemas (regenerate: UPDATE_VALIDATORS=1 npx vitest run test/schema-generated.test.ts)',
  (_name, url, generate) => {
    const file = fileURLToPath(url);
    const fresh = generate();
    if (process.env.UPDATE_VALIDATORS) writeFileSync(file, fresh);
    const committed = readFileSync(file, 'utf8');
    expect(
      committed === fresh,
      'generated validators are stale: run UPDATE_VALIDATORS=1 npx vitest run test/schema-generated.test.ts',
    ).toBe(true);
    expect(committed).not.toMatch(/\brequire\(/);
  },
);

test('every schema exists as a generated validator and agrees with ajv compiling it at run time', () => {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, source: false } });
  const samples: unknown[] = [
    {},
    { metadata: { name: 'x' }, spec: { mtls: { mode: 'STRCT' }, tls: {} } },
    { metadata: { name: 1 }, spec: [] },
    { metadata: {}, spec: { host: '', trafficPolicy: { tls: { mode: 'X' }, portLevelSettings: [{}] } } },
    { metadata: {}, spec: { targets: [{ peers: null }, { mtls: {} }], peers: [{ mtls: null }] } },
    {
      metadata: {},
      spec: { ports: [{ port: '80', targetPort: '8080' }], template: { spec: { containers: {} } } },
    },
  ];
  const validators = generated as unknown as Record<string, ((d: unknown) => boolean) & { errors?: unknown }>;
  for (const id of SCHEMA_IDS) {
    const pre = validators[id];
    expect(pre, id).toBeTypeOf('function');
    const runtime = ajv.compile(SCHEMA_BUILDERS[id]());
    for (const sample of samples) {
      expect(pre!(sample), `${id} ${JSON.stringify(sample)}`).toBe(runtime(sample));
      expect(pre!.errors ?? null).toEqual(runtime.errors ?? null);
    }
  }
});
