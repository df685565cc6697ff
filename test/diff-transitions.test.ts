// PR mode's transitions on generated meshes: the grouped comparison (possible callers compared group against group,
// src/diff/transitions.ts) must give exactly the findings of comparing every client × port pair on its own, and
// what it compares must grow with the edges, not with clients × ports. No timings: counts only.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateMesh, type GeneratedFile } from '../bench/generate.js';
import { compareResults, lintAgainstBase } from '../src/diff/base.js';
import { markNew } from '../src/diff/match.js';
import { applyTransitions, type CompareOptions } from '../src/diff/transitions.js';
import { analyze, type LintResult } from '../src/engine.js';
import { ParseCache, parseTexts } from '../src/load/index.js';
import { resolveOptions } from '../src/resolve-options.js';
import { seedWorkloads, writeTree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';

const options = resolveOptions({ cwd: '/', paths: ['.'], noConfig: true });

type Files = Map<string, string>;

const MESH_PLAINTEXT = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: mesh-plaintext
  namespace: istio-system
spec:
  host: "*.local"
  trafficPolicy:
    tls:
      mode: DISABLE
`;

function edit(files: Files, file: string, from: string, to: string): void {
  const text = files.get(file);
  if (text === undefined || !text.includes(from)) throw new Error(`${file} has no "${from}"`);
  files.set(file, text.replace(from, to));
}

/** Changes a pull request could make; each returns the head files. */
const CHANGES: Record<string, (files: Files, change: { path: string; after: string }) => void> = {
  // One namespace's PeerAuthentication PERMISSIVE → STRICT (the benchmark's change).
  strict: (files, change) => files.set(change.path, change.after),
  // Two namespaces lose injection: their workloads become clients without a sidecar (their own state changes),
  // members of one group whose transitions have different causes (each namespace's label).
  uninject: (files) => {
    edit(files, 'core-000/namespace.yaml', 'istio-injection: enabled', 'istio-injection: disabled');
    edit(files, 'ml-009/namespace.yaml', 'istio-injection: enabled', 'istio-injection: disabled');
  },
  // One host's DestinationRule turns TLS off.
  'dr-disable': (files) => edit(files, 'core-000/traffic.yaml', 'mode: ISTIO_MUTUAL', 'mode: DISABLE'),
  // Every sidecar client sends plaintext to every host: clients × ports transitions.
  'mesh-disable': (files) => files.set('istio-system/plaintext.yaml', MESH_PLAINTEXT),
  // Both at once, in a namespace whose workloads sit between others in the group of clients without a sidecar:
  // the group's members then come from two base groups, and the finding lists them interleaved.
  both: (files, change) => {
    files.set(change.path, change.after);
    edit(files, 'ml-009/namespace.yaml', 'istio-injection: enabled', 'istio-injection: disabled');
  },
};

function lintFiles(files: Files, cache: ParseCache): LintResult {
  const texts = [...files].map(([file, text]) => ({ input: { file }, text }));
  return analyze(parseTexts(texts, { namespace: options.namespace, limits: options.limits, cache }), options);
}

function scenario(workloads: number, perNamespace: number, name: string) {
  const mesh = generateMesh({ workloads, seed: 20251126, perNamespace });
  if (!mesh.change) throw new Error('the generator plants a PERMISSIVE namespace');
  const before: Files = new Map(mesh.files.map((f: GeneratedFile) => [f.path, f.text]));
  const after: Files = new Map(before);
  CHANGES[name]!(after, mesh.change);
  const cache = new ParseCache();
  return { before: lintFiles(before, cache), after: lintFiles(after, cache) };
}

function compare(base: LintResult, head: LintResult, how: CompareOptions) {
  return applyTransitions(base, head, markNew(head.findings, base.findings), options, how);
}

describe('grouped transitions equal the pair-by-pair comparison', () => {
  for (const name of Object.keys(CHANGES)) {
    it(`${name}, and back`, () => {
      const { before, after } = scenario(120, 10, name);
      for (const [base, head] of [
        [before, after],
        [after, before],
      ] as const) {
        const stats = { points: 0, runs: 0, transitions: 0 };
        const grouped = compare(base, head, { stats });
        const reference = compare(base, head, { oneByOne: true });
        expect(grouped).toEqual(reference);
        if (head === after && name !== 'dr-disable') {
          // The change made connections worse, and most of them were compared a group at a time.
          expect(stats.transitions).toBeGreaterThan(stats.points + stats.runs);
          expect(grouped.findings.some((f) => f.transition)).toBe(true);
        }
      }
    });
  }
});

describe('what the comparison does grows with the edges', () => {
  it('mesh-wide plaintext: clients × ports transitions, compared in about one step per edge', () => {
    const counts = [100, 400].map((workloads) => {
      const { before, after } = scenario(workloads, 10, 'mesh-disable');
      const stats = { points: 0, runs: 0, transitions: 0 };
      const r = compare(before, after, { stats });
      const cd = r.findings.find((f) => f.rule === 'connection-downgrade');
      // The lists are capped; what they leave out is counted: every connection the message counts is an edge.
      const more = Number(/makes (\d+) more connections? worse/.exec(cd?.message ?? '')?.[1] ?? 0);
      expect((cd?.edges?.length ?? 0) + (cd?.edgesOmitted ?? 0)).toBe(more + 1);
      if (workloads === 400) expect(cd?.edgesOmitted).toBeGreaterThan(0);
      if (cd?.relatedOmitted)
        expect(cd.related!.length + cd.relatedOmitted).toBeLessThanOrEqual(workloads + 1);
      return { ...stats, edges: after.graph().edges.length, message: cd?.message ?? '' };
    });
    for (const c of counts) expect(c.points + c.runs).toBeLessThanOrEqual(c.edges);
    const [small, large] = counts as [(typeof counts)[0], (typeof counts)[0]];
    // Four times the workloads: far more than four times the transitions, not more than about four times the steps.
    expect(large.transitions).toBeGreaterThan(8 * small.transitions);
    expect(large.points + large.runs).toBeLessThan(6 * (small.points + small.runs));
    // The finding still counts every connection it lists.
    expect(large.message).toMatch(/The same change makes \d+ more connections worse: .*; and \d+ more\./);
  });
});

describe('a change that touches no manifest', () => {
  it("reuses the head's analysis for the base, and finds nothing new", async () => {
    const dir = tempDir('samebase');
    const broken =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: foo}\ndata:\n  a: [1, 2\n';
    writeTree(dir, {
      ...seedWorkloads('old/'),
      ...seedWorkloads('new/'),
      'old/broken.yaml': broken,
      'new/broken.yaml': broken,
    });
    const run = (base: string) =>
      lintAgainstBase(resolveOptions({ cwd: dir, paths: ['new'], noConfig: true }), base, {
        stdin: async () => new Uint8Array(),
        showAll: true,
      });
    const same = await run('old');
    expect(same.baseResult.graph).toBe(same.graph);
    expect(same.findings.length).toBeGreaterThan(0);
    expect(same.findings.filter((f) => f.new !== false)).toEqual([]);

    writeTree(dir, { 'old/broken.yaml': `# an older version\n${broken}` });
    const changed = await run('old');
    expect(changed.baseResult.graph).not.toBe(changed.graph);
    // The moved YAML error is the same finding.
    expect(changed.findings.filter((f) => f.new !== false)).toEqual([]);
  });

  it('also when the head is a directory far outside the working directory (shown by its absolute path)', async () => {
    const dir = tempDir('farbase');
    writeTree(dir, { ...seedWorkloads('old/'), ...seedWorkloads('new/') });
    const cache = new ParseCache();
    // The repository's own directory: a temporary directory shares no parent with it but "/".
    const r = await lintAgainstBase(
      resolveOptions({
        cwd: path.dirname(fileURLToPath(import.meta.url)),
        paths: [path.join(dir, 'new')],
        noConfig: true,
      }),
      path.join(dir, 'old'),
      { stdin: async () => new Uint8Array(), showAll: true, cache },
    );
    expect(cache.hits).toBe(r.inputs.files.length);
    expect(r.baseResult.inputs.files).toEqual(r.inputs.files);
    expect(r.baseResult.graph).toBe(r.graph);
  });
});

describe("the base side's analysis", () => {
  it('for comparison: the same findings without related locations, the same PR result', () => {
    const { before, after } = scenario(120, 10, 'both');
    const compared = analyze(before.inputs, options, undefined, { forComparison: true });
    expect(before.findings.some((f) => f.related?.length)).toBe(true);
    expect(compared.findings.some((f) => f.related)).toBe(false);
    expect(compared.findings).toEqual(
      before.findings.map(({ related: _related, relatedOmitted: _omitted, ...f }) => f),
    );
    // What PR mode reads of the base: its findings and its graph.
    const graph = compared.graph();
    const reduced = { findings: compared.findings, graph: () => graph };
    expect(compareResults(reduced, after, options, true)).toEqual(
      compareResults(before, after, options, true),
    );
  });
});
