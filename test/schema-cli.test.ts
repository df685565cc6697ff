// The schema pass as a user of the CLI sees it: JSON on stdout, exit codes, the stable contract's fields.
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  resource?: { kind: string; apiVersion: string; namespace?: string; name: string };
}

describe('mtls-lint -f json on the seed', () => {
  test('the mis-indented Policy: exit 1, two invalid-resource errors at the exact keys', async () => {
    const r = await runCli(['-f', 'json', 'test/fixtures/seed/policy-permissive.yaml'], { cwd: ROOT });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      version: number;
      findings: JsonFinding[];
      summary: Record<string, number>;
    };
    expect(out.version).toBe(1);
    const schema = out.findings.filter((f) => f.rule === 'invalid-resource');
    expect(schema.map((f) => [f.line, f.column, f.endLine, f.endColumn])).toEqual([
      [9, 5, 9, 10],
      [10, 5, 10, 9],
    ]);
    expect(schema[0]).toMatchObject({
      severity: 'error',
      file: 'test/fixtures/seed/policy-permissive.yaml',
      resource: {
        kind: 'Policy',
        apiVersion: 'authentication.istio.io/v1alpha1',
        namespace: 'foo',
        name: 'example-httpbin-permissive',
      },
    });
    expect(schema[0]!.message).toContain('`peers` is not a field of a target; it belongs under `spec`');
    expect(out.summary.errors).toBeGreaterThanOrEqual(2);
  });

  test('the corrected Policy and the DestinationRule have no invalid-resource findings', async () => {
    const r = await runCli(['-f', 'json', 'test/fixtures/seed/destinationrule-istio-mutual.yaml'], {
      cwd: ROOT,
    });
    const out = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    expect(out.findings.filter((f) => f.rule === 'invalid-resource')).toEqual([]);
  });

  test('an unknown field in an AuthorizationPolicy source is a warning in the JSON, the errors beside it errors', async () => {
    const r = await runCli(
      ['-f', 'json', '--fail-on', 'error', 'test/fixtures/schema/authorizationpolicy-errors.yaml'],
      {
        cwd: ROOT,
      },
    );
    const out = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    const warnings = out.findings.filter((f) => f.rule === 'invalid-resource' && f.severity === 'warning');
    expect(warnings.map((f) => f.message)).toEqual([expect.stringContaining('did you mean `principals`?')]);
    expect(r.code).toBe(1); // the same file also has errors
  });
});
