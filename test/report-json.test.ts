// The JSON report is written a finding at a time (a large mesh's report is hundreds of MB); the pieces must add up to
// exactly JSON.stringify(report, null, 2), whatever the findings hold, and the CLI must write them all to a file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonChunks, publicFinding } from '../src/report/json.js';
import { cli, lintPaths } from './helpers/mesh.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('json report', () => {
  it('is the same text as one JSON.stringify of the report, with and without findings', async () => {
    const run = await lintPaths(ROOT, ['examples/migration/3-strict']);
    const result = run.result;
    expect(result.findings.length).toBeGreaterThan(0);
    // Messages with quotes, backslashes, line breaks and non-ASCII: re-indenting must not touch their contents.
    const hostile = { ...result.findings[0]!, message: 'a "quoted"\nmulti-line \\ message\r\n\t→ ✓ \u2028' };
    // 450 findings: the joins between the pieces are covered too.
    const many = Array.from({ length: 450 }, (_, i) => result.findings[i % result.findings.length]!);
    for (const findings of [result.findings, [hostile, ...result.findings], [], many]) {
      const r = { ...result, findings };
      const whole =
        JSON.stringify({ version: 1, findings: findings.map(publicFinding), summary: r.summary }, null, 2) +
        '\n';
      expect([...jsonChunks(r)].join('')).toBe(whole);
    }
  });

  it('reaches the output file complete through the CLI', async () => {
    const out = path.join(tempDir('json'), 'report.json');
    const run = await cli(['-f', 'json', '-o', out, 'examples/migration/3-strict'], ROOT);
    expect(run.code).toBe(1);
    const stdout = await cli(['-f', 'json', 'examples/migration/3-strict'], ROOT);
    expect(readFileSync(out, 'utf8')).toBe(stdout.stdout);
    const report = JSON.parse(stdout.stdout) as { findings: { rule: string }[] };
    expect(report.findings.map((f) => f.rule)).toContain('plaintext-to-strict');
  });
});
