import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Scalar } from 'yaml';
import { buildPositionTree, lineStarts, locate, spanAt } from './load/positions.js';
import type { ErrorObject } from 'ajv';
import { validateConfig as generatedValidator } from './schema/generated/config-validator.js';
import type { Config } from './options.js';

/** The generated ajv validator of .mtls-lint.yaml (src/schema/config-schema.ts). */
const validateConfig = generatedValidator as unknown as {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
};

const CONFIG_FILE_NAMES = ['.mtls-lint.yaml', '.mtls-lint.yml'];

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

/** A config file is a few lines; anything much bigger is a mistake or an attack from a pull request. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadConfigFile(file: string, knownRules: ReadonlySet<string>): Config {
  let text: string;
  try {
    if (statSync(file).size > MAX_CONFIG_BYTES)
      throw new ConfigError(`${file}: config file is over 1 MiB; is it the right file?`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseConfig(text, file, knownRules);
}

/**
 * Parse and validate .mtls-lint.yaml. Every problem is a ConfigError (exit 2) that names the file, the line and
 * the offending key, so a typo never silently does nothing.
 */
function parseConfig(text: string, file: string, knownRules: ReadonlySet<string>): Config {
  const source = text.replace(/^\ufeff/, '');
  const lineCounter = new LineCounter();
  // uniqueKeys off: yaml's own check is quadratic in a mapping's keys; duplicates are found below instead.
  const doc = parseDocument(source, {
    prettyErrors: false,
    uniqueKeys: false,
    lineCounter,
    logLevel: 'silent',
  });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const pos = lineCounter.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${where(e.pos[0])}: ${e.message.split('\n')[0]!.replace(/\.$/, '')}`);
  }
  const duplicate = firstDuplicateKey(doc.contents as Node | null);
  if (duplicate) {
    throw new ConfigError(
      `${where(duplicate.range?.[0])}: ${String((duplicate as Scalar).value)} is set twice; keep one`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Name the line of the offending key, as the loader does for manifests.
  const positions = doc.contents ? buildPositionTree(doc.contents as Node, doc, source, 0) : undefined;
  const at = (segments: string[], key = false) => {
    if (!positions) return file;
    const span = spanAt(lineStarts(source), ...locate(positions, segments, { key }));
    return `${file}:${span.line}:${span.column}`;
  };
  const version = (value as { istioVersion?: unknown } | null)?.istioVersion;
  if (typeof version === 'number') {
    // YAML reads 1.10 as the number 1.1: refuse rather than lint against the wrong release.
    throw new ConfigError(
      `${at(['istioVersion'])}: istioVersion must be quoted (istioVersion: "${version}"); unquoted, YAML reads 1.10 as 1.1`,
    );
  }
  if (!validateConfig(value)) {
    const err = validateConfig.errors![0]!;
    const segments = err.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const params = err.params as { additionalProperty?: string; allowedValues?: unknown[]; type?: string };
    const extra = params.additionalProperty;
    const key = [...segments, ...(extra ? [extra] : [])].join('.') || '(top level)';
    const message = extra
      ? 'is not a known setting'
      : params.allowedValues
        ? `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
        : params.type
          ? `must be ${/^[aeiou]/.test(params.type) ? 'an' : 'a'} ${params.type}`
          : (err.message ?? 'is invalid');
    throw new ConfigError(
      `${at(extra ? [...segments, extra] : segments, Boolean(extra))}: ${key} ${message}`,
    );
  }
  const config = value as Config;
  for (const id of Object.keys(config.rules ?? {})) {
    if (!knownRules.has(id)) {
      throw new ConfigError(
        `${at(['rules', id], true)}: rules.${id} is not a rule of mtls-lint (see --list-rules)`,
      );
    }
  }
  for (const [name, mesh] of Object.entries(config.meshes ?? {})) {
    // The name is shown in every finding of the mesh and selected with --mesh: keep it a plain word.
    if (!MESH_NAME.test(name)) {
      throw new ConfigError(
        `${at(['meshes', name], true)}: meshes.${name} is not a mesh name (letters, digits, ".", "_", "-"; at most 63 characters)`,
      );
    }
    if (!mesh.paths?.length && mesh.render === undefined) {
      throw new ConfigError(
        `${at(['meshes', name], true)}: meshes.${name} needs paths: (manifests to lint) or render: (a command that prints them)`,
      );
    }
    if (mesh.timeout !== undefined && mesh.render === undefined) {
      throw new ConfigError(
        `${at(['meshes', name, 'timeout'], true)}: meshes.${name}.timeout applies to render: only; this mesh has none`,
      );
    }
  }
  return config;
}

const MESH_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function firstDuplicateKey(root: Node | null): Node | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const name = String(pair.key.value);
          if (seen.has(name)) return pair.key;
          seen.add(name);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) stack.push(...node.items);
  }
  return undefined;
}
