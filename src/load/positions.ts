// Source positions without the YAML AST. yaml's Document keeps ~50 bytes of objects per byte of input and cannot
// cross worker threads; a PositionTree keeps only what `Resource.span(path)` needs — each node's offsets, each map
// key's text, aliases and merge keys — in typed arrays (plain data: structured-clone friendly), and a LineIndex turns
// offsets into line/column without the text.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import type { FieldPath, Span } from '../types.js';

const SCALAR = 0;
const MAP = 1;
const SEQ = 2;
const ALIAS = 3;

/**
 * One YAML document's node structure with offsets into its file. Node 0 is the document's root. The numbers live in one
 * Int32Array (one buffer to pass between threads), laid out as, for n nodes and m entries:
 *   ranges   2n  [start, end) offsets in the file per node; `end` stops before trailing line breaks
 *   kinds     n  SCALAR, MAP, SEQ or ALIAS
 *   first     n  first entry (MAP/SEQ) or the anchored node (ALIAS, -1 when unresolved)
 *   count     n  number of entries (MAP/SEQ)
 *   entryKey  m  key node (-1 for a sequence item)
 *   entryValue m value node (-1 for `key:` with nothing after it)
 *   merge     m  1 for a `<<` merge key
 */
export interface PositionTree {
  nodes: number;
  entries: number;
  data: Int32Array;
  /** Per entry: the key as the path segment that names it (a scalar key's string form), null otherwise. */
  keyText: (string | null)[];
}

/** Offsets of the sections of PositionTree.data. */
function layout(t: { nodes: number; entries: number }) {
  const n = t.nodes;
  const m = t.entries;
  return {
    kinds: 2 * n,
    first: 3 * n,
    count: 4 * n,
    entryKey: 5 * n,
    entryValue: 5 * n + m,
    merge: 5 * n + 2 * m,
    size: 5 * n + 3 * m,
  };
}

/** `<<` with merge keys on: yaml represents the key's value as a symbol. */
export function isMergeKey(k: unknown): boolean {
  if (!isScalar(k)) return false;
  const v = k.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

/**
 * Collects nodes and entries and packs them into a PositionTree. Both builders below number nodes the same way: a
 * collection's children are numbered when it is visited (key, then value, per entry), so its entries are contiguous,
 * and collections are visited last-numbered first.
 */
class TreeWriter {
  readonly ranges: number[] = [];
  readonly kinds: number[] = [];
  readonly first: number[] = [];
  readonly count: number[] = [];
  readonly entryKey: number[] = [];
  readonly entryValue: number[] = [];
  readonly keyText: (string | null)[] = [];
  readonly merge: number[] = [];

  /**
   * Offsets given to addNode are in a document's chunk; `base` (the chunk's offset in its file) is added to them.
   * `text` is the file or the chunk: `textOffset` is the chunk's offset in it.
   */
  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly textOffset: number,
  ) {}

  addNode(kind: number, start: number, end: number): number {
    const { text, textOffset } = this;
    const i = this.kinds.length;
    let to = Math.max(end, start);
    // A block node's range ends at the next line's start; point at the end of its last content line instead.
    for (let c = text.charCodeAt(to - 1 + textOffset); to > start && (c === 10 || c === 13);) {
      to--;
      c = text.charCodeAt(to - 1 + textOffset);
    }
    this.ranges.push(start + this.base, to + this.base);
    this.kinds.push(kind);
    this.first.push(-1);
    this.count.push(0);
    return i;
  }

  /** `count` empty entries at the end, as `node`'s entries; returns the first one's index. */
  reserveEntries(node: number, count: number): number {
    const start = this.entryKey.length;
    this.first[node] = start;
    this.count[node] = count;
    for (let j = 0; j < count; j++) {
      this.entryKey.push(-1);
      this.entryValue.push(-1);
      this.keyText.push(null);
      this.merge.push(0);
    }
    return start;
  }

  finish(): PositionTree {
    const nodes = this.kinds.length;
    const entries = this.entryKey.length;
    const at = layout({ nodes, entries });
    const data = new Int32Array(at.size);
    data.set(this.ranges, 0);
    data.set(this.kinds, at.kinds);
    data.set(this.first, at.first);
    data.set(this.count, at.count);
    data.set(this.entryKey, at.entryKey);
    data.set(this.entryValue, at.entryValue);
    data.set(this.merge, at.merge);
    return { nodes, entries, data, keyText: this.keyText };
  }
}

/**
 * Record `root`'s structure. `text` is the whole file, `base` the offset of the parsed chunk in it (each YAML document
 * is parsed on its own, see parse.ts). Iterative: depth was checked before, but recursion is not needed anyway.
 */
export function buildPositionTree(
  root: Node,
  doc: Document | undefined,
  text: string,
  base: number,
): PositionTree {
  const w = new TreeWriter(text, base, base);
  const aliases: [number, Alias][] = [];
  const indexOf = new Map<Node, number>();

  const addNode = (node: Node, kind: number, start: number, end: number): number => {
    const i = w.addNode(kind, start, end);
    // Only anchored nodes can be an alias's target.
    if (node.anchor) indexOf.set(node, i);
    return i;
  };
  const kindOf = (node: Node): number =>
    isMap(node) ? MAP : isSeq(node) ? SEQ : isAlias(node) ? ALIAS : SCALAR;
  const rangeOf = (node: Node | null | undefined, fallback: number): [number, number] =>
    node?.range ? [node.range[0], node.range[1]] : [fallback, fallback];

  const pending: [Node, number][] = [];
  const nodeIndex = (node: Node | null | undefined, fallback: number): number => {
    if (!node) return -1;
    const [s, e] = rangeOf(node, fallback);
    const i = addNode(node, kindOf(node), s, e);
    pending.push([node, i]);
    return i;
  };

  const rootIndex = addNode(root, kindOf(root), ...rangeOf(root, 0));
  pending.push([root, rootIndex]);
  while (pending.length) {
    const [node, i] = pending.pop()!;
    const kind = w.kinds[i]!;
    if (kind === ALIAS) {
      aliases.push([i, node as Alias]);
      continue;
    }
    if (kind === SCALAR) continue;
    const items = (node as { items: unknown[] }).items;
    // Reserve the entries first: nested collections add entries of their own while this one is filled in.
    const start = w.reserveEntries(i, items.length);
    for (let j = 0; j < items.length; j++) {
      const item = items[j];
      const e = start + j;
      if (kind === SEQ && !isPair(item)) {
        w.entryValue[e] = nodeIndex(item as Node | null, w.ranges[2 * i]! - base);
        continue;
      }
      const pair = item as Pair<Node | null, Node | null>;
      const key = pair.key;
      const value = pair.value;
      if (kind === SEQ) {
        // `[a: b]`: a single-pair mapping inside a flow sequence.
        const [ks] = rangeOf(key, 0);
        const [, ve] = rangeOf(value, ks);
        const m = addNode(pair as unknown as Node, MAP, ks, Math.max(ve, ks));
        w.entryValue[e] = m;
        fillPair(w.reserveEntries(m, 1), key, value);
        continue;
      }
      fillPair(e, key, value);
    }
  }

  function fillPair(e: number, key: Node | null, value: Node | null): void {
    w.entryKey[e] = nodeIndex(key, 0);
    if (isScalar(key)) {
      if (isMergeKey(key)) w.merge[e] = 1;
      else w.keyText[e] = typeof key.value === 'symbol' ? (key.value.description ?? '') : String(key.value);
    }
    // `peers:` with nothing after it: an empty value has no place of its own, point at the key then.
    const empty =
      !value || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
    w.entryValue[e] = empty ? -1 : nodeIndex(value, 0);
  }

  // An alias stands for its anchor's node: positions inside it are where the anchor's value is written.
  for (const [i, alias] of aliases) {
    const target = doc ? (alias.resolve(doc) as Node | undefined) : undefined;
    w.first[i] = target ? (indexOf.get(target) ?? -1) : -1;
  }
  return w.finish();
}

/**
 * A node as the simple reader (simple-yaml.ts) records it: yaml's range[0] and range[1], in the reader's text. Map
 * keys are plain scalars; a null value is an empty `key:`.
 */
export type SourceNode =
  | { kind: 'scalar'; start: number; end: number }
  | {
      kind: 'map';
      start: number;
      end: number;
      keys: SourceNode[];
      /** Each key's path segment (String() of its value). */
      names: string[];
      values: (SourceNode | null)[];
    }
  | { kind: 'seq'; start: number; end: number; items: SourceNode[] };

const SOURCE_KIND = { scalar: SCALAR, map: MAP, seq: SEQ } as const;

/** buildPositionTree for the simple reader's nodes: the same numbering, so the same tree for the same document. */
export function positionTreeOf(root: SourceNode, chunk: string, base: number): PositionTree {
  const w = new TreeWriter(chunk, base, 0);
  const pending: [SourceNode, number][] = [];
  const nodeIndex = (node: SourceNode | null): number => {
    if (!node) return -1;
    const i = w.addNode(SOURCE_KIND[node.kind], node.start, node.end);
    pending.push([node, i]);
    return i;
  };
  nodeIndex(root);
  while (pending.length) {
    const [node, i] = pending.pop()!;
    if (node.kind === 'seq') {
      const start = w.reserveEntries(i, node.items.length);
      node.items.forEach((item, j) => (w.entryValue[start + j] = nodeIndex(item)));
    } else if (node.kind === 'map') {
      const start = w.reserveEntries(i, node.keys.length);
      node.keys.forEach((key, j) => {
        w.entryKey[start + j] = nodeIndex(key);
        w.keyText[start + j] = node.names[j]!;
        w.entryValue[start + j] = nodeIndex(node.values[j]!);
      });
    }
  }
  return w.finish();
}

/** Typed views of a tree's sections, for reading. */
interface TreeView {
  ranges: Int32Array;
  kinds: Int32Array;
  first: Int32Array;
  count: Int32Array;
  entryKey: Int32Array;
  entryValue: Int32Array;
  merge: Int32Array;
  keyText: (string | null)[];
}

function view(tree: PositionTree): TreeView {
  const at = layout(tree);
  const d = tree.data;
  return {
    ranges: d.subarray(0, at.kinds),
    kinds: d.subarray(at.kinds, at.first),
    first: d.subarray(at.first, at.count),
    count: d.subarray(at.count, at.entryKey),
    entryKey: d.subarray(at.entryKey, at.entryValue),
    entryValue: d.subarray(at.entryValue, at.merge),
    merge: d.subarray(at.merge, at.size),
    keyText: tree.keyText,
  };
}

function resolveAlias(tree: TreeView, node: number): number {
  for (let hops = 0; node >= 0 && tree.kinds[node] === ALIAS && hops < 100; hops++) {
    const target = tree.first[node]!;
    if (target < 0) break;
    node = target;
  }
  return node;
}

/** The entry of `map` for key `segment`: the last of duplicate keys (the value the resource holds), then merges. */
function findEntry(tree: TreeView, map: number, segment: string, hops = 0): number {
  const start = tree.first[map]!;
  const end = start + tree.count[map]!;
  for (let e = end - 1; e >= start; e--) if (tree.keyText[e] === segment) return e;
  // `<<: *base` or `<<: [*a, *b]`: merged fields live in the anchors (the first listed wins, as in YAML 1.1).
  if (hops > 20) return -1;
  for (let e = start; e < end; e++) {
    if (!tree.merge[e]) continue;
    const value = resolveAlias(tree, tree.entryValue[e]!);
    if (value < 0) continue;
    const sources =
      tree.kinds[value] === SEQ
        ? Array.from({ length: tree.count[value]! }, (_, j) =>
            resolveAlias(tree, tree.entryValue[tree.first[value]! + j]!),
          )
        : [value];
    for (const source of sources) {
      if (source < 0 || tree.kinds[source] !== MAP) continue;
      const found = findEntry(tree, source, segment, hops + 1);
      if (found >= 0) return found;
    }
  }
  return -1;
}

/**
 * Offsets of the node at `path`, or of its key with `{key: true}` (unknown-field and misplaced-key messages). Map keys
 * match by their string form, so `8080:` is found by the segment "8080" (ajv's instancePath) or 8080. Aliases and
 * `<<` merge keys are followed to where the value is written. A path that does not exist stops at the nearest
 * existing ancestor.
 */
export function locate(positions: PositionTree, path: FieldPath, opts?: { key?: boolean }): [number, number] {
  const tree = view(positions);
  let node = 0;
  let keyNode = -1;
  for (const segment of path) {
    node = resolveAlias(tree, node);
    const kind = tree.kinds[node];
    if (kind === MAP) {
      const e = findEntry(tree, node, String(segment));
      if (e < 0) break;
      keyNode = tree.entryKey[e]!;
      const value = tree.entryValue[e]!;
      node = value >= 0 ? value : keyNode;
      continue;
    }
    if (kind === SEQ) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= tree.count[node]!) break;
      const item = tree.entryValue[tree.first[node]! + index]!;
      if (item < 0) break;
      keyNode = -1;
      node = item;
      continue;
    }
    break;
  }
  const target = opts?.key && keyNode >= 0 ? keyNode : node;
  return [tree.ranges[2 * target]!, tree.ranges[2 * target + 1]!];
}

/** Offsets where each line of a text starts: offset → line/column without keeping the text. */
export function lineStarts(text: string): Int32Array {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return Int32Array.from(starts);
}

/** 1-based line and column of an offset (as yaml's LineCounter.linePos). */
function linePos(starts: Int32Array, offset: number): { line: number; col: number } {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid]! < offset) low = mid + 1;
    else high = mid;
  }
  if (starts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - starts[low - 1]! + 1 };
}

/** Span of [from, to) file offsets. */
export function spanAt(starts: Int32Array, from: number, to: number): Span {
  const a = linePos(starts, from);
  const b = linePos(starts, Math.max(to, from));
  return { line: Math.max(a.line, 1), column: a.col, endLine: Math.max(b.line, 1), endColumn: b.col };
}

/** Span of [from, to) file offsets, the end moved back before trailing line breaks (a block node's range ends there). */
export function trimmedSpan(text: string, starts: Int32Array, from: number, to: number): Span {
  let end = Math.max(to, from);
  while (end > from && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return spanAt(starts, from, end);
}
