// Declared inputs, as istioctl's analyzers declare theirs: the mesh model and the graph declare the kinds they read
// (MODEL_INPUTS, GRAPH_INPUTS) and PR mode's change scope follows from those declarations; a rule declares the
// stages it reads (meta.needs) and the engine refuses anything beyond.
import { describe, expect, it } from 'vitest';
import { changeScope } from '../src/diff/change-scope.js';
import { analyze } from '../src/engine.js';
import { GRAPH_INPUTS } from '../src/graph/build.js';
import { ParseCache, parseTexts, type Resource } from '../src/load/index.js';
import { MODEL_INPUTS } from '../src/mesh/build.js';
import { resolveOptions } from '../src/resolve-options.js';
import { defineRule } from '../src/rule.js';
import { RULES } from '../rules/index.js';

const options = resolveOptions({ cwd: '/', paths: ['.'], noConfig: true });

const BASE = {
  'ns.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
`,
  'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
`,
  'pa.yaml': `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
`,
  'dr.yaml': `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: shop}
spec: {host: api.shop.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
`,
  'telemetry.yaml': `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: sampling, namespace: shop}
spec: {tracing: [{randomSamplingPercentage: 10}]}
`,
  'cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {upstream: "http://api.shop:80"}
`,
};

function load(files: Record<string, string>, cache: ParseCache): Resource[] {
  const texts = Object.entries(files).map(([file, text]) => ({ input: { file }, text }));
  return parseTexts(texts, { namespace: options.namespace, limits: options.limits, cache }).resources;
}

/** The change scope of editing one file of BASE. */
function scopeOf(file: keyof typeof BASE, from: string, to: string) {
  const cache = new ParseCache();
  const base = load(BASE, cache);
  const edited = BASE[file].replace(from, to);
  expect(edited, `the edit of ${file} applies`).not.toBe(BASE[file]);
  return changeScope(base, load({ ...BASE, [file]: edited }, cache));
}

describe('PR-mode change scope follows the declared inputs', () => {
  it('declares each kind the model and the graph read, with a reader', () => {
    const kinds = [...MODEL_INPUTS, ...GRAPH_INPUTS].flatMap((i) => i.kinds);
    for (const kind of [
      'Deployment',
      'Service',
      'Namespace',
      'PeerAuthentication',
      'DestinationRule',
      'ConfigMap',
    ])
      expect(kinds).toContain(kind);
    for (const input of [...MODEL_INPUTS, ...GRAPH_INPUTS]) expect(input.reader.length).toBeGreaterThan(10);
  });

  it('a PeerAuthentication (reach: namespace) reaches the servers of its namespace', () => {
    const scope = scopeOf('pa.yaml', 'PERMISSIVE', 'STRICT');
    expect(scope && [...scope.namespaces]).toEqual(['shop']);
    expect(scope?.hosts).toEqual([]);
  });

  it('a DestinationRule (reach: hosts) reaches the servers of its host', () => {
    const scope = scopeOf('dr.yaml', 'ISTIO_MUTUAL', 'DISABLE');
    expect(new Set(scope?.hosts)).toEqual(new Set(['api.shop.svc.cluster.local'])); // the base's and the head's rule
    expect(scope && [...scope.namespaces]).toEqual([]);
  });

  it('a DestinationRule with a workloadSelector reaches everything (no scope: the base is analysed in full)', () => {
    expect(
      scopeOf('dr.yaml', 'spec: {host:', 'spec: {workloadSelector: {matchLabels: {app: api}}, host:'),
    ).toBe(undefined);
  });

  it('a ConfigMap (read by the graph for URLs) and a Service reach everything', () => {
    expect(scopeOf('cm.yaml', 'http://api.shop:80', 'http://api.shop:81')).toBe(undefined);
    expect(scopeOf('app.yaml', 'port: 80,', 'port: 81,')).toBe(undefined);
  });

  it('a kind nothing declares (a Telemetry) reaches no server', () => {
    const scope = scopeOf('telemetry.yaml', 'randomSamplingPercentage: 10', 'randomSamplingPercentage: 50');
    expect(scope && [...scope.namespaces]).toEqual([]);
    expect(scope?.hosts).toEqual([]);
    expect(scope?.changed.map((r) => r.kind)).toEqual(['Telemetry', 'Telemetry']);
  });
});

describe('rules declare the stages they read', () => {
  const cache = new ParseCache();
  const inputs = parseTexts(
    Object.entries(BASE).map(([file, text]) => ({ input: { file }, text })),
    { namespace: options.namespace, limits: options.limits, cache },
  );

  it('every rule runs within its declaration', () => {
    expect(() => analyze(inputs, options, RULES)).not.toThrow();
  });

  it('the engine refuses a read beyond meta.needs', () => {
    const greedy = defineRule({
      meta: { id: 'greedy', defaultSeverity: 'info', summary: 'reads the graph', docs: '', needs: ['mesh'] },
      check(context) {
        if (context.graph.edges.length) context.report({ message: 'edges' });
      },
    });
    expect(() => analyze(inputs, options, [greedy])).toThrow(
      /rule greedy reads the graph stage, which its meta.needs does not declare/,
    );
    const declared = defineRule({ ...greedy, meta: { ...greedy.meta, needs: ['graph'] } });
    expect(analyze(inputs, options, [declared]).findings.map((f) => f.message)).toEqual(['edges']);
  });
});
