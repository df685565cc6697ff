// The observed traffic a run is given: --traffic files (Prometheus or Kiali answers saved by hand) and a live
// Prometheus. Read once per run, before the analysis; a failure is a TrafficError (exit 2), never half a picture.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { queryPrometheus } from './prometheus.js';
import { mergeTraffic, parseTrafficFile, TrafficError, type ObservedTraffic } from './traffic.js';

export interface TrafficSources {
  /** Absolute paths (CLI paths resolved against the working directory, config ones against the config's). */
  files: string[];
  /** How files are named in messages (relative to the working directory). */
  shown: string[];
  prometheus?: { url: string; timeoutMs: number; tokenEnv: string };
  /** Prometheus duration, e.g. 7d. */
  window: string;
}

/** Traffic files are query answers: a few MB at most; anything larger is a mistake. */
const MAX_TRAFFIC_FILE = 64 * 1024 * 1024;

export async function loadObservedTraffic(
  sources: TrafficSources | undefined,
  env: NodeJS.ProcessEnv,
): Promise<ObservedTraffic | undefined> {
  if (!sources) return undefined;
  const parts: ObservedTraffic[] = [];
  for (const [i, file] of sources.files.entries()) {
    const shown = sources.shown[i] ?? file;
    let content: string;
    try {
      if ((await stat(file)).size > MAX_TRAFFIC_FILE)
        throw new TrafficError(`--traffic ${shown}: over 64 MiB; is it a query answer?`);
      content = await readFile(file, 'utf8');
    } catch (err) {
      if (err instanceof TrafficError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new TrafficError(
        `--traffic ${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : (code ?? String(err))}`,
      );
    }
    parts.push(parseTrafficFile(content, shown, sources.window));
  }
  if (sources.prometheus) {
    const { url, timeoutMs, tokenEnv } = sources.prometheus;
    const token = env[tokenEnv];
    parts.push(
      await queryPrometheus({ url, window: sources.window, timeoutMs, ...(token ? { token } : {}) }),
    );
  }
  return mergeTraffic(parts);
}

export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return (rel && !rel.startsWith('..') ? rel : file).split(path.sep).join('/');
}
