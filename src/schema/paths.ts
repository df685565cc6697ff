// Field paths: from ajv's JSON pointers to FieldPath (what Resource.span takes) and to the text a person reads.
import type { FieldPath } from '../types.js';

/** JSON pointer ("/spec/targets/0", "~1" = "/", "~0" = "~") → path; indexes into arrays become numbers. */
export function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      out.push(index);
      node = node[index];
    } else {
      out.push(segment);
      node =
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return out;
}

export function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * How a person writes a path: spec.targets[1].ports[0], metadata.annotations["sidecar.istio.io/inject"].
 * Schema placeholders pass through: "[]" (any item), "<port>" (any map key).
 */
export function displayPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (segment === '[]') out += '[]';
    else if (IDENT.test(segment) || /^<.*>$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment.length > 80 ? `${segment.slice(0, 80)}…` : segment)}]`;
  }
  // Keys come from the input: keep a hostile 1 MB key from becoming a 1 MB message.
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

/** A field name for a message, cut short. */
export function fieldLabel(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}
