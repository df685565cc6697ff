// One model (issue 14): rules read the mesh model's answers instead of re-deriving Istio's behaviour. Here the
// bug that re-deriving caused: plaintext-between-sidecars matched DestinationRule hosts itself and ignored exportTo,
// so a rule without tls was called a downgrade for clients that could never see the ISTIO_MUTUAL rule it "hides".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures');
const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');

describe('plaintext-between-sidecars asks the model which rule a client would use instead', () => {
  it('honours exportTo: only the clients that see the hidden ISTIO_MUTUAL rule are downgraded', async () => {
    const run = await lintYaml(
      { 'apps.yaml': read('dr-audience/apps.yaml'), 'drs.yaml': read('one-model/destination-rules.yaml') },
      { config: 'mesh:\n  autoMtls: false\n' },
    );
    const plaintext = run.findings.filter((f) => f.rule === 'plaintext-between-sidecars');
    expect(plaintext).toHaveLength(1);
    const f = plaintext[0]!;
    expect(f.message).toContain(
      'DestinationRule foo/httpbin (no tls) makes 2 connections between sidecars plaintext',
    );
    expect(f.message).toContain('foo/sleep → httpbin.foo:8000');
    // bar's sidecars never see istio-system/mesh-mtls (exported to foo only): plaintext there is not a downgrade.
    expect(f.message).not.toContain('bar/sleep');
    expect(f.message).not.toContain('in a namespace not in the inputs');
    // The same answer as ignored-setting's shadowing finding, which always asked the model.
    const shadow = run.findings.filter((x) => x.rule === 'ignored-setting');
    expect(shadow.map((x) => x.message)).toEqual([expect.stringContaining('for clients in foo it replaces')]);
  });

  it('still reports every client when the hidden rule is exported to all', async () => {
    const drs = read('one-model/destination-rules.yaml').replace('exportTo: [foo]', 'exportTo: ["*"]');
    const run = await lintYaml(
      { 'apps.yaml': read('dr-audience/apps.yaml'), 'drs.yaml': drs },
      { config: 'mesh:\n  autoMtls: false\n' },
    );
    const plaintext = run.findings.filter((f) => f.rule === 'plaintext-between-sidecars');
    expect(plaintext).toHaveLength(1);
    expect(plaintext[0]!.message).toContain('bar/sleep → httpbin.foo:8000; foo/sleep → httpbin.foo:8000');
  });
});
