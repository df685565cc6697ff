// unmatched-target, DestinationRule audience (issue 15): a DestinationRule whose only possible users are sidecars of
// a namespace the inputs show nothing of, while the callers of its host in the inputs are elsewhere. Real manifests
// (test/fixtures/dr-audience/apps.yaml plus one DestinationRule per case) through the whole pipeline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';
import type { Finding } from '../src/types.js';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/dr-audience');
const APPS = readFileSync(path.join(FIXTURES, 'apps.yaml'), 'utf8');

async function audienceFindings(dr: string, extra: Record<string, string> = {}): Promise<Finding[]> {
  const run = await lintYaml({ 'apps.yaml': APPS, 'dr.yaml': dr, ...extra });
  return run.findings.filter((f) => f.rule === 'unmatched-target');
}

const rule = (metadata: string, spec = '') => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: ${metadata}
spec:
  host: httpbin.foo.svc.cluster.local
${spec}  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
`;

describe('unmatched-target: a DestinationRule that only sidecars the inputs do not show would use', () => {
  it('the rule saved without a namespace lands in default: says who would use it and who will not', async () => {
    const dr = readFileSync(path.join(FIXTURES, 'dr-no-namespace.yaml'), 'utf8');
    const findings = await audienceFindings(dr);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect([f.file, f.severity]).toEqual(['dr.yaml', 'warning']);
    expect(f.message).toContain(
      'DestinationRule default/httpbin-client-mtls (host httpbin.foo.svc.cluster.local, ISTIO_MUTUAL)',
    );
    expect(f.message).toContain('is used only by sidecars in default');
    expect(f.message).toContain('It has no metadata.namespace, so it lands in default');
    expect(f.message).toContain(
      'sleep.bar, sleep.foo (in other namespaces) use no DestinationRule for that host',
    );
    expect(f.message).toContain('Fix: put it in foo, the namespace of the service');
  });

  it('the same rule written into a namespace with no workload is reported at metadata.namespace', async () => {
    const findings = await audienceFindings(rule('{name: httpbin-client-mtls, namespace: clients}'));
    expect(findings.map((f) => [f.line, f.severity])).toEqual([[3, 'warning']]);
    expect(findings[0]!.message).toContain('is used only by sidecars in clients');
    expect(findings[0]!.message).not.toContain('metadata.namespace');
  });

  it('says which rule the callers use instead, from the model', async () => {
    const own = rule('{name: httpbin, namespace: foo}').replace('ISTIO_MUTUAL', 'DISABLE');
    const findings = await audienceFindings(rule('{name: httpbin-client-mtls, namespace: clients}'), {
      'own.yaml': own,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('use DestinationRule foo/httpbin for that host');
  });

  it.each([
    ['in the namespace of the service', '{name: x, namespace: foo}', ''],
    ['in the root namespace (mesh-wide)', '{name: x, namespace: istio-system}', ''],
    // Private to foo: foo's own clients use it, and bar's are meant not to.
    [
      'exported only to its own namespace, where clients run',
      '{name: x, namespace: foo}',
      '  exportTo: ["."]\n',
    ],
  ])('is silent for a rule %s', async (_what, metadata, spec) => {
    expect(await audienceFindings(rule(metadata, spec))).toEqual([]);
  });

  it('is silent where the namespace is declared, or holds Services: its workloads are deployed from elsewhere', async () => {
    const dr = rule('{name: x, namespace: clients}');
    const ns =
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: clients, labels: {istio-injection: enabled}}\n';
    expect(await audienceFindings(dr, { 'ns.yaml': ns })).toEqual([]);
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: clients}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n';
    expect(await audienceFindings(dr, { 'svc.yaml': svc })).toEqual([]);
  });

  it('is silent when the namespace has workloads (a client there uses it) or the inputs show no caller', async () => {
    const dr = rule('{name: x, namespace: clients}');
    const client = APPS.split('---').at(-1)!.replace('namespace: bar', 'namespace: clients');
    expect(await audienceFindings(dr, { 'client.yaml': client })).toEqual([]);
    const noCallers = APPS.replaceAll(
      "annotations: {mtls-lint.io/calls: 'httpbin.foo:8000'}",
      'annotations: {}',
    );
    const run = await lintYaml({ 'apps.yaml': noCallers, 'dr.yaml': dr });
    expect(run.findings.filter((f) => f.rule === 'unmatched-target')).toEqual([]);
  });
});
