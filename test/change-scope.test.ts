// PR mode analyses the base as the head with only the servers a change can reach recomputed
// (src/diff/change-scope.ts, AnalyzeHow.reuse). For random changes to a generated mesh, that base must have exactly
// the graph of a full analysis of the base, and the PR report (new findings, transitions) must be the same.
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateMesh, prng } from '../bench/generate.js';
import { compareResults } from '../src/diff/base.js';
import { analyze, type LintResult } from '../src/engine.js';
import type { Edge, Graph } from '../src/graph/graph.js';
import { ParseCache, parseTexts, type Resource } from '../src/load/index.js';
import { changeScope, reachesAllServers } from '../src/diff/change-scope.js';
import { resolveOptions } from '../src/resolve-options.js';
import type { ResolvedOptions } from '../src/options.js';

const options = resolveOptions({ cwd: '/', paths: ['.'], noConfig: true });
// Legacy Policies decide only in 1.4 here (1.5 prefers the generated PeerAuthentications), and auto mTLS and DISABLE
// differ by version: changes are tried under several.
const VERSIONS = ['1.4', '1.5', '1.11', '1.24'].map((istioVersion) =>
  resolveOptions({ cwd: '/', paths: ['.'], noConfig: true, istioVersion }),
);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML documents, edited field by field as a user would
type Doc = Record<string, any>;
type Files = Map<string, string>;

const MODES = ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET'];

/** Edits a pull request could make to one file's documents; each may return false when it does not apply. */
const EDITS: Record<string, (docs: Doc[], rand: () => number, namespaces: string[]) => boolean> = {
  'peer-authentication mode': (docs, rand) =>
    some(docs, 'PeerAuthentication', rand, (d) => {
      d.spec = {
        ...d.spec,
        mtls: {
          mode: pick(
            MODES.filter((m) => m !== d.spec?.mtls?.mode),
            rand,
          ),
        },
      };
    }),
  'port-level mode': (docs, rand) =>
    some(docs, 'PeerAuthentication', rand, (d) => {
      d.spec = {
        ...d.spec,
        selector: d.spec?.selector ?? { matchLabels: { app: 'x' } },
        portLevelMtls: { 8080: { mode: pick(MODES, rand) } },
      };
    }),
  selector: (docs, rand) =>
    some(docs, 'PeerAuthentication', rand, (d) => {
      if (d.spec?.selector) delete d.spec.selector;
      else d.spec = { ...d.spec, selector: { matchLabels: { version: 'v1' } } };
    }),
  'legacy policy peers': (docs, rand) =>
    some(docs, 'Policy', rand, (d) => {
      d.spec = rand() < 0.5 ? { ...d.spec, peers: [{ mtls: {} }] } : { targets: d.spec?.targets };
    }),
  'authorization policy sources': (docs, rand, namespaces) =>
    some(docs, 'AuthorizationPolicy', rand, (d) => {
      d.spec = {
        ...d.spec,
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: [pick(namespaces, rand)] } }] }],
      };
    }),
  'policy moves namespace': (docs, rand, namespaces) =>
    some(docs, 'PeerAuthentication', rand, (d) => {
      d.metadata.namespace = pick([...namespaces, 'istio-system', 'brand-new'], rand);
    }),
  'remove a policy': (docs) => {
    const i = docs.findIndex((d) =>
      ['PeerAuthentication', 'AuthorizationPolicy', 'Policy'].includes(d?.kind),
    );
    if (i < 0) return false;
    docs.splice(i, 1);
    return true;
  },
  'add a policy': (docs, rand, namespaces) => {
    const namespace = pick([...namespaces, 'istio-system'], rand);
    docs.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: `added-${Math.floor(rand() * 1000)}`, namespace },
      spec: { mtls: { mode: pick(['STRICT', 'DISABLE'], rand) } },
    });
    return true;
  },
  'add a legacy policy': (docs, rand, namespaces) => {
    const peers = pick([[{ mtls: {} }], [{ mtls: { mode: 'STRICT' } }]], rand);
    docs.push({
      apiVersion: 'authentication.istio.io/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'default', namespace: pick(namespaces, rand) },
      spec: { peers },
    });
    return true;
  },
  'reorder documents': (docs) => {
    if (docs.length < 2) return false;
    docs.push(docs.shift()!);
    return true;
  },
  // DestinationRules reach the servers whose hosts they match.
  'destination rule tls': (docs, rand) =>
    some(docs, 'DestinationRule', rand, (d) => {
      d.spec = {
        ...d.spec,
        trafficPolicy: { tls: { mode: pick(['DISABLE', 'ISTIO_MUTUAL', 'SIMPLE'], rand) } },
      };
    }),
  'destination rule port': (docs, rand) =>
    some(docs, 'DestinationRule', rand, (d) => {
      const tls = { mode: pick(['DISABLE', 'ISTIO_MUTUAL'], rand) };
      d.spec = {
        ...d.spec,
        trafficPolicy: { portLevelSettings: [{ port: { number: pick([80, 8080, 9090, 9102], rand) }, tls }] },
      };
    }),
  'destination rule host': (docs, rand, namespaces) =>
    some(docs, 'DestinationRule', rand, (d) => {
      d.spec = {
        ...d.spec,
        host: pick(
          ['*', '*.local', `*.${pick(namespaces, rand)}.svc.cluster.local`, 'api.example.com'],
          rand,
        ),
      };
    }),
  'destination rule exportTo': (docs, rand, namespaces) =>
    some(docs, 'DestinationRule', rand, (d) => {
      d.spec = {
        ...d.spec,
        exportTo: pick([['.'], ['*'], [pick(namespaces, rand)], ['.', pick(namespaces, rand)]], rand),
      };
    }),
  'add a destination rule': (docs, rand, namespaces) => {
    const namespace = pick([...namespaces, 'istio-system'], rand);
    const host = pick(['*.local', `*.${pick(namespaces, rand)}.svc.cluster.local`, 'users-1'], rand);
    docs.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: `added-${Math.floor(rand() * 1000)}`, namespace },
      spec: { host, trafficPolicy: { tls: { mode: pick(['DISABLE', 'ISTIO_MUTUAL'], rand) } } },
    });
    return true;
  },
  // What the model does not read of a workload or a Service: not a change for it (a new image, replicas, limits).
  'image and replicas': (docs, rand) =>
    some(docs, pick(['Deployment', 'StatefulSet'], rand), rand, (d) => {
      d.spec.replicas = Math.floor(rand() * 5);
      for (const c of d.spec.template?.spec?.containers ?? [])
        c.image = `registry.example.com/app:v${Math.floor(rand() * 9)}`;
    }),
  // Probes and Service labels are read since the kubelet and ServiceMonitors are callers (graph/probes.ts, scrapers.ts).
  'limits and security context': (docs, rand) =>
    some(docs, 'Deployment', rand, (d) => {
      const c = d.spec.template?.spec?.containers?.[0];
      if (c) c.resources = { limits: { cpu: '2', memory: '1Gi' } };
      if (c) c.securityContext = { runAsNonRoot: true };
    }),
  'service annotations': (docs, rand) =>
    some(docs, 'Service', rand, (d) => {
      d.metadata.annotations = { team: pick(['a', 'b'], rand) };
    }),
  // Changes that reach every edge: the base is then analysed in full, which these check as well.
  'destination rule workloadSelector': (docs, rand) =>
    some(docs, 'DestinationRule', rand, (d) => {
      // The workloads behind the rule's own host, as a client class of their namespace.
      d.spec = { ...d.spec, workloadSelector: { matchLabels: { app: String(d.spec?.host).split('.')[0] } } };
    }),
  'namespace injection': (docs, rand) =>
    some(docs, 'Namespace', rand, (d) => {
      d.metadata.labels = { 'istio-injection': pick(['enabled', 'disabled'], rand) };
    }),
  'workload injection': (docs, rand) =>
    some(docs, 'Deployment', rand, (d) => {
      d.spec.template.metadata = {
        ...d.spec.template.metadata,
        annotations: { 'sidecar.istio.io/inject': 'false' },
      };
    }),
  'workload URL': (docs, rand) =>
    some(docs, 'Deployment', rand, (d) => {
      const c = d.spec.template?.spec?.containers?.[0];
      if (c)
        c.env = [
          { name: 'UPSTREAM', value: pick(['http://users-1:80', 'users-2.core-000:8080', 'no'], rand) },
        ];
    }),
  // A Deployment with a schema error (a container without a name) is left out of the model.
  'workload invalid': (docs, rand) =>
    some(docs, 'Deployment', rand, (d) => {
      for (const c of d.spec.template?.spec?.containers ?? []) delete c.name;
    }),
  'service port': (docs, rand) =>
    some(docs, 'Service', rand, (d) => {
      d.spec.ports = [{ name: 'http', port: 80, targetPort: pick([8080, 'http', 9090], rand) }];
    }),
};

function pick<T>(list: readonly T[], rand: () => number): T {
  return list[Math.floor(rand() * list.length)]!;
}

function some(docs: Doc[], kind: string, rand: () => number, edit: (d: Doc) => void): boolean {
  const matching = docs.filter((d) => d?.kind === kind);
  if (!matching.length) return false;
  edit(pick(matching, rand));
  return true;
}

function load(files: Files, cache: ParseCache) {
  const texts = [...files].map(([file, text]) => ({ input: { file }, text }));
  return parseTexts(texts, { namespace: options.namespace, limits: options.limits, cache });
}

/** Everything of an edge that a rule or the comparison reads, as text (objects of either model compare equal). */
function edgeText(e: Edge): string {
  const id = (r?: Resource) => r?.id ?? '';
  const cause = (c?: { resource: Resource; path: readonly (string | number)[]; description: string }) =>
    c ? `${id(c.resource)}@${c.path.join('.')}:${c.description}` : '';
  const c = e.client;
  const s = e.server;
  return JSON.stringify([
    [
      c.namespace,
      c.name,
      c.kind,
      c.sidecar,
      c.standIn,
      id(c.workload?.resource),
      c.members?.map((m) => id(m.resource)),
    ],
    [s.namespace, s.service, s.port, s.standIn, id(s.serviceRef?.resource), s.servicePort?.index],
    [e.caller, e.evidence.kind, e.evidence.description, id(e.evidence.resource), e.evidence.path?.join('.')],
    [e.outcome, e.clientTls, e.serverMode],
    e.connections.map((x) => [
      id(x.serverWorkload?.resource),
      x.targetPort,
      [x.client.mode, x.client.explanation, cause(x.client.cause)],
      [
        x.server.mode,
        x.server.level,
        x.server.explanation,
        cause(x.server.cause),
        x.server.ambiguousWith?.map(id),
      ],
      [x.result.outcome, x.result.clientTls, x.result.failure, x.result.explanation],
    ]),
  ]);
}

const graphText = (g: Graph) => [...g.edges.map(edgeText), ...g.unresolved];

/** What a user sees of a PR-mode run. */
const report = (r: LintResult) => ({ findings: r.findings, suppressed: r.suppressed, summary: r.summary });

describe('PR mode: the base made from the head', () => {
  const mesh = generateMesh({ workloads: 120, seed: 7, perNamespace: 12 });
  const headFiles: Files = new Map(mesh.files.map((f) => [f.path, f.text]));
  const namespaces = [...new Set(mesh.files.map((f) => f.path.split('/')[0]!))].filter(
    (n) => n !== 'istio-system',
  );
  const policyFiles = mesh.files
    .map((f) => f.path)
    .filter((p) => /(security|namespace|traffic)\.yaml$/.test(p));
  const appFiles = mesh.files.map((f) => f.path).filter((p) => /apps-\d+\.yaml$/.test(p));

  it('has the full analysis’s graph and gives the same report, for random changes', () => {
    const rand = prng(20261126);
    const counts = { reused: 0, effective: 0, root: 0, full: 0 };
    const names = Object.keys(EDITS);
    // The head never changes: parsed and analysed once per Istio version (analysis reads it, never changes it).
    const cache = new ParseCache();
    const head = load(headFiles, cache);
    const headResults = new Map<ResolvedOptions, LintResult>();
    for (let run = 0; run < 100; run++) {
      // The head is what it is; the base is a random earlier version of one or two files.
      const baseFiles: Files = new Map(headFiles);
      const edits: string[] = [];
      const wanted = 1 + Math.floor(rand() * 2);
      while (edits.length < wanted) {
        const name = names[Math.floor(rand() * names.length)]!;
        const onApps = /image|limits|service|workload/.test(name);
        const file = pick(onApps ? appFiles : policyFiles, rand);
        const docs = parseAllDocuments(baseFiles.get(file)!).map((d) => d.toJS() as Doc);
        if (!EDITS[name]!(docs, rand, namespaces)) continue;
        baseFiles.set(file, docs.map((d) => stringify(d)).join('---\n'));
        edits.push(`${name} in ${file}`);
      }
      const options = edits.some((e) => e.includes('legacy')) ? VERSIONS[0]! : VERSIONS[1 + (run % 3)]!;
      const base = load(baseFiles, cache);
      let headResult = headResults.get(options);
      if (!headResult) headResults.set(options, (headResult = analyze(head, options)));
      const scope = changeScope(base.resources, head.resources);
      if (!scope) {
        counts.full++;
        continue;
      }
      if (reachesAllServers(scope, headResult.mesh().settings.rootNamespace)) {
        counts.root++;
        continue;
      }
      counts.reused++;
      const full = analyze(base, options, undefined, { forComparison: true });
      const reused = analyze(base, options, undefined, {
        forComparison: true,
        reuse: { from: headResult, scope },
      });
      const what = `${edits.join(', ')} (Istio ${options.istioVersion.text})`;
      if (graphText(full.graph()).join('\n') !== graphText(headResult.graph()).join('\n')) counts.effective++;
      expect(graphText(reused.graph()), what).toEqual(graphText(full.graph()));
      expect(reused.graph().derivedFrom?.graph, what).toBe(headResult.graph());
      for (const showAll of [false, true])
        expect(report(compareResults(reused, headResult, options, showAll)), what).toEqual(
          report(compareResults(full, headResult, options, showAll)),
        );
    }
    // About half the changes here reuse the head (policies outside the root namespace, DestinationRules, what the
    // model does not read of workloads and Services); the rest are checked too.
    expect(counts.reused).toBeGreaterThan(35);
    // …and half of those change edges, so a server left out of the scope would show.
    expect(counts.effective).toBeGreaterThan(20);
    expect(counts.full + counts.root).toBeGreaterThan(5);
  });

  it('reaches only the namespaces of changed policies, and falls back for anything else', () => {
    const cache = new ParseCache();
    const head = load(headFiles, cache);
    const edited = (file: string, from: string, to: string) => {
      const files: Files = new Map(headFiles);
      expect(files.get(file)).toContain(from);
      files.set(file, files.get(file)!.replace(from, to));
      return changeScope(load(files, cache).resources, head.resources);
    };
    const namespaceFile = policyFiles.find(
      (p) => p.endsWith('namespace.yaml') && headFiles.get(p)!.includes('mode: '),
    )!;
    const ns = namespaceFile.split('/')[0]!;
    // The Namespace beside the PeerAuthentication is the same document: only the policy changed.
    const strict = edited(
      namespaceFile,
      /mode: \w+/.exec(headFiles.get(namespaceFile)!)![0],
      'mode: STRICT_TYPO',
    );
    expect(strict && [...strict.namespaces]).toEqual([ns]);
    expect(strict!.hosts).toEqual([]);
    expect(strict!.changed.map((r) => r.kind)).toEqual(['PeerAuthentication', 'PeerAuthentication']);
    // Injection, a workload's labels: anything may change.
    expect(
      edited(
        namespaceFile,
        'kind: Namespace\nmetadata:\n',
        'kind: Namespace\nmetadata:\n  annotations: {a: b}\n',
      ),
    ).toBeUndefined();
    // A DestinationRule reaches the hosts it matches, unless it selects workloads (then its namespace's clients split
    // for every host).
    const traffic = policyFiles.find((p) => p.endsWith('traffic.yaml'))!;
    const host = /host: (\S+)/.exec(headFiles.get(traffic)!)![1]!;
    const dr = edited(traffic, 'mode: ', 'mode: X');
    expect(dr && [[...dr.namespaces], dr.hosts]).toEqual([[], [host, host]]);
    expect(
      edited(traffic, `host: ${host}`, `host: ${host}\n  workloadSelector: {matchLabels: {app: a}}`),
    ).toBeUndefined();
    expect(edited(appFiles[0]!, 'app: ', 'app: x')).toBeUndefined();
    // What the model does not read of a Deployment is no change at all.
    const replicas = edited(appFiles[0]!, 'replicas:', 'minReadySeconds: 5\n  replicas:');
    expect(replicas && [replicas.changed, replicas.hosts, [...replicas.namespaces]]).toEqual([[], [], []]);
    // A kind that neither the model nor the graph reads reaches no server.
    const other = edited(
      appFiles[0]!,
      'kind: ServiceAccount\nmetadata:\n',
      'kind: ServiceAccount\nmetadata:\n  labels: {a: b}\n',
    );
    expect(other && [...other.namespaces, ...other.hosts]).toEqual([]);
  });
});
