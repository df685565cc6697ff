#!/usr/bin/env node
import { run } from './cli/main.js';
import { enableParseWorkers, isParseWorker, serveParseJobs } from './load/parse-pool.js';

// The same file, started as a worker thread, parses YAML for the main thread (src/load/parse-pool.ts).
if (isParseWorker()) serveParseJobs();
else {
  enableParseWorkers(import.meta.url);
  process.exitCode = await run(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}
