// ncc-bundle an entry point into a directory, as scripts/bundle.mjs builds dist/ (tests never touch dist/).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Returns the bundle's index.js. */
export function nccBuild(entry: string, outDir: string): Promise<string> {
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
