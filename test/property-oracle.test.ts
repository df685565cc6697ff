// Property: for generated meshes, the engine's outcome for every declared caller agrees with the oracle, a small
// reference implementation of istio-semantics.md §0 written without looking at src/mesh (test/oracle/oracle.ts).
// A disagreement prints the shrunk manifests, the config, the oracle's reasoning and the engine's explanation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LintResult } from '../src/engine.js';
import { lintTexts } from './oracle/harness.js';
import { authzDisagreements, disagreements } from './oracle/compare.js';
import { renderScenario } from './oracle/render.js';
import { bypass2ScenarioArb, scenarioArb, type Scenario, type Version } from './oracle/scenario.js';
import { params, timeoutFor } from './oracle/settings.js';
import { stringify } from 'yaml';

function lintScenario(s: Scenario): { result: LintResult; yaml: string; config: string } {
  const r = renderScenario(s);
  const result = lintTexts([{ file: 'mesh.yaml', text: r.yaml }], {
    istioVersion: s.version,
    config: r.config,
  });
  return { result, yaml: r.yaml, config: stringify(r.config) };
}

/**
 * Schema errors on the generated manifests, as text: what the oracle relies on must not be dropped. A MeshPolicy not
 * named `default` is deliberate (Istio ignores it, istio-semantics.md §2.1, §2.4); `kinds` narrows to those kinds.
 */
function schemaErrors(result: LintResult, kinds?: string[]): string[] {
  return result.findings
    .filter(
      (f) =>
        (f.rule === 'invalid-resource' || f.rule === 'yaml-syntax') &&
        f.severity === 'error' &&
        !(f.resource?.kind === 'MeshPolicy' && f.resource.name !== 'default') &&
        (!kinds || kinds.includes(f.resource?.kind ?? '')),
    )
    .map((f) => `${f.rule} ${f.resource?.kind}/${f.resource?.name}: ${f.message}`);
}

/** The engine agrees with the oracle on every generated scenario (and drops none of `kinds` as invalid). */
function agreesWithOracle(arb: fc.Arbitrary<Scenario>, kinds?: string[]) {
  return fc.property(arb, (s) => {
    const { result, yaml, config } = lintScenario(s);
    const problems = [...(kinds ? schemaErrors(result, kinds) : []), ...disagreements(s, result)];
    if (problems.length) {
      throw new Error(
        `${problems.join('\n')}\n\n--- Istio ${s.version}, .mtls-lint.yaml:\n${config}--- manifests:\n${yaml}`,
      );
    }
  });
}

/** Every generated manifest set passes the schema check. */
function validManifests(arb: fc.Arbitrary<Scenario>) {
  return fc.property(arb, (s) => {
    expect(schemaErrors(lintScenario(s).result)).toEqual([]);
  });
}

describe('engine vs oracle (istio-semantics.md §0)', () => {
  const RUNS = 80;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: every declared caller gets the outcome the decision table gives',
    (version) => {
      fc.assert(
        agreesWithOracle(
          scenarioArb([version], { twins: true, entries: true, routing: true, entries2: true }),
        ),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );

  it(
    'the generated manifests are valid: nothing the oracle relies on is dropped by the schema check',
    () => {
      fc.assert(
        validManifests(scenarioArb(undefined, { entries: true, routing: true, entries2: true })),
        params(30, 0.1),
      );
    },
    timeoutFor(30, 60, 0.1),
  );
});

describe('engine vs oracle with Sidecar ingress listeners (issue 17, bypass2)', () => {
  const RUNS = 40;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: ports a Sidecar ingress leaves out fall to the passthrough chain, per-pod names and pod IPs reach one pod, clusterIPs their Service',
    (version) => {
      // The Sidecars, Endpoints and clusterIPs it adds are valid: none is dropped by the schema check.
      fc.assert(
        agreesWithOracle(bypass2ScenarioArb([version]), ['Sidecar', 'Endpoints', 'Service']),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );
});

// Issue 17 audit: proxies in the root namespace (which skip its public DestinationRules) and traffic past the sidecar
// (excludeInbound/includeInbound/excludeOutbound ports, includeOutboundIPRanges "" and "*", a user-set tlsMode label),
// drawn separately so that the properties above keep their scenarios and seeds.
describe('engine vs oracle: root-namespace clients and traffic the sidecar never sees', () => {
  const RUNS = 60;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: every declared caller gets the outcome the decision table gives',
    (version) => {
      fc.assert(
        agreesWithOracle(scenarioArb([version], { twins: true, entries: true, routing: true, audit: true })),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );

  it('the generated manifests are valid', () => {
    fc.assert(
      validManifests(scenarioArb(undefined, { entries: true, routing: true, audit: true })),
      params(30, 0.1),
    );
  });
});

// Issue 17: Sidecar egress hosts decide which VirtualServices route a client (SelectVirtualServices), drawn separately
// (vsImports) so that the properties above keep their scenarios and seeds. Sidecar exists from 1.1: all three apply.
describe('engine vs oracle: Sidecar egress hosts import VirtualServices', () => {
  const RUNS = 60;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: a VirtualService the Sidecar does not import does not route its clients',
    (version) => {
      fc.assert(
        agreesWithOracle(
          scenarioArb([version], { twins: true, entries: true, routing: true, audit: true, vsImports: true }),
          ['Sidecar', 'VirtualService'],
        ),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );
});

// Issue 17 authz: ALLOW AuthorizationPolicies on source.principals/namespaces. authz-requires-mtls must list exactly
// the declared callers whose plaintext reaches a sidecar the policy selects (403), and report as not enforced the
// policies whose selected workloads all run without a sidecar. Drawn separately: the properties above keep their seeds.
describe('engine vs oracle: AuthorizationPolicies that need a peer identity (authz-requires-mtls)', () => {
  const RUNS = 60;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: 403 for exactly the plaintext callers of enforcing sidecars; unenforced policies reported',
    (version) => {
      fc.assert(
        fc.property(
          scenarioArb([version], { twins: true, entries: true, routing: true, authz: true }),
          (s) => {
            const { result, yaml, config } = lintScenario(s);
            const problems = [
              ...schemaErrors(result, ['AuthorizationPolicy']),
              ...disagreements(s, result),
              ...authzDisagreements(s, result),
            ];
            if (problems.length)
              throw new Error(
                `${problems.join('\n')}\n\n--- Istio ${s.version}, .mtls-lint.yaml:\n${config}--- manifests:\n${yaml}`,
              );
          },
        ),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );
});
