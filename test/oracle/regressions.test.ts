// Regression tests from the property suites: each test/fixtures/oracle-regressions/NAME.yaml is linted with the
// settings in NAME.expect.yaml and checked against the outcome the spec (istio-semantics.md) gives.
// `status: open` marks an engine bug that is not fixed yet: the test runs as `it.fails`. When the engine is fixed
// it starts failing — then set `status: fixed` and drop the matching entry in known-bugs.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { LintResult } from '../../src/engine.js';
import type { Config } from '../../src/options.js';
import { locationProblems } from './checks.js';
import { lintTexts } from './harness.js';

const DIR = path.join(import.meta.dirname, '../fixtures/oracle-regressions');

interface EdgeExpectation {
  from?: string;
  fromStandIn?: string;
  to?: string;
  toStandIn?: string;
  /** The edge's outcome (the worst over its connections). */
  outcome: string;
  /** Per backing workload ("namespace/name" → outcome), for Services over several workloads. */
  connections?: Record<string, string>;
}

interface Expectation {
  description: string;
  status: 'open' | 'fixed';
  istioVersion: string;
  config?: Config;
  edges?: EdgeExpectation[];
  findings?: { rule: string; line: number }[];
  noFindings?: string[];
  /** Lint the documents in reverse order too; findings and graph must be the same. */
  orderIndependent?: boolean;
  /** Check `edges` on the documents in reverse order too. */
  bothOrders?: boolean;
  noProcessWarnings?: boolean;
}

function reversedDocuments(text: string): string {
  return text
    .split(/^---[ \t]*$/m)
    .map((d) => d.replace(/^\n+|\n+$/g, ''))
    .reverse()
    .join('\n---\n');
}

function checkEdges(result: LintResult, edges: EdgeExpectation[]) {
  const all = result.graph().edges;
  for (const want of edges) {
    const found = all.filter((e) => {
      if (want.from && (e.caller !== 'declared' || `${e.client.namespace}/${e.client.name}` !== want.from))
        return false;
      if (want.fromStandIn && !e.client.standIn?.startsWith(want.fromStandIn)) return false;
      if (want.to && `${e.server.service}.${e.server.namespace}:${e.server.port}` !== want.to) return false;
      if (want.toStandIn && !e.server.standIn?.startsWith(want.toStandIn)) return false;
      return true;
    });
    const label = `${want.from ?? want.fromStandIn} → ${want.to ?? want.toStandIn}`;
    expect(found.length, `${label}: no such edge`).toBeGreaterThan(0);
    expect(found.map((e) => `${label}: ${e.outcome}`)).toEqual(found.map(() => `${label}: ${want.outcome}`));
    if (want.connections) {
      for (const e of found) {
        const got = Object.fromEntries(
          e.connections.map((c) => [
            `${c.serverWorkload?.namespace}/${c.serverWorkload?.name}`,
            c.result.outcome,
          ]),
        );
        expect(got, label).toEqual(want.connections);
      }
    }
  }
}

function layoutKey(result: LintResult) {
  return {
    findings: result.findings
      .map(
        (f) =>
          `${f.rule} ${f.severity} ${f.resource?.kind}/${f.resource?.namespace}/${f.resource?.name}: ${f.message}`,
      )
      .sort(),
    edges: result
      .graph()
      .edges.map(
        (e) =>
          `${e.client.namespace}/${e.client.name} ${e.client.kind} ${e.client.standIn ?? ''} → ${e.server.namespace}/${e.server.service}:${e.server.port} ${e.caller} ${e.outcome}`,
      )
      .sort(),
  };
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.expect.yaml'))
  .sort();

describe('oracle regressions (test/fixtures/oracle-regressions)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  for (const expectFile of cases) {
    const name = expectFile.replace(/\.expect\.yaml$/, '');
    const spec = parse(readFileSync(path.join(DIR, expectFile), 'utf8')) as Expectation;
    const file = `${name}.yaml`;
    const text = readFileSync(path.join(DIR, file), 'utf8');
    const test = spec.status === 'open' ? it.fails : it;
    test(`${name}${spec.status === 'open' ? ' (open engine bug)' : ''}`, async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        const lint = (t: string) =>
          lintTexts([{ file, text: t }], { istioVersion: spec.istioVersion, config: spec.config ?? {} });
        const result = lint(text);
        expect(
          [...result.findings, ...result.suppressed].flatMap((f) => locationProblems(f, [{ file, text }])),
        ).toEqual([]);
        if (spec.edges) checkEdges(result, spec.edges);
        for (const want of spec.findings ?? []) {
          expect(result.findings.map((f) => `${f.rule}:${f.line}`)).toContain(`${want.rule}:${want.line}`);
        }
        for (const rule of spec.noFindings ?? []) {
          expect(result.findings.filter((f) => f.rule === rule).map((f) => f.message)).toEqual([]);
        }
        if (spec.orderIndependent || spec.bothOrders) {
          const reversed = lint(reversedDocuments(text));
          if (spec.orderIndependent) expect(layoutKey(reversed)).toEqual(layoutKey(result));
          if (spec.bothOrders && spec.edges) checkEdges(reversed, spec.edges);
        }
        if (spec.noProcessWarnings) {
          await new Promise((resolve) => setImmediate(resolve));
          expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
        }
      } finally {
        process.off('warning', onWarning);
      }
    });
  }
});
