// What Kubernetes decodes: kubectl and the API server read YAML with go-yaml v2 (through sigs.k8s.io/yaml, which
// turns the value into JSON), and istiod reads its mesh config the same way. This module is that contract for both
// of mtls-lint's readers (simple-yaml.ts and the yaml package): plain scalars resolved as go-yaml v2's resolve.go
// does (YAML 1.1: `on`/`no`/`y` are booleans, `0777` is octal, `1_000` is 1000), JSON keys as sigs.k8s.io/yaml
// writes them, and go-yaml's line breaks. test/kube-yaml.test.ts compares it with go-yaml v2 itself.
import { parseAllDocuments } from 'yaml';
import type { CollectionTag, DocumentOptions, ParseOptions, ScalarTag, SchemaOptions } from 'yaml';

// ---------------------------------------------------------------------------------------------------------------
// Plain scalars (gopkg.in/yaml.v2 resolve.go)

/** resolve.go's resolveMap: looked up first for any scalar whose first character has a hint. */
const RESOLVE_MAP = new Map<string, unknown>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(
    (s) => [s, false] as const,
  ),
  ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
]);

/** resolve.go's yamlStyleFloat: what it hands to strconv.ParseFloat after an integer failed. */
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat on a scalar starting with `.` (resolve.go's '.' hint): Go's own float syntax. */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
/** strconv.ParseInt(s, 0, 64): sign, then 0x/0o/0b (any case), a leading 0 (octal), or decimal. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
/** A decimal int that is a safe JS integer as it is (no sign, no leading zero, at most 15 digits). */
const SMALL_DECIMAL = /^[1-9][0-9]{0,14}$|^0$/;
/** resolve.go's fallback for `0b` followed by what strconv.ParseInt(_, 2) still takes (a sign). */
const ZERO_B_SIGNED = /^0b([-+]?[01]+)$/;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** Only these first characters have a hint in resolve.go's resolveTable; anything else is a string. */
function hint(c: number): number {
  // + - . 0-9 ~ y Y n N t T f F o O
  return c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57) || c === 126
    ? c
    : c === 121 ||
        c === 89 ||
        c === 110 ||
        c === 78 ||
        c === 116 ||
        c === 84 ||
        c === 102 ||
        c === 70 ||
        c === 111 ||
        c === 79
      ? 77 /* M */
      : 0;
}

/** What resolvePlain's last number was to go-yaml: an int (int64 or uint64, in `lastInt`) or a float64. */
let lastWasInt = false;
let lastInt: bigint | undefined = 0n;

/** A JS number for an integer go-yaml read (int, int64 or uint64: JSON writes its digits, JSON.parse rounds them). */
function intValue(sign: string, digits: string, radix: number): number | undefined {
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  let v = BigInt(prefix + (digits === '' ? '0' : digits));
  if (sign === '-') v = -v;
  // ParseInt(int64), else ParseUint(uint64, no sign allowed).
  if (v < INT64_MIN || v > UINT64_MAX || (sign !== '' && v >= 2n ** 63n)) return undefined;
  const n = Number(v);
  lastWasInt = true;
  lastInt = v;
  return n === 0 ? 0 : n; // never -0: Go's integers have none
}

/** strconv.ParseFloat: an error (so go-yaml keeps the string) when the value overflows. */
function floatValue(text: string): number | undefined {
  const f = Number(text);
  return Number.isFinite(f) ? f : undefined;
}

/**
 * The value go-yaml v2 gives a plain (unquoted, untagged) scalar, as sigs.k8s.io/yaml passes it on: null, a
 * boolean, a number (NaN and ±Infinity included: JSON cannot hold them and kubectl refuses the document), or the
 * string itself. Timestamps stay strings (go-yaml keeps them as text when decoding into interface{}).
 */
export function resolvePlain(source: string): unknown {
  lastWasInt = false;
  const h = source === '' ? 78 : hint(source.charCodeAt(0));
  if (h === 0) return source;
  const mapped = RESOLVE_MAP.get(source);
  if (mapped !== undefined || RESOLVE_MAP.has(source)) return mapped;
  if (h === 77 /* M */ || h === 126 /* ~ */) return source;
  if (h === 46 /* . */) return DOT_FLOAT.test(source) ? (floatValue(source) ?? source) : source;
  // 'D' and 'S': a digit or a sign. Most are plain decimal numbers (ports, counts): no BigInt for those.
  if (SMALL_DECIMAL.test(source)) {
    lastWasInt = true;
    lastInt = undefined;
    return Number(source);
  }
  const plain = source.includes('_') ? source.replace(/_/g, '') : source;
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, hex, oct, bin, zeroOct, dec] = m;
    const n =
      hex !== undefined
        ? intValue(sign!, hex, 16)
        : oct !== undefined
          ? intValue(sign!, oct, 8)
          : bin !== undefined
            ? intValue(sign!, bin, 2)
            : zeroOct !== undefined
              ? intValue(sign!, zeroOct, 8)
              : intValue(sign!, dec!, 10);
    if (n !== undefined) return n;
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = floatValue(plain);
    if (f !== undefined) return f;
  }
  const b = ZERO_B_SIGNED.exec(plain);
  if (b) {
    const digits = b[1]!;
    const n = intValue(digits[0] === '-' ? '-' : '', digits.replace(/^[-+]/, ''), 2);
    if (n !== undefined && lastInt! >= INT64_MIN && lastInt! < 2n ** 63n) return n;
    lastWasInt = false;
  }
  return source;
}

/** What kind of value resolvePlain gives: the yaml package picks a tag by this before it resolves. */
function kindOf(source: string): 'null' | 'bool' | 'int' | 'float' | 'str' {
  const v = resolvePlain(source);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return lastWasInt ? 'int' : 'float';
  return 'str';
}

// ---------------------------------------------------------------------------------------------------------------
// The same resolution for the yaml package (documents the simple reader leaves to it)

/**
 * `!!int "0777"`, `!!float 1`: go-yaml resolves the text as a plain scalar and wants the tag's kind (an int is a
 * float's too); anything else is an error ("cannot decode !!str `x` as a !!int").
 */
function explicitTag(kind: 'null' | 'bool' | 'int' | 'float', tag: string): ScalarTag {
  return {
    tag,
    default: false,
    resolve: (s: string, onError: (message: string) => void) => {
      const got = kindOf(s);
      if (got === kind || (kind === 'float' && got === 'int')) return resolvePlain(s);
      onError(`cannot decode ${got === 'str' ? '!!str' : `!!${got}`} \`${s}\` as a !!${kind}`);
      return s;
    },
  };
}

function goTag(kind: 'null' | 'bool' | 'int' | 'float', tag: string): ScalarTag {
  return {
    tag,
    default: true,
    // yaml calls `test.test(source)` on plain scalars to pick a tag; a RegExp is not needed, only that method.
    test: { test: (s: string) => kindOf(s) === kind } as unknown as RegExp,
    resolve: (s: string) => {
      const v = resolvePlain(s);
      if (kind === 'null') return null;
      // `!!str` never reaches here; `!!int "0777"` is resolved as a plain scalar would be.
      return typeof v === 'string' ? s : v;
    },
    identify: (v: unknown) =>
      kind === 'null'
        ? v === null
        : kind === 'bool'
          ? typeof v === 'boolean'
          : typeof v === 'number' && (kind === 'int') === Number.isInteger(v),
  };
}

const GO_SCALAR_TAGS: ScalarTag[] = (['null', 'bool', 'int', 'float'] as const).flatMap((kind) => [
  goTag(kind, `tag:yaml.org,2002:${kind}`),
  explicitTag(kind, `tag:yaml.org,2002:${kind}`),
]);

/** The yaml package's options for reading as go-yaml v2 does (merge keys `<<` included, as YAML 1.1 has them). */
export const KUBE_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & { logLevel: 'silent' } = {
  schema: 'core',
  // The core schema's map, seq and str, with go-yaml's scalars instead of YAML 1.2's.
  customTags: (tags) => [
    ...tags.filter((t): t is CollectionTag => typeof t === 'object' && 'collection' in t && !!t.collection),
    ...tags.filter((t): t is ScalarTag => typeof t === 'object' && t.tag === 'tag:yaml.org,2002:str'),
    ...GO_SCALAR_TAGS,
  ],
  merge: true,
  uniqueKeys: false, // duplicate keys are found by the loader: yaml's check is quadratic in a mapping's keys
  prettyErrors: false,
  logLevel: 'silent', // no process warnings on stderr for odd keys
};

/**
 * YAML embedded in a manifest (the `istio` ConfigMap's `data.mesh`), decoded as istiod decodes it: the first
 * document, go-yaml's scalars and line breaks. Undefined when it cannot be read (or JSON cannot hold it).
 */
export function decodeEmbeddedYaml(text: string, maxAliasCount = 10): unknown {
  try {
    const docs = parseAllDocuments(normalizeBreaks(text), KUBE_YAML_OPTIONS);
    const doc = Array.isArray(docs) ? docs[0] : undefined;
    if (!doc || doc.errors.length) return undefined;
    const value: unknown = doc.toJS({ maxAliasCount });
    return nonJsonNumber(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON keys (sigs.k8s.io/yaml convertToJSONableObject)

/**
 * A float key as sigs.k8s.io/yaml writes it: strconv.FormatFloat(f, 'g', -1, 32) (the shortest float32 digits,
 * exponent form below 1e-4 and from 1e6), `.inf`, `-.inf`, `.nan`.
 */
export function goFloatKey(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  const f32 = Math.fround(f);
  if (!Number.isFinite(f32)) return f32 > 0 ? '.inf' : '-.inf';
  if (f32 === 0) return Object.is(f32, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = f32.toExponential(p - 1);
    if (Math.fround(Number(s)) === f32) {
      const [mant, e] = s.split('e');
      digits = mant!.replace('.', '').replace('-', '');
      exp = Number(e);
      break;
    }
  }
  const sign = f32 < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * The JSON key sigs.k8s.io/yaml makes of a plain key written `source`: a string as it is, `true`/`false`, an int's
 * digits, a float as goFloatKey writes it; undefined when it refuses the key (null, or an integer over int64).
 */
export function plainJsonKey(source: string): string | undefined {
  const v = resolvePlain(source);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v !== 'number') return undefined;
  if (!lastWasInt) return goFloatKey(v);
  if (lastInt === undefined) return String(v);
  return lastInt < 2n ** 63n ? String(lastInt) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Line breaks

/**
 * go-yaml breaks lines at CR, LF, CRLF, NEL (U+0085), LS (U+2028) and PS (U+2029); the yaml package only at LF and
 * CRLF. Each of the others becomes an LF here, one code unit for one, so every offset stays where it was.
 */
const GO_ONLY_BREAK = /\r(?!\n)|[\u0085\u2028\u2029]/g;
const HAS_GO_ONLY_BREAK = /\r(?!\n)|[\u0085\u2028\u2029]/;

export function hasGoOnlyBreaks(text: string): boolean {
  return HAS_GO_ONLY_BREAK.test(text);
}

export function normalizeBreaks(text: string): string {
  return text.replace(GO_ONLY_BREAK, '\n');
}

/**
 * Offsets of LS and PS: go-yaml keeps these two characters in a scalar's value where a line is folded or a block
 * scalar's line ends (scannerc.go read_line), so a multi-line value across one is not what `\n` gives.
 */
export function separatorOffsets(text: string): number[] {
  const out: number[] = [];
  for (let i = text.search(/[\u2028\u2029]/); i >= 0 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2028 || c === 0x2029) out.push(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Values JSON cannot hold

/** Path of the first NaN or ±Infinity in a decoded value: json.Marshal refuses it, and so kubectl the document. */
function nonJsonNumber(value: unknown): { path: (string | number)[]; value: number } | undefined {
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path, value: v };
    } else if (Array.isArray(v)) v.forEach((c, i) => stack.push([c, [...path, i]]));
    else if (typeof v === 'object' && v !== null)
      for (const [k, c] of Object.entries(v)) stack.push([c, [...path, k]]);
  }
  return undefined;
}
