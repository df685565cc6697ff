// Shared by the configuration hygiene rules' tests (issue 7): fixtures under test/fixtures/hygiene/ linted through
// the whole pipeline, and exact positions in them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Finding } from '../../src/types.js';
import { lintPaths } from '../helpers/mesh.js';
import { ROOT } from './harness.js';

export const FIXTURES = 'test/fixtures/hygiene';
const HYGIENE = new Set(['unmatched-target', 'ambiguous-policy', 'ignored-setting', 'deprecated-api']);

export async function hygiene(dir: string, istioVersion?: string, configPath?: string): Promise<Finding[]> {
  const run = await lintPaths(ROOT, [dir], { istioVersion, configPath });
  return run.findings.filter((f) => HYGIENE.has(f.rule));
}

/** 1-based line and column of the `nth` occurrence of `needle` in a fixture file. */
export function pos(file: string, needle: string, nth = 0): { line: number; column: number } {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0 && seen++ === nth) return { line: i + 1, column: col + 1 };
  }
  throw new Error(`${needle} not in ${file}`);
}

export function only(
  findings: Finding[],
  rule: string,
  file: string,
  at: { line: number; column: number },
): Finding {
  const hits = findings.filter(
    (f) => f.rule === rule && f.file === file && f.line === at.line && f.column === at.column,
  );
  expect(
    hits,
    `${rule} at ${file}:${at.line}:${at.column} in\n${findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`).join('\n')}`,
  ).toHaveLength(1);
  return hits[0]!;
}
