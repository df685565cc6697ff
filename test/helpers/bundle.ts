// ncc-bundle an entry point into a directory, as scripts/bundle.mjs builds dist/ (tests never touch dist/).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Returns the bundle's index.js. */
function nccBuild(entry: string, outDir: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', entry, '-o', outDir, '-q'],
      { cwd: ROOT },
      (err, _o, stderr) =>
        err ? reject(new Error(`ncc failed: ${stderr}`)) : resolve(path.join(outDir, 'index.js')),
    ),
  );
}

/**
 * The bundle of `entry`, built once per test run and shared by the test files that ask for it (test/global-setup.ts
 * makes the directory). The first file to ask builds it under a lock directory; the others wait for it.
 */
export async function sharedBundle(entry: string): Promise<string> {
  const dir = path.join(inject('sharedDir'), entry.replace(/[^a-z0-9]+/gi, '-'));
  const index = path.join(dir, 'index.js');
  if (existsSync(index)) return index;
  try {
    mkdirSync(`${dir}.lock`);
  } catch {
    // Another file is building it.
    for (let waited = 0; !existsSync(index); waited += 200) {
      if (waited > 300_000) throw new Error(`timed out waiting for the shared bundle of ${entry}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return index;
  }
  await nccBuild(entry, `${dir}.tmp`);
  renameSync(`${dir}.tmp`, dir);
  return index;
}
