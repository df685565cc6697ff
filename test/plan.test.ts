// `mtls-lint plan`: every plan is applied step by step, the way kubectl would (--out-dir's directories, apply then
// delete), and the real CLI (`mtls-lint graph -f json`) is run on the state after each step: its connections must be
// the counts the plan reports, and no declared or inferred caller may get worse at any step.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/mesh.js';
import { tempDir } from './helpers/tmp.js';
import {
  applyStepDir,
  countsOf,
  docsOf,
  stateOf,
  stateYaml,
  worsened,
  yamlFilesUnder,
  type ClusterState,
  type GraphEdgeJson,
} from './helpers/plan.js';
import { goRead } from './helpers/goyaml.js';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');

interface PlanJson {
  version: number;
  istioVersion: string;
  before: Record<string, number>;
  steps: {
    n: number;
    title: string;
    why: string;
    changes: {
      action: string;
      kind: string;
      apiVersion: string;
      namespace?: string;
      name: string;
      manifest: Record<string, unknown>;
    }[];
    checks: { text: string; queries?: string[]; possibleVictims?: string[] }[];
    after: Record<string, number>;
  }[];
  blockers: { kind: string; client: string; server: string; reason: string; fix: string }[];
  exceptions: {
    namespace: string;
    workload: string;
    port?: number;
    level: string;
    policy: { kind: string; name: string };
  }[];
}

async function graphOf(state: ClusterState, version: string[]): Promise<GraphEdgeJson[]> {
  const dir = tempDir('plan-state');
  writeFileSync(path.join(dir, 'state.yaml'), stateYaml(state));
  const r = await cli(['graph', '-f', 'json', ...version, '.'], dir);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { edges: GraphEdgeJson[] }).edges;
}

/** Plan with --out-dir, apply every step directory to a copy of the inputs, lint each state with the real CLI. */
async function verifiedPlan(
  input: string,
  args: string[] = [],
): Promise<{ plan: PlanJson; code: number; state: ClusterState; out: string; stdout: string }> {
  const version = args.includes('--istio-version')
    ? ['--istio-version', args[args.indexOf('--istio-version') + 1]!]
    : [];
  const out = tempDir('plan-out');
  const r = await cli(['plan', '-f', 'json', '--out-dir', out, ...args, input], ROOT);
  expect(r.code, r.stderr).not.toBe(2);
  const plan = JSON.parse(r.stdout) as PlanJson;
  const state = stateOf(yamlFilesUnder(path.resolve(ROOT, input)).map((f) => readFileSync(f, 'utf8')));
  let edges = await graphOf(state, version);
  expect(countsOf(edges)).toEqual(plan.before);
  const dirs = readdirSync(out)
    .filter((d) => /^\d\d-/.test(d))
    .sort();
  expect(dirs.length).toBe(plan.steps.length);
  for (const [i, step] of plan.steps.entries()) {
    applyStepDir(state, path.join(out, dirs[i]!));
    const next = await graphOf(state, version);
    expect(countsOf(next), `step ${step.n} ${step.title}`).toEqual(step.after);
    expect(worsened(edges, next), `step ${step.n} ${step.title}`).toEqual([]);
    edges = next;
  }
  return { plan, code: r.code, state, out, stdout: r.stdout };
}

describe('mtls-lint plan on the seed (Istio migration task)', () => {
  it('Istio 1.4: Policy PERMISSIVE, then DestinationRules ISTIO_MUTUAL, then STRICT with a port exception for the uninjected caller', async () => {
    const { plan, code } = await verifiedPlan('examples/migration/0-plaintext', ['--istio-version', '1.4']);
    expect(code).toBe(1);
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Servers accept mTLS as well as plaintext (PERMISSIVE)',
      'Clients with a sidecar send mTLS',
      'STRICT in namespace bar',
      'STRICT in namespace foo (1 exception)',
    ]);
    expect(
      plan.steps[0]!.changes.every(
        (c) => c.kind === 'Policy' && c.apiVersion === 'authentication.istio.io/v1alpha1',
      ),
    ).toBe(true);
    const dr = plan.steps[1]!.changes.find((c) => c.namespace === 'foo' && c.kind === 'DestinationRule')!;
    expect(dr.manifest).toMatchObject({
      spec: { host: 'httpbin.foo.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    expect(plan.before).toEqual({ mtls: 0, plaintext: 3, broken: 0, tls: 0 });
    expect(plan.steps[1]!.after).toEqual({ mtls: 2, plaintext: 1, broken: 0, tls: 0 });
    expect(plan.exceptions).toEqual([
      expect.objectContaining({
        namespace: 'foo',
        workload: 'httpbin',
        port: 80,
        level: 'port',
        because: ['legacy/sleep → httpbin.foo:8000'],
      }),
    ]);
    const exception = plan.steps[3]!.changes.find((c) => c.name === 'httpbin-permissive')!;
    expect(exception.manifest).toMatchObject({
      spec: {
        targets: [{ name: 'httpbin', ports: [{ number: 8000 }] }],
        peers: [{ mtls: { mode: 'PERMISSIVE' } }],
      },
    });
    expect(plan.blockers).toEqual([
      expect.objectContaining({
        kind: 'uninjected-caller',
        client: 'legacy/sleep',
        server: 'httpbin.foo:8000',
      }),
    ]);
    expect(plan.blockers[0]!.fix).toMatch(
      /istio-injection=enabled.*sidecar\.istio\.io\/inject.*restart.*kubectl rollout restart deployment\/sleep -n legacy/,
    );
  });

  it('newest Istio: no DestinationRule step (auto mTLS), STRICT per namespace, then mesh-wide in the root namespace', async () => {
    const { plan, code } = await verifiedPlan('examples/migration/0-plaintext');
    expect(code).toBe(1);
    expect(plan.steps.map((s) => s.title)).toEqual([
      'STRICT in namespace bar',
      'STRICT in namespace foo (1 exception)',
      'STRICT mesh-wide (root namespace istio-system)',
    ]);
    const last = plan.steps[2]!;
    expect(last.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`)).toEqual([
      'add PeerAuthentication istio-system/default',
      'remove PeerAuthentication bar/default',
      'remove PeerAuthentication foo/default',
    ]);
    const exception = plan.steps[1]!.changes.find((c) => c.name === 'httpbin-permissive')!;
    expect(exception.manifest).toMatchObject({
      spec: {
        selector: { matchLabels: { app: 'httpbin' } },
        portLevelMtls: { '80': { mode: 'PERMISSIVE' } },
      },
    });
    expect(last.after).toEqual({ mtls: 2, plaintext: 1, broken: 0, tls: 0 });
  });

  it.each([[[]], [['--istio-version', '1.4']]])(
    '--allow-injection %j: the legacy caller gets a sidecar, nothing is left PERMISSIVE, and a plan for the result is empty',
    async (version) => {
      const { plan, code, state } = await verifiedPlan('examples/migration/0-plaintext', [
        '--allow-injection',
        ...version,
      ]);
      expect(code).toBe(0);
      expect(plan.blockers).toEqual([]);
      expect(plan.exceptions).toEqual([]);
      const inject = plan.steps.find((s) => s.title.startsWith('Inject'))!;
      expect(inject.changes).toEqual([
        expect.objectContaining({ action: 'modify', kind: 'Namespace', name: 'legacy' }),
      ]);
      expect(inject.checks[0]!.text).toContain('kubectl rollout restart deployment/sleep -n legacy');
      expect(plan.steps.at(-1)!.after).toMatchObject({ plaintext: 0, broken: 0 });
      // Already STRICT everywhere: an empty plan, exit 0.
      const dir = tempDir('plan-done');
      writeFileSync(path.join(dir, 'state.yaml'), stateYaml(state));
      const again = await cli(['plan', '-f', 'json', ...version, '.'], dir);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ steps: [], blockers: [], exceptions: [] });
      const stylish = await cli(['plan', ...version, '.'], dir);
      expect(stylish.stdout).toMatch(/^Nothing to do/);
    },
  );
});

describe('mtls-lint plan on the bundled examples', () => {
  const dirs = ['migration', 'migration-legacy'].flatMap((d) =>
    readdirSync(path.join(ROOT, 'examples', d)).map((s) => `examples/${d}/${s}`),
  );
  it.each(dirs.flatMap((d) => ['1.4', '1.5', '1.30'].map((v) => [d, v] as const)))(
    '%s with Istio %s: every step keeps known callers working and reports what the CLI sees',
    async (dir, version) => {
      const { plan } = await verifiedPlan(dir, ['--istio-version', version]);
      // Deterministic: the same plan twice.
      const again = await cli(['plan', '-f', 'json', '--istio-version', version, dir], ROOT);
      expect(JSON.parse(again.stdout)).toEqual(plan);
    },
  );

  it('Istio 1.5: the legacy Policies become PeerAuthentications first (the convert conversion), changing no connection', async () => {
    const { plan } = await verifiedPlan('examples/migration-legacy/2-client-mtls', [
      '--istio-version',
      '1.5',
    ]);
    const first = plan.steps[0]!;
    expect(first.title).toBe('Replace legacy Policies with PeerAuthentications');
    expect(first.changes.map((c) => `${c.action} ${c.kind}`).sort()).toEqual([
      'add PeerAuthentication',
      'remove Policy',
    ]);
    expect(first.after).toEqual(plan.before);
  });

  it('Istio 1.6+: legacy Policies are ignored, and the last step removes them', async () => {
    const { plan } = await verifiedPlan('examples/migration-legacy/2-client-mtls');
    const last = plan.steps.at(-1)!;
    expect(last.title).toBe('Remove the legacy Policies Istio no longer reads');
    expect(last.changes.every((c) => c.action === 'remove' && c.kind === 'Policy')).toBe(true);
  });

  it('an input that is already broken: the plan never makes it worse and names the broken caller as a blocker', async () => {
    const { plan, code } = await verifiedPlan('examples/migration/3-strict');
    expect(plan.before.broken).toBe(1);
    expect(code).toBe(1);
    expect(plan.blockers.map((b) => `${b.kind} ${b.client} → ${b.server}`)).toEqual([
      'uninjected-caller legacy/sleep → httpbin.foo:8000',
    ]);
  });
});

const CONVERSION_BLOCKED = `
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: foo}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: foo}
spec: {peers: [{mtls: {mode: PERMISSIVE}}]}
---
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: ext, namespace: foo}
spec: {targets: [{name: ext}], peers: [{mtls: {}}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: foo}
spec: {ports: [{name: http, port: 80}]}
`;

const DR_BLOCKED = `
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bar, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: foo}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: foo}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: foo}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}, annotations: {sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: foo}
spec: {selector: {app: db}, ports: [{name: tcp, port: 5432}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: client
  namespace: bar
  annotations: {mtls-lint.io/calls: "web.foo:80,db.foo:5432"}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: client}]}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: foo-plaintext, namespace: bar}
spec:
  host: "*.foo.svc.cluster.local"
  trafficPolicy: {tls: {mode: DISABLE}}
`;

describe('blockers', () => {
  it('Istio 1.5: a Policy the conversion cannot make a PeerAuthentication of is a blocker; no conversion step', async () => {
    const dir = tempDir('plan-conv');
    writeFileSync(path.join(dir, 'mesh.yaml'), CONVERSION_BLOCKED);
    const r = await cli(['plan', '-f', 'json', '--istio-version', '1.5', '.'], dir);
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan.steps.map((s) => s.title)).not.toContain('Replace legacy Policies with PeerAuthentications');
    expect(plan.blockers).toEqual([
      expect.objectContaining({
        kind: 'conversion',
        server: 'Policy foo/ext',
        reason: expect.stringContaining('Service foo/ext has no selector'),
      }),
    ]);
  });

  it('Istio 1.4: a wildcard DestinationRule that pins plaintext for a host with an uninjected server stays; a host rule beside it sends mTLS to the other, which goes STRICT without exception', async () => {
    const dir = tempDir('plan-dr');
    writeFileSync(path.join(dir, 'mesh.yaml'), DR_BLOCKED);
    const out = tempDir('plan-dr-out');
    const r = await cli(['plan', '-f', 'json', '--istio-version', '1.4', '--out-dir', out, '.'], dir);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan.blockers).toEqual([]);
    expect(plan.exceptions).toEqual([]);
    const changes = plan.steps.flatMap((s) =>
      s.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`),
    );
    expect(changes).toContain('add DestinationRule bar/web-foo-mtls');
    expect(changes.filter((c) => c.includes('foo-plaintext'))).toEqual([]);
    // Verified as the others: apply each step and read the graph with the CLI.
    const state = stateOf([DR_BLOCKED]);
    let edges = await graphOf(state, ['--istio-version', '1.4']);
    const dirs = readdirSync(out)
      .filter((d) => /^\d\d-/.test(d))
      .sort();
    for (const [i, step] of plan.steps.entries()) {
      applyStepDir(state, path.join(out, dirs[i]!));
      const next = await graphOf(state, ['--istio-version', '1.4']);
      expect(countsOf(next)).toEqual(step.after);
      expect(worsened(edges, next)).toEqual([]);
      edges = next;
    }
  });

  it('newest Istio: with auto mTLS the DISABLE DestinationRule goes (plaintext stays only where there is no sidecar)', async () => {
    const dir = tempDir('plan-dr');
    writeFileSync(path.join(dir, 'mesh.yaml'), DR_BLOCKED);
    const r = await cli(['plan', '-f', 'json', '.'], dir);
    const plan = JSON.parse(r.stdout) as PlanJson;
    const step = plan.steps.find((s) => s.title === 'Clients with a sidecar send mTLS')!;
    expect(step.changes).toEqual([
      expect.objectContaining({ action: 'modify', kind: 'DestinationRule', name: 'foo-plaintext' }),
    ]);
    expect(step.changes[0]!.manifest).toMatchObject({ spec: { trafficPolicy: {} } });
    expect(JSON.stringify(step.changes[0]!.manifest)).not.toContain('DISABLE');
  });
});

// A DestinationRule with tls SIMPLE and a credentialName (no workloadSelector): Istio 1.7+ sidecars originate no TLS
// for it and send plaintext. The plan must turn that tls into Istio mTLS, not write a field into credentialName.
const CREDENTIAL_NAME = (autoMtls: boolean) => `
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    enableAutoMtls: ${autoMtls}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
  namespace: foo
  annotations: {mtls-lint.io/calls: "httpbin.foo:80"}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: sleep}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin-tls, namespace: foo}
spec:
  host: httpbin.foo.svc.cluster.local
  trafficPolicy:
    tls: {mode: SIMPLE, credentialName: httpbin-credential}
    loadBalancer: {simple: PASSTHROUGH}
`;

describe('DestinationRule with a credentialName (sidecars send plaintext)', () => {
  it.each([true, false])(
    'newest Istio, auto mTLS %s: the tls becomes Istio mTLS, the caller sends mTLS and STRICT needs no exception; planning again finds nothing to do',
    async (autoMtls) => {
      const dir = tempDir('plan-credential');
      writeFileSync(path.join(dir, 'mesh.yaml'), CREDENTIAL_NAME(autoMtls));
      const { plan, code, state } = await verifiedPlan(dir);
      expect(code).toBe(0);
      expect(plan.blockers).toEqual([]);
      expect(plan.exceptions).toEqual([]);
      const step = plan.steps.find((s) => s.title === 'Clients with a sidecar send mTLS')!;
      expect(step.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`)).toEqual([
        'modify DestinationRule foo/httpbin-tls',
      ]);
      const trafficPolicy = (step.changes[0]!.manifest.spec as Record<string, unknown>).trafficPolicy;
      expect(trafficPolicy).toEqual({
        loadBalancer: { simple: 'PASSTHROUGH' },
        ...(autoMtls ? {} : { tls: { mode: 'ISTIO_MUTUAL' } }),
      });
      const edges = await graphOf(state, []);
      expect(
        edges
          .filter((e) => e.caller !== 'possible')
          .map(
            (e) =>
              `${e.client.namespace}/${e.client.workload} → ${e.server.service}.${e.server.namespace}:${e.server.port} ${e.outcome}`,
          ),
      ).toEqual(['foo/sleep → httpbin.foo:80 mtls']);
      const again = tempDir('plan-credential-again');
      writeFileSync(path.join(again, 'state.yaml'), stateYaml(state));
      const r = await cli(['plan', '-f', 'json', '.'], again);
      expect((JSON.parse(r.stdout) as PlanJson).steps.map((s) => s.title)).toEqual([]);
    },
  );
});

// Auto mTLS reads the mesh-wide DISABLE and sends plaintext to every endpoint, so removing the DestinationRule's
// DISABLE changes nothing until the namespace is STRICT; afterwards it is what lets sidecar clients reach httpbin.
const MESH_DISABLE = `
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: httpbin-v1-peers, namespace: legacy}
spec:
  selector: {matchLabels: {app: httpbin, version: v1}}
  mtls: {mode: PERMISSIVE}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: legacy}
spec:
  selector: {matchLabels: {app: httpbin, version: v1}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{name: http, containerPort: 80}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-host, namespace: legacy}
spec:
  selector: {matchLabels: {app: httpbin, version: v2}}
  template:
    metadata: {labels: {app: httpbin, version: v2}}
    spec:
      hostNetwork: true
      containers: [{name: httpbin, image: httpbin, ports: [{name: http, containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: legacy}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 9080, targetPort: http}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin-plaintext, namespace: legacy}
spec:
  host: httpbin.legacy.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
`;

describe('auto mTLS behind a mesh-wide DISABLE', () => {
  it('newest Istio: the DestinationRule DISABLE goes once the namespace is STRICT, and planning the result again finds nothing to do', async () => {
    const dir = tempDir('plan-mesh-disable');
    writeFileSync(path.join(dir, 'mesh.yaml'), MESH_DISABLE);
    const { plan, state } = await verifiedPlan(dir);
    expect(plan.steps.map((s) => s.title)).toEqual([
      'STRICT in namespace legacy',
      'Clients with a sidecar send mTLS',
      'STRICT mesh-wide (root namespace istio-system)',
    ]);
    expect(plan.steps[1]!.changes.map((c) => `${c.action} ${c.kind} ${c.namespace}/${c.name}`)).toEqual([
      'modify DestinationRule legacy/httpbin-plaintext',
    ]);
    const again = tempDir('plan-mesh-disable-again');
    writeFileSync(path.join(again, 'state.yaml'), stateYaml(state));
    const r = await cli(['plan', '-f', 'json', '.'], again);
    expect((JSON.parse(r.stdout) as PlanJson).steps.map((s) => s.title)).toEqual([]);
  });
});

describe('output', () => {
  it('stylish numbers the steps; markdown has the objects and a Mermaid graph of the connections that change', async () => {
    const stylish = await cli(['plan', '--istio-version', '1.4', 'examples/migration/0-plaintext'], ROOT);
    expect(stylish.stdout).toMatch(/^1\. Servers accept mTLS/m);
    expect(stylish.stdout).toMatch(/^2\. Clients with a sidecar send mTLS/m);
    expect(stylish.stdout).toContain('connection_security_policy="none"');
    const md = await cli(
      ['plan', '-f', 'markdown', '--istio-version', '1.4', 'examples/migration/0-plaintext'],
      ROOT,
    );
    expect(md.stdout).toContain('```mermaid');
    expect(md.stdout).toMatch(/n\d+ -- "plaintext → mtls" --> n\d+/);
    expect(md.stdout).toContain('mode: ISTIO_MUTUAL');
  });

  it('--out-dir writes NN-step/ directories, delete/ and a README with the commands', async () => {
    const { out } = await verifiedPlan('examples/migration/0-plaintext');
    expect(readdirSync(out).sort()).toEqual([
      '01-strict-bar',
      '02-strict-foo',
      '03-strict-mesh',
      'README.md',
    ]);
    expect(readdirSync(path.join(out, '03-strict-mesh', 'delete')).length).toBe(2);
    const readme = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('kubectl apply -f 03-strict-mesh/');
    expect(readme).toContain('kubectl delete -f 03-strict-mesh/delete/');
  });

  it('the YAML it writes reads the same in go-yaml v2 (kubectl) as in YAML 1.2', async () => {
    const dir = tempDir('plan-yaml11');
    // Values that YAML 1.1 reads as booleans or numbers: they must come out quoted.
    writeFileSync(
      path.join(dir, 'mesh.yaml'),
      // On the DestinationRule the plan modifies: the written object carries them.
      DR_BLOCKED.replace(
        'metadata: {name: foo-plaintext, namespace: bar}',
        'metadata: {name: foo-plaintext, namespace: bar, labels: {"on": "yes", "y": "n", octal: "0777", sexagesimal: "1:20", date: "2001-01-01", under: "1_000", hex: "0x1F", tilde: "~", "off": "Off"}}',
      ),
    );
    const out = tempDir('plan-yaml11-out');
    await cli(['plan', '--allow-injection', '--out-dir', out, '.'], dir);
    const files = readdirSync(out, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readFileSync(path.join(out, f), 'utf8'));
    expect(files.length).toBeGreaterThan(0);
    const go = goRead(files);
    files.forEach((text, i) => {
      // YAML 1.2 (the yaml package's default), YAML 1.1 (what kubectl's go-yaml v2 implements) and go-yaml itself.
      expect(go[i]!.docs.map((d) => d.json)).toEqual(docsOf(text));
      const yaml11 = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as unknown);
      expect(yaml11.filter((d) => d !== null)).toEqual(docsOf(text));
    });
    const dr = files.find((t) => t.includes('name: foo-plaintext'))!;
    expect(docsOf(dr)[0]).toMatchObject({
      metadata: {
        labels: {
          on: 'yes',
          y: 'n',
          octal: '0777',
          sexagesimal: '1:20',
          date: '2001-01-01',
          under: '1_000',
          hex: '0x1F',
          tilde: '~',
          off: 'Off',
        },
      },
    });
  });

  it('--scope namespace plans only those namespaces and never goes mesh-wide; a bad scope is exit 2', async () => {
    const { plan } = await verifiedPlan('examples/migration/0-plaintext', ['--scope', 'namespace', 'foo']);
    expect(plan.steps.map((s) => s.title)).toEqual(['STRICT in namespace foo (1 exception)']);
    const bad = await cli(['plan', '--scope', 'cluster', 'examples/migration/0-plaintext'], ROOT);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope "cluster" must be mesh or namespace');
  });
});

describe('README', () => {
  it('shows the plan the CLI generates for the seed (kept in sync)', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block =
      /<!-- plan:start -->\n```\n\$ npx mtls-lint (plan [^\n]*)\n([\s\S]*?)```\n<!-- plan:end -->/.exec(
        readme,
      );
    expect(block, 'README has the plan block').not.toBeNull();
    const r = await cli(block![1]!.split(' '), ROOT);
    expect(block![2]).toBe(r.stdout);
  });
});
