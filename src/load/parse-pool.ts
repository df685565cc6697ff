// Parsing on worker threads. YAML parsing is most of a lint's time (issue 5), and files parse independently, so a
// large input is split into batches that workers parse while the main thread waits; the analysis after it is
// unchanged. A worker is the bundle's own entry file started again (enableParseWorkers): one file to ship, and
// nothing for ncc to trace. Results come back as JSON plus one transferred buffer per batch, because V8's structured
// clone of many small objects costs the receiving thread more than the parse saves.
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseManifestData } from './parse.js';
import type { ParseLimits, ParsedFileData } from './parsed-file.js';
import type { PositionTree } from './positions.js';

const ROLE = 'mtls-lint-parse';

/**
 * Workers start by default only above this size (or with --concurrency N): parsing with the simple YAML reader is
 * cheap and posting its results back is not, so on the 2 CPUs of a GitHub runner they gained nothing on the
 * benchmark's meshes up to 40 MB and cost more CPU (bench/README.md, "Parse workers").
 */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;
/** Bytes per batch: small enough to keep every worker busy to the end, large enough that messages are noise. */
const BATCH_BYTES = 256 * 1024;

let entryScript: string | undefined;

/** Called by an entry point (CLI, action): that file can then be started again as a parse worker. */
export function enableParseWorkers(entryUrl: string): void {
  entryScript = entryUrl;
}

/** True in a thread that an entry point should turn into a parse worker (serveParseJobs) instead of running. */
export function isParseWorker(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

export interface SourceText {
  file: string;
  text: string;
}

interface ParseJob {
  id: number;
  files: SourceText[];
  namespace: string;
  limits: ParseLimits;
}

type ParseReply = { id: number; encoded: EncodedBatch } | { id: number; error: string };

/** The worker side: parse each batch posted and post back its files. */
export function serveParseJobs(): void {
  const port = parentPort!;
  port.on('message', (job: ParseJob) => {
    try {
      const parsed = job.files.map((f) => parseManifestData(f.text, f.file, job.namespace, job.limits));
      const encoded = encodeBatch(
        parsed,
        job.files.map((f) => jsonSafe(f.text)),
      );
      port.postMessage({ id: job.id, encoded } satisfies ParseReply, [encoded.buffer]);
    } catch (err) {
      port.postMessage({
        id: job.id,
        error: err instanceof Error ? err.message : String(err),
      } satisfies ParseReply);
    }
  });
}

/**
 * How many workers to use for `bytes` of input: `concurrency` is a count, "off", or "auto" (one per CPU when the
 * input is large enough to pay for starting them). 0 means parse on this thread.
 */
export function workerCount(concurrency: number | 'auto' | 'off', bytes: number, files: number): number {
  if (entryScript === undefined || concurrency === 'off' || files < 2) return 0;
  if (concurrency === 'auto') {
    const cpus = os.availableParallelism();
    return cpus > 1 && bytes >= WORKER_MIN_BYTES ? cpus : 0;
  }
  return Math.max(0, Math.floor(concurrency));
}

/**
 * Parses files as they are read. Files queue up on this thread until they add up to WORKER_MIN_BYTES (with
 * concurrency "auto"); then workers start, and every BATCH_BYTES of queued files is handed to the next idle worker
 * while reading goes on. An input that stays small is parsed on this thread at `finish()`. A batch whose worker
 * fails (crashed, out of memory) is parsed on this thread instead: workers are a speed-up, never a new way to fail.
 */
export class ParseScheduler {
  private readonly queue: Batch[] = [];
  private pending: Batch = { files: [], resolvers: [], bytes: 0 };
  private queuedBytes = 0;
  private workers: Worker[] | undefined;
  private readonly running: Promise<void>[] = [];
  /** Idle workers waiting for a batch (or for finish). */
  private waiters: (() => void)[] = [];
  private finished = false;

  constructor(
    private readonly concurrency: number | 'auto' | 'off',
    private readonly namespace: string,
    private readonly limits: ParseLimits,
  ) {}

  /** Queue one file; resolves with its parse once a worker (or this thread) has done it. */
  add(file: SourceText): Promise<ParsedFileData> {
    const parsed = new Promise<ParsedFileData>((resolve) => {
      this.pending.files.push(file);
      this.pending.resolvers.push(resolve);
    });
    this.pending.bytes += file.text.length;
    this.queuedBytes += file.text.length;
    if (!this.workers) {
      const size = workerCount(this.concurrency, this.queuedBytes, Infinity);
      if (size > 0) this.start(size);
    }
    if (this.workers && this.pending.bytes >= BATCH_BYTES) this.flush();
    return parsed;
  }

  /** Parse whatever is left and stop the workers; every promise from add() has resolved when this does. */
  async finish(): Promise<void> {
    this.finished = true;
    if (!this.workers) {
      parseHere(this.pending, this.namespace, this.limits);
      return;
    }
    this.flush();
    try {
      await Promise.all(this.running);
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }

  private start(size: number): void {
    this.workers = Array.from(
      { length: size },
      () => new Worker(new URL(entryScript!), { workerData: { role: ROLE } }),
    );
    for (const worker of this.workers) this.running.push(this.serve(worker));
  }

  private flush(): void {
    if (this.pending.files.length) this.queue.push(this.pending);
    this.pending = { files: [], resolvers: [], bytes: 0 };
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** One worker's loop: take the next batch, or wait for one until finish(). */
  private async serve(worker: Worker): Promise<void> {
    let healthy = true;
    for (;;) {
      const batch = this.queue.shift();
      if (!batch) {
        if (this.finished) return;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      if (healthy) {
        try {
          const encoded = await request(worker, {
            id: nextJob++,
            files: batch.files,
            namespace: this.namespace,
            limits: this.limits,
          });
          decodeBatch(encoded).forEach((p, j) => batch.resolvers[j]!(p));
          continue;
        } catch {
          healthy = false;
        }
      }
      parseHere(batch, this.namespace, this.limits);
    }
  }
}

interface Batch {
  files: SourceText[];
  resolvers: ((parsed: ParsedFileData) => void)[];
  bytes: number;
}

let nextJob = 0;

function parseHere(batch: Batch, namespace: string, limits: ParseLimits): void {
  batch.files.forEach((f, j) => batch.resolvers[j]!(parseManifestData(f.text, f.file, namespace, limits)));
}

function request(worker: Worker, job: ParseJob): Promise<EncodedBatch> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (reply: ParseReply) => {
      if (reply.id !== job.id) return;
      cleanup();
      if ('error' in reply) reject(new Error(reply.error));
      else resolve(reply.encoded);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = () => {
      cleanup();
      reject(new Error('parse worker exited'));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format: every number array of a batch (line starts, position trees) in one transferred buffer, the rest as
// JSON. Files whose values JSON cannot carry (±Infinity, NaN, -0) travel by structured clone instead.

interface EncodedBatch {
  json: string;
  buffer: ArrayBuffer;
  /** Per file: its data by structured clone when it is not JSON-safe, else null (it is in `json`). */
  cloned: (ParsedFileData | null)[];
}

/** A slice of the batch buffer, in 32-bit words. */
type BufferRef = [offset: number, length: number];

/**
 * Could YAML in `text` produce a number JSON does not round-trip? `.inf`/`.nan` (YAML's spellings), exponents or
 * digit runs beyond a double's range, and a lone `-0`. Errs on the side of "no": those files are cloned instead.
 */
export function jsonSafe(text: string): boolean {
  return !/\.(?:inf|nan)\b|[eE][+]?\d{3}|\d{300}|(?:^|[\s:[{,])-0(?:\.0*)?(?:[eE][+-]?\d+)?\s*(?:$|[,\]}#])/im.test(
    text,
  );
}

function encodeBatch(parsed: ParsedFileData[], safe: boolean[]): EncodedBatch {
  const arrays: Int32Array[] = [];
  const offsets = new Map<Int32Array, number>();
  let words = 0;
  const ref = (a: Int32Array): BufferRef => {
    let at = offsets.get(a);
    if (at === undefined) {
      at = words;
      offsets.set(a, at);
      arrays.push(a);
      words += a.length;
    }
    return [at, a.length];
  };
  const cloned: (ParsedFileData | null)[] = [];
  const plain = parsed.map((file, i) => {
    if (!safe[i]) {
      cloned.push(file);
      return null;
    }
    cloned.push(null);
    return {
      ...file,
      lines: ref(file.lines),
      resources: file.resources.map((r) => ({ ...r, tree: { ...r.tree, data: ref(r.tree.data) } })),
    };
  });
  const buffer = new ArrayBuffer(words * 4);
  const all = new Int32Array(buffer);
  for (const a of arrays) all.set(a, offsets.get(a)!);
  return { json: JSON.stringify(plain), buffer, cloned };
}

function decodeBatch(encoded: EncodedBatch): ParsedFileData[] {
  const view = ([offset, length]: BufferRef) => new Int32Array(encoded.buffer, offset * 4, length);
  const plain = JSON.parse(encoded.json) as (
    | (Omit<ParsedFileData, 'lines' | 'resources'> & {
        lines: BufferRef;
        resources: (Omit<ParsedFileData['resources'][number], 'tree'> & {
          tree: Omit<PositionTree, 'data'> & { data: BufferRef };
        })[];
      })
    | null
  )[];
  return plain.map((file, i) => {
    if (!file) return encoded.cloned[i]!;
    return {
      ...file,
      lines: view(file.lines),
      resources: file.resources.map((r) => ({ ...r, tree: { ...r.tree, data: view(r.tree.data) } })),
    };
  });
}
