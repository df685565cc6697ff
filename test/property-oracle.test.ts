// Property: for generated meshes, the engine's outcome for every declared caller agrees with the oracle, a small
// reference implementation of istio-semantics.md §0 written without looking at src/mesh (test/oracle/oracle.ts).
// A disagreement prints the shrunk manifests, the config, the oracle's reasoning and the engine's explanation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LintResult } from '../src/engine.js';
import { lintTexts } from './oracle/harness.js';
import { disagreements } from './oracle/compare.js';
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

describe('engine vs oracle (istio-semantics.md §0)', () => {
  const RUNS = 80;
  it.each<Version>(['1.4', '1.5', '1.30'])(
    'Istio %s: every declared caller gets the outcome the decision table gives',
    (version) => {
      fc.assert(
        fc.property(
          scenarioArb([version], { twins: true, entries: true, routing: true, entries2: true }),
          (s) => {
            const { result, yaml, config } = lintScenario(s);
            const problems = disagreements(s, result);
            if (problems.length) {
              throw new Error(
                `${problems.join('\n')}\n\n--- Istio ${s.version}, .mtls-lint.yaml:\n${config}--- manifests:\n${yaml}`,
              );
            }
          },
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
        fc.property(scenarioArb(undefined, { entries: true, routing: true, entries2: true }), (s) => {
          const { result } = lintScenario(s);
          const errors = result.findings.filter(
            (f) =>
              (f.rule === 'invalid-resource' || f.rule === 'yaml-syntax') &&
              f.severity === 'error' &&
              // Deliberate: a MeshPolicy not named `default`, which Istio ignores (istio-semantics.md §2.1, §2.4).
              !(f.resource?.kind === 'MeshPolicy' && f.resource.name !== 'default'),
          );
          expect(
            errors.map((f) => `${f.rule} ${f.resource?.kind}/${f.resource?.name}: ${f.message}`),
          ).toEqual([]);
        }),
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
      fc.assert(
        fc.property(bypass2ScenarioArb([version]), (s) => {
          const { result, yaml, config } = lintScenario(s);
          // The Sidecars, Endpoints and clusterIPs it adds are valid: none is dropped by the schema check.
          const invalid = result.findings.filter(
            (f) =>
              (f.rule === 'invalid-resource' || f.rule === 'yaml-syntax') &&
              f.severity === 'error' &&
              ['Sidecar', 'Endpoints', 'Service'].includes(f.resource?.kind ?? ''),
          );
          const problems = [
            ...invalid.map((f) => `${f.rule} ${f.resource?.kind}/${f.resource?.name}: ${f.message}`),
            ...disagreements(s, result),
          ];
          if (problems.length) {
            throw new Error(
              `${problems.join('\n')}\n\n--- Istio ${s.version}, .mtls-lint.yaml:\n${config}--- manifests:\n${yaml}`,
            );
          }
        }),
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
        fc.property(
          scenarioArb([version], { twins: true, entries: true, routing: true, audit: true }),
          (s) => {
            const { result, yaml, config } = lintScenario(s);
            const problems = disagreements(s, result);
            if (problems.length) {
              throw new Error(
                `${problems.join('\n')}\n\n--- Istio ${s.version}, .mtls-lint.yaml:\n${config}--- manifests:\n${yaml}`,
              );
            }
          },
        ),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );

  it('the generated manifests are valid', () => {
    fc.assert(
      fc.property(scenarioArb(undefined, { entries: true, routing: true, audit: true }), (s) => {
        const { result } = lintScenario(s);
        const errors = result.findings.filter(
          (f) =>
            (f.rule === 'invalid-resource' || f.rule === 'yaml-syntax') &&
            f.severity === 'error' &&
            !(f.resource?.kind === 'MeshPolicy' && f.resource.name !== 'default'),
        );
        expect(errors.map((f) => `${f.rule} ${f.resource?.kind}/${f.resource?.name}: ${f.message}`)).toEqual(
          [],
        );
      }),
      params(30, 0.1),
    );
  });
});
