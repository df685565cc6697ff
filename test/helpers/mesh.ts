// Test helpers for the mesh model, the graph and the connectivity rules: real YAML written to a temporary
// directory, linted through the real pipeline (loader → schema → model → graph → rules), and small readers over
// the result. The builders below only produce YAML text; nothing bypasses parsing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { lint, type LintResult } from '../../src/engine.js';
import { resolveOptions } from '../../src/resolve-options.js';
import { run, type CliIO } from '../../src/cli/main.js';
import type { Edge, EdgeConnection } from '../../src/graph/graph.js';
import type { ServerModeResult, Service, Workload } from '../../src/mesh/model.js';
import type { Finding } from '../../src/types.js';
import { tempDir } from './tmp.js';

export interface Run {
  result: LintResult;
  /** Directory holding the manifests (the working directory of the run). */
  dir: string;
  findings: Finding[];
  edges: Edge[];
}

export interface RunOptions {
  istioVersion?: string;
  /** .mtls-lint.yaml text. */
  config?: string;
  /** Allow schema/YAML findings (by default a test manifest that the schema rejects is a broken test). */
  allowInvalid?: boolean;
}

const INPUT_RULES = new Set(['yaml-syntax', 'input-error', 'invalid-resource']);

/** Write `files` (name → YAML text) to a fresh directory and lint it. */
export async function lintYaml(files: Record<string, string>, opts: RunOptions = {}): Promise<Run> {
  const root = tempDir('mesh');
  const dir = path.join(root, 'manifests');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  let configPath: string | undefined;
  if (opts.config !== undefined) {
    configPath = path.join(root, 'config.yaml');
    writeFileSync(configPath, opts.config);
  }
  return lintPaths(dir, ['.'], { ...opts, configPath });
}

/** Lint existing paths (e.g. the examples) relative to `cwd`. */
export async function lintPaths(
  cwd: string,
  paths: string[],
  opts: RunOptions & { configPath?: string } = {},
): Promise<Run> {
  const options = resolveOptions({
    cwd,
    paths,
    istioVersion: opts.istioVersion,
    configPath: opts.configPath,
    noConfig: opts.configPath === undefined,
  });
  const result = await lint(options);
  if (!opts.allowInvalid) {
    const bad = result.findings.filter((f) => INPUT_RULES.has(f.rule));
    if (bad.length)
      throw new Error(
        `test manifests are invalid:\n${bad.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`).join('\n')}`,
      );
  }
  return { result, dir: cwd, findings: result.findings, edges: result.graph().edges };
}

/** Run the CLI with arguments, capturing stdout/stderr. */
export async function cli(
  argv: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIO = { cwd, stdout, stderr, stdin: new PassThrough(), env: {} };
  const code = await run(argv, io);
  return { code, stdout: out, stderr: err };
}

/** Write files and run the CLI on them with `-f json`; returns the parsed JSON report. */
export async function cliJson(
  files: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; json: { findings: JsonFinding[]; summary: Record<string, number> } }> {
  const dir = tempDir('mesh');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const r = await cli(['-f', 'json', ...args, '.'], dir);
  if (r.code === 2) throw new Error(`CLI usage error: ${r.stderr}`);
  return { code: r.code, json: JSON.parse(r.stdout) };
}

export interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
  column: number;
  edges?: {
    client: { namespace: string; workload: string; kind: string };
    server: { namespace: string; service: string; port: number };
    caller: string;
  }[];
  related?: { file: string; line: number; column: number; message: string }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the graph

/** "ns/name" of a concrete client, or of every member of a grouped (possible) client. */
function clientNames(e: Edge): string[] {
  if (e.client.members?.length) return e.client.members.map((m) => `${m.namespace}/${m.name}`);
  return [`${e.client.namespace}/${e.client.name}`];
}

function serverName(e: Edge): string {
  return `${e.server.service}.${e.server.namespace}:${e.server.port}`;
}

/** Every edge from `client` ("ns/workload") to `server` ("svc.ns:port"). */
export function edgesBetween(r: Run, client: string, server: string): Edge[] {
  return r.edges.filter(
    (e) => !e.client.standIn && serverName(e) === server && clientNames(e).includes(client),
  );
}

/** The one edge from a concrete client to a server port; fails loudly when there is none or several. */
export function edge(r: Run, client: string, server: string): Edge {
  const found = edgesBetween(r, client, server);
  if (found.length !== 1) {
    const known = r.edges
      .filter((e) => !e.client.standIn)
      .map((e) => `${clientNames(e).join('|')} → ${serverName(e)} (${e.caller})`);
    throw new Error(
      `expected one edge ${client} → ${server}, found ${found.length}. Edges:\n  ${known.join('\n  ')}`,
    );
  }
  return found[0]!;
}

/** The single connection of an edge (the server has one backing workload in these tests). */
export function connection(r: Run, client: string, server: string): EdgeConnection {
  const e = edge(r, client, server);
  if (e.connections.length !== 1)
    throw new Error(`expected one connection on ${client} → ${server}, got ${e.connections.length}`);
  return e.connections[0]!;
}

/**
 * What the caller observes, in the vocabulary of Istio's docs (istio-semantics.md §9): "200" for a working
 * plaintext or mTLS call, "000" for a reset (curl exit 56), "503" from the client sidecar, "tls-error" for a failed
 * non-Istio TLS handshake, "tls" for TLS passed through to the application.
 */
export type Observed = '200' | '000' | '503' | 'tls-error' | 'tls';

export function observed(c: EdgeConnection): Observed {
  const r = c.result;
  if (r.outcome === 'broken')
    return r.failure === 'reset' ? '000' : r.failure === '503' ? '503' : 'tls-error';
  if (r.outcome === 'tls') return 'tls';
  return '200';
}

/** "mtls 200", "plaintext 200", "broken 503" … — one string per cell makes table tests readable. */
export function cell(r: Run, client: string, server: string): string {
  const c = connection(r, client, server);
  return `${c.result.outcome} ${observed(c)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the mesh model

export function workload(r: Run, ref: string): Workload {
  const [ns, name] = ref.split('/') as [string, string];
  const w = r.result.mesh().workloads.find((x) => x.namespace === ns && x.name === name);
  if (!w) throw new Error(`no workload ${ref}`);
  return w;
}

function service(r: Run, ref: string): Service {
  const [name, ns] = ref.split('.') as [string, string];
  const s = r.result.mesh().services.find((x) => x.namespace === ns && x.name === name);
  if (!s) throw new Error(`no service ${ref}`);
  return s;
}

/** Server mode of workload `ref` reached through service port `svcPort` ("httpbin.foo:8000"). */
export function serverModeVia(r: Run, ref: string, svcPort: string): ServerModeResult {
  const [svc, portText] = svcPort.split(':') as [string, string];
  const s = service(r, svc);
  const w = workload(r, ref);
  const port = s.ports.find((p) => p.port === Number(portText));
  if (!port) throw new Error(`no port ${portText} on ${svc}`);
  const mesh = r.result.mesh();
  return mesh.serverMode(w, mesh.targetPort(s, port, w), { service: s, port });
}

export function sidecarOf(r: Run, ref: string): Workload['sidecar']['state'] {
  return workload(r, ref).sidecar.state;
}

export function byRule(r: Run | Finding[], rule: string): Finding[] {
  const list = Array.isArray(r) ? r : r.findings;
  return list.filter((f) => f.rule === rule);
}

// ---------------------------------------------------------------------------------------------------------------
// YAML builders (text only)

type Labels = Record<string, string>;

function mapYaml(m: Labels, indent: string): string {
  return Object.entries(m)
    .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`)
    .join('\n');
}

export function namespace(name: string, labels: Labels = {}): string {
  const l = Object.keys(labels).length ? `\n  labels:\n${mapYaml(labels, '    ')}` : '';
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}${l}
`;
}

export interface AppOptions {
  /** Extra pod-template labels (app: <name> is always set). */
  podLabels?: Labels;
  podAnnotations?: Labels;
  /** Deployment metadata annotations (mtls-lint.io/calls goes here or on the pod). */
  annotations?: Labels;
  /** Container port; default 80. */
  containerPort?: number;
  containerPortName?: string;
  /** Service port; default 8000. */
  port?: number;
  /** Service targetPort; default the container port. */
  targetPort?: number | string;
  /** Service port name; default "http". Empty string = unnamed. */
  portName?: string;
  headless?: boolean;
  hostNetwork?: boolean;
  serviceAccount?: string;
  env?: Labels;
  /** No Service for this workload (a pure client). */
  noService?: boolean;
  kind?: string;
  /** Calls: shorthand for the mtls-lint.io/calls annotation on the Deployment. */
  calls?: string;
}

/** A Deployment (pod label app: name) plus a Service selecting it. */
export function app(ns: string, name: string, o: AppOptions = {}): string {
  const containerPort = o.containerPort ?? 80;
  const port = o.port ?? 8000;
  const portName = o.portName ?? 'http';
  const annotations = { ...(o.annotations ?? {}), ...(o.calls ? { 'mtls-lint.io/calls': o.calls } : {}) };
  const podLabels = { app: name, ...(o.podLabels ?? {}) };
  const metaAnn = Object.keys(annotations).length ? `\n  annotations:\n${mapYaml(annotations, '    ')}` : '';
  const podAnn =
    o.podAnnotations && Object.keys(o.podAnnotations).length
      ? `\n      annotations:\n${mapYaml(o.podAnnotations, '        ')}`
      : '';
  const env =
    o.env && Object.keys(o.env).length
      ? `\n        env:\n${Object.entries(o.env)
          .map(([k, v]) => `        - name: ${k}\n          value: ${JSON.stringify(v)}`)
          .join('\n')}`
      : '';
  const kind = o.kind ?? 'Deployment';
  const deployment = `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: ${ns}${metaAnn}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
${mapYaml(podLabels, '        ')}${podAnn}
    spec:
      serviceAccountName: ${o.serviceAccount ?? name}${o.hostNetwork ? '\n      hostNetwork: true' : ''}
      containers:
      - name: ${name}
        image: example/${name}:1${env}
        ports:
        - containerPort: ${containerPort}${o.containerPortName ? `\n          name: ${o.containerPortName}` : ''}
`;
  if (o.noService) return deployment;
  const target = o.targetPort ?? containerPort;
  const svc = `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:${o.headless ? '\n  clusterIP: None' : ''}
  selector:
    app: ${name}
  ports:
  - port: ${port}${portName ? `\n    name: ${portName}` : ''}
    targetPort: ${typeof target === 'number' ? target : JSON.stringify(target)}
`;
  return `${deployment}---\n${svc}`;
}

export function peerAuthentication(
  ns: string,
  name: string,
  o: { mode?: string; selector?: Labels; portLevel?: Record<number, string>; apiVersion?: string } = {},
): string {
  const sel = o.selector ? `\n  selector:\n    matchLabels:\n${mapYaml(o.selector, '      ')}` : '';
  const mtls = o.mode ? `\n  mtls:\n    mode: ${o.mode}` : '';
  const ports = o.portLevel
    ? `\n  portLevelMtls:\n${Object.entries(o.portLevel)
        .map(([p, m]) => `    ${p}:\n      mode: ${m}`)
        .join('\n')}`
    : '';
  const spec = sel + mtls + ports;
  return `apiVersion: ${o.apiVersion ?? 'security.istio.io/v1'}
kind: PeerAuthentication
metadata:
  name: ${name}
  namespace: ${ns}
spec:${spec || ' {}'}
`;
}

export function destinationRule(
  ns: string,
  name: string,
  host: string,
  o: {
    tls?: string;
    exportTo?: string[];
    portLevel?: { port: number; tls?: string }[];
    selector?: Labels;
  } = {},
): string {
  const exportTo = o.exportTo ? `\n  exportTo: [${o.exportTo.map((e) => JSON.stringify(e)).join(', ')}]` : '';
  const sel = o.selector ? `\n  workloadSelector:\n    matchLabels:\n${mapYaml(o.selector, '      ')}` : '';
  const tls = o.tls ? `\n    tls:\n      mode: ${o.tls}` : '';
  const ports = o.portLevel
    ? `\n    portLevelSettings:\n${o.portLevel
        .map(
          (p) =>
            `    - port:\n        number: ${p.port}${p.tls ? `\n      tls:\n        mode: ${p.tls}` : '\n      connectionPool:\n        tcp:\n          maxConnections: 100'}`,
        )
        .join('\n')}`
    : '';
  const tp = tls || ports ? `\n  trafficPolicy:${tls}${ports}` : '';
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  host: ${JSON.stringify(host)}${exportTo}${sel}${tp}
`;
}

/** Join documents into one file's text. */
export function docs(...parts: string[]): string {
  return parts.map((p) => p.replace(/\n*$/, '\n')).join('---\n');
}

/** Line (1-based) of the first line of `text` containing `needle` after the line containing `after` (if given). */
export function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n');
  let start = 0;
  if (after !== undefined) {
    start = lines.findIndex((l) => l.includes(after));
    if (start < 0) throw new Error(`"${after}" not in text`);
  }
  for (let i = start; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`"${needle}" not in text`);
}

/**
 * What a sidecar client in `clientNamespace` (with `labels`) sends to a service port, before the endpoint is looked
 * at: "ISTIO_MUTUAL foo/dr-name", "AUTO", "PLAINTEXT bar/dr-name" … (mode, then the DestinationRule that decided).
 */
export function clientMode(
  r: Run,
  clientNamespace: string,
  svcPort: string,
  labels: Record<string, string> = {},
): string {
  const [svc, portText] = svcPort.split(':') as [string, string];
  const c = r.result
    .mesh()
    .clientTls({ namespace: clientNamespace, sidecar: 'sidecar', labels }, service(r, svc), Number(portText));
  const cause = c.cause ? ` ${c.cause.resource.namespace}/${c.cause.resource.name}` : '';
  return `${c.mode}${cause}`;
}

/** The rules of issue 3 (connectivity); other rules (schema, catalogue II) are tested elsewhere. */
const CONNECTIVITY_RULES = new Set([
  'plaintext-to-strict',
  'mtls-to-plaintext-server',
  'non-istio-tls-to-sidecar',
  'plaintext-between-sidecars',
  'plaintext-accepted',
  'authz-requires-mtls',
  'unknown-injection',
]);

/** Findings of the connectivity rules only. */
export function connectivity(r: Run): Finding[] {
  return r.findings.filter((f) => CONNECTIVITY_RULES.has(f.rule));
}

/** "endpoint client-mode:outcome observed" of every connection of the one declared edge from `client` to `server`. */
export function calls(r: Run, client: string, server: string): string[] {
  return edge(r, client, server).connections.map(
    (c) => `${c.serverWorkload?.name ?? '?'} ${c.client.mode}:${c.result.outcome} ${observed(c)}`,
  );
}

/** A ServiceEntry with one HTTP port (80 unless `port`); `endpoints` is YAML appended to its spec. */
export function serviceEntry(
  ns: string,
  name: string,
  hosts: string | string[],
  o: {
    location?: 'MESH_INTERNAL' | 'MESH_EXTERNAL';
    resolution?: string;
    selector?: Record<string, string>;
    exportTo?: string[];
    endpoints?: string;
    port?: number;
    portName?: string;
  } = {},
): string {
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  hosts: ${list(typeof hosts === 'string' ? [hosts] : hosts)}${o.location ? `\n  location: ${o.location}` : ''}${
    o.exportTo ? `\n  exportTo: ${list(o.exportTo)}` : ''
  }
  resolution: ${o.resolution ?? 'STATIC'}
  ports:
  - number: ${o.port ?? 80}
    name: ${o.portName ?? 'http'}
    protocol: HTTP${
      o.selector
        ? `\n  workloadSelector:\n    labels:\n${Object.entries(o.selector)
            .map(([k, v]) => `      ${k}: ${v}`)
            .join('\n')}`
        : ''
    }${o.endpoints ?? ''}
`;
}

/** A WorkloadEntry (address 10.0.0.<name length>) with `labels`, and a serviceAccount when given. */
export function workloadEntry(
  ns: string,
  name: string,
  labels: Record<string, string>,
  serviceAccount?: string,
): string {
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  address: 10.0.0.${name.length}${serviceAccount ? `\n  serviceAccount: ${serviceAccount}` : ''}
  labels:
${Object.entries(labels)
  .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
  .join('\n')}
`;
}

/** A Deployment `name` whose one container has the env var TARGET=`url` (a caller the inputs infer from its URL). */
export function urlClient(ns: string, name: string, url: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: c, env: [{name: TARGET, value: ${JSON.stringify(url)}}]}]
`;
}

/**
 * Service reviews in `ns` (an http port, `port` → `targetPort`) with pods reviews-v1 and reviews-v2 (labels app:
 * reviews, version: vN), for subset routing.
 */
export function reviewsVersions(ns: string, port: number, targetPort: number): string {
  const deployment = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-${version}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: reviews, version: ${version}}}
  template:
    metadata: {labels: {app: reviews, version: ${version}}}
    spec:
      containers:
      - {name: reviews, image: example/reviews:1, ports: [{containerPort: ${targetPort}}]}
`;
  return docs(
    deployment('v1'),
    deployment('v2'),
    `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: ${ns}}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: ${port}, targetPort: ${targetPort}}]
`,
  );
}

/**
 * The declared edges of `client` (a workload name), as "service.ns:port" → its connections, each
 * "workload:sends:outcome(:failure)", sorted.
 */
export function declaredShapes(r: Run, client: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of r.edges)
    if (e.caller === 'declared' && e.client.name === client)
      out[`${e.server.service}.${e.server.namespace}:${e.server.port}`] = e.connections
        .map(
          (c) =>
            `${c.serverWorkload!.name}:${c.result.clientTls}:${c.result.outcome}${c.result.failure ? `:${c.result.failure}` : ''}`,
        )
        .sort();
  return out;
}
