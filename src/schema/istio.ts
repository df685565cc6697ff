// Schemas and validation rules for the Istio kinds mtls-lint reasons about.
// Strict (unknown field = error) where a typo or mis-indentation changes mTLS: spec of PeerAuthentication,
// Policy and MeshPolicy, `mtls`, targets, peers, and DestinationRule trafficPolicy/tls/portLevelSettings/subsets.
// Elsewhere lenient, since Istio adds fields over time.
// Field lists: istio/api security/v1beta1/peer_authentication.proto, authorization_policy.proto,
// networking/v1alpha3/destination_rule.proto, authentication/v1alpha1/policy.proto (api@1.4).
import type { Resource } from '../load/index.js';
import {
  ANY_OBJECT,
  BOOLEAN,
  REQUIRED_STRING,
  STRING,
  STRING_LIST,
  STRING_MAP,
  enumOf,
  list,
  mapOf,
  object,
  port,
  type JsonSchema,
} from './dsl.js';
import { checkMatchLabels, metadataSchema, nonEmptyObject } from './common.js';
import { displayPath } from './paths.js';
import { isObject, quote, type Problem } from './problem.js';

function istioRoot(kind: string, spec: JsonSchema, opts: { requireSpec?: string } = {}): JsonSchema {
  // The top level is strict too: `mtls:` or `rules:` written without `spec:` leaves an empty policy.
  const article = /^[AEIOU]/.test(kind) ? 'an' : 'a';
  return object(
    { apiVersion: REQUIRED_STRING, kind: REQUIRED_STRING, metadata: metadataSchema(), spec, status: {} },
    {
      strict: true,
      nullable: false,
      title: `${article} ${kind}`,
      required: opts.requireSpec ? ['spec'] : undefined,
      requiredHint: opts.requireSpec ? { spec: opts.requireSpec } : undefined,
    },
  );
}

function workloadSelector(title: string): JsonSchema {
  return object(
    { matchLabels: STRING_MAP },
    {
      strict: true,
      title,
      unknownHint:
        'Workload labels go under `matchLabels`; as written the selector has no labels and selects every workload in the namespace.',
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// security.istio.io PeerAuthentication (v1beta1, v1)

const PA_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;

export function peerAuthenticationSchema(): JsonSchema {
  const mode = enumOf(PA_MODES, 'PeerAuthentication mTLS mode');
  const mtls = object({ mode }, { strict: true, title: '`mtls`' });
  const portMtls = object({ mode }, { strict: true, title: 'a `portLevelMtls` entry' });
  const spec = object(
    {
      selector: workloadSelector('`selector`'),
      mtls,
      // Keys are workload ports; JSON keys are strings, so their range is checked in checkPeerAuthentication.
      portLevelMtls: mapOf(portMtls, { keyName: 'port' }),
    },
    { strict: true, title: 'a PeerAuthentication spec' },
  );
  return istioRoot('PeerAuthentication', spec);
}

/** Istio's ValidatePeerAuthentication (pkg/config/validation/validation.go), with messages that say what to do. */
export function checkPeerAuthentication(r: Resource): Problem[] {
  const spec = r.value.spec;
  if (!isObject(spec)) return [];
  const out: Problem[] = [];
  const selector = spec.selector;
  const matchLabels = isObject(selector) ? selector.matchLabels : undefined;
  const emptySelector = !nonEmptyObject(matchLabels);
  const scope = r.namespace === undefined ? 'namespace' : `namespace ${r.namespace}`;

  // Keys other than matchLabels in selector are unknown fields (reported by the schema) and say the same thing.
  const selectorHasOtherKeys = isObject(selector) && Object.keys(selector).some((k) => k !== 'matchLabels');
  if ('selector' in spec && emptySelector && !selectorHasOtherKeys) {
    // Istio only warns ("workload selector specified without labels"), but the policy silently becomes
    // namespace-wide (or mesh-wide in the root namespace): almost never what `selector:` meant.
    out.push({
      path: ['spec', 'selector'],
      atKey: true,
      kind: 'empty-selector',
      severity: 'warning',
      message: `\`spec.selector\` has no \`matchLabels\`, so this PeerAuthentication applies to every workload in ${scope} (like a namespace-wide policy). Add matchLabels, or remove selector if that is intended.`,
    });
  }
  out.push(...checkMatchLabels(matchLabels, ['spec', 'selector', 'matchLabels']));

  const plm = spec.portLevelMtls;
  if (isObject(plm)) {
    const keys = Object.keys(plm);
    if (keys.length === 0) {
      out.push({
        path: ['spec', 'portLevelMtls'],
        atKey: true,
        kind: 'empty-port-level-mtls',
        message:
          '`spec.portLevelMtls` is empty; Istio rejects it ("port level mTLS, if defined, must have at least one element"). Remove it or add ports.',
      });
    } else if (emptySelector) {
      out.push({
        path: ['spec', 'portLevelMtls'],
        atKey: true,
        kind: 'port-level-mtls-without-selector',
        message:
          '`portLevelMtls` needs a workload `selector` with `matchLabels`: Istio rejects port-level mTLS on a mesh- or namespace-wide PeerAuthentication ("mesh/namespace peer authentication cannot have port level mTLS"), so none of this policy applies. Add spec.selector.matchLabels for the workload that owns these ports.',
      });
    }
    for (const key of keys) {
      const n = /^\d{1,5}$/.test(key) ? Number(key) : NaN;
      if (!(n >= 1 && n <= 65535)) {
        out.push({
          path: ['spec', 'portLevelMtls', key],
          atKey: true,
          kind: 'bad-port-key',
          message: `\`portLevelMtls\` key ${quote(key)} is not a port number; keys are the workload's container ports (targetPort), 1..65535 ("port must be in range 1..65535").`,
        });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// authentication.istio.io/v1alpha1 Policy and MeshPolicy (Istio 1.0–1.5)

export function legacyPolicySchema(kind: 'Policy' | 'MeshPolicy'): JsonSchema {
  const mode = enumOf(['STRICT', 'PERMISSIVE'], `${kind} mTLS mode`);
  // `mtls:` with no value is meaningful here: it means STRICT (policy.proto: STRICT = 0).
  const mtls = object({ mode, allowTls: BOOLEAN, allow_tls: BOOLEAN }, { strict: true, title: '`mtls`' });
  const stringMatch = object({ exact: STRING, prefix: STRING, suffix: STRING, regex: STRING });
  const jwt = object(
    {
      issuer: STRING,
      audiences: STRING_LIST,
      jwksUri: STRING,
      jwks_uri: STRING,
      jwks: STRING,
      jwtHeaders: STRING_LIST,
      jwt_headers: STRING_LIST,
      jwtParams: STRING_LIST,
      jwt_params: STRING_LIST,
      triggerRules: list(object({ excludedPaths: list(stringMatch), includedPaths: list(stringMatch) })),
      trigger_rules: list(ANY_OBJECT),
    },
    { title: '`jwt`' },
  );
  const peer = object({ mtls, jwt }, { strict: true, nullable: false, title: 'a `peers` entry' });
  const origin = object({ jwt }, { nullable: false, title: 'an `origins` entry' });
  const targetPort = object(
    { number: port(), name: STRING },
    { strict: true, nullable: false, title: 'a target port' },
  );
  const target = object(
    { name: REQUIRED_STRING, labels: STRING_MAP, ports: list(targetPort) },
    {
      strict: true,
      nullable: false,
      title: 'a target',
      required: ['name'],
      requiredHint: { name: 'a target names the service (short name) the policy applies to.' },
    },
  );
  const binding = enumOf(['USE_PEER', 'USE_ORIGIN'], 'principal binding');
  // jsonpb (which Istio 1.0–1.5 used to read these) accepts both camelCase and the proto's snake_case names.
  const spec = object(
    {
      targets: list(target),
      peers: list(peer),
      peerIsOptional: BOOLEAN,
      peer_is_optional: BOOLEAN,
      origins: list(origin),
      originIsOptional: BOOLEAN,
      origin_is_optional: BOOLEAN,
      principalBinding: binding,
      principal_binding: binding,
    },
    { strict: true, title: `a ${kind} spec` },
  );
  return istioRoot(kind, spec);
}

/** What a misplaced `peers` does to a legacy policy (istio-semantics.md §2.3: no peers → plaintext only). */
export function legacyPeersConsequence(value: Record<string, unknown>): string | undefined {
  const spec = isObject(value.spec) ? value.spec : {};
  if (Array.isArray(spec.peers) && spec.peers.length) return undefined;
  const targets = Array.isArray(spec.targets) ? spec.targets : [];
  const names = targets
    .map((t) => (isObject(t) && typeof t.name === 'string' ? t.name : undefined))
    .filter(Boolean);
  const who = names.length ? names.join(', ') : 'the services it covers';
  return ` As written the policy has no peers, which in Istio ≤ 1.4 means plaintext only for ${who}.`;
}

/**
 * Naming rules of Istio's ValidateAuthenticationPolicy (istio@1.4.0 pkg/config/validation/validation.go;
 * istio@1.0.0 pilot/pkg/model/validation.go): a namespace-wide Policy (no targets) must be named `default`,
 * a Policy named `default` must have no targets, a MeshPolicy must be named `default` and have no targets;
 * and validateAuthNPortSelector: a target port needs a number or a name.
 */
export function checkLegacyPolicy(r: Resource): Problem[] {
  const out: Problem[] = [];
  const spec = isObject(r.value.spec) ? r.value.spec : {};
  const targets = spec.targets;
  const hasTargets = Array.isArray(targets) && targets.length > 0;
  const meta = r.value.metadata;
  const name = isObject(meta) && typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  if (r.kind === 'Policy') {
    if (name !== undefined && !hasTargets && name !== 'default') {
      out.push({
        path: ['metadata', 'name'],
        kind: 'namespace-policy-name',
        message: `A Policy without targets is the namespace-wide policy and must be named \`default\`; Istio's validation rejects ${quote(name)} ("authentication policy with no target rules must be named \\"default\\""). Rename it to default, or add spec.targets.`,
      });
    }
    if (name === 'default' && hasTargets) {
      out.push({
        path: ['spec', 'targets'],
        atKey: true,
        kind: 'default-policy-with-targets',
        message:
          "A Policy named `default` is the namespace-wide policy and must not have targets; Istio's validation rejects it. Rename it, or remove spec.targets.",
      });
    }
  } else {
    if (name !== undefined && name !== 'default') {
      out.push({
        path: ['metadata', 'name'],
        kind: 'mesh-policy-name',
        message: `A MeshPolicy must be named \`default\`: Istio only uses MeshPolicy "default" and its validation rejects ${quote(name)}. Rename it to default.`,
      });
    }
    if (hasTargets) {
      out.push({
        path: ['spec', 'targets'],
        atKey: true,
        kind: 'mesh-policy-targets',
        message:
          "A MeshPolicy applies to the whole mesh and must not have targets; Istio's validation rejects it. Use a namespaced Policy for specific services.",
      });
    }
  }
  if (Array.isArray(targets)) {
    targets.forEach((t, i) => {
      if (!isObject(t) || !Array.isArray(t.ports)) return;
      t.ports.forEach((p, j) => {
        if (
          isObject(p) &&
          (p.number === undefined || p.number === null) &&
          (typeof p.name !== 'string' || p.name === '')
        ) {
          out.push({
            path: ['spec', 'targets', i, 'ports', j],
            kind: 'empty-port-selector',
            message: `\`${displayPath(['spec', 'targets', i, 'ports', j])}\` needs \`number\` or \`name\` (a service port); Istio rejects it ("port name or number must be specified").`,
          });
        }
      });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// networking.istio.io DestinationRule (v1alpha3, v1beta1, v1)

const TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const;

export function destinationRuleSchema(): JsonSchema {
  const tls = object(
    {
      mode: enumOf(TLS_MODES, 'DestinationRule TLS mode'),
      clientCertificate: STRING,
      privateKey: STRING,
      caCertificates: STRING,
      credentialName: STRING,
      subjectAltNames: STRING_LIST,
      sni: STRING,
      insecureSkipVerify: BOOLEAN,
      caCrl: STRING,
    },
    { strict: true, title: 'a `tls` block' },
  );
  const portSelector = object(
    { number: port({ nullable: false }) },
    {
      nullable: false,
      title: '`port`',
      required: ['number'],
      requiredHint: { number: 'port-level settings select a service port by number.' },
    },
  );
  const portTrafficPolicy = object(
    {
      port: portSelector,
      loadBalancer: ANY_OBJECT,
      connectionPool: ANY_OBJECT,
      outlierDetection: ANY_OBJECT,
      tls,
    },
    {
      strict: true,
      nullable: false,
      title: 'a `portLevelSettings` entry',
      required: ['port'],
      requiredHint: {
        port: 'each entry applies to one service port (`port: {number: …}`); Istio rejects it without one.',
      },
    },
  );
  const trafficPolicy = object(
    {
      loadBalancer: ANY_OBJECT,
      connectionPool: ANY_OBJECT,
      outlierDetection: ANY_OBJECT,
      tls,
      portLevelSettings: list(portTrafficPolicy),
      tunnel: ANY_OBJECT,
      proxyProtocol: ANY_OBJECT,
      retryBudget: ANY_OBJECT,
    },
    {
      strict: true,
      title: 'a `trafficPolicy`',
      minProperties: 1,
      emptyHint:
        'Istio rejects an empty traffic policy ("traffic policy must have at least one field"). Remove it or set e.g. tls.',
    },
  );
  const subset = object(
    { name: REQUIRED_STRING, labels: STRING_MAP, trafficPolicy },
    {
      strict: true,
      nullable: false,
      title: 'a subset',
      required: ['name'],
      requiredHint: { name: 'routes refer to a subset by name.' },
    },
  );
  const spec = object(
    {
      host: REQUIRED_STRING,
      trafficPolicy,
      subsets: list(subset),
      exportTo: STRING_LIST,
      workloadSelector: workloadSelector('`workloadSelector`'),
    },
    {
      strict: true,
      title: 'a DestinationRule spec',
      required: ['host'],
      requiredHint: {
        host: 'a DestinationRule applies to the service named in `host`; Istio rejects it without one.',
      },
    },
  );
  return istioRoot('DestinationRule', spec, {
    requireSpec: 'a DestinationRule needs `spec.host`, the service whose client traffic policy it sets.',
  });
}

/** Every tls block of a DestinationRule with its path. */
function* tlsBlocks(
  spec: Record<string, unknown>,
): Generator<[Record<string, unknown>, (string | number)[]]> {
  function* ofPolicy(
    tp: unknown,
    base: (string | number)[],
  ): Generator<[Record<string, unknown>, (string | number)[]]> {
    if (!isObject(tp)) return;
    if (isObject(tp.tls)) yield [tp.tls, [...base, 'tls']];
    if (Array.isArray(tp.portLevelSettings)) {
      for (let i = 0; i < tp.portLevelSettings.length; i++) {
        const pls: unknown = tp.portLevelSettings[i];
        if (isObject(pls) && isObject(pls.tls)) yield [pls.tls, [...base, 'portLevelSettings', i, 'tls']];
      }
    }
  }
  yield* ofPolicy(spec.trafficPolicy, ['spec', 'trafficPolicy']);
  if (Array.isArray(spec.subsets)) {
    for (let i = 0; i < spec.subsets.length; i++) {
      const s: unknown = spec.subsets[i];
      if (isObject(s)) yield* ofPolicy(s.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy']);
    }
  }
}

/**
 * Istio's ValidateDestinationRule / validatePortTrafficPolicies (pkg/config/validation/validation.go) and
 * ValidateTLS for client TLS (pkg/config/validation/agent/validation.go), the parts that concern mTLS.
 */
export function checkDestinationRule(r: Resource): Problem[] {
  const spec = r.value.spec;
  if (!isObject(spec)) return [];
  const out: Problem[] = [];
  for (const [tls, path] of tlsBlocks(spec)) {
    const hasCredential = typeof tls.credentialName === 'string' && tls.credentialName !== '';
    const missing = ['clientCertificate', 'privateKey'].filter(
      (f) => typeof tls[f] !== 'string' || tls[f] === '',
    );
    if (tls.mode === 'MUTUAL' && !hasCredential && missing.length) {
      out.push({
        path: [...path, 'mode'],
        kind: 'mutual-without-certificate',
        message: `\`${displayPath(path)}\` has mode MUTUAL but no ${missing.join(' or ')} (nor credentialName); Istio rejects it ("client certificate required for mutual tls"). For Istio's own mTLS between sidecars use ISTIO_MUTUAL.`,
      });
    }
  }
  const policies: [unknown, (string | number)[]][] = [[spec.trafficPolicy, ['spec', 'trafficPolicy']]];
  if (Array.isArray(spec.subsets)) {
    spec.subsets.forEach((s, i) => {
      if (isObject(s)) policies.push([s.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy']]);
    });
  }
  for (const [tp, base] of policies) {
    if (!isObject(tp) || !Array.isArray(tp.portLevelSettings)) continue;
    tp.portLevelSettings.forEach((pls, i) => {
      if (isObject(pls) && 'port' in pls && Object.keys(pls).length === 1) {
        out.push({
          path: [...base, 'portLevelSettings', i],
          kind: 'empty-port-settings',
          message: `\`${displayPath([...base, 'portLevelSettings', i])}\` has only a port; Istio rejects it ("port traffic policy must have at least one field"). Add e.g. tls, or remove the entry.`,
        });
      }
    });
  }
  const ws = spec.workloadSelector;
  if (isObject(ws))
    out.push(...checkMatchLabels(ws.matchLabels, ['spec', 'workloadSelector', 'matchLabels']));
  return out;
}

/** A `tls` block written directly under spec or a subset sets nothing. */
export function drTlsConsequence(): string {
  return ' As written it sets no TLS mode, so clients fall back to auto mTLS (or plaintext when auto mTLS is off).';
}

// ---------------------------------------------------------------------------------------------------------------
// security.istio.io AuthorizationPolicy (v1beta1, v1)

export function authorizationPolicySchema(): JsonSchema {
  const warn = { strict: true, unknownIsWarning: true } as const;
  const source = object(
    {
      principals: STRING_LIST,
      notPrincipals: STRING_LIST,
      requestPrincipals: STRING_LIST,
      notRequestPrincipals: STRING_LIST,
      namespaces: STRING_LIST,
      notNamespaces: STRING_LIST,
      ipBlocks: STRING_LIST,
      notIpBlocks: STRING_LIST,
      remoteIpBlocks: STRING_LIST,
      notRemoteIpBlocks: STRING_LIST,
      serviceAccounts: STRING_LIST,
      notServiceAccounts: STRING_LIST,
      // Istio 1.30.
      trustDomains: STRING_LIST,
      notTrustDomains: STRING_LIST,
    },
    { ...warn, title: 'a `source`' },
  );
  const operation = object(
    {
      hosts: STRING_LIST,
      notHosts: STRING_LIST,
      // Ports are strings in the API ("8080"); a bare number is a type error for the API server.
      ports: STRING_LIST,
      notPorts: STRING_LIST,
      methods: STRING_LIST,
      notMethods: STRING_LIST,
      paths: STRING_LIST,
      notPaths: STRING_LIST,
    },
    { ...warn, title: 'an `operation`' },
  );
  const from = object({ source }, { ...warn, nullable: false, title: 'a `from` entry' });
  const to = object({ operation }, { ...warn, nullable: false, title: 'a `to` entry' });
  const condition = object(
    { key: REQUIRED_STRING, values: STRING_LIST, notValues: STRING_LIST },
    { ...warn, nullable: false, title: 'a `when` condition', required: ['key'] },
  );
  const rule = object(
    { from: list(from), to: list(to), when: list(condition) },
    { ...warn, nullable: false, title: 'a rule' },
  );
  const targetRef = object(
    { group: STRING, kind: REQUIRED_STRING, name: REQUIRED_STRING, namespace: STRING },
    { title: '`targetRef`' },
  );
  const spec = object(
    {
      selector: workloadSelector('`selector`'),
      targetRef,
      targetRefs: list(targetRef),
      action: enumOf(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'], 'AuthorizationPolicy action'),
      provider: object({ name: STRING }, { title: '`provider`' }),
      rules: list(rule),
    },
    { ...warn, title: 'an AuthorizationPolicy spec' },
  );
  return istioRoot('AuthorizationPolicy', spec);
}

/** The mTLS-relevant parts of Istio's ValidateAuthorizationPolicy (pkg/config/validation/validation.go). */
export function checkAuthorizationPolicy(r: Resource): Problem[] {
  const spec = r.value.spec;
  if (!isObject(spec)) return [];
  const out: Problem[] = [];
  const action = spec.action ?? 'ALLOW';
  const provider = spec.provider;
  if (
    action === 'CUSTOM' &&
    Array.isArray(spec.rules) &&
    !(isObject(provider) && typeof provider.name === 'string' && provider.name)
  ) {
    out.push({
      path: ['spec', 'action'],
      kind: 'custom-without-provider',
      message:
        'action CUSTOM needs `provider.name` (an extension provider from meshConfig); Istio rejects it ("`provider.name` must not be empty").',
    });
  }
  if (provider !== undefined && provider !== null && action !== 'CUSTOM') {
    out.push({
      path: ['spec', 'provider'],
      atKey: true,
      kind: 'provider-without-custom',
      message: `\`provider\` is only allowed with action CUSTOM (this policy's action is ${String(action)}); Istio rejects it.`,
    });
  }
  if (action === 'DENY' && (spec.rules === undefined || spec.rules === null)) {
    out.push({
      path: ['spec', 'action'],
      kind: 'deny-without-rules',
      message:
        'A DENY policy without `rules` never matches; Istio rejects it ("DENY action without `rules` is meaningless"). Add `rules: [{}]` to deny everything, or the rules you meant.',
    });
  }
  const selectors = ['selector', 'targetRef', 'targetRefs'].filter(
    (k) => spec[k] !== undefined && spec[k] !== null,
  );
  if (selectors.length > 1) {
    out.push({
      path: ['spec', selectors[1]!],
      atKey: true,
      kind: 'selector-and-target-ref',
      message: `Only one of selector, targetRef and targetRefs may be set; Istio rejects ${selectors.join(' with ')} ("only one of targetRefs or workloadSelector can be set").`,
    });
  }
  if (isObject(spec.selector))
    out.push(...checkMatchLabels(spec.selector.matchLabels, ['spec', 'selector', 'matchLabels']));
  if (Array.isArray(spec.rules)) {
    spec.rules.forEach((rule, i) => {
      if (!isObject(rule)) return;
      if (Array.isArray(rule.from)) {
        rule.from.forEach((f, j) => {
          if (!isObject(f)) return;
          const src = f.source;
          const empty = !isObject(src) || !Object.values(src).some((v) => Array.isArray(v) && v.length > 0);
          if (empty) {
            out.push({
              path: ['spec', 'rules', i, 'from', j],
              kind: 'empty-source',
              message: `\`${displayPath(['spec', 'rules', i, 'from', j])}\` has no source to match; Istio rejects it ("\`from.source\` must not be empty"). Set e.g. source.principals or source.namespaces.`,
            });
          }
        });
      }
      if (Array.isArray(rule.to)) {
        rule.to.forEach((t, j) => {
          if (!isObject(t) || !isObject(t.operation)) return;
          for (const field of ['ports', 'notPorts'] as const) {
            const ports = t.operation[field];
            if (!Array.isArray(ports)) continue;
            ports.forEach((p, k) => {
              if (typeof p !== 'string') return; // wrong type: the schema reports it
              const n = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
              if (!(n >= 0 && n <= 65535)) {
                out.push({
                  path: ['spec', 'rules', i, 'to', j, 'operation', field, k],
                  kind: 'bad-port',
                  message: `${quote(p)} is not a port number (0..65535); Istio rejects it. Operation ports are numbers written as strings, e.g. "8080".`,
                });
              }
            });
          }
        });
      }
    });
  }
  return out;
}
