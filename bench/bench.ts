// `npm run bench` — how fast is mtls-lint on a large mesh, measured against the targets of issue 5.
//
//   npm run bench                      1,000 / 5,000 / 20,000 workloads (about 5 resources each)
//   npm run bench -- --quick           1,000 workloads only, fewer CLI runs: for CI, well under a minute
//   npm run bench -- --json            the results as JSON on stdout (always written to bench/results.json too)
//   npm run bench -- --sizes 2000,8000 --seed 7 --per-namespace 50 --runs 3 --parallel --timeout 900
//
// Each size runs in its own process (bench/measure.ts) over the same generated files: parse-only, full lint with a
// stage breakdown, PR mode with one file changed, peak RSS. Start-up is the ncc-bundled CLI on the small example,
// built into a temporary directory (never dist/). A size that runs out of memory or time is reported, not fatal.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMesh, writeMesh } from './generate.js';
import type { MeasureArgs, MeasureResult } from './measure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGISTER = path.join(ROOT, 'bench', 'register.mjs');

/** Issue 5's targets. */
export const TARGETS = {
  lintOverParse: 1.25,
  growth20kOver5k: 4.6,
  prOverLint: 1.3,
  peakRssAt20k: 1.5 * 1024 ** 3,
  cliStartupMs: 250,
};

interface SizeResult extends Partial<MeasureResult> {
  workloads: number;
  generatedResources: number;
  generatedBytes: number;
  generatedFiles: number;
  error?: string;
  wallMs: number;
}

interface BenchResult {
  node: string;
  cpus: number;
  seed: number;
  perNamespace: number;
  sizes: SizeResult[];
  cli?: { medianMs: number; runs: number[]; versionMedianMs: number };
  checks: { name: string; measured: string; target: string; ok: boolean | undefined }[];
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    sizes: { type: 'string' },
    seed: { type: 'string', default: '20251126' },
    'per-namespace': { type: 'string', default: '50' },
    runs: { type: 'string' },
    parallel: { type: 'boolean' },
    timeout: { type: 'string', default: '1800' },
    'no-cli': { type: 'boolean' },
    'cli-bundle': { type: 'string' },
    profile: { type: 'string' },
    keep: { type: 'boolean' },
  },
});

const quick = values.quick ?? false;
const sizes = values.sizes ? values.sizes.split(',').map((s) => Number(s.replace(/_/g, ''))) : quick ? [1000] : [1000, 5000, 20000];
const seed = Number(values.seed);
const perNamespace = Number(values['per-namespace']);
const log = (s: string) => process.stderr.write(s + '\n');

const cacheDir = path.join(ROOT, 'bench', '.cache');
const result: BenchResult = { node: process.version, cpus: os.cpus().length, seed, perNamespace, sizes: [], checks: [] };

for (const workloads of sizes) {
  const mesh = generateMesh({ workloads, seed, perNamespace });
  const dir = path.join(cacheDir, `w${workloads}-s${seed}-n${perNamespace}`);
  await rm(dir, { recursive: true, force: true });
  await writeMesh(path.join(dir, 'head'), mesh, mesh.change && { path: mesh.change.path, text: mesh.change.after });
  await writeMesh(path.join(dir, 'base'), mesh);
  log(`${workloads} workloads: ${mesh.files.length} files, ${mesh.resources} resources, ${(mesh.bytes / 1e6).toFixed(1)} MB; measuring…`);
  const args: MeasureArgs = {
    head: path.join(dir, 'head'),
    base: path.join(dir, 'base'),
    runs: Number(values.runs ?? (workloads <= 1000 ? 3 : 1)),
    parallel: values.parallel ?? false,
  };
  const t0 = performance.now();
  const size: SizeResult = {
    workloads,
    generatedResources: mesh.resources,
    generatedBytes: mesh.bytes,
    generatedFiles: mesh.files.length,
    wallMs: 0,
  };
  try {
    Object.assign(size, await runMeasure(args, Number(values.timeout) * 1000, values.profile));
  } catch (err) {
    size.error = err instanceof Error ? err.message : String(err);
    log(`  ${size.error}`);
  }
  size.wallMs = performance.now() - t0;
  result.sizes.push(size);
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}

if (!values['no-cli']) result.cli = cliStartup(quick ? 5 : 11, values['cli-bundle']);

result.checks = checks(result);
await mkdir(path.join(ROOT, 'bench'), { recursive: true });
await writeFile(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(result, null, 2) + '\n');
if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else process.stdout.write(table(result));

function runMeasure(args: MeasureArgs, timeoutMs: number, profileDir: string | undefined): Promise<MeasureResult> {
  const nodeArgs = ['--expose-gc', '--max-old-space-size=8192', '--import', REGISTER];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bench', 'measure.ts'), JSON.stringify(args)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()!) as MeasureResult);
        } catch {
          reject(new Error(`measure printed no result: ${out.slice(-500)}`));
        }
      } else if (signal === 'SIGKILL') reject(new Error(`did not finish within ${timeoutMs / 1000} s (killed)`));
      else {
        const oom = /heap out of memory|Allocation failed/.test(err);
        reject(new Error(oom ? 'ran out of memory (JavaScript heap, 8 GB limit)' : `exit ${code ?? signal}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
      }
    });
  });
}

/** Wall time of `node <bundle>/index.js examples/migration/3-strict`, as a user runs it (median of n). */
function cliStartup(n: number, bundle: string | undefined): BenchResult['cli'] {
  let dir = bundle;
  if (!dir) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-lint-bench-cli-'));
    log('building the CLI bundle with ncc (temporary directory)…');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', 'src/cli.ts', '-o', dir, '-m', '-q', '--target', 'es2022'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const entry = path.join(dir, 'index.js');
  if (!existsSync(entry)) throw new Error(`no CLI bundle at ${entry}`);
  const time = (argv: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [entry, ...argv], { cwd: ROOT, stdio: 'ignore' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`CLI exited ${r.status} on ${argv.join(' ')}`);
    return performance.now() - t0;
  };
  time(['examples/migration/3-strict']); // file cache warm-up, not counted
  const runs = Array.from({ length: n }, () => time(['examples/migration/3-strict']));
  const version = Array.from({ length: n }, () => time(['--version']));
  return { medianMs: median(runs), runs: runs.map((r) => Math.round(r)), versionMedianMs: median(version) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function checks(r: BenchResult): BenchResult['checks'] {
  const out: BenchResult['checks'] = [];
  for (const s of r.sizes) {
    const k = `${s.workloads.toLocaleString('en')}`;
    if (s.lint !== undefined && s.parseOnly) {
      const x = s.lint / s.parseOnly;
      out.push({ name: `full lint / parse-only @ ${k}`, measured: `${x.toFixed(2)}×`, target: `≤ ${TARGETS.lintOverParse}×`, ok: x <= TARGETS.lintOverParse });
    } else out.push({ name: `full lint / parse-only @ ${k}`, measured: s.error ?? 'n/a', target: `≤ ${TARGETS.lintOverParse}×`, ok: false });
    if (s.pr !== undefined && s.lint) {
      const x = s.pr / s.lint;
      out.push({ name: `PR mode / full lint @ ${k}`, measured: `${x.toFixed(2)}×`, target: `≤ ${TARGETS.prOverLint}×`, ok: x <= TARGETS.prOverLint });
    }
    if (s.parallelLint !== undefined && s.parseOnly) {
      const x = s.parallelLint / s.parseOnly;
      out.push({ name: `parallel lint / parse-only @ ${k} (stretch)`, measured: `${x.toFixed(2)}×${s.parallelSameFindings ? '' : ' (findings differ!)'}`, target: '< 1×', ok: x < 1 && s.parallelSameFindings === true });
    }
  }
  const s5 = r.sizes.find((s) => s.workloads === 5000);
  const s20 = r.sizes.find((s) => s.workloads === 20000);
  if (s5 && s20) {
    const ok = s5.lint !== undefined && s20.lint !== undefined;
    const x = ok ? s20.lint! / s5.lint! : undefined;
    out.push({ name: 'full lint 20k / 5k', measured: x !== undefined ? `${x.toFixed(2)}×` : (s20.error ?? s5.error ?? 'n/a'), target: `≤ ${TARGETS.growth20kOver5k}×`, ok: x !== undefined && x <= TARGETS.growth20kOver5k });
  }
  if (s20) {
    const rss = Math.max(s20.peakRssLint ?? 0, s20.peakRssPr ?? 0);
    out.push({ name: 'peak RSS @ 20,000', measured: rss ? gb(rss) : (s20.error ?? 'n/a'), target: '≤ 1.50 GB', ok: rss ? rss <= TARGETS.peakRssAt20k : false });
  }
  if (r.cli) out.push({ name: 'CLI start-up (3-strict example)', measured: `${Math.round(r.cli.medianMs)} ms`, target: `≤ ${TARGETS.cliStartupMs} ms`, ok: r.cli.medianMs <= TARGETS.cliStartupMs });
  return out;
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function secs(ms: number | undefined): string {
  return ms === undefined ? '—' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

function table(r: BenchResult): string {
  const rows: string[][] = [
    ['workloads', 'files', 'resources', 'MB', 'parse-only', 'full lint', '×parse', 'schema', 'mesh', 'graph', 'rules+', 'PR mode', '×lint', 'edges', 'findings', 'peak RSS'],
  ];
  for (const s of r.sizes) {
    if (s.error) {
      rows.push([s.workloads.toLocaleString('en'), String(s.generatedFiles), String(s.generatedResources), (s.generatedBytes / 1e6).toFixed(1), `failed: ${s.error}`]);
      continue;
    }
    rows.push([
      s.workloads.toLocaleString('en'),
      String(s.files),
      String(s.resources),
      (s.bytes! / 1e6).toFixed(1),
      secs(s.parseOnly),
      secs(s.lint),
      `${(s.lint! / s.parseOnly!).toFixed(2)}×`,
      secs(s.breakdown?.schema),
      secs(s.breakdown?.mesh),
      secs(s.breakdown?.graph),
      secs(s.breakdown?.rulesAndRest),
      secs(s.pr),
      s.pr !== undefined ? `${(s.pr / s.lint!).toFixed(2)}×` : '—',
      String(s.edges),
      String(s.findings),
      gb(Math.max(s.peakRssLint ?? 0, s.peakRssPr ?? 0)),
    ]);
    if (s.parallelLint !== undefined) rows.push(['', '', '', '', '', `${secs(s.parallelLint)} on ${r.cpus} threads`, `${(s.parallelLint / s.parseOnly!).toFixed(2)}×`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 || i > 3 ? c.padStart(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  let out = `mtls-lint benchmark — Node ${r.node}, ${r.cpus} CPUs, seed ${r.seed}, ${r.perNamespace} workloads per namespace\n\n`;
  out += rows.map((row) => fmt(row).trimEnd()).join('\n') + '\n';
  out += '\n"×parse" = full lint / parse-only; "rules+" = rules, suppressions and sorting; full lint includes reading and parsing.\n';
  if (r.cli) out += `CLI start-up (ncc bundle, examples/migration/3-strict): median ${Math.round(r.cli.medianMs)} ms (runs ${r.cli.runs.join(', ')}); --version ${Math.round(r.cli.versionMedianMs)} ms\n`;
  out += '\nTargets:\n';
  for (const c of r.checks) out += `  ${c.ok ? 'ok  ' : 'MISS'}  ${c.name}: ${c.measured} (target ${c.target})\n`;
  return out;
}
