// Stretch goal of issue 5, as a prototype that lives in bench/ only: parse files on worker threads, then run the
// unchanged analysis on the main thread. Not wired into src/load.
//
// Workers read and parse batches of files with the real loader (parse-worker.ts) and post back plain resources
// (structured clone). A Resource's span() needs the YAML AST, which cannot cross threads, so it re-parses its file
// on the main thread the first time a finding asks for a position in it: only files with findings pay twice.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { analyze, type LintResult } from '../src/engine.js';
import { decodeManifest, discoverFiles, ignoreMatcher, type InputFile } from '../src/load/files.js';
import type { LoadedInputs, Resource } from '../src/load/index.js';
import { parseManifestText, type ParsedFile } from '../src/load/parse.js';
import { resourceRef } from '../src/load/resource.js';
import type { ResolvedOptions } from '../src/options.js';
import type { Finding } from '../src/types.js';
import type { ParseJob, ParsedBatch, PlainResource } from './parse-worker.js';

/** Files re-parsed on the main thread for positions, since the module was loaded. */
export const parallelStats = { reparsed: 0 };

/** Files per message: small enough to balance two threads, large enough that messaging is noise. */
const BATCH = 32;

export class ParsePool {
  private readonly workers: Worker[];
  constructor(readonly size = os.availableParallelism()) {
    this.workers = Array.from(
      { length: size },
      () => new Worker(new URL('./parse-worker.ts', import.meta.url)),
    );
  }

  /** Resolves once every worker has loaded its modules (so that start-up is not counted in a parse). */
  async warm(options: ResolvedOptions): Promise<void> {
    await Promise.all(
      this.workers.map((w) =>
        run(w, { batch: -1, files: [], namespace: options.namespace, limits: options.limits }),
      ),
    );
  }

  async parse(files: InputFile[], options: ResolvedOptions): Promise<ParsedBatch['files']> {
    const batches: InputFile[][] = [];
    for (let i = 0; i < files.length; i += BATCH) batches.push(files.slice(i, i + BATCH));
    const results: ParsedBatch['files'][] = new Array(batches.length);
    let next = 0;
    // Each worker takes the next batch when it is done with one: the faster thread does more.
    await Promise.all(
      this.workers.map(async (w) => {
        while (next < batches.length) {
          const i = next++;
          const done = await run(w, {
            batch: i,
            files: batches[i]!,
            namespace: options.namespace,
            limits: options.limits,
          });
          results[i] = done.files;
        }
      }),
    );
    return results.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function run(worker: Worker, job: ParseJob): Promise<ParsedBatch> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ParsedBatch) => {
      worker.off('error', onError);
      resolve(m);
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(job);
  });
}

/** Resources whose positions come from re-parsing their file on first use. */
function lazyResources(entry: ParsedBatch['files'][number], options: ResolvedOptions): Resource[] {
  let parsed: ParsedFile | undefined;
  const reparse = (): ParsedFile => {
    if (parsed) return parsed;
    parallelStats.reparsed++;
    const read = decodeManifest(
      readFileSync(entry.input.absolute!),
      entry.input.file,
      options.limits.maxFileSize,
    );
    parsed = parseManifestText(read.text ?? '', entry.input.file, options.namespace, options.limits);
    return parsed;
  };
  return (entry.resources ?? []).map((plain: PlainResource, index) => {
    const r: Resource = {
      ...plain,
      span: (path, opts) => {
        const real = reparse().resources[index];
        return real ? real.span(path, opts) : { line: 1, column: 1, endLine: 1, endColumn: 1 };
      },
      ref: () => resourceRef(r),
    };
    return r;
  });
}

/** `lint` with parsing on a worker pool; stdin is not supported by the prototype. */
export async function lintParallel(options: ResolvedOptions, pool?: ParsePool): Promise<LintResult> {
  const own = pool ?? new ParsePool();
  try {
    if (!pool) await own.warm(options);
    const discovery = await discoverFiles(
      options.paths,
      options.cwd,
      ignoreMatcher(options.config.ignore ?? [], options.cwd),
    );
    const inputs: LoadedInputs = {
      resources: [],
      diagnostics: [...discovery.diagnostics],
      files: [],
      skipped: 0,
      missing: discovery.missing,
    };
    for (const entry of await own.parse(
      discovery.files.filter((f) => f.absolute !== undefined),
      options,
    )) {
      if (entry.read) inputs.diagnostics.push(entry.read);
      if (!entry.resources) continue;
      inputs.files.push(entry.input.file);
      for (const r of lazyResources(entry, options)) inputs.resources.push(r);
      for (const d of entry.diagnostics ?? []) inputs.diagnostics.push(d as Finding);
      inputs.skipped += entry.skipped ?? 0;
    }
    return analyze(inputs, options);
  } finally {
    if (!pool) await own.close();
  }
}
