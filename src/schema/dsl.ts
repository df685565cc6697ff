// A tiny vocabulary for writing our JSON Schemas (draft-07, ajv strict mode) plus what ajv cannot carry:
// the human words for each node ("a target", "a `tls` block"), which unknown fields are only warnings, and hints.
// That extra information lives in a WeakMap keyed by the schema object, so ajv never sees a non-standard keyword;
// messages.ts resolves an error's schemaPath back to the node and reads it from there.

export type JsonSchema = Record<string, unknown>;

export interface NodeMeta {
  /** Noun phrase for "`x` is not a field of …": "a target", "a PeerAuthentication spec", "`mtls`". */
  title?: string;
  /** Unknown fields here are warnings (Istio adds fields over time); the default for strict nodes is error. */
  unknownIsWarning?: boolean;
  /** Appended to an unknown-field message at this node, e.g. where labels go in a selector. */
  unknownHint?: string;
  /** Why a required field matters, appended to "has no `x`". */
  requiredHint?: Readonly<Record<string, string>>;
  /** For enums: what the value is ("PeerAuthentication mTLS mode"). */
  enumName?: string;
  /** What is wrong when a string fails `pattern`, given the value. */
  patternHint?: (value: string) => string;
  /** What an empty object here means (minProperties). */
  emptyHint?: string;
  /** For numbers with a range: what they are ("port"). */
  rangeName?: string;
  /** For maps: what the keys are ("port"), shown as `spec.portLevelMtls.<port>`. */
  keyName?: string;
}

const META = new WeakMap<object, NodeMeta>();

export function withMeta<T extends JsonSchema>(schema: T, meta: NodeMeta): T {
  META.set(schema, { ...META.get(schema), ...meta });
  return schema;
}

export function metaOf(schema: unknown): NodeMeta | undefined {
  return typeof schema === 'object' && schema !== null ? META.get(schema) : undefined;
}

// Kubernetes decodes `field: null` as "not set" (built-in types) and prunes nulls from custom resources, so
// nearly every optional field accepts null; fields that must have a value are not nullable.

export const STRING: JsonSchema = { type: ['string', 'null'] };
export const REQUIRED_STRING: JsonSchema = { type: 'string', minLength: 1 };
export const BOOLEAN: JsonSchema = { type: ['boolean', 'null'] };
export const STRING_LIST: JsonSchema = { type: ['array', 'null'], items: { type: 'string' } };
/** Any object, content not checked (Istio settings we do not reason about). */
export const ANY_OBJECT: JsonSchema = { type: ['object', 'null'] };
/** Label-like maps: string values (null reads as ""). */
export const STRING_MAP: JsonSchema = {
  type: ['object', 'null'],
  additionalProperties: { type: ['string', 'null'] },
};

export function port(opts: { nullable?: boolean } = {}): JsonSchema {
  return withMeta(
    { type: opts.nullable === false ? 'integer' : ['integer', 'null'], minimum: 1, maximum: 65535 },
    { rangeName: 'port' },
  );
}

export function enumOf(values: readonly string[], enumName: string): JsonSchema {
  return withMeta({ type: ['string', 'null'], enum: [...values, null] }, { enumName });
}

export interface ObjectOptions extends NodeMeta {
  /** Unknown fields are problems (errors, or warnings with unknownIsWarning). */
  strict?: boolean;
  required?: readonly string[];
  /** Default true: `field: null` is allowed. */
  nullable?: boolean;
  minProperties?: number;
}

export function object(properties: Record<string, JsonSchema>, opts: ObjectOptions = {}): JsonSchema {
  const { strict, required, nullable, minProperties, ...meta } = opts;
  const schema: JsonSchema = { type: nullable === false ? 'object' : ['object', 'null'], properties };
  if (strict) schema.additionalProperties = false;
  if (required?.length) schema.required = [...required];
  if (minProperties !== undefined) schema.minProperties = minProperties;
  return withMeta(schema, meta);
}

export function list(items: JsonSchema, meta: NodeMeta = {}): JsonSchema {
  return withMeta({ type: ['array', 'null'], items }, meta);
}

export function mapOf(values: JsonSchema, meta: NodeMeta = {}): JsonSchema {
  return withMeta({ type: ['object', 'null'], additionalProperties: values }, meta);
}

/** Children of a schema node, with the path segment that leads to each ("[]" for items, "<key>" for map values). */
export function* childSchemas(schema: JsonSchema): Generator<[string, JsonSchema]> {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props) for (const [name, child] of Object.entries(props)) yield [name, child];
  const items = schema.items;
  if (items && typeof items === 'object') yield ['[]', items as JsonSchema];
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object')
    yield [`<${metaOf(schema)?.keyName ?? 'key'}>`, extra as JsonSchema];
}
