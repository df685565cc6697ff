// Property: the result depends on the documents, not on how they are laid out. Reordering the files changes
// nothing at all; splitting the same documents across different files changes only where findings point.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LintResult } from '../src/engine.js';
import type { Finding } from '../src/types.js';
import { lintTexts } from './oracle/harness.js';
import {
  clientNodeKey,
  knownCrash,
  knownMeshConfigConflict,
  knownStandInAutoMtls14,
  LIST_ORDER_BUG_OPEN,
} from './oracle/known-bugs.js';
import { params, timeoutFor } from './oracle/settings.js';
import { applyMutation, filesOf, validPiecesArb, wildSetArb, type Piece } from './oracle/wild.js';
import type { Doc } from './oracle/render.js';

function findingKey(f: Finding, withPlace: boolean): string {
  // While the list-order bug is open, messages (their lists) and the anchor of uncaused findings follow input order.
  if (LIST_ORDER_BUG_OPEN)
    return JSON.stringify({ rule: f.rule, severity: f.severity, suppressed: f.suppressed !== undefined });
  const base = {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    resource: f.resource ?? null,
    suppressed: f.suppressed ?? null,
  };
  return JSON.stringify(
    withPlace
      ? { ...base, file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn }
      : base,
  );
}

function findingSet(r: LintResult, withPlace: boolean): string[] {
  return [...r.findings, ...r.suppressed]
    .filter((f) => !knownStandInAutoMtls14(f))
    .map((f) => findingKey(f, withPlace))
    .sort();
}

function edgeSet(r: LintResult): string[] {
  return r
    .graph()
    .edges.map((e) =>
      [
        `${clientNodeKey(e.client)} (${e.client.kind}${
          e.client.members
            ? `: ${e.client.members
                .map((m) => `${m.namespace}/${m.name}`)
                .sort()
                .join(',')}`
            : ''
        })`,
        `→ ${e.server.namespace}/${e.server.service}:${e.server.port}`,
        e.caller,
        e.outcome,
        // The edge's clientTls/serverMode come from its first worst connection: input order among ties.
        ...(LIST_ORDER_BUG_OPEN ? [] : [e.clientTls, e.serverMode]),
        `[${e.connections
          .map(
            (c) =>
              `${c.serverWorkload ? `${c.serverWorkload.namespace}/${c.serverWorkload.name}` : '-'}:${c.targetPort}:${c.client.mode}/${c.server.mode}/${c.result.outcome}`,
          )
          .sort()
          .join(' ')}]`,
      ].join(' '),
    )
    .sort();
}

/** A permutation of 0..n-1 from random sort keys (shrinks towards the identity). */
const orderArb = fc.array(fc.nat(), { minLength: 4, maxLength: 4 });
function permute<T>(list: T[], keys: number[]): T[] {
  return list
    .map((x, i) => ({ x, k: keys[i] ?? 0, i }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((e) => e.x);
}

describe('layout does not change the result', () => {
  const ORDER_RUNS = 40;
  it(
    'the same files in another order give the same findings (with places) and the same graph',
    () => {
      fc.assert(
        fc.property(wildSetArb({ duplicates: false }), orderArb, (set, keys) => {
          fc.pre(!knownCrash(set.files) && !knownMeshConfigConflict(set.files.map((f) => f.text)));
          const a = lintTexts(set.files, { istioVersion: set.version, config: set.config });
          // A mutation can still define one object twice; the last one in input order counts (as with kubectl).
          fc.pre(!a.findings.some((f) => f.rule === 'duplicate-resource'));
          const b = lintTexts(permute(set.files, keys), { istioVersion: set.version, config: set.config });
          expect(findingSet(b, true)).toEqual(findingSet(a, true));
          expect(b.summary).toEqual(a.summary);
          expect(edgeSet(b)).toEqual(edgeSet(a));
        }),
        params(ORDER_RUNS),
      );
    },
    timeoutFor(ORDER_RUNS, 120),
  );

  const SPLIT_RUNS = 40;
  it(
    'the same documents in one file or spread over several give the same findings (ignoring places) and the same graph',
    () => {
      fc.assert(
        fc.property(
          validPiecesArb({ duplicates: false }),
          fc.array(
            fc.record({
              doc: fc.nat(),
              path: fc.nat(),
              op: fc.constantFrom('replace', 'delete', 'add') as fc.Arbitrary<'replace' | 'delete' | 'add'>,
              key: fc.constantFrom('mode', 'x', 'namespace'),
              value: fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<unknown>,
            }),
            { maxLength: 2 },
          ),
          fc.integer({ min: 2, max: 5 }),
          fc.array(fc.nat(), { maxLength: 40 }),
          (base, mutations, fileCount, assignment) => {
            const docs = base.pieces.map((p) => structuredClone((p as { doc: Doc }).doc));
            for (const m of mutations) applyMutation(docs, m);
            const pieces: Piece[] = docs.map((doc) => ({ doc }));
            const one = filesOf(pieces, [], 1, () => 'all.yaml');
            fc.pre(!knownMeshConfigConflict(one.map((f) => f.text)));
            const many = filesOf(pieces, assignment, fileCount);
            const a = lintTexts(one, { istioVersion: base.version, config: base.config });
            // A mutation can make two documents one object (e.g. a namespace that is not a string lands in the
            // default one): which definition counts then depends on the order, as with kubectl, so it is out of scope.
            fc.pre(!a.findings.some((f) => f.rule === 'duplicate-resource'));
            const b = lintTexts(many, { istioVersion: base.version, config: base.config });
            expect(findingSet(b, false)).toEqual(findingSet(a, false));
            expect(edgeSet(b)).toEqual(edgeSet(a));
            expect({ ...b.summary, files: 1 }).toEqual({ ...a.summary, files: 1 });
          },
        ),
        params(SPLIT_RUNS),
      );
    },
    timeoutFor(SPLIT_RUNS, 120),
  );
});
