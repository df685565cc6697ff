// Parsing on worker threads. YAML parsing is most of a lint's time (issue 5), and files parse independently, so a
// large input is split into batches that workers parse while the main thread waits; the analysis after it is
// unchanged. A worker is the bundle's own entry file started again (enableParseWorkers): one file to ship, and
// nothing for ncc to trace. Results come back as JSON plus one transferred buffer per batch, because V8's structured
// clone of many small objects costs more on the receiving thread than the parse saves (measured: 1.5 s to
// deserialize the 5,000-workload benchmark's resources, JSON.parse 0.1 s).
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseManifestData, type ParseLimits, type ParsedFileData } from './parse.js';
import type { PositionTree } from './positions.js';

const ROLE = 'mtls-lint-parse';

/** Below this many bytes in total, starting workers costs more than it saves (~0.1 s each). */
export const WORKER_MIN_BYTES = 1024 * 1024;
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
 * Parse `files` on `size` workers; the result is in input order. A batch whose worker fails (crashed, out of memory)
 * is parsed on this thread instead: workers are a speed-up, never a new way to fail.
 */
export async function parseOnWorkers(
  files: SourceText[],
  size: number,
  namespace: string,
  limits: ParseLimits,
): Promise<ParsedFileData[]> {
  const batches: { start: number; files: SourceText[] }[] = [];
  let current: SourceText[] = [];
  let bytes = 0;
  let start = 0;
  files.forEach((f, i) => {
    if (current.length && bytes + f.text.length > BATCH_BYTES) {
      batches.push({ start, files: current });
      current = [];
      bytes = 0;
      start = i;
    }
    current.push(f);
    bytes += f.text.length;
  });
  if (current.length) batches.push({ start, files: current });

  const results: ParsedFileData[] = new Array(files.length);
  const parseHere = (batch: { start: number; files: SourceText[] }) =>
    batch.files.forEach((f, j) => {
      results[batch.start + j] = parseManifestData(f.text, f.file, namespace, limits);
    });
  const workers = Array.from(
    { length: Math.min(size, batches.length) },
    () => new Worker(new URL(entryScript!), { workerData: { role: ROLE } }),
  );
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        let healthy = true;
        while (next < batches.length) {
          const id = next++;
          const batch = batches[id]!;
          if (!healthy) {
            parseHere(batch);
            continue;
          }
          try {
            const parsed = decodeBatch(await request(worker, { id, files: batch.files, namespace, limits }));
            parsed.forEach((p, j) => (results[batch.start + j] = p));
          } catch {
            healthy = false;
            parseHere(batch);
          }
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
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
