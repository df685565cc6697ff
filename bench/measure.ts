// One size, one process: every measurement over the same files, so that peak RSS belongs to this size alone.
// Started by bench.ts as `node --expose-gc --import ./bench/register.mjs bench/measure.ts <json args>`; prints one
// JSON line (MeasureResult) on stdout. Run by hand to profile a single size:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --expose-gc --import ./bench/register.mjs bench/measure.ts '{"head":"…","base":"…"}'
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, LineCounter } from 'yaml';
import { analyze, lint } from '../src/engine.js';
import { buildGraph } from '../src/graph/build.js';
import { loadInputs, ParseCache, type LoadedInputs } from '../src/load/index.js';
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
  /** Timed repetitions of parse-only, lint and PR mode (median reported). */
  runs?: number;
  /** Also lint with files parsed on worker threads (bench/parallel.ts, the stretch goal). */
  parallel?: boolean;
  /** Skip everything but parse-only and the full lint (for profiling). */
  lintOnly?: boolean;
}

export interface MeasureResult {
  files: number;
  bytes: number;
  resources: number;
  /** Milliseconds. */
  read: number;
  parseOnly: number;
  lint: number;
  breakdown: { load: number; schema: number; mesh: number; graph: number; rulesAndRest: number; analyze: number };
  pr?: number;
  prCacheHits?: number;
  parallelLint?: number;
  parallelSameFindings?: boolean;
  edges: number;
  findings: number;
  findingsByRule: Record<string, number>;
  /** Peak RSS in bytes after the single-side runs, and after PR mode (which holds two analyses). */
  peakRssLint: number;
  peakRssPr?: number;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  gc();
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

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
    docs += parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: true }).length;
  }
  return docs;
}

export function benchOptions(dir: string): ResolvedOptions {
  return resolveOptions({ cwd: dir, paths: ['.'], noConfig: true });
}

export async function measure(args: MeasureArgs): Promise<MeasureResult> {
  const runs = args.runs ?? 1;
  const options = benchOptions(args.head);

  const files = await listFiles(args.head);
  const read = await timed(() => Promise.all(files.map((f) => readFile(f, 'utf8'))));
  const texts = read.value;
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

  const parseTimes: number[] = [];
  const lintTimes: number[] = [];
  let result: Awaited<ReturnType<typeof lint>> | undefined;
  // Interleaved so that both see the same JIT warm-up and machine state.
  for (let i = 0; i < runs; i++) {
    parseTimes.push((await timed(() => parseOnly(texts))).ms);
    result = undefined;
    const l = await timed(() => lint(options));
    lintTimes.push(l.ms);
    result = l.value;
  }
  const findingsByRule: Record<string, number> = {};
  for (const f of result!.findings) findingsByRule[f.rule] = (findingsByRule[f.rule] ?? 0) + 1;
  const edges = result!.graph().edges.length;
  const findings = result!.findings.length;
  result = undefined;

  // Where the time goes: each stage on its own (analyze repeats them all, plus the rules).
  const load = await timed(() =>
    loadInputs({ paths: options.paths, cwd: options.cwd, namespace: options.namespace, ignore: [], limits: options.limits }),
  );
  const inputs: LoadedInputs = load.value;
  const schema = await timed(() => validateResources(inputs.resources));
  const mesh = await timed(() => buildMeshModel(inputs.resources, options, schema.value.invalid));
  const graph = await timed(() => buildGraph(mesh.value, options));
  const whole = await timed(() => analyze(inputs, options));
  const breakdown = {
    load: load.ms,
    schema: schema.ms,
    mesh: mesh.ms,
    graph: graph.ms,
    rulesAndRest: Math.max(0, whole.ms - schema.ms - mesh.ms - graph.ms),
    analyze: whole.ms,
  };
  const peakRssLint = process.resourceUsage().maxRSS * 1024;

  const out: MeasureResult = {
    files: files.length,
    bytes,
    resources: inputs.resources.length,
    read: read.ms,
    parseOnly: median(parseTimes),
    lint: median(lintTimes),
    breakdown,
    edges,
    findings,
    findingsByRule,
    peakRssLint,
  };

  if (args.parallel) {
    const { lintParallel } = await import('./parallel.js');
    const times: number[] = [];
    let same = true;
    for (let i = 0; i < runs; i++) {
      const p = await timed(() => lintParallel(options));
      times.push(p.ms);
      if (i === 0) {
        const single = await lint(options);
        same = JSON.stringify(p.value.findings) === JSON.stringify(single.findings);
      }
    }
    out.parallelLint = median(times);
    out.parallelSameFindings = same;
  }

  if (args.base && !args.lintOnly) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < runs; i++) {
      const cache = new ParseCache();
      const pr = await timed(() => lintAgainstBase(options, args.base!, { stdin: async () => new Uint8Array(), showAll: false, cache }));
      times.push(pr.ms);
      hits = cache.hits;
    }
    out.pr = median(times);
    out.prCacheHits = hits;
    out.peakRssPr = process.resourceUsage().maxRSS * 1024;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = JSON.parse(process.argv[2] ?? '{}') as MeasureArgs;
  const result = await measure(args);
  process.stdout.write(JSON.stringify(result) + '\n');
}
