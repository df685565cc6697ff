// `--concurrency` once chose worker threads for parsing; they did not pay (bench/README.md, "Parse workers") and
// were removed. The flag is a public contract: scripts that pass it must keep working, with the same report as
// without it, and the values it never accepted are still refused.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateMesh, writeMesh } from '../bench/generate.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

let meshDir: string;

beforeAll(async () => {
  meshDir = tempDir('concurrency-mesh');
  await writeMesh(meshDir, generateMesh({ workloads: 60, seed: 11 }));
  // A finding from the loader too: the flag once changed how files were parsed.
  await writeFile(
    path.join(meshDir, 'broken.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: "unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: after-broken}\n',
  );
});

describe('--concurrency (kept for compatibility, no effect)', () => {
  it('is accepted with every value it accepted before, and the report is the same as without it', async () => {
    const without = await runCli(['-f', 'json', '.'], { cwd: meshDir });
    expect(without.stdout).toContain('"yaml-syntax"');
    for (const value of ['auto', 'off', '0', '2', '16']) {
      const run = await runCli(['-f', 'json', '--concurrency', value, '.'], { cwd: meshDir });
      expect(run.stderr, value).toBe('');
      expect(run.code, value).toBe(without.code);
      expect(run.stdout, value).toBe(without.stdout);
    }
  });

  it('is documented in --help as a no-op', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/--concurrency N\s+accepted for compatibility, no effect/);
  });

  it('refuses a value that is not auto, off or a number, as before', async () => {
    const run = await runCli(['--concurrency', 'many', '.'], { cwd: meshDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--concurrency "many" must be auto, off, or a number/);
  });
});
