// Worker side of the parallel-parse prototype (bench/parallel.ts): read and parse a batch of files with the real
// loader, and send back the resources as plain data. Positions stay behind: a YAML AST cannot cross threads, so
// the main thread re-parses a file only if a finding needs a line number in it.
import { parentPort } from 'node:worker_threads';
import { readManifest, type InputFile } from '../src/load/files.js';
import { parseManifestText } from '../src/load/parse.js';
import type { LoadLimits } from '../src/load/index.js';
import type { Finding } from '../src/types.js';

export interface PlainResource {
  kind: string;
  apiVersion: string;
  group: string;
  version: string;
  name: string;
  namespace: string | undefined;
  namespaceExplicit: boolean;
  value: Record<string, unknown>;
  file: string;
  id: string;
  source?: string;
}

export interface ParseJob {
  batch: number;
  files: InputFile[];
  namespace: string;
  limits: LoadLimits;
}

export interface ParsedBatch {
  batch: number;
  files: {
    input: InputFile;
    read?: Finding;
    resources?: PlainResource[];
    diagnostics?: Finding[];
    skipped?: number;
  }[];
}

parentPort?.on('message', async (job: ParseJob) => {
  const out: ParsedBatch = { batch: job.batch, files: [] };
  for (const input of job.files) {
    const read = await readManifest(input, job.limits.maxFileSize);
    const entry: ParsedBatch['files'][number] = { input };
    if (read.diagnostic) entry.read = read.diagnostic;
    if (read.text !== undefined) {
      const parsed = parseManifestText(read.text, input.file, job.namespace, job.limits);
      entry.resources = parsed.resources.map((r) => {
        const plain: PlainResource = {
          kind: r.kind,
          apiVersion: r.apiVersion,
          group: r.group,
          version: r.version,
          name: r.name,
          namespace: r.namespace,
          namespaceExplicit: r.namespaceExplicit,
          value: r.value,
          file: r.file,
          id: r.id,
        };
        if (r.source !== undefined) plain.source = r.source;
        return plain;
      });
      entry.diagnostics = parsed.diagnostics;
      entry.skipped = parsed.skipped;
    }
    out.files.push(entry);
  }
  parentPort!.postMessage(out);
});
