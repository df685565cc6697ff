// One size, one process: every measurement over the same files, so that peak RSS belongs to this size alone.
// Started by bench.ts as `node --expose-gc --import ./bench/register.mjs bench/measure.ts '<json args>'`. It prints
// one JSON line per finished stage (the result so far), so that a size that dies later (out of memory) still
// reports what it measured. To profile a size by hand:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --expose-gc --import ./bench/register.mjs bench/measure.ts '{"head":"…"}'
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, LineCounter } from 'yaml';
import { analyze, lint } from '../src/engine.js';
import { buildGraph } from '../src/graph/build.js';
import { loadInputs, ParseCache } from '../src/load/index.js';
import { buildMeshModel } from '../src/mesh/build.js';
import { resolveOptions } from '../src/resolve-options.js';
import { validateResources } from '../src/schema/validate.js';
import { lintAgainstBase } from '../src/diff/base.js';
import type { ResolvedOptions } from '../src/options.js';

export interface MeasureArgs {
  /** The generated mesh (head side of PR mode). */
  head: string;
  /** The same mesh with one file different (base side of PR mode); omitted: PR mode is not measured. */
  base?: string;
  /** Timed repetitions of parse-only, lint and PR mode (median reported; with more than one, parse-only and lint
   *  get an extra untimed warm-up run first). */
  runs?: number;
  /** The ncc-bundled CLI (index.js): lint and PR mode are also measured as a user runs them, in a process of their own. */
  cli?: string;
}

/** Wall and CPU milliseconds. CPU time (this process, all threads) is steadier on a shared machine. */
export interface Time {
  wall: number;
  cpu: number;
}

export interface CliTime extends Time {
  rss: number;
}

export interface MeasureResult {
  /** The stage running when the process stopped, if it did not finish. */
  stage: string;
  done: boolean;
  files: number;
  bytes: number;
  resources?: number;
  read?: Time;
  parseOnly?: Time;
  lint?: Time;
  breakdown?: { load: Time; schema: Time; mesh: Time; graph: Time; analyze: Time; rulesAndRest: Time };
  edges?: number;
  findings?: number;
  findingsByRule?: Record<string, number>;
  pr?: Time;
  prCacheHits?: number;
  prFindings?: number;
  /** The bundled CLI as a user runs it (`-f json -o /dev/null`), and PR mode (`--base`). Wall and CPU time and
   *  peak RSS of that process. */
  cliLint?: CliTime;
  cliPr?: CliTime;
  /** Peak RSS in bytes after the single-side runs, and after PR mode (which holds two analyses). */
  peakRssLint?: number;
  peakRssPr?: number;
  loadAverage: number[];
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function median(xs: Time[]): Time {
  const pick = (k: keyof Time) => {
    const s = xs.map((x) => x[k]).sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  return { wall: pick('wall'), cpu: pick('cpu') };
}

async function timed<T>(fn: () => Promise<T> | T): Promise<Time & { value: T }> {
  gc();
  const c0 = cpuNow();
  const t0 = performance.now();
  const value = await fn();
  return { wall: performance.now() - t0, cpu: cpuNow() - c0, value };
}

const time = ({ wall, cpu }: Time): Time => ({ wall, cpu });
const minus = (a: Time, ...bs: Time[]): Time => ({
  wall: Math.max(
    0,
    bs.reduce((x, b) => x - b.wall, a.wall),
  ),
  cpu: Math.max(
    0,
    bs.reduce((x, b) => x - b.cpu, a.cpu),
  ),
});

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(e.name)) out.push(full);
    }
  };
  await walk(dir);
  return out;
}

/** The floor: the yaml package over every file, with the options the loader uses, nothing else. */
export function parseOnly(texts: string[]): number {
  let docs = 0;
  for (const text of texts) {
    const lineCounter = new LineCounter();
    docs += parseAllDocuments(text, {
      lineCounter,
      uniqueKeys: true,
      merge: true,
      prettyErrors: true,
    }).length;
  }
  return docs;
}

export function benchOptions(dir: string): ResolvedOptions {
  return resolveOptions({ cwd: dir, paths: ['.'], noConfig: true });
}

export async function measure(
  args: MeasureArgs,
  progress: (r: MeasureResult) => void = () => {},
): Promise<MeasureResult> {
  const runs = args.runs ?? 1;
  const options = benchOptions(args.head);
  const files = await listFiles(args.head);
  const out: MeasureResult = {
    stage: 'parse-only and lint',
    done: false,
    files: files.length,
    bytes: 0,
    loadAverage: os.loadavg(),
  };
  progress(out);

  const read = await timed(() => Promise.all(files.map((f) => readFile(f, 'utf8'))));
  out.read = time(read);
  out.bytes = read.value.reduce((n, t) => n + Buffer.byteLength(t), 0);

  const parseTimes: Time[] = [];
  const lintTimes: Time[] = [];
  // Interleaved, so that both see the same machine state; with several runs the first one only warms up the JIT.
  // Only counts are kept of a result.
  for (let i = runs > 1 ? -1 : 0; i < runs; i++) {
    const p = await timed(() => parseOnly(read.value));
    const l = await timed(() => lint(options));
    if (i < 0) continue;
    parseTimes.push(time(p));
    lintTimes.push(time(l));
    if (i === runs - 1) {
      out.findingsByRule = {};
      for (const f of l.value.findings) out.findingsByRule[f.rule] = (out.findingsByRule[f.rule] ?? 0) + 1;
      out.findings = l.value.findings.length;
      out.edges = l.value.graph().edges.length;
    }
  }
  out.parseOnly = median(parseTimes);
  out.lint = median(lintTimes);
  out.peakRssLint = process.resourceUsage().maxRSS * 1024;
  out.stage = 'breakdown';
  progress(out);

  // Where the time goes: each stage on its own (analyze repeats them all, plus the rules).
  {
    const load = await timed(() =>
      loadInputs({
        paths: options.paths,
        cwd: options.cwd,
        namespace: options.namespace,
        ignore: [],
        limits: options.limits,
      }),
    );
    const inputs = load.value;
    out.resources = inputs.resources.length;
    const schema = await timed(() => validateResources(inputs.resources));
    const mesh = await timed(() => buildMeshModel(inputs.resources, options, schema.value.invalid));
    const graph = await timed(() => buildGraph(mesh.value, options));
    graph.value = { edges: [], unresolved: [] }; // let the first graph go before analyze builds its own
    const whole = await timed(() => analyze(inputs, options).findings.length);
    out.breakdown = {
      load: time(load),
      schema: time(schema),
      mesh: time(mesh),
      graph: time(graph),
      analyze: time(whole),
      rulesAndRest: minus(whole, schema, mesh, graph),
    };
  }
  out.peakRssLint = process.resourceUsage().maxRSS * 1024;

  if (args.cli) {
    out.stage = 'CLI';
    progress(out);
    // The in-process stages leave this process busy for a few seconds after them (returning memory), which on 2 CPUs
    // slowed the CLI run started next: at 20,000 workloads 12.6 s, against 10.6 s for the same run 5 s later or
    // a run after it. Let it settle; and take the median of at least three runs, as one run spreads by ±1 s there.
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const cliRuns = Math.max(runs, 3);
    const cliArgs = ['-f', 'json', '-o', '/dev/null', '.'];
    out.cliLint = await cliMedian(args.cli, args.head, cliArgs, cliRuns);
    if (args.base)
      out.cliPr = await cliMedian(args.cli, args.head, [...cliArgs, '--base', args.base], cliRuns);
    progress(out);
  }

  if (args.base) {
    out.stage = 'PR mode';
    progress(out);
    const times: Time[] = [];
    for (let i = 0; i < runs; i++) {
      const cache = new ParseCache();
      const pr = await timed(() =>
        lintAgainstBase(options, args.base!, { stdin: async () => new Uint8Array(), showAll: false, cache }),
      );
      times.push(time(pr));
      out.prCacheHits = cache.hits;
      out.prFindings = pr.value.findings.length;
    }
    out.pr = median(times);
    out.peakRssPr = process.resourceUsage().maxRSS * 1024;
  }
  out.stage = 'done';
  out.done = true;
  out.loadAverage = os.loadavg();
  progress(out);
  return out;
}

/** Prints the process's peak RSS and CPU time (all threads) at exit: what `/usr/bin/time -v` would say. */
const USAGE_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nMTLS_BENCH_USAGE '+JSON.stringify({rss:u.maxRSS*1024,cpu:(u.userCPUTime+u.systemCPUTime)/1000})+'\\n')})`;

/** Run the bundled CLI in `cwd`; wall time, and CPU time and peak RSS as the process reports them at exit. */
function cliTime(cli: string, cwd: string, argv: string[]): CliTime {
  // This process's own garbage from the in-process stages is collected first: on 2 CPUs, its collector's helper
  // threads otherwise run beside the CLI (the 20,000-workload lint measured 12.5 s right after an in-process lint,
  // 10.2 s after a gc()).
  gc();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', USAGE_HOOK, cli, ...argv], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`CLI exited ${r.status}: ${r.stderr.trim().slice(-500)}`);
  const usage = /MTLS_BENCH_USAGE (\{.*\})/.exec(r.stderr);
  if (!usage) throw new Error(`CLI did not report its usage: ${r.stderr.trim().slice(-500)}`);
  const { rss, cpu } = JSON.parse(usage[1]!) as { rss: number; cpu: number };
  return { wall, cpu, rss };
}

async function cliMedian(cli: string, cwd: string, argv: string[], runs: number): Promise<CliTime> {
  const times: CliTime[] = [];
  for (let i = 0; i < runs; i++) times.push(cliTime(cli, cwd, argv));
  return { ...median(times), rss: Math.max(...times.map((t) => t.rss)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = JSON.parse(process.argv[2] ?? '{}') as MeasureArgs;
  await measure(args, (r) => process.stdout.write(JSON.stringify(r) + '\n'));
}
