// The bundled Action with `plan: true`: the plan to STRICT (as `mtls-lint plan -f markdown` prints it) is added to the
// job summary; without it, it is not. The bundle is built from src/index.ts as dist/index.js is.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, inputEnv, readActionMetadata, runNode } from './helpers/action.js';
import { sharedBundle } from './helpers/bundle.js';
import { tempDir } from './helpers/tmp.js';

let bundle: string;
beforeAll(async () => {
  bundle = await sharedBundle('src/index.ts');
}, 300_000);

async function runAction(
  inputs: Record<string, string>,
): Promise<{ code: number; summary: string; stdout: string }> {
  const workspace = tempDir('plan-action-ws');
  mkdirSync(path.join(workspace, 'k8s'));
  cpSync(path.join(ROOT, 'examples/migration/0-plaintext'), path.join(workspace, 'k8s'), { recursive: true });
  const runner = tempDir('plan-action-runner');
  const summary = path.join(runner, 'summary.md');
  const event = path.join(runner, 'event.json');
  writeFileSync(summary, '');
  writeFileSync(event, '{}');
  writeFileSync(path.join(runner, 'output.txt'), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_OUTPUT: path.join(runner, 'output.txt'),
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REPOSITORY: 'octo/mesh',
    ...inputEnv(readActionMetadata(), inputs, { 'github.token': 'unused' }),
  };
  const r = await runNode([bundle], { cwd: workspace, env });
  return { code: r.code, summary: readFileSync(summary, 'utf8'), stdout: r.stdout };
}

describe('the Action with plan: true', () => {
  it('adds the plan to the job summary: steps, the exception and the blocker', async () => {
    const r = await runAction({ paths: 'k8s', plan: 'true' });
    expect(r.code).toBe(0);
    expect(r.summary).toContain('### mtls-lint plan (Istio 1.30)');
    expect(r.summary).toContain('#### 1. STRICT in namespace bar');
    expect(r.summary).toContain('#### 3. STRICT mesh-wide \\(root namespace istio-system\\)');
    expect(r.summary).toContain('connection_security_policy="none"');
    expect(r.summary).toMatch(/#### Exceptions kept PERMISSIVE[\s\S]*foo\/httpbin \| 80 \| port/);
    expect(r.summary).toMatch(/#### Blockers[\s\S]*legacy\/sleep → httpbin\.foo:8000/);
  });

  it('leaves it out by default', async () => {
    const r = await runAction({ paths: 'k8s' });
    expect(r.code).toBe(0);
    expect(r.summary).not.toContain('mtls-lint plan');
    expect(r.summary.length).toBeGreaterThan(0);
  });
});
