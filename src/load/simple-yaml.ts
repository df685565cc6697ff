// A fast reader for the plain subset of YAML that Kubernetes manifests are written in: block mappings and sequences,
// plain and single-line quoted scalars, flow collections of those, `|`/`>` block scalars. The yaml package builds a
// token stream, a CST and a Document for every node and reads about 1 MB/s here; it was ~75 % of a lint's CPU
// (issue 5).
//
// The subset only has to be exact, not complete: anything outside it (anchors, tags, multi-line plain or quoted
// scalars, comments inside flow collections or where they would change a collection's range, tabs, a lone CR,
// templates, duplicate keys, null keys…) returns undefined and the document goes to yaml, which also produces every
// error message. What is read here must equal what Kubernetes decodes (go-yaml v2's YAML 1.1 scalars, kube-yaml.ts),
// which is also what yaml produces with the loader's options (`toJS()` with KUBE_YAML_OPTIONS), and the node ranges
// that `buildPositionTree` records: test/simple-yaml.test.ts compares both readers on the examples, the test fixtures,
// generated meshes and random documents, and test/kube-yaml.test.ts compares them with go-yaml itself.
import type { PositionTree } from './positions.js';
import { positionTreeOf, type SourceNode } from './positions.js';
import { plainJsonKey, resolvePlain } from './kube-yaml.js';

export interface SimpleDocument {
  value: Record<string, unknown>;
  /** Offset (in the file) of the root mapping's first key: comments before it are the document's header. */
  rootStart: number;
  /** Node offsets, as buildPositionTree records them from yaml's AST. */
  positions: () => PositionTree;
}

/** Thrown inside the reader when the text leaves the subset; never escapes parseSimpleDocument. */
class OutsideSubset {}
const OUTSIDE = new OutsideSubset();

/**
 * What the chunk must not contain for the reader to try it (checked once, before parsing): tabs, a CR not before LF, other control
 * characters and BOMs (yaml has rules of its own for each), line breaks only go-yaml knows (NEL, LS, PS), and `{{` (an unrendered template: parse.ts's yaml path
 * decides whether to skip it).
 */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u0085\u2028\u2029]|\r(?!\n)|\{\{/;
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_BUT_TEMPLATES = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u0085\u2028\u2029]|\r(?!\n)/;

/**
 * Read one YAML document — `text`, from the file offset `base` — if it is within the subset; undefined otherwise.
 * The text must be exactly one document (parse.ts splits the stream at `---` lines first).
 */
export function parseSimpleDocument(
  text: string,
  base: number,
  maxDepth: number,
  /** The caller has seen that every `{{` is inside a scalar (no template structure): read them as text. */
  templatesInScalars = false,
): SimpleDocument | undefined {
  if ((templatesInScalars ? UNSUPPORTED_BUT_TEMPLATES : UNSUPPORTED).test(text)) return undefined;
  try {
    return new Reader(text, base, maxDepth).document();
  } catch {
    // Outside the subset — or a bug here, which must not cost the document: yaml reads it then.
    return undefined;
  }
}

const SPACE = 32;
const CR = 13;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** Characters that cannot start a plain scalar in the subset (YAML indicators, and quotes handled elsewhere). */
const NOT_PLAIN_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

class Reader {
  /** Start, end (before the line break) and indentation of the current content line; start = -1 at the end. */
  private lineStart = 0;
  private lineEnd = 0;
  private indent = 0;
  /** Comment-only lines skipped before the current line: their indentation and where the line after them starts. */
  private readonly comments: { indent: number; end: number }[] = [];
  /** How many of `comments` a closing collection has taken (see close()). */
  private commentsTaken = 0;

  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly maxDepth: number,
  ) {}

  document(): SimpleDocument | undefined {
    const { text } = this;
    let at = 0;
    // A leading `---` line, maybe with a comment (`--- value` and `--- !tag` go to yaml).
    if (text.startsWith('---')) {
      const end = this.endOfLine(0);
      const i = skipSpaces(text, 3, end);
      if (i < end && !(i > 3 && text.charCodeAt(i) === HASH)) return undefined;
      at = this.after(end);
    }
    this.seekContent(at);
    if (this.lineStart < 0 || this.indent !== 0) return undefined;
    const rootStart = this.lineStart;
    if (this.keyEnd(rootStart) < 0) return undefined; // a root sequence or scalar: not a Kubernetes object
    const root = this.mapping(rootStart, 0, 1);
    if (this.lineStart >= 0) return undefined; // content after the root mapping (`...`, a dedented line)
    const base = this.base;
    let tree: PositionTree | undefined;
    return {
      value: root.value as Record<string, unknown>,
      rootStart: base + rootStart,
      positions: () => (tree ??= positionTreeOf(root.node!, text, base)),
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lines

  private endOfLine(from: number): number {
    return lineContentEnd(this.text, from);
  }

  private after(lineEnd: number): number {
    return nextLine(this.text, lineEnd);
  }

  /** Make the first line at or after `from` that is not blank or a comment the current line. */
  private seekContent(from: number): void {
    const { text } = this;
    this.comments.length = 0; // reused: this runs once per line
    this.commentsTaken = 0;
    let pos = from;
    while (pos < text.length) {
      const end = this.endOfLine(pos);
      const i = skipSpaces(text, pos, end);
      if (i < end && text.charCodeAt(i) !== HASH) {
        this.lineStart = pos;
        this.lineEnd = end;
        this.indent = i - pos;
        return;
      }
      if (i < end) this.comments.push({ indent: i - pos, end: this.after(end) });
      pos = this.after(end);
    }
    this.lineStart = -1;
    this.lineEnd = text.length;
    this.indent = -1;
  }

  /**
   * A collection at `indent` whose last value is `last` ends before the current line: where its range ends (yaml's
   * range[1]) and where a parent's range ends if it is the parent's last value (range[2]). Comment lines in between
   * count as yaml's parser (parse/parser.js) places them:
   * - comment lines indented past the collection, before any other comment, join the end of a last value that is a
   *   plain or quoted scalar or a flow collection (atIndentedComment), and so its range and the collection's;
   * - the rest stay with the collection (its range[2], which then runs to the next line's first token) when one of
   *   them is indented at least as far as it, and otherwise go on to its parent, as they always do from a collection
   *   at indent 0 (pop()).
   * After an empty last value (`key:`) they are left to yaml.
   */
  private close(indent: number, last: Parsed): { range1: number; range2: number } {
    const { comments } = this;
    let taken = this.commentsTaken;
    let range1 = last.end;
    if (taken < comments.length && last.node === null) throw OUTSIDE;
    if (last.endTokens)
      while (taken < comments.length && comments[taken]!.indent > indent) range1 = comments[taken++]!.end;
    let range2 = range1;
    if (taken < comments.length && indent > 0 && comments.slice(taken).some((c) => c.indent >= indent)) {
      // They stay, with the blank lines after them and the next line's indentation: up to the next token.
      range2 = this.lineStart >= 0 ? this.lineStart + this.indent : this.text.length;
      taken = comments.length;
    }
    this.commentsTaken = taken;
    return { range1, range2 };
  }

  private isSequenceItem(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const next = at + 1;
    return next >= this.lineEnd || this.text.charCodeAt(next) === SPACE;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Block collections

  /** A block node starting on the current line at its indentation (the value of `key:` or `-` on a line above). */
  private blockNode(depth: number): Parsed {
    const at = this.lineStart + this.indent;
    if (this.isSequenceItem(at)) return this.sequence(at, this.indent, depth);
    if (this.keyEnd(at) >= 0) return this.mapping(at, this.indent, depth);
    const c = this.text.charCodeAt(at);
    if (c === 91 || c === 123) {
      // `annotations:⏎    {}`, as Helm renders empty values.
      const item = this.flowValue(at, depth);
      this.seekContent(item.next);
      return { ...item, next: -1 };
    }
    throw OUTSIDE; // a scalar on the lines below its key
  }

  /**
   * A block mapping whose first key starts at `at` (on the current line), its keys at column `indent`. Returns with
   * the line after the mapping as the current line.
   */
  private mapping(at: number, indent: number, depth: number): Parsed {
    if (depth > this.maxDepth - 1) throw OUTSIDE;
    const { text } = this;
    const value: Record<string, unknown> = {};
    const keys: SourceNode[] = [];
    const names: string[] = [];
    const values: (SourceNode | null)[] = [];
    let last: Parsed;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0) throw OUTSIDE;
      const quote = text.charCodeAt(at);
      const key =
        quote === 34 || quote === 39
          ? quotedKeyName(readQuoted(text, at, colon).value)
          : keyName(text.slice(at, colon));
      if (Object.hasOwn(value, key)) throw OUTSIDE;
      keys.push(scalarNode(at, colon));
      names.push(key);
      let v = colon + 1;
      v = skipSpaces(text, v, this.lineEnd);
      let item: Parsed;
      if (v >= this.lineEnd || text.charCodeAt(v) === HASH) {
        // `key:` with the value on the lines below, or nothing.
        const emptyAt = colon + 1;
        this.seekContent(this.after(this.lineEnd));
        const nested =
          this.lineStart >= 0 &&
          (this.indent > indent ||
            (this.indent === indent && this.isSequenceItem(this.lineStart + this.indent)));
        if (nested) item = this.blockNode(depth + 1);
        else if (emptyAt === this.endOfLine(emptyAt))
          item = { value: null, node: null, end: emptyAt, next: -1, endTokens: false };
        else throw OUTSIDE; // `key:   ` or `key: # …` with nothing below: yaml's empty-node range is not modelled
      } else {
        item = this.inlineValue(v, indent, depth + 1);
        this.seekContent(item.next);
      }
      value[key] = item.value;
      values.push(item.node);
      last = item;
      if (this.lineStart < 0 || this.indent < indent) break;
      if (this.indent > indent) throw OUTSIDE; // a continuation line, or bad indentation
      at = this.lineStart + indent;
      if (this.isSequenceItem(at)) {
        // The parent's indentless sequence item, or `- x` after `key: value` (an error yaml reports).
        break;
      }
    }
    const { range1, range2 } = this.close(indent, last);
    return {
      value,
      node: { kind: 'map', start: keys[0]!.start, end: range1, keys, names, values },
      end: range2,
      next: -1,
      endTokens: false,
    };
  }

  /** A block sequence whose first `-` is at `at`, at column `indent`. */
  private sequence(at: number, indent: number, depth: number): Parsed {
    if (depth > this.maxDepth - 1) throw OUTSIDE;
    const { text } = this;
    const start = at;
    const value: unknown[] = [];
    const items: SourceNode[] = [];
    let last: Parsed;
    for (;;) {
      let v = at + 1;
      v = skipSpaces(text, v, this.lineEnd);
      let item: Parsed;
      if (v >= this.lineEnd || text.charCodeAt(v) === HASH) {
        this.seekContent(this.after(this.lineEnd));
        if (this.lineStart < 0 || this.indent <= indent) throw OUTSIDE; // `-` with nothing: a null item
        item = this.blockNode(depth + 1);
      } else if (this.isSequenceItem(v)) {
        throw OUTSIDE; // `- - x`
      } else if (this.keyEnd(v) >= 0) {
        item = this.mapping(v, v - this.lineStart, depth + 1); // `- name: x` and the keys below it
      } else {
        item = this.inlineValue(v, indent, depth + 1);
        this.seekContent(item.next);
      }
      value.push(item.value);
      items.push(item.node!);
      last = item;
      if (this.lineStart < 0 || this.indent < indent) break;
      if (this.indent > indent) throw OUTSIDE;
      at = this.lineStart + indent;
      if (!this.isSequenceItem(at)) break; // the next key of the mapping this indentless sequence is in
    }
    const { range1, range2 } = this.close(indent, last);
    return {
      value,
      node: { kind: 'seq', start, end: range1, items },
      end: range2,
      next: -1,
      endTokens: false,
    };
  }

  /**
   * If a plain key starts at `at` on the current line (`key: …` or `key:` at the end of the line), the offset of its
   * colon; -1 otherwise. Keys are plain, single-line and short (yaml refuses implicit keys over 1024 characters).
   */
  private keyEnd(at: number): number {
    const { text } = this;
    const c = text.charCodeAt(at);
    const lineEnd = this.lineEnd; // `at` is on the current line
    if (c === 34 || c === 39) {
      // `"8080": …`: a quoted key, directly followed by the colon.
      const close = quoteEnd(text, at, lineEnd);
      if (close < 0 || text.charCodeAt(close) !== COLON) return -1;
      return close + 1 >= lineEnd || text.charCodeAt(close + 1) === SPACE ? close : -1;
    }
    if (NOT_PLAIN_START.has(c) || c === SPACE) return -1;
    for (let i = indexBefore(text, ':', at, lineEnd); i >= 0; i = indexBefore(text, ':', i + 1, lineEnd)) {
      const next = i + 1;
      if (next < lineEnd && text.charCodeAt(next) !== SPACE) continue;
      const key = text.slice(at, i);
      if (i - at > 1000 || key.includes(' #') || text.charCodeAt(i - 1) === SPACE) return -1;
      return i;
    }
    return -1;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Values written on the line of their key or `-`

  /** A value starting at `at` on the current line; `parentIndent` is the indentation of its key or `-`. */
  private inlineValue(at: number, parentIndent: number, depth: number): Parsed {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const q = readQuotedLines(text, at, this.lineEnd);
      this.lineEnd = q.lineEnd; // the line the scalar closes on
      this.endOfValue(q.end);
      return this.lineValue(q.value, scalarNode(at, q.end));
    }
    if (c === 91 /* [ */ || c === 123 /* { */) return this.flowValue(at, depth);
    if (c === 124 /* | */ || c === 62 /* > */) return this.blockScalar(at, parentIndent);
    if (NOT_PLAIN_START.has(c) && !(c === DASH && !this.isSequenceItem(at))) throw OUTSIDE;
    // A plain scalar: to the end of the line or a ` #` comment, without trailing spaces.
    let end = this.lineEnd;
    const comment = indexBefore(text, ' #', at, end);
    if (comment >= 0) end = comment;
    while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
    const source = text.slice(at, end);
    // `a: b: c` and `a: b:` are errors or keys in yaml's reading; not in the subset.
    if (source.includes(': ') || source.charCodeAt(source.length - 1) === COLON) throw OUTSIDE;
    return this.lineValue(plainValue(source), scalarNode(at, end));
  }

  /** A flow collection starting at `at` on the current line, and the rest of the line it closes on. */
  private flowValue(at: number, depth: number): Parsed {
    const reader = new FlowReader(this.text, at, this.lineEnd, depth, this.maxDepth);
    const flow = reader.collection();
    this.lineEnd = reader.lineEnd; // the line the collection closes on
    this.endOfValue(flow.end);
    return this.lineValue(flow.value, flow.node);
  }

  /** After a quoted or flow value: only spaces and a comment may follow on its line. */
  private endOfValue(from: number): void {
    const { text } = this;
    const i = skipSpaces(text, from, this.lineEnd);
    if (i < this.lineEnd && !(text.charCodeAt(i) === HASH && i > from)) throw OUTSIDE;
  }

  /** A value that ends on the current line: yaml's node range ends after the line break (comments included). */
  private lineValue(value: unknown, node: SourceNode): Parsed {
    const next = this.after(this.lineEnd);
    return { value, node, end: next, next, endTokens: true };
  }

  /**
   * `|`, `|-`, `>` or `>-` alone on the rest of the line, then lines indented deeper than `parentIndent`. Blank lines
   * with more spaces than the indentation, more-indented lines of a folded scalar, leading blank lines, explicit
   * indentation and keep chomping (`+`) are not in the subset.
   */
  private blockScalar(at: number, parentIndent: number): Parsed {
    const { text } = this;
    const literal = text.charCodeAt(at) === 124;
    let headerEnd = at + 1;
    const strip = text.charCodeAt(headerEnd) === DASH;
    if (strip) headerEnd++;
    if (headerEnd !== this.lineEnd || this.lineEnd >= text.length) throw OUTSIDE;
    const lines: string[] = [];
    let blockIndent = -1;
    let pos = this.after(this.lineEnd);
    let contentEnd = -1; // after the line break of the last non-blank line
    while (pos < text.length) {
      const end = this.endOfLine(pos);
      if (end === pos) {
        if (blockIndent < 0) throw OUTSIDE; // leading blank line
        lines.push('');
        pos = this.after(end);
        continue;
      }
      const i = skipSpaces(text, pos, end);
      if (i === end) {
        // Spaces only: an empty line, unless it holds more spaces than the indentation (then they are content).
        if (blockIndent < 0 || i - pos > blockIndent) throw OUTSIDE;
        lines.push('');
        pos = this.after(end);
        continue;
      }
      const indent = i - pos;
      if (blockIndent < 0) {
        if (indent <= parentIndent) throw OUTSIDE; // an empty block scalar
        blockIndent = indent;
      }
      if (indent < blockIndent) break;
      if (!literal && indent > blockIndent) throw OUTSIDE; // folded scalars keep more-indented lines as they are
      lines.push(text.slice(pos + blockIndent, end));
      if (end >= text.length) throw OUTSIDE; // the last line has no line break
      contentEnd = this.after(end);
      pos = contentEnd;
    }
    if (blockIndent < 0) throw OUTSIDE;
    while (lines[lines.length - 1] === '') lines.pop();
    let value: string;
    if (literal) value = lines.join('\n');
    else {
      value = lines[0]!;
      let breaks = 0;
      for (let j = 1; j < lines.length; j++) {
        const line = lines[j]!;
        if (line === '') breaks++;
        else {
          value += breaks > 0 ? '\n'.repeat(breaks) : ' ';
          value += line;
          breaks = 0;
        }
      }
    }
    if (!strip) value += '\n';
    return { value, node: scalarNode(at, contentEnd), end: contentEnd, next: contentEnd, endTokens: false };
  }
}

/** What reading a node gives: its JS value, its node for positions, yaml's range end, and where the next line starts. */
interface Parsed {
  value: unknown;
  node: SourceNode | null;
  /** yaml's range[2]: what a parent collection's range ends with when this is its last item. */
  end: number;
  /** The offset to look for the next content line from (-1 when the reader already moved there). */
  next: number;
  /** yaml's token for it has an `end` that indented comments join: plain and quoted scalars, flow collections. */
  endTokens: boolean;
}

/**
 * A plain key's name: the JSON key sigs.k8s.io/yaml makes of it (`8080:` is "8080", `on:` is "true") and the path
 * segment buildPositionTree records. `<<` (a merge with merge keys on), `__proto__` (yaml defines it as an own property) and
 * null keys (`~:` is "" to toJS but "null" to the tree) are not in the subset.
 */
function keyName(source: string): string {
  const key = plainJsonKey(source);
  if (key === undefined || source === '<<' || source === '__proto__') throw OUTSIDE;
  return key;
}

/** A plain scalar's value; NaN and ±Infinity (which kubectl refuses) are left to the loader's yaml path to report. */
function plainValue(source: string): unknown {
  const v = resolvePlain(source);
  if (typeof v === 'number' && !Number.isFinite(v)) throw OUTSIDE;
  return v;
}

/** A quoted key is the string it holds; `<<` and `__proto__` are left to yaml as above. */
function quotedKeyName(value: string): string {
  if (value === '<<' || value === '__proto__') throw OUTSIDE;
  return value;
}

function scalarNode(start: number, end: number): SourceNode {
  return { kind: 'scalar', start, end };
}

/**
 * indexOf that stops at `limit` (a line's end): indexOf itself would search the rest of the document, and a search
 * per line that runs to the end is quadratic in the document's length.
 */
function indexBefore(text: string, needle: string, from: number, limit: number): number {
  const first = needle.charCodeAt(0);
  const last = limit - needle.length;
  for (let i = from; i <= last; i++) if (text.charCodeAt(i) === first && text.startsWith(needle, i)) return i;
  return -1;
}

/** The offset after the quoted scalar at `at` if it closes before `limit` (without escapes); -1 otherwise. */
function quoteEnd(text: string, at: number, limit: number): number {
  try {
    return readQuoted(text, at, limit).end;
  } catch {
    return -1;
  }
}

/** `"…"` (with yaml's escapes) or `'…'` (with `''`), closing before `limit`: quoted scalars stay on one line. */
function readQuoted(text: string, at: number, limit: number): { value: string; end: number } {
  const quote = text.charCodeAt(at);
  if (quote === 34) return readDoubleQuoted(text, at, limit);
  let value = '';
  let from = at + 1;
  for (;;) {
    const close = indexBefore(text, "'", from, limit);
    if (close < 0) throw OUTSIDE;
    value += text.slice(from, close);
    if (text.charCodeAt(close + 1) !== 39) return { value, end: close + 1 };
    value += "'";
    from = close + 2;
  }
}

/**
 * The single-character escapes in double quotes that go-yaml v2 takes (scannerc.go; `\/` is not one of them); `\x`,
 * `\u` and `\U` are read below. Anything else, and `\` at the end of a line (a continuation), is left to yaml.
 */
const ESCAPES = new Map(
  Object.entries({
    '0': '\0',
    a: '\x07',
    b: '\b',
    e: '\x1b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    N: '\u0085',
    _: '\u00a0',
    L: '\u2028',
    P: '\u2029',
    ' ': ' ',
    '"': '"',
    "'": "'",
    '\\': '\\',
  }),
);
const HEX_DIGITS = /^[0-9a-fA-F]+$/;

/** The escape sequence at `i` (a backslash), within `limit`: its value and the offset after it. */
function readEscape(text: string, i: number, limit: number): { value: string; next: number } {
  if (i + 1 >= limit) throw OUTSIDE;
  const next = text[i + 1]!;
  const simple = ESCAPES.get(next);
  if (simple !== undefined) return { value: simple, next: i + 2 };
  if (next === 'x' || next === 'u' || next === 'U') {
    const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
    const hex = text.slice(i + 2, i + 2 + length);
    if (i + 2 + length > limit || hex.length !== length || !HEX_DIGITS.test(hex)) throw OUTSIDE;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw OUTSIDE; // go-yaml refuses these
    return { value: String.fromCodePoint(code), next: i + 2 + length };
  }
  throw OUTSIDE;
}

function readDoubleQuoted(text: string, at: number, limit: number): { value: string; end: number } {
  let value = '';
  let from = at + 1;
  for (let i = at + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return { value: value + text.slice(from, i), end: i + 1 };
    if (c !== 92) continue;
    value += text.slice(from, i);
    const e = readEscape(text, i, limit);
    value += e.value;
    i = e.next - 1;
    from = e.next;
  }
  throw OUTSIDE;
}

/**
 * A flow collection: `[a, "b", {c: d}]`, `{cpu: 100m}`, `[]`, also over several lines (`args: [\n  "--x",\n]`).
 * Comments inside are left to yaml; the lines may be indented any way (go-yaml does not check it).
 */
class FlowReader {
  pos: number;
  /** Where the content of the line `pos` is on ends (before its line break). */
  lineEnd: number;

  constructor(
    private readonly text: string,
    at: number,
    lineEnd: number,
    private depth: number,
    private readonly maxDepth: number,
  ) {
    this.pos = at;
    this.lineEnd = lineEnd;
  }

  collection(): { value: unknown; node: SourceNode; end: number } {
    const { text } = this;
    const start = this.pos;
    if (this.depth > this.maxDepth - 1) throw OUTSIDE;
    const isMap = text.charCodeAt(start) === 123;
    const close = isMap ? 125 : 93;
    this.pos++;
    this.depth++;
    const seqValue: unknown[] = [];
    const mapValue: Record<string, unknown> = {};
    const items: SourceNode[] = [];
    const keys: SourceNode[] = [];
    const names: string[] = [];
    const values: (SourceNode | null)[] = [];
    this.gap();
    while (text.charCodeAt(this.pos) !== close) {
      if (isMap) {
        const keyStart = this.pos;
        const key = this.plain(true);
        if (key.value === undefined) throw OUTSIDE;
        const name = keyName(text.slice(keyStart, key.end));
        if (Object.hasOwn(mapValue, name)) throw OUTSIDE;
        if (text.charCodeAt(this.pos) !== COLON || text.charCodeAt(this.pos + 1) !== SPACE) throw OUTSIDE;
        this.pos += 2;
        this.spaces(); // the value starts on the key's line
        const item = this.item();
        keys.push(scalarNode(keyStart, key.end));
        names.push(name);
        values.push(item.node);
        mapValue[name] = item.value;
      } else {
        const item = this.item();
        if (text.charCodeAt(this.pos) === COLON) throw OUTSIDE; // `[a: b]`: a pair in a sequence
        items.push(item.node);
        seqValue.push(item.value);
      }
      this.gap();
      const c = text.charCodeAt(this.pos);
      if (c === close) break;
      if (c !== 44 /* , */) throw OUTSIDE;
      this.pos++;
      this.gap(); // then the next entry, or the closing bracket after a trailing comma
    }
    this.pos++;
    this.depth--;
    const end = this.pos;
    const node: SourceNode = isMap
      ? { kind: 'map', start, end, keys, names, values }
      : { kind: 'seq', start, end, items };
    return { value: isMap ? mapValue : seqValue, node, end };
  }

  private item(): { value: unknown; node: SourceNode } {
    const { text } = this;
    const c = text.charCodeAt(this.pos);
    if (c === 91 || c === 123) return this.collection();
    if (c === 34 || c === 39) {
      const start = this.pos;
      const q = readQuotedLines(text, start, this.lineEnd);
      this.lineEnd = q.lineEnd;
      this.pos = q.end;
      return { value: q.value, node: scalarNode(start, q.end) };
    }
    const start = this.pos;
    const read = this.plain(false);
    if (read.value === undefined) throw OUTSIDE;
    return { value: read.value, node: scalarNode(start, read.end) };
  }

  /**
   * A plain scalar in flow context: up to `,`, a bracket, `: ` (or `:` before a bracket), ` #` or the end of the
   * line. If the next line goes on with it (a multi-line scalar), the caller finds no `,` or bracket there.
   */
  private plain(isKey: boolean): { value: unknown; end: number } {
    const { text } = this;
    const start = this.pos;
    const first = text.charCodeAt(start);
    if (NOT_PLAIN_START.has(first) || first === SPACE || start >= this.lineEnd)
      return { value: undefined, end: start };
    let i = start;
    for (; i < this.lineEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 44 || c === 91 || c === 93 || c === 123 || c === 125) break;
      if (c === COLON) {
        const n = text.charCodeAt(i + 1);
        if (i + 1 >= this.lineEnd || n === SPACE || n === 44 || n === 93 || n === 125) break;
      }
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) throw OUTSIDE;
    }
    let end = i;
    while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
    this.pos = i;
    const source = text.slice(start, end);
    if (isKey && end !== i) throw OUTSIDE; // `{a : b}`
    return { value: plainValue(source), end };
  }

  private spaces(): void {
    this.pos = skipSpaces(this.text, this.pos, this.lineEnd);
  }

  /**
   * Spaces, and line breaks into the next non-blank line, at any indentation: go-yaml does not look at indentation
   * inside a flow collection (yaml wants the lines indented past the key; the loader reads such documents as kubectl
   * does). A document marker at column 0 ends the document for go-yaml, an error; a comment is not in the subset.
   */
  private gap(): void {
    const { text } = this;
    for (;;) {
      this.spaces();
      if (this.pos < this.lineEnd) {
        if (text.charCodeAt(this.pos) === HASH) throw OUTSIDE;
        return;
      }
      if (this.lineEnd >= text.length) throw OUTSIDE; // the document ends inside the collection
      const lineStart = nextLine(text, this.lineEnd);
      this.lineEnd = lineContentEnd(text, lineStart);
      this.pos = lineStart;
      this.spaces();
      if (this.pos === this.lineEnd) continue; // a blank line
      if (this.pos === lineStart && isDocumentMarker(text, lineStart)) throw OUTSIDE;
    }
  }
}

/** `---` or `...` at `at` (a line start), then a space or the line's end: a document marker for go-yaml. */
function isDocumentMarker(text: string, at: number): boolean {
  if (!text.startsWith('---', at) && !text.startsWith('...', at)) return false;
  const c = text.charCodeAt(at + 3);
  return at + 3 >= text.length || c === SPACE || c === 10 || c === CR;
}

/**
 * A quoted scalar from `at`: on one line (the common case), or folded over several as go-yaml folds it
 * (scannerc.go yaml_parser_scan_flow_scalar), whatever the indentation of the lines after the first: go-yaml does
 * not check it, yaml does (Istio's own manifests have such lines at column 0). Returns where the line the scalar
 * closes on ends, too.
 */
function readQuotedLines(
  text: string,
  at: number,
  lineEnd: number,
): { value: string; end: number; lineEnd: number } {
  const quote = text.charCodeAt(at);
  const close = indexBefore(text, quote === 34 ? '"' : "'", at + 1, lineEnd);
  if (close >= 0) {
    try {
      return { ...readQuoted(text, at, lineEnd), lineEnd };
    } catch {
      // The quote closes later, or an escape is not in the subset: the general reading below decides.
    }
  }
  const single = quote === 39;
  const n = text.length;
  let value = '';
  let i = at + 1;
  for (;;) {
    if ((text.charCodeAt(i - 1) === 10 && isDocumentMarker(text, i)) || i >= n) throw OUTSIDE;
    let leadingBlanks = false;
    // Characters up to a space or a line break.
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === 10 || c === CR) break;
      if (single && c === 39) {
        if (text.charCodeAt(i + 1) !== 39) break;
        value += "'";
        i += 2;
        continue;
      }
      if (!single && c === 34) break;
      if (!single && c === 92) {
        const next = text.charCodeAt(i + 1);
        if (next === 10 || next === CR) {
          i = nextLine(text, i + 1); // an escaped line break: the lines join without a space
          leadingBlanks = true;
          break;
        }
        const e = readEscape(text, i, n);
        value += e.value;
        i = e.next;
        continue;
      }
      value += text[i];
      i++;
    }
    if (i >= n) throw OUTSIDE;
    if (text.charCodeAt(i) === quote) {
      const end = i + 1;
      return { value, end, lineEnd: lineContentEnd(text, i) };
    }
    // Spaces and line breaks: spaces before a break are dropped, one break folds to a space, more keep n-1.
    let spaces = '';
    let breaks = '';
    let folded = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === SPACE) {
        if (!leadingBlanks) spaces += ' ';
        i++;
      } else if (c === 10 || (c === CR && text.charCodeAt(i + 1) === 10)) {
        if (!leadingBlanks) {
          spaces = '';
          folded = true;
          leadingBlanks = true;
        } else breaks += '\n';
        i = nextLine(text, c === CR ? i + 1 : i);
      } else break;
    }
    if (leadingBlanks) value += folded ? breaks || ' ' : breaks;
    else value += spaces;
  }
}

/** The first offset at or after `from` (and before `end`) that is not a space. */
function skipSpaces(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && text.charCodeAt(i) === SPACE) i++;
  return i;
}

/** Where a line's content ends: at its `\n`, at the `\r` of a `\r\n`, or at the end of the text. */
function lineContentEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  if (i < 0) return text.length;
  return i > from && text.charCodeAt(i - 1) === CR ? i - 1 : i;
}

/** Where the line after the one whose content ends at `lineEnd` starts (the text's length at the end). */
function nextLine(text: string, lineEnd: number): number {
  if (lineEnd >= text.length) return lineEnd;
  return text.charCodeAt(lineEnd) === CR ? lineEnd + 2 : lineEnd + 1;
}
