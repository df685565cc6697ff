// Arbitraries for the robustness properties: manifest sets that are mostly meaningful (a generated mesh plus the
// kinds and fields the oracle leaves out), then damaged: random values in fields, deleted keys, random YAML
// documents, broken YAML text, odd encodings. Everything here may be invalid; the linter must cope.
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { Config } from '../../src/options.js';
import { renderScenario, type Doc } from './render.js';
import { scenarioArb } from './scenario.js';
import type { TextFile } from './harness.js';
import { WORKLOAD_KINDS, WORKLOAD_NAME_CLASH_OPEN } from './known-bugs.js';

/** Values that have broken parsers, schema code and formatters before. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '*',
  '~',
  'null',
  '8080',
  '-1',
  '0x1F',
  '1e400',
  'STRICT',
  'UNSET',
  'ISTIO_MUTUAL',
  'http-web',
  'a.b.c.d.e',
  '*.local',
  'foo/bar',
  'cluster.local/ns/foo/sa/bar',
  '%0A::error::injected',
  '::set-output name=x::y',
  '<script>alert(1)</script>',
  '| md | table |',
  '`code` **bold** [link](http://x)',
  '${{ github.token }}',
  '$(touch /tmp/pwned)',
  '--upload-pack=touch /tmp/x',
  'line1\nline2',
  'tab\there',
  '\u0000nul',
  '\u202eRTL',
  '😀 emoji',
  'x'.repeat(300),
  '__proto__',
  'constructor',
  'toString',
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      65536,
      2 ** 53,
      [],
      {},
      ...HOSTILE_STRINGS,
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('name', 'port', 'mode', 'number', 'matchLabels', '__proto__', 'app'),
      fc.jsonValue({ maxDepth: 1 }),
      { maxKeys: 3 },
    ),
  },
);

const NS = fc.constantFrom('foo', 'bar', 'legacy', 'default', 'istio-system', 'kube-system', 'unknown-ns');
const APP = fc.constantFrom('httpbin', 'sleep', 'reviews', 'db', 'other');

/** Kinds and fields the oracle scenarios do not produce. */
const extraDoc: fc.Arbitrary<Doc> = fc.oneof(
  fc
    .record({
      ns: NS,
      app: APP,
      action: fc.constantFrom(undefined, 'ALLOW', 'DENY', 'AUDIT', 'CUSTOM'),
      principals: fc.array(fc.constantFrom('cluster.local/ns/foo/sa/sleep', '*', 'cluster.local/ns/*/sa/x'), {
        maxLength: 2,
      }),
      namespaces: fc.array(NS, { maxLength: 2 }),
      notNamespaces: fc.array(NS, { maxLength: 1 }),
      ports: fc.array(fc.constantFrom('80', '8080', 'http'), { maxLength: 2 }),
    })
    .map(({ ns, app, action, principals, namespaces, notNamespaces, ports }) => {
      const source: Doc = {};
      if (principals.length) source.principals = principals;
      if (namespaces.length) source.namespaces = namespaces;
      if (notNamespaces.length) source.notNamespaces = notNamespaces;
      const rule: Doc = { from: [{ source }] };
      if (ports.length) rule.to = [{ operation: { ports } }];
      const spec: Doc = { selector: { matchLabels: { app } }, rules: [rule] };
      if (action) spec.action = action;
      return {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: `authz-${app}`, namespace: ns },
        spec,
      };
    }),
  fc
    .record({
      ns: NS,
      host: fc.constantFrom(
        'httpbin',
        'httpbin.foo',
        'httpbin.foo.svc.cluster.local',
        '*.foo.svc.cluster.local',
        '*.local',
        '*',
        'api.example.com',
      ),
      exportTo: fc.option(
        fc.array(fc.constantFrom('.', '*', 'foo', 'bar', '~'), { minLength: 1, maxLength: 2 }),
      ),
      tls: fc.constantFrom(undefined, 'ISTIO_MUTUAL', 'DISABLE', 'SIMPLE', 'MUTUAL'),
      subsetTls: fc.constantFrom(undefined, 'ISTIO_MUTUAL', 'DISABLE'),
      selector: fc.option(APP),
    })
    .map(({ ns, host, exportTo, tls, subsetTls, selector }) => {
      const spec: Doc = { host };
      if (exportTo) spec.exportTo = exportTo;
      if (tls)
        spec.trafficPolicy = {
          tls:
            tls === 'MUTUAL'
              ? { mode: tls, clientCertificate: '/c.pem', privateKey: '/k.pem' }
              : { mode: tls },
        };
      spec.subsets = [
        {
          name: 'v1',
          labels: { version: 'v1' },
          ...(subsetTls ? { trafficPolicy: { tls: { mode: subsetTls } } } : {}),
        },
      ];
      if (selector) spec.workloadSelector = { matchLabels: { app: selector } };
      return {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `dr-x-${ns}`, namespace: ns },
        spec,
      };
    }),
  // A Service with a named targetPort, a Pod with hostNetwork, revision labels, an unknown namespace.
  fc
    .record({
      ns: NS,
      app: APP,
      hostNetwork: fc.boolean(),
      rev: fc.option(fc.constantFrom('canary', 'default')),
      named: fc.boolean(),
    })
    .map(({ ns, app, hostNetwork, rev, named }) => ({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: app, namespace: ns },
          spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: named ? 'web' : 8080 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-pod`,
            namespace: ns,
            labels: { app, ...(rev ? { 'istio.io/rev': rev } : {}) },
          },
          spec: {
            hostNetwork,
            containers: [{ name: 'c', image: 'x', ports: [{ name: 'web', containerPort: 8080 }] }],
          },
        },
      ],
    })),
  fc
    .record({ ns: NS, rev: fc.option(fc.constantFrom('canary', 'default')), ambient: fc.boolean() })
    .map(({ ns, rev, ambient }) => {
      const labels: Record<string, string> = {};
      if (rev) labels['istio.io/rev'] = rev;
      if (ambient) labels['istio.io/dataplane-mode'] = 'ambient';
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } };
    }),
  fc.record({ root: NS, auto: fc.boolean() }).map(({ root, auto }) => ({
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'installed-state', namespace: 'istio-system' },
    spec: { meshConfig: { enableAutoMtls: auto, rootNamespace: root } },
  })),
  fc.record({ ns: NS, app: APP }).map(({ ns, app }) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: app,
      namespace: ns,
      annotations: {
        'mtls-lint.io/calls': 'httpbin.foo:8000, nope, reviews:9080',
        'mtls-lint.io/ignore': 'plaintext-to-strict',
      },
    },
    spec: {
      serviceName: app,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'x',
              env: [{ name: 'URL', value: 'http://httpbin.foo:8000/get' }],
              args: ['--upstream=reviews.bar.svc.cluster.local:9080'],
            },
          ],
        },
      },
    },
  })),
);

/** Kubernetes-shaped nonsense: a known kind with random contents. */
const KINDS: [string, string][] = [
  ['v1', 'Namespace'],
  ['v1', 'Service'],
  ['v1', 'Pod'],
  ['v1', 'ConfigMap'],
  ['v1', 'List'],
  ['apps/v1', 'Deployment'],
  ['batch/v1', 'CronJob'],
  ['security.istio.io/v1beta1', 'PeerAuthentication'],
  ['security.istio.io/v1', 'AuthorizationPolicy'],
  ['networking.istio.io/v1alpha3', 'DestinationRule'],
  ['authentication.istio.io/v1alpha1', 'Policy'],
  ['authentication.istio.io/v1alpha1', 'MeshPolicy'],
  ['install.istio.io/v1alpha1', 'IstioOperator'],
];

const shapedNonsense: fc.Arbitrary<Doc> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    metadata: hostileValue,
    spec: hostileValue,
    extra: hostileValue,
  })
  .map(({ kind: [apiVersion, kind], metadata, spec, extra }) => ({
    apiVersion,
    kind,
    metadata,
    spec,
    data: extra,
    items: extra,
  }));

/** Change one field somewhere in a document: replace its value, delete it, or add a key next to it. */
export interface Mutation {
  doc: number;
  path: number;
  op: 'replace' | 'delete' | 'add';
  key: string;
  value: unknown;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  doc: fc.nat(),
  path: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('replace', 'replace', 'delete', 'add'),
  key: fc.constantFrom(
    'mode',
    'selector',
    'ports',
    'name',
    'namespace',
    'labels',
    'tls',
    'port',
    'targetPort',
    'exportTo',
    'x',
    '__proto__',
  ),
  value: hostileValue,
});

function allContainers(
  value: unknown,
  out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [],
) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      allContainers(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      allContainers(v, out);
    }
  }
  return out;
}

export function applyMutation(docs: Doc[], m: Mutation): void {
  if (!docs.length) return;
  const doc = docs[m.doc % docs.length]!;
  const slots = allContainers(doc);
  if (!slots.length) return;
  const slot = slots[m.path % slots.length]!;
  const value = structuredClone(m.value);
  if (Array.isArray(slot.parent)) {
    if (m.op === 'delete') slot.parent.splice(slot.key as number, 1);
    else if (m.op === 'add') slot.parent.push(value);
    else slot.parent[slot.key as number] = value;
  } else if (m.op === 'delete') {
    delete slot.parent[slot.key as string];
  } else if (m.op === 'add') {
    Object.defineProperty(slot.parent, m.key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    slot.parent[slot.key as string] = value;
  }
}

/** Text that is not (valid) YAML, or YAML that is not a manifest. */
const junkText: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      ':',
      '-',
      ' ',
      '  ',
      '\n',
      '\t',
      '{',
      '}',
      '[',
      ']',
      '"',
      "'",
      '&a',
      '*a',
      '!',
      '!!str',
      '|',
      '>',
      '#',
      '%',
      '@',
      '`',
      '?',
      ',',
      'k',
      'v',
      '---',
      '...',
      '<<',
    ),
    maxLength: 60,
  }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '---\n',
    '',
    '\n\n',
    'a: 1\na: 2\n',
    'key: !Ref Something\n',
    'base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n',
    'a: &a [*a]\n',
    'kind: Service\n\tapiVersion: v1\n',
    'kind: [Service\n',
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: 12\n',
    'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: []\n',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: foo\n  labels:\n    istio-injection: 7\n',
    '{{ .Values.x }}\n',
    '"unterminated\n',
    'x: "\\u00"\n',
    'a:\n- b\n-c: d\n  e\n',
    '\u0000\u0001\u0002',
    'lol1: &l1 [x, x, x, x, x, x, x, x, x]\nlol2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\nlol3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\nlol4: [*l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3, *l3]\n',
    '['.repeat(300) + ']'.repeat(300) + '\n',
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)),
);

/** Text-level damage to a whole file. */
type Damage =
  | { op: 'none' }
  | { op: 'insert'; at: number; text: string }
  | { op: 'cut'; at: number; length: number }
  | { op: 'crlf' }
  | { op: 'bom' }
  | { op: 'truncate'; at: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Damage>({ op: 'none' }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.constantFrom('\t', ':', '- ', '"', '[', '{', '&x ', '*x', '\n  ', '!', '\u0000', '\r'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('cut' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Damage>({ op: 'crlf' }) },
  { weight: 1, arbitrary: fc.constant<Damage>({ op: 'bom' }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
);

function applyDamage(text: string, d: Damage): string {
  const pos = (n: number) => (text.length ? n % (text.length + 1) : 0);
  switch (d.op) {
    case 'none':
      return text;
    case 'insert':
      return text.slice(0, pos(d.at)) + d.text + text.slice(pos(d.at));
    case 'cut':
      return text.slice(0, pos(d.at)) + text.slice(pos(d.at) + d.length);
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'bom':
      return '\ufeff' + text;
    case 'truncate':
      return text.slice(0, pos(d.at));
  }
}

/** A document in a manifest set: an object to stringify, or raw text. */
export type Piece = { doc: Doc } | { text: string };

function pieceText(p: Piece): string {
  return 'text' in p ? p.text : stringify(p.doc, { lineWidth: 0 });
}

export function filesOf(
  pieces: Piece[],
  assignment: number[],
  fileCount: number,
  names = defaultNames,
): TextFile[] {
  const buckets: string[][] = Array.from({ length: fileCount }, () => []);
  pieces.forEach((p, i) => buckets[(assignment[i] ?? 0) % fileCount]!.push(pieceText(p)));
  return buckets.map((texts, i) => ({ file: names(i), text: joinDocs(texts) }));
}

const defaultNames = (i: number) => (i % 3 === 2 ? `dir${i}/m${i}.yml` : `m${i}.yaml`);

/** Join documents with `---`, making sure each starts on its own line (raw text may lack a final newline). */
function joinDocs(texts: string[]): string {
  return texts.map((t) => (t === '' || t.endsWith('\n') ? t : `${t}\n`)).join('---\n');
}

/** kind/namespace/name of a document and of the items of a List. */
function identities(doc: Doc): string[] {
  if (!doc || typeof doc !== 'object') return [];
  if (doc.kind === 'List' && Array.isArray(doc.items))
    return (doc.items as Doc[]).flatMap((d) => identities(d));
  const meta = (doc.metadata && typeof doc.metadata === 'object' ? doc.metadata : {}) as Record<
    string,
    unknown
  >;
  // Two workloads of different kinds with one name: see WORKLOAD_NAME_CLASH_OPEN.
  const kind = WORKLOAD_NAME_CLASH_OPEN && WORKLOAD_KINDS.has(text(doc.kind)) ? 'workload' : text(doc.kind);
  return [`${kind}/${text(meta.namespace ?? '')}/${text(meta.name ?? '')}`];
}

/** A mutated value as a key: String() throws on e.g. `{ toString: 1 }`, which fc.jsonValue can generate. */
function text(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * Drop documents that define a resource again. Which of two definitions of one object counts is not something the
 * layout properties can hold the engine to (kubectl keeps the last one applied), so they get unique objects.
 */
function withoutDuplicates(docs: Doc[]): Doc[] {
  const seen = new Set<string>();
  return docs.filter((d) => {
    const ids = identities(d);
    if (ids.some((id) => seen.has(id))) return false;
    for (const id of ids) seen.add(id);
    return true;
  });
}

/** A manifest set that is meaningful: a generated mesh plus extra kinds. No damage. */
export function validPiecesArb(options: {
  duplicates: boolean;
}): fc.Arbitrary<{ pieces: Piece[]; config: Config; version: string }> {
  return fc
    .record({
      scenario: scenarioArb(undefined, { entries: true }),
      extras: fc.array(extraDoc, { maxLength: 4 }),
    })
    .map(({ scenario, extras }) => {
      const r = renderScenario(scenario);
      const docs = [...r.docs, ...extras];
      return {
        pieces: (options.duplicates ? docs : withoutDuplicates(docs)).map((doc) => ({ doc })),
        config: r.config,
        version: scenario.version,
      };
    });
}

export interface WildSet {
  files: TextFile[];
  config: Config;
  version: string;
}

/** A manifest set with everything that can go wrong with it (except, optionally, objects defined twice). */
export function wildSetArb(options: { duplicates: boolean } = { duplicates: true }): fc.Arbitrary<WildSet> {
  return fc
    .record({
      base: validPiecesArb(options),
      mutations: fc.array(mutationArb, { maxLength: 4 }),
      nonsense: fc.array(shapedNonsense, { maxLength: 2 }),
      junk: fc.array(junkText, { maxLength: 3 }),
      fileCount: fc.integer({ min: 1, max: 4 }),
      assignment: fc.array(fc.nat(), { maxLength: 40 }),
      damage: fc.array(damageArb, { minLength: 4, maxLength: 4 }),
    })
    .map(({ base, mutations, nonsense, junk, fileCount, assignment, damage }) => {
      const docs = base.pieces.map((p) => structuredClone((p as { doc: Doc }).doc));
      for (const m of mutations) applyMutation(docs, m);
      const extra = options.duplicates
        ? nonsense
        : withoutDuplicates([...docs, ...nonsense]).slice(docs.length);
      const pieces: Piece[] = [
        ...docs.map((doc) => ({ doc })),
        ...extra.map((doc) => ({ doc })),
        ...junk.map((text) => ({ text })),
      ];
      const files = filesOf(pieces, assignment, fileCount).map((f, i) => ({
        file: f.file,
        text: applyDamage(f.text, damage[i] ?? { op: 'none' }),
      }));
      return { files, config: base.config, version: base.version };
    });
}

/** Schema-valid .mtls-lint.yaml contents with hostile strings where the schema allows any string. */
export const configArb: fc.Arbitrary<Config> = fc
  .record(
    {
      callers: fc.array(
        fc.record({
          from: fc.oneof(
            fc.constantFrom('foo/sleep', 'sleep', 'legacy/sleep', 'nowhere/x', '/', 'a/b/c'),
            fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s !== '')),
          ),
          to: fc.oneof(
            fc.constantFrom(
              'httpbin.foo:8000',
              'httpbin',
              'httpbin.foo.svc.cluster.local:80',
              'reviews.bar:9080',
              'http://httpbin.foo/get',
              ':80',
              'x:99999',
            ),
            fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s !== '')),
          ),
        }),
        { maxLength: 3 },
      ),
      namespaces: fc.dictionary(
        fc.constantFrom('foo', 'bar', 'legacy', 'unknown-ns', 'istio-system'),
        fc.record(
          {
            injection: fc.constantFrom<'enabled' | 'disabled'>('enabled', 'disabled'),
            revision: fc.constantFrom('canary', 'default'),
            ambient: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { maxKeys: 2 },
      ),
      mesh: fc.record(
        {
          rootNamespace: fc.constantFrom('istio-system', 'istio-config', 'foo', '*'),
          autoMtls: fc.boolean(),
          injectionPolicy: fc.constantFrom<'enabled' | 'disabled'>('enabled', 'disabled'),
          enableNamespacesByDefault: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      scope: fc.record(
        { excludeServerNamespaces: fc.array(NS, { maxLength: 2 }), includeControlPlane: fc.boolean() },
        { requiredKeys: [] },
      ),
      rules: fc.dictionary(
        fc.constantFrom(
          'plaintext-to-strict',
          'plaintext-accepted',
          'connection-downgrade',
          'invalid-resource',
        ),
        fc.constantFrom<'error' | 'warning' | 'info' | 'off'>('error', 'warning', 'info', 'off'),
        { maxKeys: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((c) => c as Config);
