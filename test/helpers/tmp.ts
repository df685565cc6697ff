// Temporary directories for tests: created under the OS temp dir and removed, with their contents, once the test
// file that created them has finished, so that running the suite leaves nothing behind in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

/** Remove every directory made so far (test/rules/setup.ts calls it after each file when files share modules). */
export function removeAll(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Vitest isolates test files (the default, kept in vitest.config.ts: a forked process per file), so every file that
// imports this module, directly or through another helper, gets its own copy and this hook runs when that file ends.
afterAll(removeAll);

/** A fresh, empty directory `<os tmp>/mtls-lint-<name>-XXXXXX`, removed after the current test file. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mtls-lint-${name}-`));
  created.push(dir);
  return dir;
}
