// Kubernetes kinds: only the types of the fields mtls-lint reads later (labels, annotations, selectors, ports,
// containers, env, hostNetwork, serviceAccountName). Unknown fields are fine here: the API has hundreds, and
// they are not ours to judge. Types follow k8s.io/api core/v1, apps/v1, batch/v1.
import type { Resource } from '../load/index.js';
import {
  BOOLEAN,
  REQUIRED_STRING,
  STRING,
  STRING_LIST,
  STRING_MAP,
  enumOf,
  list,
  object,
  port,
  withMeta,
  type JsonSchema,
} from './dsl.js';
import { metadataSchema } from './common.js';
import { BOOLEAN_WORDS } from './messages.js';
import { displayPath } from './paths.js';
import { isObject, quote, type Problem } from './problem.js';

// IANA_SVC_NAME (k8s.io/apimachinery validation.IsValidPortName): ≤ 15 chars, lowercase, digits, '-', at least
// one letter, no leading/trailing or double '-'.
const IANA_SVC_NAME = '^(?=.{1,15}$)(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

function portNameHint(what: string) {
  return (value: string): string =>
    /^\d+$/.test(value)
      ? `is the string ${quote(value)}, which Kubernetes reads as a port *name*, and port names need a letter. Write it without quotes: ${value}.`
      : `${quote(value)} is not a valid ${what}: at most 15 lowercase letters, digits and "-", with at least one letter.`;
}

const PROTOCOL = enumOf(['TCP', 'UDP', 'SCTP'], 'port protocol');

function podTemplateSchema(): JsonSchema {
  const containerPort = object(
    {
      containerPort: port({ nullable: false }),
      name: withMeta(
        { type: ['string', 'null'], pattern: IANA_SVC_NAME },
        { patternHint: portNameHint('container port name') },
      ),
      protocol: PROTOCOL,
      hostPort: port(),
    },
    {
      nullable: false,
      title: 'a container port',
      required: ['containerPort'],
      requiredHint: { containerPort: 'the port number the container listens on.' },
    },
  );
  const envVar = object(
    // Values are strings: `value: 8080` is rejected by the API server.
    { name: REQUIRED_STRING, value: STRING, valueFrom: { type: ['object', 'null'] } },
    { nullable: false, title: 'an `env` entry', required: ['name'] },
  );
  const ref = object({ name: STRING, optional: BOOLEAN });
  const envFrom = object(
    { prefix: STRING, configMapRef: ref, secretRef: ref },
    { nullable: false, title: 'an `envFrom` entry' },
  );
  const container = object(
    {
      name: REQUIRED_STRING,
      ports: list(containerPort),
      env: list(envVar),
      envFrom: list(envFrom),
      command: STRING_LIST,
      args: STRING_LIST,
    },
    {
      nullable: false,
      title: 'a container',
      required: ['name'],
      requiredHint: { name: 'Kubernetes requires a name for every container.' },
    },
  );
  const podSpec = object(
    {
      containers: list(container),
      initContainers: list(container),
      hostNetwork: BOOLEAN,
      serviceAccountName: STRING,
      serviceAccount: STRING,
    },
    { title: 'a pod spec' },
  );
  return object(
    { metadata: object({ labels: STRING_MAP, annotations: STRING_MAP }), spec: podSpec },
    { title: 'a pod template' },
  );
}

function root(spec: JsonSchema | undefined): JsonSchema {
  const props: Record<string, JsonSchema> = { metadata: metadataSchema() };
  if (spec) props.spec = spec;
  return object(props, { nullable: false });
}

export function namespaceSchema(): JsonSchema {
  return root(undefined);
}

export function podSchema(): JsonSchema {
  const template = podTemplateSchema();
  return root((template.properties as Record<string, JsonSchema>).spec);
}

/**
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, Rollout: spec.template is a pod
 * template. ReplicationController's selector is a plain label map, the others' a LabelSelector; one schema
 * serves all (one generated validator), so the selector's contents are typed by checkWorkloadSelector.
 */
export function workloadSchema(): JsonSchema {
  return root(object({ selector: { type: ['object', 'null'] }, template: podTemplateSchema() }));
}

export function cronJobSchema(): JsonSchema {
  return root(object({ jobTemplate: object({ spec: object({ template: podTemplateSchema() }) }) }));
}

export function serviceSchema(): JsonSchema {
  const servicePort = object(
    {
      port: port({ nullable: false }),
      // int-or-string: a number is the container port, a string names one (IANA_SVC_NAME).
      targetPort: withMeta(
        // 0 and "" mean "same as port" (SetDefaults_Service).
        { type: ['integer', 'string', 'null'], minimum: 0, maximum: 65535, pattern: `^$|${IANA_SVC_NAME}` },
        { rangeName: 'port', patternHint: portNameHint('targetPort name') },
      ),
      name: withMeta(
        { type: ['string', 'null'], maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
        {
          patternHint: (v) =>
            `${quote(v)} is not a valid service port name: lowercase letters, digits and "-", starting and ending with a letter or digit.`,
        },
      ),
      protocol: PROTOCOL,
      appProtocol: STRING,
      // 0 is the unset value (the API server allocates one): Kubernetes validates only a nodePort that is set.
      nodePort: withMeta({ type: ['integer', 'null'], minimum: 0, maximum: 65535 }, { rangeName: 'port' }),
    },
    {
      nullable: false,
      title: 'a service port',
      required: ['port'],
      requiredHint: { port: 'the port clients connect to.' },
    },
  );
  return root(object({ selector: STRING_MAP, ports: list(servicePort), type: STRING }));
}

/**
 * apps/v1 requires spec.selector, and the API server rejects a selector that does not match the pod template's
 * labels ("`selector` does not match template `labels`", k8s.io/kubernetes pkg/apis/apps/validation).
 */
export function checkWorkloadSelector(r: Resource): Problem[] {
  const spec = r.value.spec;
  if (!isObject(spec)) return [];
  const out: Problem[] = [];
  const selector = spec.selector;
  const requiresSelector = r.group === 'apps' && r.version === 'v1' && r.kind !== 'ReplicationController';
  if (requiresSelector && (selector === undefined || selector === null)) {
    out.push({
      path: selector === null ? ['spec', 'selector'] : ['spec'],
      atKey: true,
      keyPath: ['spec', 'selector'],
      kind: 'missing-selector',
      message: `\`spec.selector\` is ${selector === null ? 'empty' : 'missing'}; apps/v1 ${r.kind} requires one (usually matchLabels equal to the pod template's labels).`,
    });
  }
  const isRc = r.kind === 'ReplicationController';
  const labelsPath = isRc ? ['spec', 'selector'] : ['spec', 'selector', 'matchLabels'];
  const matchLabels = isRc ? selector : isObject(selector) ? selector.matchLabels : undefined;
  if (matchLabels !== undefined && matchLabels !== null && !isObject(matchLabels)) {
    out.push({
      path: labelsPath,
      kind: 'wrong-type',
      message: `\`${displayPath(labelsPath)}\` must be a mapping of label: value, not ${Array.isArray(matchLabels) ? 'a list' : quote(matchLabels)}.`,
    });
  }
  if (isObject(matchLabels)) {
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v === 'string' || v === null) continue;
      out.push({
        path: [...labelsPath, k],
        kind: 'wrong-type',
        message: `\`${displayPath([...labelsPath, k])}\` must be a string, not ${quote(v)}.${typeof v === 'number' || typeof v === 'boolean' ? ` Quote it: ${k}: "${String(v)}".${typeof v === 'boolean' ? BOOLEAN_WORDS : ''}` : ''}`,
      });
    }
  }
  const template = spec.template;
  const labels = isObject(template) && isObject(template.metadata) ? template.metadata.labels : undefined;
  if (isObject(matchLabels) && isObject(template)) {
    const podLabels = isObject(labels) ? labels : {};
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string' || podLabels[k] === v) continue;
      const base = [...labelsPath, k];
      out.push({
        path: base,
        kind: 'selector-mismatch',
        message: `\`${displayPath(base)}\` is ${quote(v)} but the pod template's label ${k} is ${podLabels[k] === undefined ? 'not set' : quote(podLabels[k])}; Kubernetes rejects a ${r.kind} whose selector does not match its template labels.`,
      });
    }
  }
  return out;
}
