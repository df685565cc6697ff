// What the lint command and the subcommands (graph, convert) share: I/O, exit codes, common options, argument
// parsing and writing the output. Its own module so that subcommands need not import the lint command (main.ts),
// which loads them.
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LintResult } from '../engine.js';
import type { ResolvedOptions } from '../options.js';
import type { Output } from '../report/index.js';
import type { MeshRun } from '../diff/meshes.js';
import { quoteName } from '../escape.js';
import { LATEST_ISTIO_VERSION } from '../mesh/version.js';
import { newerThanKnown } from '../mesh/releases.js';
import { loadObservedTraffic } from '../load/observed.js';

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

/** Observed traffic (lint and graph): files saved from Prometheus or Kiali, or a live Prometheus. */
export const TRAFFIC_OPTIONS = {
  traffic: { type: 'string', multiple: true },
  prometheus: { type: 'string' },
  'traffic-window': { type: 'string' },
  'prometheus-timeout': { type: 'string' },
  'prometheus-token-env': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const TRAFFIC_HELP = `      --traffic FILE        observed traffic: a Prometheus query answer over Istio's metrics, or a Kiali graph
                            (repeatable; config traffic:)
      --prometheus URL      query a live Prometheus for observed traffic (config prometheus:)
      --traffic-window D    how far back traffic counts, as a Prometheus duration (default: 7d)
      --prometheus-timeout S  seconds to wait for Prometheus (default: 30)
      --prometheus-token-env VAR  environment variable holding a bearer token for Prometheus
                            (default: MTLS_LINT_PROMETHEUS_TOKEN); the token is never printed`;

/** The traffic flags, as resolveOptions takes them. */
export function trafficInputs(values: {
  traffic?: string[] | undefined;
  prometheus?: string | undefined;
  'traffic-window'?: string | undefined;
  'prometheus-timeout'?: string | undefined;
  'prometheus-token-env'?: string | undefined;
}) {
  return {
    traffic: values.traffic,
    prometheus: values.prometheus,
    trafficWindow: values['traffic-window'],
    prometheusTimeout: values['prometheus-timeout'],
    prometheusTokenEnv: values['prometheus-token-env'],
  };
}

/** Reads the run's observed traffic into the options (files, then Prometheus); a TrafficError exits 2. */
export async function readTraffic(options: ResolvedOptions, io: CliIO): Promise<void> {
  const traffic = await loadObservedTraffic(options.trafficSources, io.env);
  if (traffic) options.traffic = traffic;
}

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

/** Streams whose reader went away (`mtls-lint … | head`): further output is dropped, the exit code stays the run's. */
const closedPipes = new WeakMap<object, string>();
const guardedPipes = new WeakSet<object>();

/**
 * A closed pipe is the reader saying it has seen enough, not a failure: without a listener Node throws EPIPE from
 * an 'error' event, a stack trace after the report. The listener stays for the life of the stream, because the
 * error of the last write arrives after run() has returned.
 */
export function guardPipe(stream: NodeJS.WritableStream): void {
  if (guardedPipes.has(stream)) return;
  guardedPipes.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (!closedPipes.has(stream)) closedPipes.set(stream, err.code ?? 'error');
  });
}

/** A write failure other than a closed pipe (`> /dev/full`: ENOSPC): the report is lost, which must not pass. */
export function writeFailure(stream: NodeJS.WritableStream): string | undefined {
  const code = closedPipes.get(stream);
  return code === undefined || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' ? undefined : code;
}

function pipeClosed(stream: NodeJS.WritableStream): boolean {
  const s = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  return closedPipes.has(stream) || s.destroyed === true || s.writableEnded === true;
}

/**
 * One line on stderr when the requested Istio release is newer than the newest whose semantics mtls-lint encodes:
 * the run goes on with the newest (every check is "from release X on"), and the user knows which that was.
 */
export function noteIstioVersion(options: ResolvedOptions, io: CliIO): void {
  const v = options.istioVersion;
  if (newerThanKnown(v)) {
    const latest = LATEST_ISTIO_VERSION;
    io.stderr.write(
      `mtls-lint: Istio ${v.text} is newer than the newest release mtls-lint knows (${latest}); applying ${latest} semantics.\n`,
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
  if (result.inputs.files.length === 0 && result.findings.length === 0 && result.inputs.notCompared?.length) {
    const n = result.inputs.notCompared.length;
    throw new UsageError(
      `nothing to compare: git does not track ${listed(result.inputs.notCompared)}, so the base commit cannot have ${n === 1 ? 'it' : 'them'}; add --untracked compare to compare against nothing, or give the old rendering with --base FILE`,
    );
  }
  // `mtls-lint <(helm template …)` after helm failed: the same as an empty standard input.
  const streams = result.inputs.emptyStreams ?? [];
  if (streams.length) {
    const hint = streams.some((s) => s.pipe) ? ' (did the command that writes to it fail?)' : '';
    throw new UsageError(
      `${listed(streams.map((s) => s.file))} ${streams.length === 1 ? 'is' : 'are'} empty, nothing to check${hint}`,
    );
  }
  // Only blank files (an empty file, a directory of empty files): a green run would say "no problems" about nothing.
  const blank = result.inputs.blank ?? [];
  if (
    result.inputs.files.length > 0 &&
    blank.length === result.inputs.files.length &&
    result.findings.length === 0
  ) {
    throw new UsageError(
      blank.length === 1
        ? `${quoteName(blank[0]!)} is empty, nothing to check`
        : `all ${blank.length} input files are empty (${listed(blank)}), nothing to check`,
    );
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

/**
 * Config `meshes:` is linted when no path is named (a path argument lints that path, as without meshes: pre-commit
 * hooks and `helm template … | mtls-lint -` keep working); --mesh picks some of them.
 */
export function meshesWanted(
  options: ResolvedOptions,
  positionals: string[],
  names: string[] | undefined,
): string[] | undefined {
  if (names?.length && positionals.length) {
    throw new UsageError(
      `--mesh selects meshes of the config, path arguments lint those paths instead; give one or the other (got --mesh ${names.join(', ')} and ${positionals.join(' ')})`,
    );
  }
  if (names?.length && !options.config.meshes) {
    throw new UsageError(
      `--mesh ${names.join(', ')}: ${options.configFile ? `${options.configFile} has` : 'there is no config file with'} no meshes: section (see the README, "Meshes")`,
    );
  }
  if (!options.config.meshes || positionals.length) return undefined;
  return names ?? [];
}

/** The checks of a plain run, per mesh, saying which mesh's paths hold nothing. */
export function checkMeshInputs(run: MeshRun, options: ResolvedOptions): void {
  try {
    checkInputs(run.result, { ...options, paths: run.spec.paths ?? [] });
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`mesh "${run.name}": ${err.message}`);
    throw err;
  }
}

function listed(files: string[]): string {
  const names = files.map(quoteName);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
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
    // The reader went away: stop making the rest of the report.
    if (pipeClosed(io.stdout)) return;
    await new Promise<void>((resolve) => {
      if (io.stdout.write(piece)) return resolve();
      const done = () => {
        io.stdout.off('drain', done);
        io.stdout.off('error', done);
        io.stdout.off('close', done);
        resolve();
      };
      io.stdout.on('drain', done);
      io.stdout.on('error', done);
      io.stdout.on('close', done);
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
