// What the lint command and the subcommands (graph, convert) share: I/O, exit codes, common options, argument
// parsing and writing the output. Its own module so that subcommands need not import the lint command (main.ts),
// which loads them.
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LintResult } from '../engine.js';
import type { ResolvedOptions } from '../options.js';
import type { Output } from '../report/index.js';

export interface CliIO {
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export const COMMON_OPTIONS = {
  format: { type: 'string', short: 'f' },
  'output-file': { type: 'string', short: 'o' },
  namespace: { type: 'string', short: 'n' },
  config: { type: 'string', short: 'c' },
  'istio-version': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export class UsageError extends Error {}

export function parse<T extends ParseArgsConfig['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(
      `${err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err)} (see --help)`,
    );
  }
}

/** Exit 2 rather than a green run when there was nothing to check. */
export function checkInputs(result: Pick<LintResult, 'inputs' | 'findings'>, options: ResolvedOptions): void {
  if (result.inputs.missing.length) {
    throw new UsageError(`path not found: ${result.inputs.missing.join(', ')}`);
  }
  if (result.inputs.emptyStdin) {
    // `helm template … | mtls-lint -` after helm failed: an empty pipe must not pass as "no problems".
    throw new UsageError('standard input is empty, nothing to check (did the command before the pipe fail?)');
  }
  if (result.inputs.files.length === 0 && result.findings.length === 0) {
    const ignored = options.config.ignore?.length
      ? " (or the config file's ignore globs exclude them all)"
      : '';
    throw new UsageError(
      `no manifests (*.yaml, *.yml, *.json) found in ${options.paths.join(', ')}${ignored}`,
    );
  }
}

export async function writeOutput(output: Output, file: string | undefined, io: CliIO): Promise<void> {
  if (file) {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path.resolve(io.cwd, file), 'w');
      for (const piece of coalesce(output)) await handle.write(piece);
    } catch (err) {
      throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    } finally {
      await handle?.close();
    }
    return;
  }
  for (const piece of coalesce(output)) {
    await new Promise<void>((resolve) => {
      if (io.stdout.write(piece)) resolve();
      else io.stdout.once('drain', () => resolve());
    });
  }
}

/** Pieces of about a megabyte: few writes, and never the whole report in memory at once. */
function* coalesce(output: Output): Generator<string> {
  if (typeof output === 'string') {
    yield output;
    return;
  }
  let buffer = '';
  for (const piece of output) {
    buffer += piece;
    if (buffer.length >= 1 << 20) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** Read a stream to its end, or until more than `limit` bytes (the caller reports the overflow). */
export async function readAll(stream: NodeJS.ReadableStream, limit = Infinity): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer);
    total += buffer.length;
    if (total > limit) break; // leaving the loop destroys the stream: stop reading, do not buffer the rest
  }
  return Buffer.concat(chunks);
}
