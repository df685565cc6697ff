import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { compileSchema } from './schema/ajv.js';
import type { Config } from './options.js';

export const CONFIG_FILE_NAMES = ['.mtls-lint.yaml', '.mtls-lint.yml'];

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
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxFileSize: { type: 'integer', minimum: 1 },
        maxDocuments: { type: 'integer', minimum: 1 },
        maxAliasCount: { type: 'integer', minimum: 0 },
        maxDepth: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

export class ConfigError extends Error {}

/** Find .mtls-lint.yaml from `dir` upward. */
export function findConfigFile(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export function loadConfigFile(file: string, knownRules: ReadonlySet<string>): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseConfig(text, file, knownRules);
}

export function parseConfig(text: string, file: string, knownRules: ReadonlySet<string>): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new ConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const value = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as unknown;
  if (value && typeof value === 'object' && typeof (value as Config & { istioVersion?: unknown }).istioVersion === 'number') {
    // YAML reads 1.10 as the number 1.1: refuse rather than lint against the wrong release.
    throw new ConfigError(`${file}: istioVersion must be quoted (istioVersion: "1.10"); unquoted, 1.10 reads as 1.1`);
  }
  const validate = compileSchema(CONFIG_SCHEMA);
  if (!validate(value)) {
    const err = validate.errors![0]!;
    const at = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = (err.params as { additionalProperty?: string }).additionalProperty;
    const key = extra ? (at ? `${at}.${extra}` : extra) : at || '(top level)';
    const msg = extra ? 'is not a known setting' : (err.message ?? 'is invalid');
    throw new ConfigError(`${file}: ${key} ${msg}`);
  }
  const config = value as Config;
  for (const id of Object.keys(config.rules ?? {})) {
    if (!knownRules.has(id)) throw new ConfigError(`${file}: rules.${id} is not a rule of mtls-lint (see --help)`);
  }
  return config;
}
