import type { FieldPath, Severity } from '../types.js';

/** One thing wrong with one field of one resource, before it becomes a Finding. */
export interface Problem {
  /** Where to point (Resource.span). */
  path: FieldPath;
  /** Point at the key of the last segment rather than its value (unknown, misplaced or missing fields). */
  atKey?: boolean;
  /** Field the problem is about, for the finding's stable key; defaults to `path`. */
  keyPath?: FieldPath;
  /** Short stable slug: unknown-field, misplaced-field, missing-field, wrong-type, bad-value, … */
  kind: string;
  message: string;
  severity?: Severity;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `"text"` for messages: quoted and cut short, so a 50 MB scalar cannot make a 50 MB message. */
export function quote(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}
