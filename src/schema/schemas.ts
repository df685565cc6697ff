// Every schema mtls-lint validates against, by validator id. The validators are generated ahead of time
// (generated/validators.ts, written by generate.ts): compiling them with ajv at run time cost 200–400 ms on a
// cold start, more than the CLI's whole start-up budget. The schema objects are still built at run time, but
// only when a resource has errors, so that messages.ts can read the titles and hints of the node an error's
// schemaPath names.
import type { JsonSchema } from './dsl.js';
import {
  authorizationPolicySchema,
  destinationRuleSchema,
  legacyPolicySchema,
  peerAuthenticationSchema,
} from './istio.js';
import { cronJobSchema, namespaceSchema, podSchema, serviceSchema, workloadSchema } from './kubernetes.js';

export const SCHEMA_BUILDERS = {
  PeerAuthentication: peerAuthenticationSchema,
  AuthorizationPolicy: authorizationPolicySchema,
  DestinationRule: destinationRuleSchema,
  /** Policy and MeshPolicy: same fields; only the titles in messages differ. */
  LegacyPolicy: () => legacyPolicySchema('Policy'),
  Namespace: namespaceSchema,
  Service: serviceSchema,
  Pod: podSchema,
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, Rollout. */
  Workload: workloadSchema,
  CronJob: cronJobSchema,
} satisfies Record<string, () => JsonSchema>;

export type SchemaId = keyof typeof SCHEMA_BUILDERS;

export const SCHEMA_IDS = Object.keys(SCHEMA_BUILDERS) as SchemaId[];
