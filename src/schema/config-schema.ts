// JSON Schema of .mtls-lint.yaml. Compiled ahead of time into generated/config-validator.ts (src/schema/generate.ts),
// so the CLI does not load ajv at start-up.

const severity = { enum: ['error', 'warning', 'info', 'off'] };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/** JSON Schema of .mtls-lint.yaml. Unknown keys are errors: a typo must not silently do nothing. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespace: { type: 'string', minLength: 1 },
    istioVersion: { type: 'string', pattern: '^v?1\\.\\d+(\\.\\d+)?$' },
    ignore: { type: 'array', items: { type: 'string' } },
    rules: { type: 'object', additionalProperties: severity },
    namespaces: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          injection: { enum: ['enabled', 'disabled'] },
          revision: { type: 'string' },
          ambient: { type: 'boolean' },
          labels: stringMap,
        },
      },
    },
    mesh: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rootNamespace: { type: 'string', minLength: 1 },
        autoMtls: { type: 'boolean' },
        injectionPolicy: { enum: ['enabled', 'disabled'] },
        enableNamespacesByDefault: { type: 'boolean' },
      },
    },
    callers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 } },
      },
    },
    scope: {
      type: 'object',
      additionalProperties: false,
      properties: {
        excludeServerNamespaces: { type: 'array', items: { type: 'string' } },
        includeControlPlane: { type: 'boolean' },
      },
    },
    traffic: { type: 'array', items: { type: 'string', minLength: 1 } },
    prometheus: { type: 'string', minLength: 1 },
    trafficWindow: { type: 'string', pattern: '^\\d{1,6}[smhdw]$' },
    meshes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          paths: { type: 'array', items: { type: 'string', minLength: 1 } },
          render: { type: 'string', minLength: 1 },
          timeout: { type: 'integer', minimum: 1 },
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxFileSize: { type: 'integer', minimum: 1 },
        maxTotalSize: { type: 'integer', minimum: 1 },
        maxDocuments: { type: 'integer', minimum: 1 },
        maxAliasCount: { type: 'integer', minimum: 0 },
        maxDepth: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;
