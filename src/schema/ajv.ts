import { Ajv, type ValidateFunction } from 'ajv';

let shared: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** One Ajv instance per process, created on first use (ajv's import and compile are the CLI's start-up cost). */
export function compileSchema(schema: object): ValidateFunction {
  const hit = compiled.get(schema);
  if (hit) return hit;
  shared ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const fn = shared.compile(schema);
  compiled.set(schema, fn);
  return fn;
}
