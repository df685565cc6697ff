// Turns ajv's errors into Problems a person can act on: one per field, pointing at the exact key or value,
// naming the field and, for a known field in the wrong place, where it belongs.
import type { ErrorObject } from 'ajv';
import { childSchemas, metaOf, type JsonSchema, type NodeMeta } from './dsl.js';
import { displayPath, fieldLabel, pointerToPath, valueAt } from './paths.js';
import { article, isObject, quote, type Problem } from './problem.js';

/** Everything the translator knows about the schema of one kind. */
export class SchemaInfo {
  private homesCache: Map<string, string[][]> | undefined;

  constructor(
    readonly root: JsonSchema,
    /** Extra words for a misplaced field of this kind (what the mistake does), given the resource value. */
    readonly consequences: Readonly<
      Record<string, (value: Record<string, unknown>) => string | undefined>
    > = {},
  ) {}

  /** For each field name, the schema paths of the objects that have it (e.g. tls → spec.trafficPolicy, …). */
  homes(): Map<string, string[][]> {
    if (this.homesCache) return this.homesCache;
    const homes = new Map<string, string[][]>();
    // Our schemas are trees (shared sub-objects, no recursion), so a plain walk terminates.
    const walk = (node: JsonSchema, path: string[]) => {
      const props = node.properties as Record<string, JsonSchema> | undefined;
      if (props) {
        for (const name of Object.keys(props)) {
          let list = homes.get(name);
          if (!list) homes.set(name, (list = []));
          list.push(path);
        }
      }
      for (const [segment, child] of childSchemas(node)) {
        if (path.length < 12) walk(child, [...path, segment]);
      }
    };
    walk(this.root, []);
    this.homesCache = homes;
    return homes;
  }
}

type AjvError = ErrorObject;

/** A schema seen as one kind (Policy and MeshPolicy share a schema but not their name). */
interface KindInfo {
  kind: string;
  root: JsonSchema;
  consequences: SchemaInfo['consequences'];
  homes(): Map<string, string[][]>;
}

/** The schema object an error's keyword belongs to ("#/properties/spec/additionalProperties" → spec's schema). */
function schemaNodeOf(root: JsonSchema, schemaPath: string): JsonSchema | undefined {
  const parts = schemaPath.replace(/^#\/?/, '').split('/');
  parts.pop(); // the keyword itself
  let node: unknown = root;
  for (const raw of parts) {
    if (raw === '') continue;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${quote(value)})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  return typeof value;
}

function fieldName(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : '';
}

/** `spec.targets[1]` in backquotes, or "this Policy" for the resource itself. */
function where(path: readonly (string | number)[], kind: string): string {
  return path.length === 0 ? `this ${kind}` : `\`${displayPath(path)}\``;
}

function titleOf(meta: NodeMeta | undefined, path: readonly (string | number)[], kind: string): string {
  return meta?.title ?? where(path, kind);
}

/** Optimal string alignment distance (a transposition counts as one edit: mdoe → mode). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d[i] = [i];
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  const lower = word.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase().replace(/[_-]/g, '') === lower) return c; // portLevelMTLS, port_level_mtls
    const score = editDistance(word.toLowerCase(), c.toLowerCase());
    const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** Does a schema path segment match an instance path segment? ("[]" any index, "<port>" any key). */
function segmentMatches(schemaSeg: string, actual: string | number): boolean {
  if (schemaSeg === '[]') return typeof actual === 'number';
  if (/^<.*>$/.test(schemaSeg)) return typeof actual === 'string';
  return schemaSeg === actual;
}

interface Home {
  /** Schema path of the object the field belongs to, with this resource's indexes filled in where they agree. */
  path: (string | number)[];
  /** True when the home is an ancestor of where the field was found (the usual mis-indentation). */
  ancestor: boolean;
}

/** Where a known field belongs, seen from the object it was found in: the home sharing most of the path. */
function bestHome(info: KindInfo, field: string, found: (string | number)[]): Home | undefined {
  const candidates = info.homes().get(field);
  if (!candidates?.length) return undefined;
  let best: string[] | undefined;
  let bestShared = -1;
  for (const home of candidates) {
    // A home equal to where it was found means the field is allowed there: not our case (the schema said no).
    if (home.length === found.length && home.every((s, i) => segmentMatches(s, found[i]!))) continue;
    let shared = 0;
    while (shared < home.length && shared < found.length && segmentMatches(home[shared]!, found[shared]!))
      shared++;
    if (shared > bestShared || (shared === bestShared && best && home.length < best.length)) {
      best = home;
      bestShared = shared;
    }
  }
  if (!best) return undefined;
  const path = best.map((s, i) => (i < bestShared ? found[i]! : s));
  return { path, ancestor: bestShared === best.length && best.length < found.length };
}

function homePhrase(home: Home): string {
  const last = home.path[home.path.length - 1];
  if (last === '[]') {
    const list = home.path.slice(0, -1);
    return `it belongs in a \`${displayPath(list)}\` entry`;
  }
  return home.path.length === 0
    ? 'it belongs at the top level'
    : `it belongs under \`${displayPath(home.path)}\``;
}

function indentHint(home: Home, found: (string | number)[]): string {
  if (!home.ancestor) return '';
  const sibling = found[home.path.length];
  return typeof sibling === 'string' ? ` (it is indented too far: line it up with \`${sibling}:\`)` : '';
}

/**
 * Translate ajv errors for one resource. `value` is the resource's JSON, `info` its kind's schema.
 */
export function translateErrors(
  errors: readonly AjvError[],
  value: Record<string, unknown>,
  schema: SchemaInfo,
  kind: string,
): Problem[] {
  const info: KindInfo = {
    kind,
    root: schema.root,
    consequences: schema.consequences,
    homes: () => schema.homes(),
  };
  const problems: Problem[] = [];
  // Group by object: an item that is both missing a required field and has unknown ones is one mistake
  // (typically a list entry that landed in the wrong list), so it gets one message.
  const byObject = new Map<string, { required: AjvError[]; extra: AjvError[] }>();
  const rest: AjvError[] = [];
  for (const e of errors) {
    // Wrappers say nothing about a field; their branches carry the detail.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if' || e.keyword === 'not') continue;
    if (e.keyword === 'required' || e.keyword === 'additionalProperties') {
      let g = byObject.get(e.instancePath);
      if (!g) byObject.set(e.instancePath, (g = { required: [], extra: [] }));
      (e.keyword === 'required' ? g.required : g.extra).push(e);
    } else rest.push(e);
  }

  for (const [pointer, group] of byObject) {
    const objPath = pointerToPath(pointer, value);
    const node = group.extra[0] ?? group.required[0]!;
    const schema = schemaNodeOf(info.root, node.schemaPath);
    const meta = metaOf(schema);
    if (group.required.length && group.extra.length) {
      problems.push(misplacedItem(group, objPath, schema, meta, value, info));
      continue;
    }
    for (const e of group.required) problems.push(missing(e, objPath, meta, info));
    for (const e of group.extra) problems.push(unknownField(e, objPath, schema, meta, value, info));
  }

  for (const e of rest) {
    const path = pointerToPath(e.instancePath, value);
    const schema = schemaNodeOf(info.root, e.schemaPath);
    const problem = valueProblem(e, path, schema, value, info);
    if (problem) problems.push(problem);
  }

  // One message per field: the first (most specific) wins.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = (p.keyPath ?? p.path).join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function missing(
  e: AjvError,
  objPath: (string | number)[],
  meta: NodeMeta | undefined,
  info: KindInfo,
): Problem {
  const field = (e.params as { missingProperty: string }).missingProperty;
  const hint = meta?.requiredHint?.[field];
  return {
    path: objPath,
    atKey: true,
    keyPath: [...objPath, field],
    kind: 'missing-field',
    message: `${capital(where(objPath, info.kind))} has no \`${field}\`${hint ? `: ${hint}` : '.'}`,
  };
}

function unknownField(
  e: AjvError,
  objPath: (string | number)[],
  schema: JsonSchema | undefined,
  meta: NodeMeta | undefined,
  value: Record<string, unknown>,
  info: KindInfo,
): Problem {
  const field = (e.params as { additionalProperty: string }).additionalProperty;
  const path = [...objPath, field];
  const title = titleOf(meta, objPath, info.kind);
  const warning = meta?.unknownIsWarning === true;
  const severity = warning ? ('warning' as const) : undefined;
  const own = Object.keys((schema?.properties as Record<string, unknown> | undefined) ?? {});
  const consequence = info.consequences[field]?.(value) ?? '';
  const home = bestHome(info, field, objPath);
  if (home) {
    return {
      path,
      atKey: true,
      kind: 'misplaced-field',
      severity,
      message: `\`${fieldLabel(field)}\` is not a field of ${title}; ${homePhrase(home)}${indentHint(home, objPath)}.${consequence}`,
    };
  }
  const near = closest(field, own);
  if (near) {
    return {
      path,
      atKey: true,
      kind: 'unknown-field',
      severity,
      message: `\`${fieldLabel(field)}\` is not a field of ${title}; did you mean \`${near}\`?${meta?.unknownHint ? ` ${meta.unknownHint}` : ''}${warning ? DROPPED : ''}`,
    };
  }
  const elsewhere = closest(field, info.homes().keys());
  if (elsewhere) {
    const h = bestHome(info, elsewhere, objPath);
    const placement = h ? `; ${homePhrase(h)}` : '';
    return {
      path,
      atKey: true,
      kind: 'unknown-field',
      severity,
      message: `\`${fieldLabel(field)}\` is not a field of ${title}; did you mean \`${elsewhere}\`${placement ? ` (${placement.slice(2)})` : ''}?${warning ? DROPPED : ''}`,
    };
  }
  const known =
    own.length && own.length <= 12 && !meta?.unknownHint ? ` Its fields are: ${own.join(', ')}.` : '';
  return {
    path,
    atKey: true,
    kind: 'unknown-field',
    severity,
    message: `\`${fieldLabel(field)}\` is not a field of ${title}.${meta?.unknownHint ? ` ${meta.unknownHint}` : ''}${known}${warning ? DROPPED : ''}`,
  };
}

const DROPPED =
  ' Kubernetes drops unknown fields (or rejects them with kubectl --validate=strict), so it has no effect.';

function misplacedItem(
  group: { required: AjvError[]; extra: AjvError[] },
  objPath: (string | number)[],
  schema: JsonSchema | undefined,
  meta: NodeMeta | undefined,
  value: Record<string, unknown>,
  info: KindInfo,
): Problem {
  const missingFields = group.required.map(
    (e) => `\`${(e.params as { missingProperty: string }).missingProperty}\``,
  );
  const extras = group.extra.map((e) => (e.params as { additionalProperty: string }).additionalProperty);
  const title = titleOf(meta, objPath, info.kind);
  const homes = extras.map((f) => bestHome(info, f, objPath));
  const first = extras[0]!;
  const firstHome = homes[0];
  let text = `${capital(where(objPath, info.kind))} has no ${missingFields.join(' or ')}, and `;
  text +=
    extras.length === 1
      ? `\`${fieldLabel(first)}\` is not a field of ${title}`
      : `${extras.map((f) => `\`${fieldLabel(f)}\``).join(', ')} are not fields of ${title}`;
  text += firstHome ? `; ${homePhrase(firstHome)}.` : '.';
  // The seed's shape: `peers:` indented under a target turns the next `- mtls:` into a second target.
  const list = objPath.slice(0, -1);
  const listName = fieldName(list);
  const home = firstHome?.path;
  if (
    typeof objPath[objPath.length - 1] === 'number' &&
    home &&
    home[home.length - 1] === '[]' &&
    homes.every((h) => h && displayPath(h.path) === displayPath(home))
  ) {
    const otherList = String(home[home.length - 2]);
    const index = objPath[objPath.length - 1] as number;
    const previous = index > 0 ? valueAt(value, [...list, index - 1]) : undefined;
    const cause =
      isObject(previous) && otherList in previous
        ? ` because \`${otherList}:\` above is indented under \`${displayPath([...list, index - 1])}\``
        : '';
    text += ` This item looks like a \`${otherList}\` entry that ended up in \`${listName}\`${cause}.`;
  }
  return {
    path: [...objPath, first],
    atKey: true,
    keyPath: objPath,
    kind: 'misplaced-item',
    message: text,
  };
}

/** Why a boolean is there at all: the YAML 1.1 words kubectl reads as booleans, and what Kubernetes does with it. */
export const BOOLEAN_WORDS =
  ' Unquoted, yes/no/on/off/y/n are booleans too for kubectl (YAML 1.1): quote the word as written. Kubernetes rejects the object as it is (kubectl apply fails).';

function valueProblem(
  e: AjvError,
  path: (string | number)[],
  schema: JsonSchema | undefined,
  value: Record<string, unknown>,
  info: KindInfo,
): Problem | undefined {
  const meta = metaOf(schema);
  const actual = valueAt(value, path);
  const at = where(path, info.kind);
  switch (e.keyword) {
    case 'type': {
      const wanted = ([] as string[])
        .concat((e.params as { type: string | string[] }).type)
        .filter((t) => t !== 'null');
      const expected = wanted.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      let fix = '';
      const name = fieldName(path);
      if (wanted.includes('string') && (typeof actual === 'number' || typeof actual === 'boolean')) {
        fix = ` Quote it: ${name ? `${name}: ` : ''}"${String(actual)}".${typeof actual === 'boolean' ? BOOLEAN_WORDS : ''}`;
      } else if (
        (wanted.includes('integer') || wanted.includes('number')) &&
        typeof actual === 'string' &&
        /^\s*\d+\s*$/.test(actual)
      ) {
        fix = ` Write it without quotes: ${name ? `${name}: ` : ''}${actual.trim()}.`;
      } else if (
        wanted.includes('boolean') &&
        typeof actual === 'string' &&
        /^(true|false)$/i.test(actual.trim())
      ) {
        fix = ` Write it without quotes: ${name ? `${name}: ` : ''}${actual.trim().toLowerCase()}.`;
      } else if (wanted.includes('object') && Array.isArray(actual)) {
        fix = ' Remove the `- ` in front of its fields.';
      } else if (wanted.includes('array') && isObject(actual)) {
        fix = ' Put `- ` in front of each entry.';
      }
      const message =
        actual === null || actual === undefined
          ? `${capital(at)} is empty; it must be ${expected}.`
          : `${capital(at)} must be ${expected}, not ${describeValue(actual)}.${fix}`;
      return { path, kind: 'wrong-type', message };
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).filter(
        (v) => v !== null,
      );
      const shown = typeof actual === 'string' ? quoteBare(actual) : quote(actual);
      const caseHint = allowed.find(
        (v) =>
          typeof v === 'string' &&
          typeof actual === 'string' &&
          v.toLowerCase() === actual.trim().toLowerCase(),
      );
      const subject = meta?.enumName
        ? `${shown} is not ${article(meta.enumName)}`
        : `${capital(at)} is ${shown}, which is not allowed`;
      return {
        path,
        kind: 'bad-value',
        message: `${subject}; use one of ${allowed.join(', ')}${caseHint ? ` (values are case-sensitive: ${String(caseHint)})` : ''}.`,
      };
    }
    case 'minimum':
    case 'maximum': {
      if (meta?.rangeName === 'port') {
        return {
          path,
          kind: 'out-of-range',
          message: `${capital(at)} is ${String(actual)}; a port number must be 1..65535.`,
        };
      }
      const limit = (e.params as { limit: number }).limit;
      const op = e.keyword === 'minimum' ? 'at least' : 'at most';
      return {
        path,
        kind: 'out-of-range',
        message: `${capital(at)} is ${String(actual)}; it must be ${op} ${limit}.`,
      };
    }
    case 'pattern': {
      const hint = typeof actual === 'string' ? meta?.patternHint?.(actual) : undefined;
      return {
        path,
        kind: 'bad-format',
        message: hint
          ? `${capital(at)} ${hint}`
          : `${capital(at)} (${quote(actual)}) is not in the expected format.`,
      };
    }
    case 'minLength': {
      const parent = schemaParentMeta(info, path);
      const hint = parent?.requiredHint?.[fieldName(path)];
      return { path, kind: 'empty', message: `${capital(at)} is empty${hint ? `: ${hint}` : '.'}` };
    }
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      return { path, kind: 'too-long', message: `${capital(at)} is longer than ${limit} characters.` };
    }
    case 'minProperties':
      return {
        path,
        atKey: true,
        kind: 'empty',
        message: `${capital(at)} is empty${meta?.emptyHint ? `: ${meta.emptyHint}` : '.'}`,
      };
    default:
      return { path, kind: e.keyword, message: `${capital(at)} ${e.message ?? 'is invalid'}.` };
  }
}

/** Meta of the object schema holding the field at `path` (for hints on that field). */
function schemaParentMeta(info: KindInfo, path: (string | number)[]): NodeMeta | undefined {
  let node: JsonSchema | undefined = info.root;
  for (const segment of path.slice(0, -1)) {
    if (!node) return undefined;
    const props = node.properties as Record<string, JsonSchema> | undefined;
    if (typeof segment === 'number') node = node.items as JsonSchema | undefined;
    else
      node =
        props?.[segment] ??
        (isObject(node.additionalProperties) ? (node.additionalProperties as JsonSchema) : undefined);
  }
  return metaOf(node);
}

function quoteBare(s: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(s) ? s : quote(s);
}

function capital(s: string): string {
  return s.charAt(0) === '`' || s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
