// unmatched-target: a selector, host, subset or Policy target that matches nothing in the inputs (issue 7).
import { expect, describe, it } from 'vitest';
import { app, destinationRule, docs, namespace } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';
import { FIXTURES, hygiene, only, pos } from './hygiene.js';

const defaulted = `${FIXTURES}/unmatched-defaulted`;
const defaultedPol = `${defaulted}/policies.yaml`;
const DEFAULTED_MESSAGE = [
  'matches no workload in shop (workloads there: auth app=auth)',
  'unless orders, which matches it but has no metadata.namespace (this run placed it in default)',
  'run mtls-lint with -n shop',
];

// Two selectors into a namespace the inputs hold no workloads of (property-invariance, seed -1027047990): the info
// lists them and points at the first in the same order whether they are in one file or split over several.
const paInBar = (name: string, app: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: bar
spec:
  selector:
    matchLabels:
      app: ${app}
  mtls:
    mode: STRICT
`;
const SOME_WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: foo
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: example.com/web:1
`;
const UNCHECKED_BAR = [
  'Could not check 2 references into namespace bar',
  '(PeerAuthentication bar/a-first selector app=a; PeerAuthentication bar/b-second selector app=b)',
];

ruleTests('unmatched-target', {
  valid: [
    {
      name: 'told where manifests without metadata.namespace go (-n shop), the policies select them',
      fixture: defaulted,
      namespace: 'shop',
    },
  ],
  invalid: [
    {
      // Istio's samples/multicluster/expose-istiod-https.yaml linted with the addons: istiod exists in every mesh.
      name: 'a host of the Istio installation (istiod, its gateways) is not "no Service" because addons of its namespace are in the inputs',
      fixture: `test/fixtures/precision/installation`,
      findings: [
        {
          severity: 'info',
          file: `test/fixtures/precision/installation/remote-control-plane.yaml`,
          line: 6,
          message: [
            'Could not check 2 references to Services of the Istio installation',
            'host istiod.istio-system.svc.cluster.local (istiod is a Service of the Istio installation in istio-system',
            'istio-eastwestgateway.istio-system.svc.cluster.local',
            'istioctl manifest generate',
          ],
        },
      ],
    },
    {
      name: 'with the installation in the inputs, a gateway host of istio-system that no Service has is an info (installed apart)',
      fixture: `test/fixtures/precision/installation-present`,
      findings: [
        {
          severity: 'info',
          line: 23,
          message: [
            'the inputs hold other Services of namespace istio-system but not these',
            'host istio-eastwestgateway.istio-system.svc.cluster.local',
          ],
        },
      ],
    },
    {
      name: 'a host within two edits of a Service of its namespace is a typo: warning with the name meant',
      files: {
        'a.yaml': docs(
          namespace('foo', { 'istio-injection': 'enabled' }),
          app('foo', 'httpbin'),
          destinationRule('foo', 'httpbin', 'httbin.foo.svc.cluster.local', { tls: 'ISTIO_MUTUAL' }),
        ),
      },
      findings: [
        {
          severity: 'warning',
          message: [
            'host httbin.foo.svc.cluster.local matches no Service or ServiceEntry (Services in foo: httpbin)',
            'did you mean httpbin.foo.svc.cluster.local?',
          ],
        },
      ],
    },
    {
      name: 'references it cannot check are listed by resource, not by input order (one file, b before a)',
      files: {
        'all.yaml': `${SOME_WORKLOAD}---\n${paInBar('b-second', 'b')}---\n${paInBar('a-first', 'a')}`,
      },
      findings: [{ severity: 'info', file: 'all.yaml', line: 39, message: UNCHECKED_BAR }],
    },
    {
      name: 'references into a namespace with Services but no workloads in the inputs: says so, not "no Services"',
      files: {
        'all.yaml': `${SOME_WORKLOAD}---\n${paInBar('a-first', 'a')}---
apiVersion: v1
kind: Service
metadata:
  name: a
  namespace: bar
spec:
  selector:
    app: a
  ports:
    - port: 80
`,
      },
      findings: [
        {
          severity: 'info',
          message:
            'Could not check 1 reference into namespace bar: the inputs contain Services but no workloads in namespace bar',
        },
      ],
    },
    {
      name: 'references it cannot check: the same list and anchor with the documents split over files',
      files: {
        'a.yaml': `${SOME_WORKLOAD}---\n${paInBar('a-first', 'a')}`,
        'b.yaml': paInBar('b-second', 'b'),
      },
      findings: [{ severity: 'info', file: 'a.yaml', line: 27, message: UNCHECKED_BAR }],
    },
    {
      name: 'a selector that matches workloads written without metadata.namespace is an info naming -n, not a warning',
      fixture: defaulted,
      findings: [
        { severity: 'info', line: pos(defaultedPol, 'app: orders').line, message: DEFAULTED_MESSAGE },
        { severity: 'info', line: pos(defaultedPol, 'app: orders', 1).line, message: DEFAULTED_MESSAGE },
      ],
    },
  ],
});

describe('unmatched-target', () => {
  const dir = `${FIXTURES}/unmatched`;
  const pol = `${dir}/policies.yaml`;
  const drs = `${dir}/destination-rules.yaml`;

  it('flags PeerAuthentication and AuthorizationPolicy selectors that match no pod template, listing the labels there', async () => {
    const f = await hygiene(dir);
    const pa = only(f, 'unmatched-target', pol, pos(pol, 'app: http-bin'));
    expect(pa.severity).toBe('warning');
    expect(pa.message).toContain(
      'PeerAuthentication foo/httpbin-strict selects app=http-bin, which matches no workload in foo',
    );
    expect(pa.message).toContain('workloads there: httpbin app=httpbin');
    expect(pa.message).toContain('its STRICT applies to nothing');
    const ap = only(f, 'unmatched-target', pol, pos(pol, 'app: htpbin'));
    expect(ap.message).toContain('AuthorizationPolicy foo/allow-sleep selects app=htpbin');
    expect(ap.message).toContain('ALLOW rules apply to nothing');
    // The selector that matches is not reported.
    expect(f.some((x) => x.message.includes('httpbin-ok'))).toBe(false);
  });

  it('says what it could not check when the inputs lack a namespace, instead of guessing', async () => {
    const f = await hygiene(dir);
    const baz = only(f, 'unmatched-target', pol, pos(pol, 'app: worker'));
    expect(baz.severity).toBe('info');
    expect(baz.message).toContain('Could not check 1 reference into namespace baz');
    expect(baz.message).toContain('PeerAuthentication baz/worker selector app=worker');
    const qux = only(f, 'unmatched-target', drs, pos(drs, 'ratings.qux.svc.cluster.local'));
    expect(qux.severity).toBe('info');
    expect(qux.message).toContain('no workloads or Services in namespace qux');
    const external = only(f, 'unmatched-target', drs, pos(drs, 'api.example.com'));
    expect(external.severity).toBe('info');
    expect(external.message).toContain('no ServiceEntry');
  });

  it('flags DestinationRule hosts that match no Service, and dotted short hosts Istio does not expand', async () => {
    const f = await hygiene(dir);
    // Not a near miss of a Service of foo: deployed from elsewhere, or a mistake; the inputs cannot tell.
    const reviews = only(f, 'unmatched-target', drs, pos(drs, 'reviews.foo.svc.cluster.local'));
    expect(reviews.severity).toBe('info');
    expect(reviews.message).toContain('the inputs hold other Services of namespace foo but not these');
    const short = only(f, 'unmatched-target', drs, { line: pos(drs, 'host: httpbin.foo').line, column: 9 });
    expect(short.message).toContain('Istio expands only names without a dot');
    expect(short.message).toContain('write host: httpbin.foo.svc.cluster.local');
    // A host declared by a ServiceEntry is fine.
    expect(f.some((x) => x.message.includes('foo/payments'))).toBe(false);
  });

  it('flags a subset whose labels match none of the host’s pods, not the one that matches', async () => {
    const f = await hygiene(dir);
    const v2 = only(f, 'unmatched-target', drs, pos(drs, 'version: v2'));
    expect(v2.message).toContain(
      'subset v2 (version=v2) matches none of the workloads behind httpbin.foo (httpbin version=v1)',
    );
    expect(v2.message).toContain('503');
    expect(f.filter((x) => x.message.includes('subset v1'))).toHaveLength(0);
  });

  it('checks legacy Policy targets on Istio ≤ 1.5: service ports, port names, missing services, other namespaces', async () => {
    const dirL = `${FIXTURES}/unmatched-legacy`;
    const file = `${dirL}/policies.yaml`;
    const f = (await hygiene(dirL, '1.4')).filter((x) => x.rule === 'unmatched-target');
    const after = (needle: string) => ({
      line: pos(file, needle).line,
      column: pos(file, needle).column + 2,
    });
    const port = only(f, 'unmatched-target', file, after('- number: 80'));
    expect(port.message).toContain(
      'targets port 80 of Service foo/httpbin, which has no such port (ports: http 8000→80)',
    );
    expect(port.message).toContain('did you mean 8000 (http), which targets container port 80?');
    const name = only(f, 'unmatched-target', file, after('- name: grpc'));
    expect(name.message).toContain('a port named "grpc"');
    const missing = only(f, 'unmatched-target', file, {
      line: pos(file, '- name: reviews').line,
      column: pos(file, 'reviews', 1).column,
    });
    expect(missing.message).toContain('there is no Service reviews in foo');
    const cross = only(f, 'unmatched-target', file, pos(file, 'httpbin.bar.svc.cluster.local'));
    expect(cross.message).toContain('only applies a Policy to services of its own namespace (foo)');
    // From 1.6 Policies do nothing at all; deprecated-api and ignored-setting say so, not this rule.
    expect(
      (await hygiene(dirL)).filter((x) => x.rule === 'unmatched-target' && x.file === file),
    ).toHaveLength(0);
  });
});
