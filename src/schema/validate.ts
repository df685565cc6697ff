// The schema pass (rule invalid-resource): each resource of a kind mtls-lint reasons about is checked against
// our own JSON Schema (validators generated ahead of time, see schemas.ts) and Istio's/Kubernetes' own
// validation rules.
// Kinds we do not reason about are skipped entirely, so their cost is one map lookup.
import type { ErrorObject } from 'ajv';
import type { Resource } from '../load/index.js';
import type { Finding } from '../types.js';
import { checkMetadata, type NameRule } from './common.js';
import type { JsonSchema } from './dsl.js';
import * as generated from './generated/validators.js';
import {
  checkAuthorizationPolicy,
  checkDestinationRule,
  checkLegacyPolicy,
  checkPeerAuthentication,
  drTlsConsequence,
  legacyPeersConsequence,
  legacyPolicySchema,
} from './istio.js';
import { checkWorkloadSelector } from './kubernetes.js';
import { SchemaInfo, translateErrors } from './messages.js';
import { isObject, type Problem } from './problem.js';
import { SCHEMA_BUILDERS, type SchemaId } from './schemas.js';

export interface ValidationResult {
  findings: Finding[];
  /** Ids of resources with schema errors: Istio's webhook would reject them, so the mesh model leaves them out. */
  invalid: Set<string>;
}

const RULE_ID = 'invalid-resource';

/** More problems than this in one resource are summarised: it is probably not what its kind says. */
const MAX_PROBLEMS_PER_RESOURCE = 15;

interface KindEntry {
  /** apiVersions Istio serves; another version of an Istio kind is reported instead of validated. */
  versions?: readonly string[];
  nameRule: NameRule;
  validator: SchemaId;
  /** The schema the validator was generated from, for messages; defaults to SCHEMA_BUILDERS[validator]. */
  schema?: () => JsonSchema;
  check?: (r: Resource) => Problem[];
  consequences?: Record<string, (value: Record<string, unknown>) => string | undefined>;
}

/** A generated ajv validator (ajv/dist/standalone output). */
interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const VALIDATORS = generated as unknown as Record<SchemaId, Validator>;

const PA_MODE_CONSEQUENCE = (value: Record<string, unknown>): string | undefined => {
  const spec = isObject(value.spec) ? value.spec : {};
  const mtls = isObject(spec.mtls) ? spec.mtls : {};
  return mtls.mode === undefined || mtls.mode === null
    ? ' As written the policy sets no mode (UNSET), so the workloads inherit the namespace or mesh mode.'
    : undefined;
};

const WORKLOAD: KindEntry = { nameRule: 'subdomain', validator: 'Workload', check: checkWorkloadSelector };

// Keyed by "group/kind"; the validator is shared by every served version of a kind.
const KINDS = new Map<string, KindEntry>([
  [
    'security.istio.io/PeerAuthentication',
    {
      versions: ['v1beta1', 'v1'],
      nameRule: 'subdomain',
      validator: 'PeerAuthentication',
      check: checkPeerAuthentication,
      consequences: { mode: PA_MODE_CONSEQUENCE },
    },
  ],
  [
    'security.istio.io/AuthorizationPolicy',
    {
      versions: ['v1beta1', 'v1'],
      nameRule: 'subdomain',
      validator: 'AuthorizationPolicy',
      check: checkAuthorizationPolicy,
    },
  ],
  [
    'networking.istio.io/DestinationRule',
    {
      versions: ['v1alpha3', 'v1beta1', 'v1'],
      nameRule: 'subdomain',
      validator: 'DestinationRule',
      check: checkDestinationRule,
      consequences: { tls: drTlsConsequence },
    },
  ],
  [
    'authentication.istio.io/Policy',
    {
      versions: ['v1alpha1'],
      nameRule: 'subdomain',
      validator: 'LegacyPolicy',
      check: checkLegacyPolicy,
      consequences: { peers: legacyPeersConsequence },
    },
  ],
  [
    'authentication.istio.io/MeshPolicy',
    {
      versions: ['v1alpha1'],
      nameRule: 'subdomain',
      validator: 'LegacyPolicy',
      schema: () => legacyPolicySchema('MeshPolicy'),
      check: checkLegacyPolicy,
      consequences: { peers: legacyPeersConsequence },
    },
  ],
  ['/Namespace', { nameRule: 'label', validator: 'Namespace' }],
  ['/Service', { nameRule: 'dns1035', validator: 'Service' }],
  ['/Pod', { nameRule: 'subdomain', validator: 'Pod' }],
  ['/ReplicationController', WORKLOAD],
  ['apps/Deployment', WORKLOAD],
  ['apps/StatefulSet', WORKLOAD],
  ['apps/DaemonSet', WORKLOAD],
  ['apps/ReplicaSet', WORKLOAD],
  // Istio 1.0–1.4 era manifests (the seed's samples) still use extensions/v1beta1.
  ['extensions/Deployment', WORKLOAD],
  ['extensions/DaemonSet', WORKLOAD],
  ['extensions/ReplicaSet', WORKLOAD],
  ['batch/Job', WORKLOAD],
  ['batch/CronJob', { nameRule: 'subdomain', validator: 'CronJob' }],
  ['argoproj.io/Rollout', WORKLOAD],
]);

/** Istio kinds by name, for "right kind, wrong apiVersion" (security.istio.io/v1alpha1 PeerAuthentication …). */
const ISTIO_KIND_GROUPS = new Map<string, string>();
/** KINDS by group, then kind: looked up for every resource without building a key string. */
const KINDS_BY_GROUP = new Map<string, Map<string, KindEntry>>();
for (const [key, entry] of KINDS) {
  const [group, kind] = key.split('/') as [string, string];
  if (entry.versions) ISTIO_KIND_GROUPS.set(kind, group);
  let byKind = KINDS_BY_GROUP.get(group);
  if (!byKind) KINDS_BY_GROUP.set(group, (byKind = new Map()));
  byKind.set(kind, entry);
}

/** Schema objects for messages, built on the first error of a kind (the valid path never needs them). */
const infos = new Map<KindEntry, SchemaInfo>();

function infoFor(entry: KindEntry): SchemaInfo {
  let info = infos.get(entry);
  if (!info) {
    info = new SchemaInfo((entry.schema ?? SCHEMA_BUILDERS[entry.validator])(), entry.consequences);
    infos.set(entry, info);
  }
  return info;
}

function wrongApiVersion(r: Resource, group: string, versions: readonly string[]): Problem {
  const served = versions.map((v) => `${group}/${v}`);
  return {
    path: ['apiVersion'],
    kind: 'wrong-api-version',
    message: `Istio serves ${r.kind} as ${served.join(', ')}, not ${r.apiVersion}; kubectl rejects it ("no matches for kind"). Use apiVersion: ${served[served.length - 1]!}.`,
  };
}

function validateOne(r: Resource): Problem[] {
  const entry = KINDS_BY_GROUP.get(r.group)?.get(r.kind);
  if (!entry) {
    // An Istio kind under another Istio group (authentication.istio.io/v1beta1 PeerAuthentication, …).
    const group = ISTIO_KIND_GROUPS.get(r.kind);
    if (group && r.group.endsWith('istio.io')) {
      return [wrongApiVersion(r, group, KINDS.get(`${group}/${r.kind}`)!.versions!)];
    }
    return [];
  }
  if (entry.versions && !entry.versions.includes(r.version))
    return [wrongApiVersion(r, r.group, entry.versions)];

  const validate = VALIDATORS[entry.validator];
  const problems: Problem[] = [];
  if (!validate(r.value))
    problems.push(...translateErrors(validate.errors ?? [], r.value, infoFor(entry), r.kind));
  problems.push(...checkMetadata(r, entry.nameRule));
  if (entry.check) problems.push(...entry.check(r));

  // One message per field: the schema's comes first, a rule's on the same field adds nothing.
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = (p.keyPath ?? p.path).join('\u0000');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toFinding(r: Resource, p: Problem): Finding {
  const span = r.span(p.path, { key: p.atKey });
  const finding: Finding = {
    rule: RULE_ID,
    severity: p.severity ?? 'error',
    message: p.message,
    file: r.file,
    ...span,
    // Not line-based: the same mistake keeps its identity when lines move (PR mode, SARIF fingerprints).
    key: `${RULE_ID}|${r.id}|${(p.keyPath ?? p.path).join('.')}|${p.kind}`,
    resource: r.ref(),
  };
  if (r.source) finding.source = r.source;
  return finding;
}

/**
 * Problems per resource object. A resource does not change once parsed, and PR mode validates the resources of
 * unchanged files (the same objects, from one ParseCache) on both sides.
 */
const problemsOf = new WeakMap<Resource, Problem[]>();

export function validateResources(resources: Resource[]): ValidationResult {
  const findings: Finding[] = [];
  const invalid = new Set<string>();
  for (const r of resources) {
    for (const p of cachedProblems(r)) {
      findings.push(toFinding(r, p));
      if ((p.severity ?? 'error') === 'error') invalid.add(r.id);
    }
  }
  return { findings, invalid };
}

/** Whether a resource has a schema error, and so is left out of the mesh model (as validateResources reports it). */
export function hasSchemaErrors(r: Resource): boolean {
  return cachedProblems(r).some((p) => (p.severity ?? 'error') === 'error');
}

function cachedProblems(r: Resource): Problem[] {
  let problems = problemsOf.get(r);
  if (!problems) problemsOf.set(r, (problems = problemsFor(r)));
  return problems;
}

function problemsFor(r: Resource): Problem[] {
  let problems: Problem[];
  try {
    problems = validateOne(r);
  } catch (err) {
    // Never let one odd document stop the run; say so where it is.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return [
      {
        path: [],
        kind: 'internal-error',
        severity: 'warning',
        message: `mtls-lint could not check the fields of this ${r.kind} (internal error: ${reason}); please report it.`,
      },
    ];
  }
  if (problems.length > MAX_PROBLEMS_PER_RESOURCE) {
    const rest = problems.length - MAX_PROBLEMS_PER_RESOURCE;
    problems = problems.slice(0, MAX_PROBLEMS_PER_RESOURCE);
    problems.push({
      path: [],
      kind: 'more-problems',
      message: `…and ${rest} more problem${rest === 1 ? '' : 's'} in this ${r.kind}; is it really a ${r.apiVersion} ${r.kind}?`,
    });
  }
  return problems;
}
