// Writing YAML that Kubernetes reads as it was meant: kubectl decodes with go-yaml v2 (YAML 1.1), where a plain
// `on`, `yes`, `n`, `off` is a boolean, `0777` octal and `1_000` a thousand, while a YAML 1.2 writer leaves them plain
// as strings. Every scalar whose plain form go-yaml (kube-yaml.ts resolvePlain) or YAML 1.2 would read as something
// other than the string is double-quoted, keys included, so the text means the same to both.
import {
  Document,
  isScalar,
  parse,
  visit,
  type CreateNodeOptions,
  type DocumentOptions,
  type SchemaOptions,
  type ToStringOptions,
} from 'yaml';
import { resolvePlain } from './kube-yaml.js';

type WriteOptions = DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions;

/** `yaml`'s stringify, with strings that YAML 1.1 would resolve differently quoted. */
export function stringifyForKubernetes(value: unknown, options: WriteOptions = {}): string {
  const doc = new Document(value, options);
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && readsOtherwise(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString(options);
}

/**
 * YAML for a file or a CI log: as stringifyForKubernetes, block style, no line folding, and no `##[` a CI runner could
 * read as a workflow command (it can only be in a string: every string double-quoted, `#` written `\x23`).
 */
export function stringifyForKubernetesFile(value: unknown): string {
  const text = stringifyForKubernetes(value, { lineWidth: 0, blockQuote: false });
  if (!text.includes('##[')) return text;
  return stringifyForKubernetes(value, {
    lineWidth: 0,
    blockQuote: false,
    defaultStringType: 'QUOTE_DOUBLE',
  }).replace(/##\[/g, '#\\x23[');
}

/**
 * Whether go-yaml v2 reads this string, written plain, as anything but itself (`<<` is its merge key), or a YAML 1.1
 * reader does (1.1's sexagesimal `1:20` and timestamps, which go-yaml leaves strings but PyYAML and others do not).
 */
function readsOtherwise(s: string): boolean {
  return s === '<<' || resolvePlain(s) !== s || (/^[-+.0-9]/.test(s) && readsOtherwiseIn11(s));
}

function readsOtherwiseIn11(s: string): boolean {
  try {
    return parse(s, { version: '1.1' }) !== s;
  } catch {
    return true;
  }
}
