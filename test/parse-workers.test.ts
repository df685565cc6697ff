// Parsing on worker threads (src/load/parse-pool.ts) must be invisible in the output: the bundled CLI (the file that
// also serves as the worker) gives byte-identical reports with and without workers, on a generated mesh plus the
// inputs that stress the wire format (syntax errors, .inf/.nan, Lists, anchors and merge keys, duplicate keys, Helm
// sources, BOM + CRLF). A worker that dies costs nothing but time.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMesh, writeMesh } from '../bench/generate.js';
import { sharedBundle } from './helpers/bundle.js';
import { tempDir } from './helpers/tmp.js';
import { DEFAULT_LIMITS, loadInputs } from '../src/load/index.js';
import { enableParseWorkers, jsonSafe, workerCount } from '../src/load/parse-pool.js';

let bundle: string;
let meshDir: string;

const ODD_INPUTS: Record<string, string> = {
  'odd/broken.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: "unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after-broken}\n',
  'odd/numbers.yaml':
    'apiVersion: v1\nkind: Service\nmetadata: {name: inf, namespace: odd}\nspec:\n  selector: {app: x}\n  ports:\n  - port: .inf\n  - port: -0\n  - port: .nan\n',
  'odd/list.yaml':
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: listed, labels: {istio-injection: enabled}}\n- apiVersion: security.istio.io/v1\n  kind: PeerAuthentication\n  metadata: {name: default, namespace: listed}\n  spec: {mtls: {mode: STRICTT}}\n',
  'odd/anchors.yaml':
    'base: &base\n  mtls: {mode: BOGUS}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: merged, namespace: odd}\nspec:\n  <<: {mtls: &m {mode: NOPE}}\n  portLevelMtls:\n    8080: *m\n',
  'odd/dup.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dup\n  name: dup2\n',
  'odd/helm.yaml':
    '---\n# Source: chart/templates/pa.yaml\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: helm, namespace: odd}\nspec: {mtls: {mode: strict}}\n',
  'odd/crlf.yaml':
    '\ufeffapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: crlf\r\n  labels: {istio-injection: maybe}\r\n',
};

beforeAll(async () => {
  bundle = await sharedBundle('src/cli.ts');
  meshDir = tempDir('workers-mesh');
  await writeMesh(meshDir, generateMesh({ workloads: 300, seed: 11 }));
  for (const [file, text] of Object.entries(ODD_INPUTS)) {
    await writeFile(path.join(meshDir, file.replace('/', '-')), text);
  }
}, 180_000);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [bundle, ...args],
      { cwd: meshDir, maxBuffer: 512 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('parsing on worker threads', () => {
  it('gives the same JSON and SARIF reports as parsing on the main thread', async () => {
    for (const format of ['json', 'sarif']) {
      const off = await cli(['-f', format, '--concurrency', 'off', '.']);
      const on = await cli(['-f', format, '--concurrency', '2', '.']);
      expect(on.stderr).toBe('');
      expect(on.code).toBe(off.code);
      expect(on.stdout).toBe(off.stdout);
    }
    const report = JSON.parse((await cli(['-f', 'json', '--concurrency', '2', '.'])).stdout) as {
      findings: {
        rule: string;
        file: string;
        line: number;
        column: number;
        message: string;
        source?: string;
      }[];
      summary: { resources: number; files: number };
    };
    // The odd inputs arrived intact: positions inside Lists, merge keys and aliases, CRLF, after a broken document.
    const at = (file: string, rule: string) =>
      report.findings.filter((f) => f.file === file && f.rule === rule).map((f) => `${f.line}:${f.column}`);
    expect(at('odd-broken.yaml', 'yaml-syntax')).toEqual(['4:9']);
    expect(at('odd-list.yaml', 'invalid-resource')).toEqual(['10:23']);
    // Both the merged `mtls` and the aliased port-level one point where the anchored value is written.
    expect(at('odd-anchors.yaml', 'invalid-resource')).toEqual(['8:24', '8:24', '9:3']);
    expect(at('odd-dup.yaml', 'yaml-syntax')).toEqual(['5:3']);
    expect(report.findings.find((f) => f.file === 'odd-helm.yaml')?.source).toBe('chart/templates/pa.yaml');
    // kubectl refuses a document with .inf or .nan (JSON has neither): the same one finding from either thread.
    const numbers = report.findings.filter((f) => f.file === 'odd-numbers.yaml').map((f) => f.message);
    expect(numbers).toHaveLength(1);
    expect(numbers[0]).toMatch(/^kubectl refuses this document: `\.inf` is infinity/);
    expect(report.summary.files).toBeGreaterThan(50);
  }, 120_000);

  it('refuses a --concurrency that is not auto, off or a number', async () => {
    const run = await cli(['--concurrency', 'many', '.']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--concurrency "many" must be auto, off, or a number/);
  }, 60_000);

  it('parses on this thread when a worker dies', async () => {
    const dead = path.join(tempDir('dead-worker'), 'dead.mjs');
    await writeFile(dead, 'process.exit(3);\n');
    const load = (concurrency: 2 | 'off') =>
      loadInputs({
        paths: ['.'],
        cwd: meshDir,
        namespace: 'default',
        ignore: [],
        limits: DEFAULT_LIMITS,
        concurrency,
      });
    enableParseWorkers(pathToFileURL(dead).href);
    const viaDeadWorkers = await load(2);
    const here = await load('off');
    expect(viaDeadWorkers.diagnostics).toEqual(here.diagnostics);
    expect(viaDeadWorkers.resources.map((r) => [r.id, r.value, r.span(['spec'])])).toEqual(
      here.resources.map((r) => [r.id, r.value, r.span(['spec'])]),
    );
  }, 60_000);

  it('starts workers only for inputs large enough to gain, unless asked', () => {
    enableParseWorkers(pathToFileURL(bundle).href);
    expect(workerCount('off', 1e9, 100)).toBe(0);
    expect(workerCount(3, 10, 100)).toBe(3);
    expect(workerCount('auto', 10_000, 100)).toBe(0);
    expect(workerCount('auto', 1e9, 1)).toBe(0);
  });

  it('sends files by structured clone when JSON would change a number', () => {
    expect(jsonSafe('port: 80\nname: app-0\nx: 1e10')).toBe(true);
    for (const text of [
      'port: .inf',
      'port: -.Inf',
      'x: .NaN',
      'x: 1e400',
      'x: -0',
      '- -0.0',
      `x: ${'9'.repeat(400)}`,
    ])
      expect(jsonSafe(text), text).toBe(false);
  });
});
