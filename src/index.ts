// The GitHub Action's entry: everything else is plain, testable code in src/action/.
import { run } from './action/main.js';
import { enableParseWorkers, isParseWorker, serveParseJobs } from './load/parse-pool.js';

// The same file, started as a worker thread, parses YAML for the main thread (src/load/parse-pool.ts).
if (isParseWorker()) serveParseJobs();
else {
  enableParseWorkers(import.meta.url);
  await run();
}
