// Property: for randomly generated meshes (the oracle's scenario generator: namespaces, injection, services, legacy
// Policies, PeerAuthentications, DestinationRules, declared callers; Istio 1.4, 1.5 and the newest), a plan's steps,
// written as YAML and applied like kubectl, never make a declared or inferred caller worse, and the engine's graph
// after each step (read back from that YAML) has the counts the step reports. Plans are deterministic, and a plan
// that leaves nothing blocked leads to a state whose own plan is empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lintTexts } from './oracle/harness.js';
import { renderScenario } from './oracle/render.js';
import { scenarioArb, type Scenario, type Version } from './oracle/scenario.js';
import { params, timeoutFor } from './oracle/settings.js';
import { parseTexts } from '../src/load/index.js';
import { resolveOptions } from '../src/resolve-options.js';
import { releaseOf } from '../src/mesh/releases.js';
import { countEdges, makePlan, type Plan } from '../src/plan/plan.js';
import { toYaml } from '../src/plan/render.js';
import type { Config } from '../src/options.js';
import type { Edge } from '../src/graph/graph.js';
import { applyDocs, deleteDocs, docsOf, stateOf, stateYaml } from './helpers/plan.js';

function planFor(yaml: string, version: string, config: Config, allowInjection: boolean): Plan {
  const options = resolveOptions({
    cwd: '/nonexistent',
    paths: ['mesh.yaml'],
    noConfig: true,
    istioVersion: version,
  });
  options.config = config;
  const inputs = parseTexts([{ input: { file: 'mesh.yaml' }, text: yaml }], options);
  return makePlan(inputs, options, releaseOf(options.istioVersion), { allowInjection });
}

const RANK = { mtls: 0, tls: 0, plaintext: 1, broken: 2 } as const;
const key = (e: Edge) =>
  `${e.client.kind}:${e.client.namespace}/${e.client.name}→${e.server.namespace}/${e.server.service}:${e.server.port}`;

function known(edges: Edge[]): Map<string, Edge> {
  return new Map(edges.filter((e) => e.caller !== 'possible').map((e) => [key(e), e]));
}

function check(s: Scenario, allowInjection: boolean): void {
  const r = renderScenario(s);
  const plan = planFor(r.yaml, s.version, r.config, allowInjection);
  expect(planFor(r.yaml, s.version, r.config, allowInjection)).toEqual(plan);
  const state = stateOf([r.yaml]);
  let before = known(
    lintTexts([{ file: 'mesh.yaml', text: r.yaml }], { istioVersion: s.version, config: r.config }).graph()
      .edges,
  );
  for (const step of plan.steps) {
    // The manifests as --out-dir writes them (YAML 1.1-safe), read back.
    applyDocs(
      state,
      step.changes.filter((c) => c.action !== 'remove').flatMap((c) => docsOf(toYaml(c.manifest))),
    );
    deleteDocs(
      state,
      step.changes.filter((c) => c.action === 'remove').flatMap((c) => docsOf(toYaml(c.manifest))),
    );
    const result = lintTexts([{ file: 'state.yaml', text: stateYaml(state) }], {
      istioVersion: s.version,
      config: r.config,
    });
    const graph = result.graph();
    expect(countEdges(graph), `step ${step.n} ${step.title}`).toEqual(step.after);
    const after = known(graph.edges);
    for (const [k, e] of after) {
      const was = before.get(k);
      if (was)
        expect(
          RANK[e.outcome],
          `step ${step.n} ${step.title}: ${k} ${was.outcome} → ${e.outcome}`,
        ).toBeLessThanOrEqual(RANK[was.outcome]);
    }
    before = after;
  }
  if (!plan.blockers.length && !plan.exceptions.length) {
    const again = planFor(stateYaml(state), s.version, r.config, allowInjection);
    expect(again.steps.map((x) => x.title)).toEqual([]);
  }
}

describe('plan invariants on generated meshes', () => {
  // Per configuration: four configurations make 80 generated meshes per CI run (160 took half a minute); FUZZ_RUNS
  // scales it for long runs (npm run fuzz).
  const RUNS = 20;
  it.each<[Version, boolean]>([
    ['1.4', false],
    ['1.5', false],
    ['1.30', false],
    ['1.30', true],
  ])(
    "Istio %s (allow injection: %s): steps never make a known caller worse and report the engine's counts",
    (version, allowInjection) => {
      fc.assert(
        fc.property(scenarioArb([version]), (s) => check(s, allowInjection)),
        params(RUNS, 0.1),
      );
    },
    timeoutFor(RUNS, 400, 0.1),
  );
});
