// deprecated-api: a legacy authentication.istio.io Policy/MeshPolicy, with the PeerAuthentication that does the same.
import { expect, describe, it } from 'vitest';
import type { Finding } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, ruleTests } from './harness.js';
import { FIXTURES, hygiene, only, pos } from './hygiene.js';

const file = 'examples/migration-legacy/3-strict/policy.yaml';

ruleTests('deprecated-api', {
  valid: [
    { name: 'PeerAuthentications only (the migration example)', fixture: 'examples/migration/3-strict' },
  ],
  invalid: [
    {
      name: 'is an error on 1.6+ and shows the PeerAuthentication that does the same',
      fixture: 'examples/migration-legacy/3-strict',
      findings: [
        {
          file,
          severity: 'error',
          ...pos(file, '"authentication.istio.io/v1alpha1"'),
          message: [
            'Istio 1.30 ignores Policy foo/example-httpbin-permissive and it does nothing',
            '{ apiVersion: security.istio.io/v1, kind: PeerAuthentication, metadata: { name: example-httpbin-permissive, namespace: foo }, spec: { selector: { matchLabels: { app: httpbin } }, mtls: { mode: STRICT } } }',
          ],
        },
      ],
    },
    ...['1.4', '1.5'].map((v) => ({
      name: `is a warning on ${v}, with the v1beta1 PeerAuthentication of 1.5`,
      fixture: 'examples/migration-legacy/3-strict',
      istioVersion: v,
      findings: [
        {
          severity: 'warning' as const,
          message: 'apiVersion: security.istio.io/v1beta1, kind: PeerAuthentication',
        },
      ],
    })),
  ],
});

describe('deprecated-api', () => {
  it('says when no PeerAuthentication can do the same, and for a MeshPolicy shows the root-namespace policy', async () => {
    const dir = `${FIXTURES}/deprecated`;
    const p = `${dir}/policies.yaml`;
    const f = (await hygiene(dir)).filter((x) => x.rule === 'deprecated-api');
    const noSelector = only(f, 'deprecated-api', p, pos(p, 'authentication.istio.io/v1alpha1', 1));
    expect(noSelector.message).toContain(
      'No PeerAuthentication does the same: Service foo/db has no selector',
    );
    const meshPolicy = only(f, 'deprecated-api', p, pos(p, 'authentication.istio.io/v1alpha1'));
    expect(meshPolicy.message).toContain('MeshPolicy was removed in Istio 1.6');
    expect(meshPolicy.message).toContain(
      'metadata: { name: default, namespace: istio-system }, spec: { mtls: { mode: STRICT } }',
    );
  });
});

describe('hygiene rules through the CLI', () => {
  it('report in JSON with the documented shape and fail the run on the 1.6+ error', async () => {
    const r = await runCli(['-f', 'json', 'examples/migration-legacy/1-permissive'], { cwd: ROOT });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { findings: Finding[] };
    const dep = json.findings.find((f) => f.rule === 'deprecated-api');
    expect(dep).toMatchObject({
      severity: 'error',
      file: 'examples/migration-legacy/1-permissive/policy.yaml',
      line: 2,
    });
    expect(r.stderr).toBe('');
  });
});
