// Pieces shared by the Istio and Kubernetes schemas and checks: object metadata, names, selectors.
import type { Resource } from '../load/index.js';
import { STRING, STRING_MAP, object, type JsonSchema } from './dsl.js';
import { isObject, quote, type Problem } from './problem.js';

/** metadata: only what mtls-lint reads is typed; the rest (uid, ownerReferences, …) passes. */
export function metadataSchema(): JsonSchema {
  return object(
    {
      // Presence is checked by checkMetadata (generateName makes it optional for kubectl create).
      name: { type: 'string' },
      namespace: STRING,
      generateName: STRING,
      labels: STRING_MAP,
      annotations: STRING_MAP,
    },
    { nullable: false, title: '`metadata`' },
  );
}

// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain, IsDNS1123Label, IsDNS1035Label).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'dns1035';

function nameProblem(name: string, rule: NameRule): string | undefined {
  switch (rule) {
    case 'label':
      if (name.length > 63) return 'is longer than 63 characters';
      return DNS1123_LABEL.test(name)
        ? undefined
        : 'must be lowercase letters, digits and "-", starting and ending with a letter or digit';
    case 'dns1035':
      if (name.length > 63) return 'is longer than 63 characters';
      return DNS1035_LABEL.test(name)
        ? undefined
        : 'must be lowercase letters, digits and "-", starting with a letter and ending with a letter or digit';
    case 'subdomain':
      if (name.length > 253) return 'is longer than 253 characters';
      return DNS1123_SUBDOMAIN.test(name)
        ? undefined
        : 'must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
  }
}

/**
 * metadata present, name present (unless generateName) and well-formed, namespace well-formed.
 * Types are the schema's job; this only looks at values of the right type.
 */
export function checkMetadata(r: Resource, rule: NameRule): Problem[] {
  const meta = r.value.metadata;
  if (meta === undefined) {
    return [
      {
        path: [],
        keyPath: ['metadata'],
        kind: 'missing-field',
        message: `This ${r.kind} has no \`metadata\`, so it has no name; Kubernetes rejects it. Add metadata.name.`,
      },
    ];
  }
  if (!isObject(meta)) return []; // wrong type: reported by the schema
  const out: Problem[] = [];
  const name = meta.name;
  if ((name === undefined || name === '') && !(typeof meta.generateName === 'string' && meta.generateName)) {
    out.push({
      path: ['metadata'],
      atKey: true,
      keyPath: ['metadata', 'name'],
      kind: 'missing-field',
      message: `\`metadata.name\` is ${name === '' ? 'empty' : 'missing'}; Kubernetes rejects a ${r.kind} without a name.`,
    });
  } else if (typeof name === 'string' && name !== '') {
    const why = nameProblem(name, rule);
    if (why) {
      out.push({
        path: ['metadata', 'name'],
        kind: 'invalid-name',
        message: `\`metadata.name\` ${quote(name)} is not a valid ${r.kind} name: it ${why}.`,
      });
    }
  }
  const ns = meta.namespace;
  if (typeof ns === 'string' && ns !== '' && nameProblem(ns, 'label')) {
    out.push({
      path: ['metadata', 'namespace'],
      kind: 'invalid-name',
      message: `\`metadata.namespace\` ${quote(ns)} is not a valid namespace name: it ${nameProblem(ns, 'label')!}.`,
    });
  }
  return out;
}

/** Istio's validateWorkloadSelector (pkg/config/validation/validation.go): no empty keys, no wildcards. */
export function checkMatchLabels(matchLabels: unknown, path: (string | number)[]): Problem[] {
  if (!isObject(matchLabels)) return [];
  const out: Problem[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    if (k === '' || k.includes('*') || (typeof v === 'string' && v.includes('*'))) {
      out.push({
        path: [...path, k],
        atKey: k.includes('*') || k === '',
        kind: 'bad-selector',
        message: `Selector label ${quote(`${k}=${typeof v === 'string' ? v : ''}`)} is invalid: Istio rejects empty keys and wildcards in selectors ("wildcard is not supported in selector"). List exact labels.`,
      });
    }
  }
  return out;
}

export function nonEmptyObject(v: unknown): v is Record<string, unknown> {
  return isObject(v) && Object.keys(v).length > 0;
}
