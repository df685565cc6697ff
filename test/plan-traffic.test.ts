// The plan with observed traffic (issue 19): callers the mesh saw are known callers, so an observed caller without a
// sidecar is a blocker; possible callers that would break are named as not seen in the traffic window.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';
import { prometheusAnswer } from './helpers/traffic.js';

const MESH = path.join(import.meta.dirname, 'fixtures', 'traffic', 'mesh');

/** foo/default STRICT in the fixture made PERMISSIVE: the starting point of a migration. */
function permissiveMesh(): string {
  const dir = tempDir('plan-traffic');
  for (const f of ['namespaces.yaml', 'workloads.yaml'])
    writeFileSync(path.join(dir, f), readFileSync(path.join(MESH, f), 'utf8'));
  writeFileSync(
    path.join(dir, 'pa.yaml'),
    'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: foo}\nspec: {mtls: {mode: PERMISSIVE}}\n',
  );
  return dir;
}

function traffic(dir: string, from: string, security: 'none' | 'mutual_tls'): string {
  const file = path.join(dir, 'traffic.json');
  writeFileSync(file, prometheusAnswer([{ from, to: 'foo/httpbin', security, value: 12 }]));
  return file;
}

interface PlanJson {
  steps: { title: string; checks: { text: string; possibleVictims?: string[] }[] }[];
  blockers: { kind: string; client: string; server: string }[];
}

async function plan(dir: string, extra: string[] = []): Promise<{ code: number; json: PlanJson }> {
  const r = await runCli(['plan', '-f', 'json', '.', ...extra], { cwd: dir });
  return { code: r.code, json: JSON.parse(r.stdout) as PlanJson };
}

describe('plan with observed traffic', () => {
  it('legacy/sleep seen calling httpbin.foo in plaintext is a blocker, though no manifest declares the call', async () => {
    const dir = permissiveMesh();
    const without = await plan(dir);
    expect(without.json.blockers).toEqual([]);
    const seen = await plan(dir, ['--traffic', traffic(dir, 'legacy/sleep', 'none')]);
    expect(seen.code).toBe(1);
    expect(seen.json.blockers).toEqual([
      expect.objectContaining({
        kind: 'uninjected-caller',
        client: 'legacy/sleep',
        server: 'httpbin.foo:8000',
      }),
    ]);
  });

  it('only mTLS callers seen: the possible callers a step would break are named as not seen in the window', async () => {
    const dir = permissiveMesh();
    const seen = await plan(dir, [
      '--traffic',
      traffic(dir, 'foo/sleep', 'mutual_tls'),
      '--traffic-window',
      '14d',
    ]);
    const checks = seen.json.steps.flatMap((s) => s.checks).filter((c) => c.possibleVictims?.length);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks[0]!.text).toContain('none of them seen in the 14d of observed traffic');
    expect(checks[0]!.possibleVictims).toEqual(
      expect.arrayContaining([expect.stringContaining('legacy/sleep')]),
    );
    const without = await plan(dir);
    const before = without.json.steps.flatMap((s) => s.checks).filter((c) => c.possibleVictims?.length);
    expect(before[0]!.text).not.toContain('observed traffic');
  });
});
