// The CLI as a shell runs it: writing into a pipe whose reader has gone, inputs that hold nothing (an empty file,
// /dev/null, a failed process substitution), options before a subcommand, an Istio release newer than the newest known.
// Real processes and real pipes: the EPIPE error only exists between two processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedBundle } from './helpers/bundle.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The CLI bundled as dist/cli is (built once per test run, shared with other files; tests never touch dist/).
let CLI: string[] = [];
let SHELL_CLI = '';
beforeAll(async () => {
  CLI = [process.execPath, await sharedBundle('src/cli.ts')];
  SHELL_CLI = CLI.map(quote).join(' ');
}, 300_000);
const STRICT = path.join(ROOT, 'examples/migration/3-strict');
const LEGACY = path.join(ROOT, 'examples/migration-legacy/3-strict');
const tmp = tempDir('pipes');

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI with stdout a pipe whose read end this process closes at once: every write gets EPIPE. */
function runIntoClosedPipe(args: string[], cwd = tmp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
}

/** The same run with stdout read to the end: the exit code the closed pipe must not change. */
function runFully(args: string[], cwd = tmp): Run {
  const r = spawnSync(CLI[0]!, [...CLI.slice(1), ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Through bash, for what only a shell makes: `<(…)` process substitution, `| head -c 100`. */
function bash(script: string, cwd = tmp): Run {
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A manifest with many findings: a report far bigger than a pipe's 64 KiB buffer. */
function bigInput(): string {
  const docs = Array.from(
    { length: 800 },
    (_, i) =>
      `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: pa-${i}\n  namespace: ns-${i}\nspec:\n  mtls:\n    mode: SOMETIMES\n`,
  );
  const file = path.join(tmp, 'big.yaml');
  writeFileSync(file, docs.join('---\n'));
  return file;
}

describe('a closed pipe on stdout', () => {
  it.each([
    ['lint, stylish', [STRICT]],
    ['lint, json', ['-f', 'json', STRICT]],
    ['lint, sarif', ['-f', 'sarif', STRICT]],
    ['lint, github', ['-f', 'github', STRICT]],
    ['lint, markdown', ['-f', 'markdown', STRICT]],
    ['lint, junit', ['-f', 'junit', STRICT]],
    ['lint, gitlab', ['-f', 'gitlab', STRICT]],
    ['graph', ['graph', STRICT]],
    ['graph -f json', ['graph', '-f', 'json', STRICT]],
    ['convert', ['convert', LEGACY]],
    ['--explain', ['--explain', 'plaintext-to-strict']],
    ['--list-rules', ['--list-rules']],
    ['--help', ['--help']],
    ['--version', ['--version']],
  ])('%s: ends quietly with the exit code of the run', async (_name, args) => {
    const full = runFully(args);
    expect(full.stdout).not.toBe(''); // the run writes a report: a closed pipe has something to refuse
    const closed = await runIntoClosedPipe(args);
    expect(closed.stderr).not.toMatch(/EPIPE|Error:|^\s+at |node:(events|internal)/m);
    expect(closed.stderr).toBe(full.stderr);
    expect(closed.code).toBe(full.code);
  });

  it('`mtls-lint -f json … | head -c 100` on a large report: 100 bytes, exit 1 for the findings, empty stderr', () => {
    const file = bigInput();
    const full = runFully(['-f', 'json', file]);
    expect(full.stdout.length).toBeGreaterThan(256 * 1024); // pipes buffer 64 KiB
    expect(full.code).toBe(1);
    for (const format of ['json', 'stylish', 'sarif', 'junit', 'gitlab']) {
      const r = bash(`set -o pipefail; ${SHELL_CLI} -f ${format} ${quote(file)} | head -c 100`);
      expect(r.stdout).toHaveLength(100);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
    }
  }, 180_000); // several CLI processes each

  it('a full disk is not a closed pipe: exit 2 and a message, since the report is lost', () => {
    const r = bash(`${SHELL_CLI} ${quote(STRICT)} > /dev/full`);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mtls-lint: cannot write to standard output (ENOSPC); the report is incomplete.\n');
  });
});

describe('inputs that hold nothing to check are exit 2', () => {
  it('an empty file', () => {
    writeFileSync(path.join(tmp, 'empty.yaml'), '');
    writeFileSync(path.join(tmp, 'blank.yaml'), '\n  \n');
    expect(runFully(['empty.yaml'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mtls-lint: empty.yaml is empty, nothing to check\n',
    });
    expect(runFully(['blank.yaml']).code).toBe(2);
    expect(runFully(['graph', 'empty.yaml'])).toMatchObject({ code: 2, stdout: '' });
  });

  it('/dev/null', () => {
    expect(runFully(['/dev/null'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mtls-lint: /dev/null is empty, nothing to check\n',
    });
    expect(runFully(['convert', '/dev/null'])).toMatchObject({ code: 2, stdout: '' });
  });

  it('a process substitution whose command failed: `mtls-lint <(false)`, also next to real manifests', () => {
    const alone = bash(`${SHELL_CLI} <(false)`);
    expect(alone.code).toBe(2);
    expect(alone.stdout).toBe('');
    expect(alone.stderr).toMatch(
      /^mtls-lint: \/dev\/fd\/\d+ is empty, nothing to check \(did the command that writes to it fail\?\)\n$/,
    );
    // A failed helm template beside a good directory still fails the run: half the manifests were never checked.
    const beside = bash(`${SHELL_CLI} -f json ${quote(STRICT)} <(false)`);
    expect(beside.code).toBe(2);
    expect(beside.stdout).toBe('');
    // The same substitution with content is linted.
    const good = bash(`${SHELL_CLI} -f json <(cat ${quote(STRICT)}/*.yaml)`);
    expect(good.code).toBe(1);
    expect(JSON.parse(good.stdout).summary.resources).toBeGreaterThan(0);
  }, 180_000); // several CLI processes each

  it('a directory of empty files; one empty file among real manifests is fine', () => {
    const dir = path.join(tmp, 'empties');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    for (const f of ['a.yaml', 'b.yml', 'sub/c.json', 'sub/d.yaml'])
      writeFileSync(path.join(dir, f), f === 'b.yml' ? '\n' : '');
    expect(runFully(['empties'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'mtls-lint: all 4 input files are empty (empties/a.yaml, empties/b.yml, empties/sub/c.json and 1 more), nothing to check\n',
    });
    // pre-commit passes every staged file by name: an empty placeholder must not fail the others.
    writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: real\n');
    const mixed = runFully(['-f', 'json', 'empties']);
    expect(mixed.code).toBe(0);
    expect(JSON.parse(mixed.stdout).summary).toMatchObject({ files: 5, resources: 1 });
  });
});

describe('options before a subcommand', () => {
  it('`mtls-lint -c cfg.yaml graph k8s` runs graph with the config', () => {
    const dir = path.join(tmp, 'cfg');
    mkdirSync(dir, { recursive: true });
    // The config declares the only caller: graph shows it only when the config was read.
    writeFileSync(path.join(dir, 'cfg.yaml'), 'callers:\n  - {from: legacy/sleep, to: "httpbin.foo:8000"}\n');
    const before = runFully(['-c', 'cfg.yaml', '-f', 'json', 'graph', STRICT], dir);
    const after = runFully(['graph', '-c', 'cfg.yaml', '-f', 'json', STRICT], dir);
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);
    expect(before.stdout).toBe(after.stdout);
    const edges = JSON.parse(before.stdout).edges as { client: { workload: string }; caller: string }[];
    expect(edges).toContainEqual(
      expect.objectContaining({ client: expect.objectContaining({ workload: 'sleep' }), caller: 'declared' }),
    );
    // --config=FILE, -cFILE and a value that looks like a subcommand name are still option values.
    expect(runFully(['--config=cfg.yaml', '-fjson', 'graph', STRICT], dir).stdout).toBe(before.stdout);
  });

  it('`mtls-lint --istio-version 1.4 convert x` runs convert for 1.4 (which has no PeerAuthentication)', () => {
    expect(runFully(['--istio-version', '1.4', 'convert', LEGACY])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'mtls-lint: PeerAuthentication exists from Istio 1.5; --istio-version 1.4 has only the legacy API. Convert for 1.5 or later.\n',
    });
    const converted = runFully(['--istio-version', '1.24', 'convert', LEGACY]);
    expect(converted.stdout).toContain('kind: PeerAuthentication');
  });

  it('a directory named like a subcommand after a path is still a path', () => {
    const r = runFully(['-f', 'json', STRICT, 'graph']);
    expect(r).toMatchObject({ code: 2, stderr: 'mtls-lint: path not found: graph\n' });
  });
});

describe('--istio-version newer than the newest known', () => {
  it.each([
    ['lint', [STRICT], 1],
    ['graph', ['graph', STRICT], 0],
  ])('%s: one line on stderr naming the semantics applied, and the run goes on', (_name, args, code) => {
    const r = runFully(['--istio-version', '1.99', ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(
      /^mtls-lint: Istio 1\.99 is newer than the newest release mtls-lint knows \(1\.\d+\); applying 1\.\d+ semantics\.\n$/,
    );
    expect(r.stdout).toBe(runFully(args).stdout);
    // The newest known release itself says nothing.
    expect(runFully(['--istio-version', r.stderr.match(/applying (1\.\d+)/)![1]!, ...args]).stderr).toBe('');
  });
});
