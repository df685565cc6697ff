// Sidecar injection and ambient enrolment from manifests (istio-semantics.md §6), per Istio version, and what the
// model assumes for namespaces the inputs do not define (rule unknown-injection).
import { describe, expect, it } from 'vitest';
import {
  app,
  byRule,
  docs,
  lintYaml,
  namespace,
  peerAuthentication,
  sidecarOf,
  workload,
} from './helpers/mesh.js';

type Labels = Record<string, string>;

function pod(
  ns: string,
  name: string,
  o: { labels?: Labels; annotations?: Labels; hostNetwork?: boolean; containers?: string[] } = {},
): string {
  const map = (m: Labels | undefined, indent: string) =>
    m && Object.keys(m).length
      ? Object.entries(m)
          .map(([k, v]) => `\n${indent}${k}: ${JSON.stringify(v)}`)
          .join('')
      : ' {}';
  const containers = (o.containers ?? [name])
    .map((c) => `  - name: ${c}\n    image: example/${c}`)
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels:${map({ app: name, ...(o.labels ?? {}) }, '    ')}
  annotations:${map(o.annotations, '    ')}
spec:${o.hostNetwork ? '\n  hostNetwork: true' : ''}
  containers:
${containers}
`;
}

const ENABLED = namespace('inj', { 'istio-injection': 'enabled' });
const PLAIN = namespace('plain');

async function state(text: string, version = '1.30', config?: string): Promise<string> {
  const r = await lintYaml({ 'm.yaml': text }, { istioVersion: version, ...(config ? { config } : {}) });
  // The pod under test is the first Pod in the text.
  const m = /kind: Pod\nmetadata:\n {2}name: (\S+)\n {2}namespace: (\S+)/.exec(text)!;
  return sidecarOf(r, `${m[2]}/${m[1]}`);
}

describe('namespace labels (§6.2)', () => {
  it.each([
    ['istio-injection=enabled', { 'istio-injection': 'enabled' }, '1.30', 'sidecar'],
    ['istio-injection=disabled', { 'istio-injection': 'disabled' }, '1.30', 'none'],
    ['no label', {}, '1.30', 'none'],
    ['istio.io/rev=canary (1.6+)', { 'istio.io/rev': 'canary' }, '1.30', 'sidecar'],
    ['istio.io/rev=canary at 1.5 (no revisions yet)', { 'istio.io/rev': 'canary' }, '1.5', 'none'],
    [
      'istio-injection=disabled wins over istio.io/rev',
      { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' },
      '1.30',
      'none',
    ],
    ['istio-injection=enabled at 1.4', { 'istio-injection': 'enabled' }, '1.4', 'sidecar'],
  ])('%s → %s', async (_label, labels, version, expected) => {
    expect(await state(docs(namespace('ns1', labels as Labels), pod('ns1', 'p')), version)).toBe(expected);
  });
});

describe('pod label and annotation sidecar.istio.io/inject (§6.1, §6.2)', () => {
  it('annotation "false" opts out in an injected namespace, in every version', async () => {
    for (const v of ['1.4', '1.11', '1.30'])
      expect(
        await state(
          docs(ENABLED, pod('inj', 'p', { annotations: { 'sidecar.istio.io/inject': 'false' } })),
          v,
        ),
        v,
      ).toBe('none');
  });

  it('label "false": ignored before 1.10 (annotation only, no objectSelector), honoured from 1.10', async () => {
    const text = docs(ENABLED, pod('inj', 'p', { labels: { 'sidecar.istio.io/inject': 'false' } }));
    expect(await state(text, '1.4')).toBe('sidecar');
    expect(await state(text, '1.8')).toBe('sidecar');
    expect(await state(text, '1.10')).toBe('none');
    expect(await state(text, '1.30')).toBe('none');
  });

  it('label "true" beats annotation "false" from 1.12; 1.4–1.11 read the annotation only', async () => {
    const text = docs(
      ENABLED,
      pod('inj', 'p', {
        labels: { 'sidecar.istio.io/inject': 'true' },
        annotations: { 'sidecar.istio.io/inject': 'false' },
      }),
    );
    expect(await state(text, '1.11')).toBe('none');
    expect(await state(text, '1.12')).toBe('sidecar');
  });

  it('annotation "true" in an unlabelled namespace does not call the webhook', async () => {
    for (const v of ['1.4', '1.30'])
      expect(
        await state(
          docs(PLAIN, pod('plain', 'p', { annotations: { 'sidecar.istio.io/inject': 'true' } })),
          v,
        ),
        v,
      ).toBe('none');
  });

  it('label "true" in an unlabelled namespace injects from 1.10 (objectSelector), not before', async () => {
    const text = docs(PLAIN, pod('plain', 'p', { labels: { 'sidecar.istio.io/inject': 'true' } }));
    expect(await state(text, '1.8')).toBe('none');
    expect(await state(text, '1.10')).toBe('sidecar');
    expect(await state(text, '1.30')).toBe('sidecar');
  });

  it('pod label istio.io/rev in an unlabelled namespace injects from 1.10 (webhook rev.object.sidecar-injector)', async () => {
    // mutatingwebhook.yaml: namespaceSelector istio.io/rev and istio-injection DoesNotExist; objectSelector
    // sidecar.istio.io/inject NotIn [false] and istio.io/rev In [<revision>].
    const text = docs(PLAIN, pod('plain', 'p', { labels: { 'istio.io/rev': 'canary' } }));
    expect(await state(text, '1.8')).toBe('none');
    expect(await state(text, '1.10')).toBe('sidecar');
    expect(await state(text, '1.30')).toBe('sidecar');
    const optedOut = docs(
      PLAIN,
      pod('plain', 'p', { labels: { 'istio.io/rev': 'canary', 'sidecar.istio.io/inject': 'false' } }),
    );
    expect(await state(optedOut, '1.30')).toBe('none');
  });

  it.each([
    // 1.4–1.26: case-insensitive y|yes|true|on inject, any other non-empty value → not injected.
    ['yes', '1.26', 'sidecar'],
    ['On', '1.26', 'sidecar'],
    ['y', '1.4', 'sidecar'],
    ['no', '1.26', 'none'],
    ['False', '1.26', 'none'],
    ['enabled', '1.26', 'none'],
    // 1.27+: exactly "true"/"false"; anything else falls back to the namespace default (injected here).
    ['no', '1.27', 'sidecar'],
    ['False', '1.27', 'sidecar'],
    ['yes', '1.27', 'sidecar'],
    ['false', '1.27', 'none'],
  ])('annotation value %j at %s in an injected namespace → %s', async (value, version, expected) => {
    expect(
      await state(
        docs(ENABLED, pod('inj', 'p', { annotations: { 'sidecar.istio.io/inject': value } })),
        version,
      ),
    ).toBe(expected);
  });

  it('the annotation on the Deployment metadata (not the pod template) does nothing', async () => {
    const r = await lintYaml({
      'm.yaml': docs(ENABLED, app('inj', 'web', { annotations: { 'sidecar.istio.io/inject': 'false' } })),
    });
    expect(sidecarOf(r, 'inj/web')).toBe('sidecar');
  });
});

describe('never injected, already injected', () => {
  it('hostNetwork pods never get a sidecar', async () => {
    expect(await state(docs(ENABLED, pod('inj', 'p', { hostNetwork: true })))).toBe('none');
  });

  it('kube-system is never injected, whatever its labels say', async () => {
    const text = docs(
      namespace('kube-system', { 'istio-injection': 'enabled' }),
      pod('kube-system', 'p', { annotations: { 'sidecar.istio.io/inject': 'true' } }),
    );
    expect(await state(text)).toBe('none');
  });

  it('istioctl kube-inject output counts as injected: an istio-proxy container, or sidecar.istio.io/status', async () => {
    expect(await state(docs(PLAIN, pod('plain', 'p', { containers: ['app', 'istio-proxy'] })))).toBe(
      'sidecar',
    );
    expect(
      await state(
        docs(PLAIN, pod('plain', 'p', { annotations: { 'sidecar.istio.io/status': '{"version":"abc"}' } })),
      ),
    ).toBe('sidecar');
  });

  it('mesh.enableNamespacesByDefault: unlabelled namespaces are injected, istio-injection=disabled still is not', async () => {
    const config = 'mesh:\n  enableNamespacesByDefault: true\n';
    expect(await state(docs(PLAIN, pod('plain', 'p')), '1.30', config)).toBe('sidecar');
    expect(
      await state(
        docs(namespace('noinj', { 'istio-injection': 'disabled' }), pod('noinj', 'p')),
        '1.30',
        config,
      ),
    ).toBe('none');
  });

  it('mesh.injectionPolicy disabled: only an explicit true injects', async () => {
    const config = 'mesh:\n  injectionPolicy: disabled\n';
    expect(await state(docs(ENABLED, pod('inj', 'p')), '1.30', config)).toBe('none');
    expect(
      await state(
        docs(ENABLED, pod('inj', 'p', { annotations: { 'sidecar.istio.io/inject': 'true' } })),
        '1.30',
        config,
      ),
    ).toBe('sidecar');
  });
});

describe('ambient enrolment (§6.3)', () => {
  const AMBIENT = namespace('amb', { 'istio.io/dataplane-mode': 'ambient' });

  it('namespace label istio.io/dataplane-mode=ambient enrols its pods', async () => {
    expect(await state(docs(AMBIENT, pod('amb', 'p')))).toBe('ambient');
  });

  it('a pod label istio.io/dataplane-mode=none opts out; a pod label ambient opts in elsewhere', async () => {
    expect(
      await state(docs(AMBIENT, pod('amb', 'p', { labels: { 'istio.io/dataplane-mode': 'none' } }))),
    ).toBe('none');
    expect(
      await state(docs(PLAIN, pod('plain', 'p', { labels: { 'istio.io/dataplane-mode': 'ambient' } }))),
    ).toBe('ambient');
  });

  it('hostNetwork pods and pods that already have a sidecar are not enrolled', async () => {
    expect(await state(docs(AMBIENT, pod('amb', 'p', { hostNetwork: true })))).toBe('none');
    expect(
      await state(docs(AMBIENT, pod('amb', 'p', { annotations: { 'sidecar.istio.io/status': '{}' } }))),
    ).toBe('sidecar');
  });
});

describe('workload kinds and their pod templates', () => {
  const kinds = [
    [
      'apps/v1',
      'StatefulSet',
      'spec:\n  serviceName: w\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      containers: [{name: w, image: x}]\n',
    ],
    [
      'apps/v1',
      'DaemonSet',
      'spec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      containers: [{name: w, image: x}]\n',
    ],
    [
      'apps/v1',
      'ReplicaSet',
      'spec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      containers: [{name: w, image: x}]\n',
    ],
    [
      'v1',
      'ReplicationController',
      'spec:\n  selector: {app: w}\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      containers: [{name: w, image: x}]\n',
    ],
    [
      'batch/v1',
      'Job',
      'spec:\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      restartPolicy: Never\n      containers: [{name: w, image: x}]\n',
    ],
    [
      'batch/v1',
      'CronJob',
      'spec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {app: w}\n          annotations: {sidecar.istio.io/inject: "false"}\n        spec:\n          restartPolicy: Never\n          containers: [{name: w, image: x}]\n',
    ],
    [
      'argoproj.io/v1alpha1',
      'Rollout',
      'spec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata:\n      labels: {app: w}\n      annotations: {sidecar.istio.io/inject: "false"}\n    spec:\n      containers: [{name: w, image: x}]\n',
    ],
  ] as const;

  it.each(kinds)(
    '%s %s: the pod template labels are selected by a Service and its annotation opts out',
    async (apiVersion, kind, spec) => {
      const text = docs(
        ENABLED,
        `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: w\n  namespace: inj\n${spec}`,
        app('inj', 'other', { noService: true }),
        `apiVersion: v1
kind: Service
metadata:
  name: w
  namespace: inj
spec:
  selector: {app: w}
  ports:
  - {name: http, port: 80}
`,
      );
      const r = await lintYaml({ 'm.yaml': text });
      const w = workload(r, 'inj/w');
      expect(w.kind).toBe(kind);
      expect(w.sidecar.state).toBe('none');
      expect(
        r.result
          .mesh()
          .services.find((s) => s.name === 'w')!
          .workloads.map((x) => x.name),
      ).toEqual(['w']);
    },
  );
});

describe('namespaces the inputs do not define', () => {
  const strict = docs(
    namespace('foo', { 'istio-injection': 'enabled' }),
    app('foo', 'httpbin'),
    peerAuthentication('foo', 'default', { mode: 'STRICT' }),
  );
  // A caller in "payments", which no Namespace manifest defines.
  const caller = app('payments', 'billing', { noService: true, calls: 'httpbin.foo:8000' });

  it('assumes no sidecar, says so in an unknown-injection info, and lowers the severity of what rests on it', async () => {
    const r = await lintYaml({ 'a.yaml': strict, 'b.yaml': caller });
    const w = workload(r, 'payments/billing');
    expect(w.sidecar).toMatchObject({ state: 'none', certain: false, unknownNamespace: 'payments' });
    const unknown = byRule(r, 'unknown-injection');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: 'info', file: 'b.yaml', line: 5 }); // metadata.namespace line
    expect(unknown[0]!.message).toContain('payments');
    expect(unknown[0]!.message).toContain('assumed no sidecar');
    // The declared caller breaks against STRICT, but that rests on the assumption: warning, not error.
    const strictFindings = byRule(r, 'plaintext-to-strict');
    expect(strictFindings).toHaveLength(1);
    expect(strictFindings[0]!.severity).toBe('warning');
    expect(strictFindings[0]!.message).toContain('payments/billing');
  });

  it('a pod label inject=true in an unknown namespace is assumed injected (1.10+), and the info says so', async () => {
    const r = await lintYaml({
      'a.yaml': strict,
      'b.yaml': app('payments', 'billing', {
        noService: true,
        calls: 'httpbin.foo:8000',
        podLabels: { 'sidecar.istio.io/inject': 'true' },
      }),
    });
    expect(workload(r, 'payments/billing').sidecar).toMatchObject({ state: 'sidecar', certain: false });
    expect(byRule(r, 'unknown-injection')[0]!.message).toContain('assumed a sidecar');
    expect(byRule(r, 'plaintext-to-strict')).toEqual([]);
  });

  it('config `namespaces:` supplies the facts: no assumption, no info, full severity', async () => {
    const enabled = await lintYaml(
      { 'a.yaml': strict, 'b.yaml': caller },
      { config: 'namespaces:\n  payments:\n    injection: enabled\n' },
    );
    expect(workload(enabled, 'payments/billing').sidecar).toMatchObject({ state: 'sidecar', certain: true });
    expect(byRule(enabled, 'unknown-injection')).toEqual([]);
    expect(byRule(enabled, 'plaintext-to-strict')).toEqual([]);

    const disabled = await lintYaml(
      { 'a.yaml': strict, 'b.yaml': caller },
      { config: 'namespaces:\n  payments:\n    injection: disabled\n' },
    );
    expect(workload(disabled, 'payments/billing').sidecar).toMatchObject({ state: 'none', certain: true });
    expect(byRule(disabled, 'unknown-injection')).toEqual([]);
    expect(byRule(disabled, 'plaintext-to-strict').map((f) => f.severity)).toEqual(['error']);

    const revision = await lintYaml(
      { 'a.yaml': strict, 'b.yaml': caller },
      { config: 'namespaces:\n  payments:\n    revision: canary\n' },
    );
    expect(sidecarOf(revision, 'payments/billing')).toBe('sidecar');
    const ambient = await lintYaml(
      { 'a.yaml': strict, 'b.yaml': caller },
      { config: 'namespaces:\n  payments:\n    ambient: true\n' },
    );
    expect(sidecarOf(ambient, 'payments/billing')).toBe('ambient');
  });

  it('one unknown-injection finding per namespace, naming its workloads', async () => {
    const r = await lintYaml({
      'b.yaml': docs(
        app('payments', 'a', { noService: true }),
        app('payments', 'b', { noService: true }),
        app('orders', 'c', { noService: true }),
      ),
    });
    const unknown = byRule(r, 'unknown-injection');
    expect(unknown).toHaveLength(2);
    const payments = unknown.find((f) => f.message.includes('Namespace payments'))!;
    expect(payments.message).toMatch(/Deployment a, Deployment b/);
    expect(payments.related).toHaveLength(1);
  });

  it('kube-system is known without a manifest: no unknown-injection for it', async () => {
    const r = await lintYaml({ 'k.yaml': pod('kube-system', 'dns') });
    expect(byRule(r, 'unknown-injection')).toEqual([]);
    expect(sidecarOf(r, 'kube-system/dns')).toBe('none');
  });
});
