// Every rule, in the order they run and are listed. A new rule is one new module here plus its tests.
import type { Rule } from '../src/rule.js';
import yamlSyntax from './yaml-syntax.js';
import inputError from './input-error.js';
import invalidResource from './invalid-resource.js';
import invalidSuppression from './invalid-suppression.js';
import duplicateResource from './duplicate-resource.js';
import plaintextToStrict from './plaintext-to-strict.js';
import mtlsToPlaintextServer from './mtls-to-plaintext-server.js';
import nonIstioTlsToSidecar from './non-istio-tls-to-sidecar.js';
import plaintextBetweenSidecars from './plaintext-between-sidecars.js';
import plaintextAccepted from './plaintext-accepted.js';
import authzRequiresMtls from './authz-requires-mtls.js';
import unknownInjection from './unknown-injection.js';
import connectionDowngrade from './connection-downgrade.js';
import unmatchedTarget from './unmatched-target.js';
import ambiguousPolicy from './ambiguous-policy.js';
import ignoredSetting from './ignored-setting.js';
import deprecatedApi from './deprecated-api.js';
import modelMismatch from './model-mismatch.js';
import probeFailsUnderStrict from './probe-fails-under-strict.js';
import callBlockedByNetworkPolicy from './call-blocked-by-network-policy.js';
import callBlockedByOutboundPolicy from './call-blocked-by-outbound-policy.js';

export const RULES: readonly Rule[] = [
  yamlSyntax,
  inputError,
  invalidResource,
  invalidSuppression,
  duplicateResource,
  plaintextToStrict,
  probeFailsUnderStrict,
  mtlsToPlaintextServer,
  nonIstioTlsToSidecar,
  plaintextBetweenSidecars,
  plaintextAccepted,
  authzRequiresMtls,
  unknownInjection,
  connectionDowngrade,
  unmatchedTarget,
  ambiguousPolicy,
  ignoredSetting,
  deprecatedApi,
  modelMismatch,
  callBlockedByNetworkPolicy,
  callBlockedByOutboundPolicy,
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.meta.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
