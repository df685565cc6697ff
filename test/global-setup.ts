// One directory per test run for what several test files would otherwise build each (the CLI bundle): made here,
// removed when the run ends. What goes in it is built on first use (helpers/bundle.ts sharedBundle), so a run of
// files that need no bundle builds none.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    sharedDir: string;
  }
}

export function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mtls-lint-shared-'));
  project.provide('sharedDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
