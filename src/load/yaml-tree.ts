// Checks on one parsed YAML document's tree, in one iterative pass: nesting depth, aliases (unresolved, and how far
// they expand), duplicate keys, and what go-yaml (kubectl's YAML 1.1 reader) reads differently or refuses: keys
// that are not strings, numbers JSON cannot hold, escapes YAML 1.1 lacks, Unicode line separators inside values.
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { KUBE_YAML_OPTIONS, normalizeBreaks, plainJsonKey } from './kube-yaml.js';
import { DEFAULT_PARSE_LIMITS } from './parsed-file.js';
import { isMergeKey } from './positions.js';

/**
 * The loader's yaml reading of one chunk (for tests): its documents with the keys go-yaml gives them (`on:` is
 * "true"), as checkDocument reads them.
 */
export function parseKubeChunk(chunk: string, maxDepth = DEFAULT_PARSE_LIMITS.maxDepth): Document.Parsed[] {
  const docs = parseAllDocuments(normalizeBreaks(chunk), KUBE_YAML_OPTIONS);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.contents) analyzeTree(d.contents as Node, maxDepth);
  return docs;
}

export interface TreeShape {
  /** Offset (in the chunk) where nesting first exceeds maxDepth. */
  deepAt?: number;
  nodes: number;
  aliases: number;
  duplicates: { name: string; key: Node; first: Node }[];
  /** A mapping key that is a collection written as `{…}`: how YAML reads `{{ .Values.x }}`. */
  templateKey: boolean;
  unresolved: Alias[];
  /** A key go-yaml's value has no JSON key for (null, a collection, an integer over int64), and what it is. */
  badKey?: Node;
  badKeyWhat?: string;
  /** A plain scalar that is NaN or ±infinity for go-yaml: JSON cannot hold it. */
  nonJson?: { range: [number, number, number]; source: string; value: number };
}

/** The first `\/` in a double-quoted scalar: YAML 1.2 has that escape, go-yaml (YAML 1.1) does not. */
export function refusedEscape(doc: Document.Parsed, chunk: string): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== 'QUOTE_DOUBLE' || !node.range) return undefined;
      for (let i = node.range[0] + 1; i < node.range[1] - 1; i++) {
        if (chunk.charCodeAt(i) !== 92) continue;
        if (chunk[i + 1] === '/') {
          found = i;
          return visit.BREAK;
        }
        i++; // the escaped character
      }
      return undefined;
    },
  });
  return found;
}

/** The first LS/PS offset inside a scalar that is written over several lines (its value is go-yaml's, not ours). */
export function lsPsInScalar(doc: Document.Parsed, offsets: number[]): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const [start, end] = node.range ?? [0, 0];
      const at = offsets.find((o) => o > start && o < end);
      if (at !== undefined) {
        found = at;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** One iterative pass over the AST (no recursion: depth is what is being checked). */
export function analyzeTree(root: Node, maxDepth: number): TreeShape {
  const shape: TreeShape = { nodes: 0, aliases: 0, duplicates: [], templateKey: false, unresolved: [] };
  const anchors = new Set<string>();
  const stack: [Node | null | undefined, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node) continue;
    shape.nodes++;
    if (node.anchor) anchors.add(node.anchor);
    if (
      isScalar(node) &&
      typeof node.value === 'number' &&
      !Number.isFinite(node.value) &&
      !shape.nonJson &&
      node.range
    )
      shape.nonJson = { range: node.range, source: node.source ?? String(node.value), value: node.value };
    if (isAlias(node)) {
      shape.aliases++;
      if (!anchors.has(node.source)) shape.unresolved.push(node);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > maxDepth) {
      shape.deepAt = node.range?.[0] ?? 0;
      return shape;
    }
    const children: [Node | null | undefined, number][] = [];
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && typeof key.value !== 'string' && !shape.badKey) goKey(key, shape);
        if (key === null || (isCollection(key) && !shape.badKey && !isTemplateKey(key))) {
          shape.badKey = key ?? node;
          shape.badKeyWhat = key === null ? 'empty' : 'a collection';
        }
        if (isScalar(key)) {
          const name = typeof key.value === 'symbol' ? (key.value.description ?? '') : String(key.value);
          if (isMergeKey(key) && isMerge(pair.value as Node | null)) {
            shape.aliases++; // merges expand like aliases
          } else {
            const first = seen.get(name);
            if (first) shape.duplicates.push({ name, key, first });
            else seen.set(name, key);
          }
        } else if (isCollection(key) && (key as { flow?: boolean }).flow && isMap(key)) {
          shape.templateKey = true;
        }
        children.push([key, depth + 1], [pair.value as Node | null, depth + 1]);
      }
    } else {
      for (const item of node.items) {
        if (isPair(item)) children.push([item.key as Node, depth + 1], [item.value as Node, depth + 1]);
        else children.push([item as Node, depth + 1]);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return shape;
}

function isTemplateKey(key: Node): boolean {
  return isMap(key) && !!(key as { flow?: boolean }).flow;
}

/**
 * A scalar key that is not a string becomes the JSON key sigs.k8s.io/yaml writes (`on:` "true", `1e6:` "1e+06"):
 * the key's value is replaced by that text before toJS, so the value and the positions use it. A null key, or an
 * integer over int64, is a key kubectl refuses.
 */
function goKey(key: Scalar, shape: TreeShape): void {
  if (isMergeKey(key)) return;
  let name: string | undefined;
  if (key.type === 'PLAIN' && key.source !== undefined && !key.tag) name = plainJsonKey(key.source);
  else if (typeof key.value === 'boolean') name = String(key.value);
  else if (typeof key.value === 'number' && Number.isSafeInteger(key.value)) name = String(key.value);
  if (name === undefined) {
    shape.badKey = key;
    shape.badKeyWhat =
      key.value === null
        ? 'null (`~`, `null` or nothing)'
        : `${String(key.source ?? key.value)} (beyond a 64-bit integer)`;
    return;
  }
  key.value = name;
}

function isMerge(value: Node | null): boolean {
  return isAlias(value) || (isSeq(value) && value.items.some((i) => isAlias(i))) || isMap(value);
}

/** Walk the plain value once, within a budget: aliases can make it far bigger, or cyclic, than the source. */
export function expandedProblem(
  value: unknown,
  budget: number,
  maxDepth: number,
): 'size' | 'depth' | undefined {
  let count = 1;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) return 'depth';
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    count += children.length;
    if (count > budget) return 'size';
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return undefined;
}
