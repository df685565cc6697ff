// Property: whatever the manifests contain, linting finishes, prints nothing behind the caller's back, and every
// finding points at a real place in one of the inputs; every output format renders (JSON and SARIF parse).
// In memory (no file system), so that many cases run quickly; test/property-cli.test.ts runs the CLI on disk.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATTERS, outputText } from '../src/report/index.js';
import { formatGraph, GRAPH_FORMATS } from '../src/report/graph.js';
import { lintTexts } from './oracle/harness.js';
import { locationProblems } from './oracle/checks.js';
import { knownCrash, knownStandInAutoMtls14, YAML_WARNING_LEAK_OPEN } from './oracle/known-bugs.js';
import { params, timeoutFor } from './oracle/settings.js';
import { configArb, wildSetArb } from './oracle/wild.js';

// process.emitWarning output goes straight to the process's stderr (not the CLI's io), so it must not happen.
const warnings: Error[] = [];
const onWarning = (w: Error) => {
  if (YAML_WARNING_LEAK_OPEN && w.name === 'YAMLWarning') return;
  warnings.push(w);
};
beforeAll(() => void process.on('warning', onWarning));
afterAll(() => void process.off('warning', onWarning));

describe('any manifest set (valid, damaged or junk)', () => {
  const RUNS = 100;
  it(
    'lints without throwing or process warnings; every finding has an input file, a line inside it and a column ≥ 1; every format renders',
    async () => {
      await fc.assert(
        fc.asyncProperty(wildSetArb(), fc.option(configArb, { freq: 3 }), async (set, extraConfig) => {
          fc.pre(!knownCrash(set.files));
          const config = extraConfig
            ? { ...extraConfig, callers: [...(set.config.callers ?? []), ...(extraConfig.callers ?? [])] }
            : set.config;
          warnings.length = 0;
          const result = lintTexts(set.files, { istioVersion: set.version, config });
          const problems = [...result.findings, ...result.suppressed]
            .filter((f) => !knownStandInAutoMtls14(f))
            .flatMap((f) => locationProblems(f, set.files));
          expect(problems).toEqual([]);

          const ctx = { color: true, showSuppressed: true, version: '0.0.0-test' };
          for (const [name, format] of Object.entries(FORMATTERS)) {
            const text = outputText(format(result, ctx));
            if (name === 'json') {
              const parsed = JSON.parse(text) as { findings: unknown[] };
              expect(parsed.findings).toHaveLength(result.findings.length + result.suppressed.length);
            }
            if (name === 'sarif') JSON.parse(text);
          }
          const graph = result.graph();
          for (const format of GRAPH_FORMATS) {
            const text = formatGraph(graph, format, true);
            if (format === 'json') JSON.parse(text);
          }
          // Warnings are delivered on the next tick.
          await new Promise((resolve) => setImmediate(resolve));
          expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
        }),
        params(RUNS),
      );
    },
    timeoutFor(RUNS, 60),
  );
});
