// The schema pass (rule invalid-resource) through the real pipeline: manifest files in, findings out.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { lint } from '../src/engine.js';
import { loadInputs, DEFAULT_LIMITS } from '../src/load/index.js';
import { resolveOptions } from '../src/resolve-options.js';
import { validateResources } from '../src/schema/validate.js';
import type { Finding } from '../src/types.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = 'test/fixtures/schema';
const SEED = 'test/fixtures/seed';

async function schemaFindings(paths: string[], cwd = ROOT): Promise<Finding[]> {
  const result = await lint(resolveOptions({ cwd, paths, noConfig: true }));
  return result.findings.filter((f) => f.rule === 'invalid-resource');
}

/**
 * Line and column (1-based) of the nth occurrence of `needle` in a fixture (or of `part` inside it): where a
 * finding must point.
 */
function at(rel: string, needle: string, nth = 0, part?: string): { line: number; column: number } {
  const text = readFileSync(path.join(ROOT, rel), 'utf8');
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`${needle} (#${nth}) not in ${rel}`);
  }
  if (part !== undefined) index += needle.indexOf(part);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The finding with this key (`<resource id>|<field path>|<problem kind>`), which must exist exactly once. */
function byKey(findings: Finding[], key: string): Finding {
  const hits = findings.filter((f) => f.key === `invalid-resource|${key}`);
  expect(
    hits.map((f) => f.key),
    `expected one finding ${key}; got:\n${findings.map((f) => f.key).join('\n')}`,
  ).toHaveLength(1);
  return hits[0]!;
}

describe('the seed (Istio 1.1 mTLS migration task, zh): its mis-indented Policy', () => {
  for (const [file, mode] of [
    ['policy-permissive.yaml', 'PERMISSIVE'],
    ['policy-strict.yaml', 'STRICT'],
  ] as const) {
    test(`${mode} policy: \`peers\` under the target is reported on its key, and the stray item as a second target`, async () => {
      const rel = `${SEED}/${file}`;
      const findings = await schemaFindings([rel]);
      expect(findings).toHaveLength(2);

      const peers = byKey(
        findings,
        'Policy/foo/example-httpbin-permissive|spec.targets.0.peers|misplaced-field',
      );
      expect(peers).toMatchObject({
        severity: 'error',
        file: rel,
        line: 9,
        column: 5,
        endLine: 9,
        endColumn: 10,
        resource: {
          kind: 'Policy',
          apiVersion: 'authentication.istio.io/v1alpha1',
          namespace: 'foo',
          name: 'example-httpbin-permissive',
        },
      });
      expect(peers.message).toContain('`peers` is not a field of a target; it belongs under `spec`');
      expect(peers.message).toContain('line it up with `targets:`');
      expect(peers.message).toContain('plaintext only for httpbin');

      const stray = byKey(findings, 'Policy/foo/example-httpbin-permissive|spec.targets.1|misplaced-item');
      expect(stray).toMatchObject({ severity: 'error', line: 10, column: 5, endLine: 10, endColumn: 9 });
      expect(stray.message).toContain('`spec.targets[1]` has no `name`');
      expect(stray.message).toContain(
        '`mtls` is not a field of a target; it belongs in a `spec.peers` entry',
      );
      expect(stray.message).toContain('`peers:` above is indented under `spec.targets[0]`');
    });
  }

  test('linted together, both files holding the same Policy are reported, each at its own place', async () => {
    const findings = await schemaFindings([SEED]);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort()).toEqual([
      `${SEED}/policy-permissive.yaml:10:5`,
      `${SEED}/policy-permissive.yaml:9:5`,
      `${SEED}/policy-strict.yaml:10:5`,
      `${SEED}/policy-strict.yaml:9:5`,
    ]);
  });

  test('its DestinationRule is valid', async () => {
    expect(await schemaFindings([`${SEED}/destinationrule-istio-mutual.yaml`])).toEqual([]);
  });

  test('the invalid Policy is left out of the mesh model; the valid DestinationRule is not', async () => {
    const inputs = await loadInputs({
      paths: [SEED],
      cwd: ROOT,
      namespace: 'foo',
      ignore: [],
      limits: DEFAULT_LIMITS,
    });
    // Both files define one Policy: the analysis reads one, the other is still checked (inputs.shadowed).
    const { invalid, findings } = validateResources([...inputs.resources, ...(inputs.shadowed ?? [])]);
    expect([...invalid]).toEqual(['Policy/foo/example-httpbin-permissive']);
    // Both files hold the same Policy: each file gets its own findings.
    expect(new Set(findings.map((f) => f.file))).toEqual(
      new Set([`${SEED}/policy-permissive.yaml`, `${SEED}/policy-strict.yaml`]),
    );
  });
});

describe('valid resources of every kind give no findings', () => {
  test('Istio kinds: PeerAuthentication v1/v1beta1, AuthorizationPolicy, DestinationRule, Policy, MeshPolicy', async () => {
    expect(await schemaFindings([`${SCHEMA}/valid-istio.yaml`])).toEqual([]);
  });

  test('Kubernetes kinds: Namespace, Service, workloads, CronJob, Pod, Rollout; other kinds are skipped', async () => {
    expect(await schemaFindings([`${SCHEMA}/valid-kubernetes.yaml`])).toEqual([]);
  });
});

describe('PeerAuthentication', () => {
  const rel = `${SCHEMA}/peerauthentication-errors.yaml`;
  let findings: Finding[];
  beforeAll(async () => {
    findings = await schemaFindings([rel]);
  });

  test('a typo inside mtls is an error on the key, with the likely field', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/typo|spec.mtls.mdoe|unknown-field');
    expect(f).toMatchObject({ severity: 'error', ...at(rel, 'mdoe: STRICT') });
    expect(f.message).toBe('`mdoe` is not a field of `mtls`; did you mean `mode`?');
  });

  test('an unknown mode lists the allowed values', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/enum|spec.mtls.mode|bad-value');
    expect(f).toMatchObject(at(rel, 'STRCT'));
    expect(f.message).toBe(
      'STRCT is not a PeerAuthentication mTLS mode; use one of UNSET, DISABLE, PERMISSIVE, STRICT.',
    );
    const lower = byKey(findings, 'PeerAuthentication/foo/lowercase|spec.mtls.mode|bad-value');
    expect(lower.message).toContain('values are case-sensitive: STRICT');
  });

  test('`mode` directly under spec says it belongs under spec.mtls, and what that does', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/flat-mode|spec.mode|misplaced-field');
    const mode = at(rel, 'spec:\n  mode: STRICT', 0, 'mode');
    expect(f).toMatchObject({ ...mode, endLine: mode.line, endColumn: mode.column + 4 });
    expect(f.message).toContain(
      '`mode` is not a field of a PeerAuthentication spec; it belongs under `spec.mtls`',
    );
    expect(f.message).toContain('sets no mode (UNSET)');
  });

  test('portLevelMtls under mtls belongs under spec', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/nested-ports|spec.mtls.portLevelMtls|misplaced-field');
    expect(f).toMatchObject(at(rel, 'portLevelMtls:', 0));
    expect(f.message).toContain('`portLevelMtls` is not a field of `mtls`; it belongs under `spec`');
    expect(f.message).toContain('line it up with `mtls:`');
  });

  test('portLevelMtls without a selector is rejected (Istio: mesh/namespace … cannot have port level mTLS)', () => {
    const f = byKey(
      findings,
      'PeerAuthentication/foo/ns-ports|spec.portLevelMtls|port-level-mtls-without-selector',
    );
    expect(f).toMatchObject({ severity: 'error', ...at(rel, 'portLevelMtls:', 1) });
    expect(f.message).toContain('mesh/namespace peer authentication cannot have port level mTLS');
    expect(f.message).toContain('selector');
  });

  test('numeric YAML port keys are located on their own line; out-of-range and named keys are errors', () => {
    const big = byKey(findings, 'PeerAuthentication/foo/ns-ports|spec.portLevelMtls.70000|bad-port-key');
    expect(big).toMatchObject({ ...at(rel, '70000:'), endColumn: at(rel, '70000:').column + 5 });
    expect(big.message).toContain('1..65535');
    const named = byKey(findings, 'PeerAuthentication/foo/ns-ports|spec.portLevelMtls.http|bad-port-key');
    expect(named).toMatchObject(at(rel, 'http:'));
    // 8080 is a fine key: no finding on it.
    expect(findings.filter((f) => f.key.includes('portLevelMtls.8080'))).toEqual([]);
  });

  test('an empty portLevelMtls map is rejected', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/empty-ports|spec.portLevelMtls|empty-port-level-mtls');
    expect(f).toMatchObject(at(rel, 'portLevelMtls: {}'));
  });

  test('labels directly under selector: one error, pointing at the label, saying where labels go', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/flat-selector|spec.selector.app|unknown-field');
    expect(f).toMatchObject(at(rel, 'app: httpbin', 2));
    expect(f.message).toContain('go under `matchLabels`');
    expect(findings.filter((x) => x.resource?.name === 'flat-selector')).toHaveLength(1);
  });

  test('`selector:` with nothing in it is a warning: the policy becomes namespace-wide', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/empty-selector|spec.selector|empty-selector');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('every workload in namespace foo');
  });

  test('fields written without spec belong under spec', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/no-spec|mtls|misplaced-field');
    expect(f).toMatchObject({ line: at(rel, '\nmtls:').line + 1, column: 1 });
    expect(f.message).toBe('`mtls` is not a field of a PeerAuthentication; it belongs under `spec`.');
  });

  test('an apiVersion Istio does not serve is reported instead of validated', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/alpha|apiVersion|wrong-api-version');
    expect(f).toMatchObject(at(rel, 'security.istio.io/v1alpha1'));
    expect(f.message).toContain('security.istio.io/v1beta1, security.istio.io/v1');
  });

  test('nothing else', () => {
    expect(findings).toHaveLength(13);
  });
});

describe('legacy Policy and MeshPolicy naming rules (Istio ValidateAuthenticationPolicy)', () => {
  const rel = `${SCHEMA}/policy-errors.yaml`;
  let findings: Finding[];
  beforeAll(async () => {
    findings = await schemaFindings([rel]);
  });

  test('a namespace-wide Policy must be named default', () => {
    const f = byKey(findings, 'Policy/foo/foo-mtls|metadata.name|namespace-policy-name');
    expect(f).toMatchObject(at(rel, 'foo-mtls'));
    expect(f.message).toContain('must be named `default`');
  });

  test('a Policy named default must not have targets', () => {
    const f = byKey(findings, 'Policy/foo/default|spec.targets|default-policy-with-targets');
    expect(f).toMatchObject(at(rel, 'targets:', 0));
  });

  test('a MeshPolicy must be named default and have no targets', () => {
    expect(byKey(findings, 'MeshPolicy//mesh-mtls|metadata.name|mesh-policy-name')).toMatchObject(
      at(rel, 'mesh-mtls'),
    );
    expect(byKey(findings, 'MeshPolicy//mesh-mtls|spec.targets|mesh-policy-targets')).toMatchObject(
      at(rel, 'targets:', 1),
    );
  });

  test('port 0, an empty port selector, a typo at spec level, a DestinationRule mode in a Policy', () => {
    const zero = byKey(findings, 'Policy/foo/httpbin|spec.targets.0.ports.0.number|out-of-range');
    expect(zero).toMatchObject(at(rel, '0\n'));
    expect(zero.message).toContain('1..65535');
    expect(
      byKey(findings, 'Policy/foo/httpbin|spec.targets.0.ports.1|empty-port-selector').message,
    ).toContain('needs `number` or `name`');
    expect(byKey(findings, 'Policy/foo/httpbin|spec.peer|unknown-field').message).toContain(
      'did you mean `peers`?',
    );
    expect(byKey(findings, 'Policy/foo/httpbin|spec.peers.0.mtls.mode|bad-value').message).toBe(
      'ISTIO_MUTUAL is not a Policy mTLS mode; use one of STRICT, PERMISSIVE.',
    );
    expect(byKey(findings, 'Policy/foo/httpbin|spec.peers.0.mtls.allowTLS|unknown-field').message).toContain(
      'did you mean `allowTls`?',
    );
  });

  test('a Policy without metadata.name', () => {
    const f = byKey(findings, 'Policy/foo/|metadata.name|missing-field');
    expect(f).toMatchObject(at(rel, 'metadata:', 4));
  });
});

describe('DestinationRule', () => {
  const rel = `${SCHEMA}/destinationrule-errors.yaml`;
  let findings: Finding[];
  beforeAll(async () => {
    findings = await schemaFindings([rel]);
  });

  test('`tls` directly under spec belongs under spec.trafficPolicy', () => {
    const f = byKey(findings, 'DestinationRule/foo/flat-tls|spec.tls|misplaced-field');
    expect(f).toMatchObject(at(rel, 'tls:', 0));
    expect(f.message).toContain(
      '`tls` is not a field of a DestinationRule spec; it belongs under `spec.trafficPolicy`',
    );
  });

  test("`tls` directly in a subset belongs under that subset's trafficPolicy", () => {
    const f = byKey(findings, 'DestinationRule/foo/ports|spec.subsets.0.tls|misplaced-field');
    expect(f.message).toContain('it belongs under `spec.subsets[0].trafficPolicy`');
  });

  test('no host, misspelt TLS mode, unknown tls field', () => {
    const host = byKey(findings, 'DestinationRule/foo/no-host|spec.host|missing-field');
    expect(host).toMatchObject(at(rel, 'spec:', 1));
    expect(host.message).toContain('has no `host`');
    expect(byKey(findings, 'DestinationRule/foo/no-host|spec.trafficPolicy.tls.mode|bad-value').message).toBe(
      'ISTIO_MUTAL is not a DestinationRule TLS mode; use one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL.',
    );
    expect(
      byKey(findings, 'DestinationRule/foo/no-host|spec.trafficPolicy.tls.sniName|unknown-field'),
    ).toMatchObject(at(rel, 'sniName'));
  });

  test('port-level settings: range, missing port, nothing but a port', () => {
    expect(
      byKey(
        findings,
        'DestinationRule/foo/ports|spec.trafficPolicy.portLevelSettings.0.port.number|out-of-range',
      ),
    ).toMatchObject(at(rel, '70000'));
    expect(
      byKey(findings, 'DestinationRule/foo/ports|spec.trafficPolicy.portLevelSettings.1.port|missing-field')
        .message,
    ).toContain('has no `port`');
    expect(
      byKey(findings, 'DestinationRule/foo/ports|spec.trafficPolicy.portLevelSettings.2|empty-port-settings')
        .message,
    ).toContain('port traffic policy must have at least one field');
    expect(byKey(findings, 'DestinationRule/foo/ports|spec.subsets.1.name|missing-field').message).toContain(
      'has no `name`',
    );
  });

  test('MUTUAL without client certificate; an empty trafficPolicy', () => {
    const mutual = byKey(
      findings,
      'DestinationRule/foo/mutual|spec.trafficPolicy.tls.mode|mutual-without-certificate',
    );
    expect(mutual).toMatchObject(at(rel, 'mode: MUTUAL', 0, 'MUTUAL'));
    expect(mutual.message).toContain('ISTIO_MUTUAL');
    expect(
      byKey(findings, 'DestinationRule/foo/mutual|spec.subsets.0.trafficPolicy|empty').message,
    ).toContain('traffic policy must have at least one field');
  });

  test('no spec at all', () => {
    const f = byKey(findings, 'DestinationRule/foo/nothing|spec|missing-field');
    expect(f).toMatchObject(at(rel, 'apiVersion', 4));
    expect(f.message).toContain('This DestinationRule has no `spec`');
  });
});

describe('AuthorizationPolicy', () => {
  const rel = `${SCHEMA}/authorizationpolicy-errors.yaml`;
  let findings: Finding[];
  beforeAll(async () => {
    findings = await schemaFindings([rel]);
  });

  test('action enum; a typo in source is a warning; numeric and named operation ports', () => {
    expect(byKey(findings, 'AuthorizationPolicy/foo/bad|spec.action|bad-value').message).toBe(
      'ALLOWED is not an AuthorizationPolicy action; use one of ALLOW, DENY, AUDIT, CUSTOM.',
    );
    const typo = byKey(
      findings,
      'AuthorizationPolicy/foo/bad|spec.rules.0.from.0.source.principal|unknown-field',
    );
    expect(typo).toMatchObject({ severity: 'warning', ...at(rel, 'principal:') });
    expect(typo.message).toContain('did you mean `principals`?');
    const port = byKey(
      findings,
      'AuthorizationPolicy/foo/bad|spec.rules.0.to.0.operation.ports.0|wrong-type',
    );
    expect(port).toMatchObject(at(rel, '8080'));
    expect(port.message).toContain('Quote it: "8080"');
    expect(
      byKey(findings, 'AuthorizationPolicy/foo/bad|spec.rules.0.to.0.operation.notPorts.0|bad-port'),
    ).toMatchObject(at(rel, '"http"'));
  });

  test('DENY without rules, provider without CUSTOM, selector with targetRef', () => {
    expect(byKey(findings, 'AuthorizationPolicy/foo/deny|spec.action|deny-without-rules').message).toContain(
      'DENY action without `rules`',
    );
    expect(
      byKey(findings, 'AuthorizationPolicy/foo/deny|spec.provider|provider-without-custom'),
    ).toMatchObject(at(rel, 'provider:'));
    expect(
      byKey(findings, 'AuthorizationPolicy/foo/deny|spec.targetRef|selector-and-target-ref'),
    ).toMatchObject(at(rel, 'targetRef:'));
  });

  test('rules without spec: an error, since the policy would then have no rules', () => {
    const f = byKey(findings, 'AuthorizationPolicy/foo/no-spec|rules|misplaced-field');
    expect(f).toMatchObject({ severity: 'error', ...at(rel, 'rules:', 1) });
  });
});

describe('Kubernetes shapes (issue 6)', () => {
  const rel = `${SCHEMA}/kubernetes-shape-errors.yaml`;
  let findings: Finding[];
  beforeAll(async () => {
    findings = await schemaFindings([rel]);
  });

  test('missing metadata; metadata.name a number; label values that are not strings', () => {
    expect(byKey(findings, 'Service/default/|metadata|missing-field').message).toContain('has no `metadata`');
    const name = byKey(findings, 'Namespace//42|metadata.name|wrong-type');
    expect(name).toMatchObject(at(rel, '42'));
    expect(name.message).toBe('`metadata.name` must be a string, not a number (42). Quote it: name: "42".');
    expect(byKey(findings, 'Namespace//42|metadata.labels.istio-injection|wrong-type')).toMatchObject(
      at(rel, 'true', 0),
    );
    expect(byKey(findings, 'Namespace//42|metadata.labels.tier|wrong-type').message).toContain(
      'Quote it: tier: "1"',
    );
  });

  test('spec a list', () => {
    const f = byKey(findings, 'PeerAuthentication/foo/listed|spec|wrong-type');
    expect(f).toMatchObject(at(rel, '- mtls:'));
    expect(f.message).toContain('must be a mapping (key: value), not a list');
  });

  test('ports as strings, a quoted numeric targetPort, protocol case, port name format, port range', () => {
    expect(byKey(findings, 'Service/foo/httpbin|spec.ports.0.port|wrong-type').message).toContain(
      'Write it without quotes: port: 8000',
    );
    const target = byKey(findings, 'Service/foo/httpbin|spec.ports.0.targetPort|bad-format');
    expect(target).toMatchObject(at(rel, '"8080"'));
    expect(target.message).toContain('reads as a port *name*');
    expect(byKey(findings, 'Service/foo/httpbin|spec.ports.0.protocol|bad-value').message).toContain(
      'TCP, UDP, SCTP',
    );
    expect(byKey(findings, 'Service/foo/httpbin|spec.ports.1.name|bad-format')).toMatchObject(
      at(rel, 'HTTP_Alt'),
    );
    expect(byKey(findings, 'Service/foo/httpbin|spec.ports.1.targetPort|out-of-range')).toMatchObject(
      at(rel, '70000'),
    );
  });

  test('workload pod templates: selector null, annotation and env types, hostNetwork, args, containerPort', () => {
    const d = 'Deployment/foo/httpbin|';
    expect(byKey(findings, `${d}spec.selector|missing-selector`)).toMatchObject(
      at(rel, '  selector: null', 0, 'selector'),
    );
    const inject = byKey(
      findings,
      `${d}spec.template.metadata.annotations.sidecar.istio.io/inject|wrong-type`,
    );
    expect(inject).toMatchObject(at(rel, 'true', 1));
    expect(inject.message).toBe(
      '`spec.template.metadata.annotations["sidecar.istio.io/inject"]` must be a string, not a boolean (true). Quote it: sidecar.istio.io/inject: "true". Unquoted, yes/no/on/off/y/n are booleans too for kubectl (YAML 1.1): quote the word as written. Kubernetes rejects the object as it is (kubectl apply fails).',
    );
    expect(byKey(findings, `${d}spec.template.spec.hostNetwork|wrong-type`).message).toContain(
      'Write it without quotes: hostNetwork: false',
    );
    expect(byKey(findings, `${d}spec.template.spec.serviceAccountName|wrong-type`)).toMatchObject(
      at(rel, '7\n'),
    );
    expect(byKey(findings, `${d}spec.template.spec.containers.0.args.1|wrong-type`)).toBeDefined();
    expect(
      byKey(findings, `${d}spec.template.spec.containers.0.ports.0.containerPort|wrong-type`),
    ).toMatchObject(at(rel, '"http"'));
    expect(byKey(findings, `${d}spec.template.spec.containers.0.env.0.value|wrong-type`)).toMatchObject(
      at(rel, '8080', 2),
    );
  });

  test('invalid names, selector not matching template labels, container without name, containers a map', () => {
    expect(byKey(findings, 'StatefulSet/foo/Web|metadata.name|invalid-name')).toMatchObject(at(rel, 'Web'));
    expect(
      byKey(findings, 'StatefulSet/foo/Web|spec.selector.matchLabels.app|selector-mismatch').message,
    ).toContain('does not match its template labels');
    expect(
      byKey(findings, 'StatefulSet/foo/Web|spec.template.spec.containers.0.name|missing-field').message,
    ).toContain('has no `name`');
    expect(
      byKey(findings, 'CronJob/foo/report|spec.jobTemplate.spec.template.spec.containers|wrong-type').message,
    ).toContain('must be a list, not a mapping');
  });

  test('every resource with an error is invalid; kinds mtls-lint does not read are never looked at', async () => {
    const inputs = await loadInputs({
      paths: [rel],
      cwd: ROOT,
      namespace: 'default',
      ignore: [],
      limits: DEFAULT_LIMITS,
    });
    const { invalid } = validateResources([...inputs.resources, ...(inputs.shadowed ?? [])]);
    expect([...invalid].sort()).toEqual(
      [
        'CronJob/foo/report',
        'Deployment/foo/httpbin',
        'Namespace//42',
        'PeerAuthentication/foo/listed',
        'Service/default/',
        'Service/foo/httpbin',
        'StatefulSet/foo/Web',
      ].sort(),
    );
  });
});

describe('positions in Lists and JSON files', () => {
  test('an item of a kind: List is located inside the List', async () => {
    const rel = `${SCHEMA}/list-and-json.yaml`;
    const findings = await schemaFindings([rel]);
    expect(findings).toHaveLength(1);
    expect(
      byKey(findings, 'DestinationRule/foo/listed|spec.trafficPolicy.tls.mode2|unknown-field'),
    ).toMatchObject(at(rel, 'mode2'));
  });

  test('a JSON manifest with a numeric port key', async () => {
    const rel = `${SCHEMA}/peerauthentication.json`;
    const findings = await schemaFindings([rel]);
    const f = byKey(findings, 'PeerAuthentication/foo/json|spec.portLevelMtls.8080.mode|bad-value');
    expect(f).toMatchObject(at(rel, '"PERMISIVE"'));
    expect(f.message).toContain('PERMISIVE is not a PeerAuthentication mTLS mode');
  });
});

describe('robustness', () => {
  test('keys are not line-based: moving the resource down keeps every key', async () => {
    const dir = tempDir('schema');
    const text = readFileSync(path.join(ROOT, SEED, 'policy-permissive.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'a.yaml'), text);
    writeFileSync(path.join(dir, 'b.yaml'), `# a comment\n\n# another\n${text}`);
    const a = await schemaFindings(['a.yaml'], dir);
    const b = await schemaFindings(['b.yaml'], dir);
    expect(b.map((f) => f.key)).toEqual(a.map((f) => f.key));
    expect(b.map((f) => f.line)).toEqual(a.map((f) => f.line + 3));
  });

  test('hostile values never throw, and every finding has a line inside its file; huge values are cut short', async () => {
    const dir = tempDir('schema');
    const huge = 'X'.repeat(200_000);
    const docs = [
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: []\nspec: 5\n',
      'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: foo}\nspec: {mtls: [], portLevelMtls: [1, 2]}\n',
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: q, namespace: foo}\nspec: {mtls: {mode: ${huge}}}\n`,
      `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d, namespace: foo}\nspec:\n  host: h\n  trafficPolicy:\n    ${huge}: 1\n`,
      'apiVersion: authentication.istio.io/v1alpha1\nkind: Policy\nmetadata: {name: default, namespace: foo}\nspec: {targets: [null, 3, {ports: [null, "x"]}], peers: [null]}\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: foo}\nspec: {selector: {matchLabels: [a]}, template: {metadata: {labels: 3}, spec: {containers: [null, {name: c, ports: 80}]}}}\n',
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a, namespace: foo}\nspec: {action: CUSTOM, rules: [null, {from: [null, {}], to: [{operation: {ports: [null]}}]}]}\n',
    ];
    writeFileSync(path.join(dir, 'hostile.yaml'), docs.join('---\n'));
    const findings = await schemaFindings(['hostile.yaml'], dir);
    const lines = readFileSync(path.join(dir, 'hostile.yaml'), 'utf8').split('\n').length;
    expect(findings.length).toBeGreaterThan(10);
    for (const f of findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(lines);
      expect(f.message.length).toBeLessThan(1000);
      expect(f.message).not.toMatch(/internal error/);
    }
    // Each of the seven resources is reported.
    expect(new Set(findings.map((f) => f.resource?.name ?? ''))).toEqual(
      new Set(['', 'p', 'q', 'd', 'default', 'a']),
    );
  });

  test('a resource with far too many problems is summarised', async () => {
    const dir = tempDir('schema');
    const fields = Array.from({ length: 30 }, (_, i) => `  field${i}: 1`).join('\n');
    writeFileSync(
      path.join(dir, 'many.yaml'),
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: many, namespace: foo}\nspec:\n${fields}\n`,
    );
    const findings = await schemaFindings(['many.yaml'], dir);
    expect(findings).toHaveLength(16);
    expect(findings.some((f) => f.message.includes('…and 15 more problems'))).toBe(true);
  });
});
