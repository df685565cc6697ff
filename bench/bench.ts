// `npm run bench` — how fast is mtls-lint on a large mesh, measured against the targets of issue 5.
//
//   npm run bench                      1,000 / 5,000 / 20,000 workloads (about 5 resources each)
//   npm run bench -- --quick           1,000 workloads, one run each, fewer CLI runs: the CI size (meant to stay
//                                      under a minute; today about 2 min, most of it PR mode and the ncc build)
//   npm run -s bench -- --json         the results as JSON on stdout (always written to bench/results.json too)
//   npm run bench -- --sizes 2000,8000 --seed 7 --per-namespace 50 --runs 3 --timeout 900
//   npm run bench -- --configmaps 8     also a ConfigMap-heavy input: a Grafana with 8 large JSON dashboards
//                                      (generateConfigMapHeavy), the shape that was quadratic in issue 15
//
// Each size runs in its own process (bench/measure.ts) over the same generated files: parse-only, full lint with a
// stage breakdown, PR mode with one file changed, peak RSS. Start-up is the ncc-bundled CLI on the small example,
// built into a temporary directory (never dist/). A size that runs out of memory or time is reported, not fatal.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateConfigMapHeavy, generateMesh, writeMesh } from './generate.js';
import type { MeasureArgs, MeasureResult, Time } from './measure.js';

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
  /** Why the size did not finish (out of memory, time-out), with the stage it was in. */
  error?: string;
  wallMs: number;
}

interface BenchResult {
  node: string;
  cpus: number;
  /** 1-minute load average before the run: above the CPU count, wall times are inflated by other processes. */
  loadAverage: number;
  seed: number;
  perNamespace: number;
  sizes: SizeResult[];
  cli?: { medianMs: number; runs: number[]; versionMedianMs: number };
  /** --configmaps N: lint of a Grafana with N large dashboard ConfigMaps. */
  configMapHeavy?: SizeResult & { dashboards: number };
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
    timeout: { type: 'string', default: '1800' },
    'no-cli': { type: 'boolean' },
    'cli-bundle': { type: 'string' },
    profile: { type: 'string' },
    keep: { type: 'boolean' },
    configmaps: { type: 'string' },
  },
});

const quick = values.quick ?? false;
const sizes = values.sizes
  ? values.sizes.split(',').map((s) => Number(s.replace(/_/g, '')))
  : quick
    ? [1000]
    : [1000, 5000, 20000];
const seed = Number(values.seed);
const perNamespace = Number(values['per-namespace']);
const log = (s: string) => process.stderr.write(s + '\n');

const cacheDir = path.join(ROOT, 'bench', '.cache');
const result: BenchResult = {
  node: process.version,
  cpus: os.availableParallelism(),
  loadAverage: os.loadavg()[0]!,
  seed,
  perNamespace,
  sizes: [],
  checks: [],
};

// The CLI bundle, built once: the sizes measure lint and PR mode with it, and start-up is timed with it.
const cliDir = values['cli-bundle'] ?? buildCli();
try {
  for (const workloads of sizes) {
    const mesh = generateMesh({ workloads, seed, perNamespace });
    const dir = path.join(cacheDir, `w${workloads}-s${seed}-n${perNamespace}`);
    await rm(dir, { recursive: true, force: true });
    await writeMesh(
      path.join(dir, 'head'),
      mesh,
      mesh.change && { path: mesh.change.path, text: mesh.change.after },
    );
    await writeMesh(path.join(dir, 'base'), mesh);
    log(
      `${workloads} workloads: ${mesh.files.length} files, ${mesh.resources} resources, ${(mesh.bytes / 1e6).toFixed(1)} MB; measuring…`,
    );
    const args: MeasureArgs = {
      head: path.join(dir, 'head'),
      base: path.join(dir, 'base'),
      runs: Number(values.runs ?? (!quick && workloads <= 1000 ? 3 : 1)),
      cli: path.join(cliDir, 'index.js'),
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
      if (size.error) log(`  ${size.error}`);
    } catch (err) {
      size.error = err instanceof Error ? err.message : String(err);
      log(`  ${size.error}`);
    }
    size.wallMs = performance.now() - t0;
    result.sizes.push(size);
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }

  if (values.configmaps) {
    const dashboards = Number(values.configmaps);
    const input = generateConfigMapHeavy({ dashboards, seed });
    const dir = path.join(cacheDir, `configmaps-${dashboards}-s${seed}`);
    await rm(dir, { recursive: true, force: true });
    await writeMesh(dir, input);
    log(`ConfigMap-heavy: ${dashboards} dashboards, ${(input.bytes / 1e6).toFixed(1)} MB; measuring…`);
    const t0 = performance.now();
    const heavy: SizeResult & { dashboards: number } = {
      dashboards,
      workloads: 1,
      generatedResources: input.resources,
      generatedBytes: input.bytes,
      generatedFiles: input.files.length,
      wallMs: 0,
    };
    try {
      const args: MeasureArgs = {
        head: dir,
        runs: Number(values.runs ?? 1),
        cli: path.join(cliDir, 'index.js'),
      };
      Object.assign(heavy, await runMeasure(args, Number(values.timeout) * 1000, values.profile));
    } catch (err) {
      heavy.error = err instanceof Error ? err.message : String(err);
    }
    heavy.wallMs = performance.now() - t0;
    result.configMapHeavy = heavy;
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }

  if (!values['no-cli']) result.cli = cliStartup(quick ? 5 : 11, cliDir);
} finally {
  // The bundle is ours to remove, also when a step above failed.
  if (!values['cli-bundle']) rmSync(cliDir, { recursive: true, force: true });
}

result.checks = checks(result);
await mkdir(path.join(ROOT, 'bench'), { recursive: true });
await writeFile(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(result, null, 2) + '\n');
if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else process.stdout.write(table(result));

/** Run bench/measure.ts for one size; resolves with the last result it printed, even if it then died. */
function runMeasure(
  args: MeasureArgs,
  timeoutMs: number,
  profileDir: string | undefined,
): Promise<MeasureResult & { error?: string }> {
  // 4 GB of heap: a size that needs more is far over the 1.5 GB target anyway, and the machine is shared.
  const nodeArgs = ['--expose-gc', '--max-old-space-size=4096', '--import', REGISTER];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, path.join(ROOT, 'bench', 'measure.ts'), JSON.stringify(args)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let last: MeasureResult | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) if (line.trim()) last = JSON.parse(line) as MeasureResult;
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && last?.done) return resolve(last);
      const why =
        signal === 'SIGKILL'
          ? `did not finish within ${timeoutMs / 1000} s`
          : /heap out of memory|Allocation failed/.test(err)
            ? 'ran out of memory (4 GB heap)'
            : `exit ${code ?? signal}: ${err.split('\n').find((l) => /^\w*Error\b/.test(l.trim())) ?? err.trim().split('\n').slice(-3).join(' | ')}`;
      if (!last) return reject(new Error(why));
      resolve({ ...last, error: `${why} during ${last.stage}` });
    });
  });
}

/** Wall time of `node <bundle>/index.js examples/migration/3-strict`, as a user runs it (median of n). */
/** ncc-bundle src/cli.ts into a temporary directory (as dist/cli is built, but never touching dist/). */
function buildCli(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-lint-bench-cli-'));
  log('building the CLI bundle with ncc (temporary directory)…');
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      'src/cli.ts',
      '-o',
      dir,
      '-m',
      '-q',
      '--target',
      'es2022',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return dir;
}

/** Wall time of `node <bundle>/index.js examples/migration/3-strict`, as a user runs it (median of n). */
function cliStartup(n: number, dir: string): BenchResult['cli'] {
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

function ratio(a: Time | undefined, b: Time | undefined, k: keyof Time = 'wall'): number | undefined {
  return a && b && b[k] > 0 ? a[k] / b[k] : undefined;
}

function x(n: number | undefined): string {
  return n === undefined ? '—' : `${n.toFixed(2)}×`;
}

/** The full lint as a user runs it (bundled CLI) when measured, else in-process. */
function lintOf(s: SizeResult): Time | undefined {
  return s.cliLint ?? s.lint;
}
function prOf(s: SizeResult): Time | undefined {
  return s.cliPr ?? s.pr;
}

function checks(r: BenchResult): BenchResult['checks'] {
  const out: BenchResult['checks'] = [];
  for (const s of r.sizes) {
    const k = s.workloads.toLocaleString('en');
    const lp = ratio(lintOf(s), s.parseOnly);
    out.push({
      name: `full lint / parse-only @ ${k}`,
      measured:
        lp !== undefined
          ? `${x(lp)} (CPU time ${x(ratio(lintOf(s), s.parseOnly, 'cpu'))})`
          : (s.error ?? 'n/a'),
      target: `≤ ${TARGETS.lintOverParse}×`,
      ok: lp !== undefined && lp <= TARGETS.lintOverParse,
    });
    const pl = ratio(prOf(s), lintOf(s));
    out.push({
      name: `PR mode (one file changed) / full lint @ ${k}`,
      measured:
        pl !== undefined ? `${x(pl)} (CPU time ${x(ratio(prOf(s), lintOf(s), 'cpu'))})` : (s.error ?? 'n/a'),
      target: `≤ ${TARGETS.prOverLint}×`,
      ok: pl !== undefined && pl <= TARGETS.prOverLint,
    });
    if (s.cliLint) {
      const pp = ratio(s.cliLint, s.parseOnly)!;
      out.push({
        name: `stretch: full lint (simple YAML reader) faster than parse-only (yaml) @ ${k}`,
        measured: x(pp),
        target: '< 1×',
        ok: pp < 1,
      });
    }
  }
  const s5 = r.sizes.find((s) => s.workloads === 5000);
  const s20 = r.sizes.find((s) => s.workloads === 20000);
  if (s5 && s20) {
    const g = ratio(lintOf(s20), lintOf(s5));
    out.push({
      name: 'full lint 20,000 / 5,000',
      measured:
        g !== undefined
          ? `${x(g)} (CPU time ${x(ratio(lintOf(s20), lintOf(s5), 'cpu'))})`
          : (s20.error ?? s5.error ?? 'n/a'),
      target: `≤ ${TARGETS.growth20kOver5k}×`,
      ok: g !== undefined && g <= TARGETS.growth20kOver5k,
    });
  }
  if (s20) {
    const rss = s20.done
      ? s20.cliLint
        ? Math.max(s20.cliLint.rss, s20.cliPr?.rss ?? 0)
        : Math.max(s20.peakRssLint ?? 0, s20.peakRssPr ?? 0)
      : 0;
    out.push({
      name: 'peak RSS @ 20,000',
      measured: rss ? gb(rss) : (s20.error ?? 'n/a'),
      target: '≤ 1.50 GB',
      ok: rss > 0 && rss <= TARGETS.peakRssAt20k,
    });
  }
  if (r.cli) {
    out.push({
      name: 'CLI start-up (ncc bundle, examples/migration/3-strict)',
      measured: `${Math.round(r.cli.medianMs)} ms`,
      target: `≤ ${TARGETS.cliStartupMs} ms`,
      ok: r.cli.medianMs <= TARGETS.cliStartupMs,
    });
  }
  return out;
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

function secs(t: Time | undefined): string {
  if (!t) return '—';
  return t.wall >= 10_000 ? `${(t.wall / 1000).toFixed(1)} s` : `${(t.wall / 1000).toFixed(2)} s`;
}

function table(r: BenchResult): string {
  const rows: string[][] = [
    [
      'workloads',
      'files',
      'resources',
      'MB',
      'parse-only',
      'full lint',
      '×parse',
      'load',
      'schema',
      'mesh',
      'graph',
      'rules+',
      'PR mode',
      '×lint',
      'edges',
      'findings',
      'RSS lint',
      'RSS PR',
    ],
  ];
  for (const s of r.sizes) {
    rows.push([
      s.workloads.toLocaleString('en'),
      String(s.generatedFiles),
      String(s.generatedResources),
      (s.generatedBytes / 1e6).toFixed(1),
      secs(s.parseOnly),
      secs(lintOf(s)),
      x(ratio(lintOf(s), s.parseOnly)),
      secs(s.breakdown?.load),
      secs(s.breakdown?.schema),
      secs(s.breakdown?.mesh),
      secs(s.breakdown?.graph),
      secs(s.breakdown?.rulesAndRest),
      secs(prOf(s)),
      x(ratio(prOf(s), lintOf(s))),
      s.edges !== undefined ? String(s.edges) : '—',
      s.findings !== undefined ? String(s.findings) : '—',
      s.cliLint ? gb(s.cliLint.rss) : s.peakRssLint ? gb(s.peakRssLint) : '—',
      s.cliPr ? gb(s.cliPr.rss) : s.peakRssPr ? gb(s.peakRssPr) : '—',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  let out = `mtls-lint benchmark — Node ${r.node}, ${r.cpus} CPUs (load average ${r.loadAverage.toFixed(1)} at start), seed ${r.seed}, ${r.perNamespace} workloads per namespace\n\n`;
  out += rows.map((row) => row.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n') + '\n';
  for (const s of r.sizes)
    if (s.error)
      out += `\n${s.workloads.toLocaleString('en')} workloads: ${s.error}; the columns after it are empty.`;
  const heavy = r.configMapHeavy;
  if (heavy)
    out += heavy.error
      ? `\nConfigMap-heavy (${heavy.dashboards} dashboards): ${heavy.error}.\n`
      : `\nConfigMap-heavy: a Grafana with ${heavy.dashboards} dashboard ConfigMaps, ${(heavy.generatedBytes / 1e6).toFixed(1)} MB: full lint ${secs(lintOf(heavy))} (parse-only ${secs(heavy.parseOnly)}, graph ${secs(heavy.breakdown?.graph)}).\n`;
  out +=
    '\nTimes are wall clock, median of the runs. parse-only = yaml parseAllDocuments over every file, one thread (the\n' +
    'floor named in issue 5; the lint reads most documents with its own simple reader, src/load/simple-yaml.ts, and\n' +
    'the rest with yaml); full lint and PR mode = the ncc-bundled CLI as a user runs it (`-f json -o /dev/null`),\n' +
    'its own process; ×parse = full lint / parse-only; load/schema/mesh/graph = each stage alone, in-process, one\n' +
    'thread; rules+ = analyze minus schema, mesh and graph; ×lint = PR mode (--base with one file changed) / full\n' +
    'lint. RSS = peak resident memory of the CLI process.\n';
  if (r.cli)
    out += `CLI start-up: median ${Math.round(r.cli.medianMs)} ms (runs ${r.cli.runs.join(', ')}); --version ${Math.round(r.cli.versionMedianMs)} ms.\n`;
  out += '\nTargets:\n';
  for (const c of r.checks)
    out += `  ${c.ok ? 'ok  ' : 'MISS'}  ${c.name}: ${c.measured} (target ${c.target})\n`;
  return out;
}
