// The file system as an adversary: permissions, symlink loops and escapes, missing paths, 50,000 files.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { DEFAULT_LIMITS, loadInputs, type LoadedInputs } from '../src/load/index.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('fs');
chmodSync(tmp, 0o755); // readable by the unprivileged user the permission tests switch to

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(root, file), content, { mode: 0o644 });
  }
  return root;
}

async function load(paths: string[], cwd: string): Promise<LoadedInputs> {
  return loadInputs({ paths, cwd, namespace: 'default', ignore: [], limits: DEFAULT_LIMITS });
}

async function cli(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd,
    stdout: Object.assign(new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }), {
      isTTY: false,
    }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin: Readable.from([]),
    env: {},
  });
  return { code, stdout, stderr };
}

/**
 * Permission bits do not stop root, and CI containers often run tests as root. Then run the load as the
 * unprivileged `nobody` (effective uid 65534) so that chmod 000 really blocks it; skip only where that is
 * impossible (no seteuid: Windows).
 */
const isRoot = process.getuid?.() === 0;
const canDropPrivileges = !isRoot || typeof process.seteuid === 'function';
async function unprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (!isRoot) return fn();
  process.seteuid!(65534);
  try {
    return await fn();
  } finally {
    process.seteuid!(0);
  }
}

describe('permissions', () => {
  it.runIf(canDropPrivileges)(
    'an unreadable file is an input-error finding; the other files are checked',
    async () => {
      const root = tree('unreadable-file', {
        'a.yaml': ns('a'),
        'secret.yaml': ns('secret'),
        'z.yaml': ns('z'),
      });
      chmodSync(path.join(root, 'secret.yaml'), 0o000);
      const inputs = await unprivileged(() => load(['.'], root));
      expect(inputs.diagnostics).toEqual([
        expect.objectContaining({
          rule: 'input-error',
          severity: 'error',
          file: 'secret.yaml',
          line: 1,
          message: 'File could not be read (EACCES); it was not checked.',
        }),
      ]);
      expect(inputs.resources.map((r) => r.name)).toEqual(['a', 'z']);
    },
  );

  it.runIf(canDropPrivileges)(
    'a directory without permission is an input-error finding; its siblings are checked',
    async () => {
      const root = tree('unreadable-dir', {
        'a/one.yaml': ns('one'),
        'locked/two.yaml': ns('two'),
        'z/three.yaml': ns('three'),
      });
      chmodSync(path.join(root, 'locked'), 0o000);
      const inputs = await unprivileged(() => load(['.'], root));
      expect(inputs.diagnostics).toEqual([
        expect.objectContaining({
          rule: 'input-error',
          file: 'locked',
          message: 'Directory could not be read (EACCES); manifests in it were not checked.',
        }),
      ]);
      expect(inputs.resources.map((r) => r.name)).toEqual(['one', 'three']);
      chmodSync(path.join(root, 'locked'), 0o755);
    },
  );

  it.runIf(canDropPrivileges)('through the CLI: exit 1 (a finding with a place), not a crash', async () => {
    const root = tree('unreadable-cli', { 'secret.yaml': ns('secret') });
    chmodSync(path.join(root, 'secret.yaml'), 0o000);
    const r = await unprivileged(() => cli(['-f', 'json', '.'], root));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings).toEqual([
      expect.objectContaining({ rule: 'input-error', file: 'secret.yaml', line: 1, column: 1 }),
    ]);
  });
});

describe('symbolic links', () => {
  it('a link loop is reported (info) and the walk goes on', async () => {
    const root = tree('loop', { 'real.yaml': ns('real') });
    symlinkSync('b.yaml', path.join(root, 'a.yaml'));
    symlinkSync('a.yaml', path.join(root, 'b.yaml'));
    mkdirSync(path.join(root, 'sub'));
    symlinkSync('..', path.join(root, 'sub', 'up')); // a directory loop: directories are never followed
    const inputs = await load(['.'], root);
    expect(inputs.diagnostics.map((d) => [d.rule, d.severity, d.file, d.message])).toEqual([
      [
        'input-error',
        'info',
        'a.yaml',
        'Symbolic link could not be resolved (ELOOP: a link loop); it was not checked.',
      ],
      [
        'input-error',
        'info',
        'b.yaml',
        'Symbolic link could not be resolved (ELOOP: a link loop); it was not checked.',
      ],
    ]);
    expect(inputs.files).toEqual(['real.yaml']);
    const r = await cli(['.'], root);
    expect(r.code).toBe(0); // info does not fail the run
    expect(r.stdout).toContain('a.yaml');
  });

  it('links out of the tree are not followed; links inside it are read once', async () => {
    const outside = tree('outside', { 'elsewhere.yaml': ns('elsewhere') });
    const root = tree('inside', { 'real.yaml': ns('real'), 'dir/other.yaml': ns('other') });
    symlinkSync(path.join(outside, 'elsewhere.yaml'), path.join(root, 'escape.yaml'));
    symlinkSync('/etc/passwd', path.join(root, 'passwd.yaml'));
    symlinkSync('real.yaml', path.join(root, 'alias.yaml'));
    symlinkSync(outside, path.join(root, 'linked-dir'));
    const inputs = await load(['.'], root);
    expect(inputs.files).toEqual(['dir/other.yaml', 'real.yaml']);
    expect(inputs.resources.map((r) => r.name)).toEqual(['other', 'real']);
    expect(
      inputs.diagnostics.map((d) => [d.severity, d.file, d.message.replace(/\(to .*\)/, '(to …)')]),
    ).toEqual([
      [
        'info',
        'escape.yaml',
        'Symbolic link points outside . (to …); links out of the tree are not followed, so it was not checked. Name the target on the command line to check it.',
      ],
      ['info', 'passwd.yaml', expect.stringContaining('points outside')],
    ]);
    // Named on the command line, a link is the user's choice: followed.
    expect((await load(['escape.yaml'], root)).resources.map((r) => r.name)).toEqual(['elsewhere']);
  });
});

describe('missing and empty input', () => {
  it('a path that does not exist: exit 2 with a one-line message', async () => {
    const root = tree('exists', { 'a.yaml': ns('a') });
    const r = await cli(['a.yaml', 'nope.yaml', 'nope-dir/'], root);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'mtls-lint: path not found: nope.yaml, nope-dir/\n' });
  });

  it('an empty directory: exit 2, no manifests', async () => {
    const root = path.join(tmp, 'empty');
    mkdirSync(path.join(root, 'node_modules'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'x.yaml'), ns('vendored'));
    writeFileSync(path.join(root, 'README.md'), '# not a manifest\n');
    const r = await cli([], root);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mtls-lint: no manifests (*.yaml, *.yml, *.json) found in .\n',
    });
  });

  it('.git and node_modules are not walked', async () => {
    const root = tree('skipdirs', {
      '.git/config.yaml': ns('git'),
      'node_modules/pkg/a.yaml': ns('nm'),
      'k8s/a.yaml': ns('mine'),
    });
    expect((await load(['.'], root)).files).toEqual(['k8s/a.yaml']);
  });

  it('testdata directories are left out of a walk with one note, and read when named', async () => {
    const root = tree('testdata', {
      'k8s/a.yaml': ns('mine'),
      'pkg/inject/testdata/broken.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\n',
      'pkg/inject/testdata/deeper/x.yaml': ns('deeper'),
      'tests/testdata/y.yaml': ns('y'),
    });
    const walked = await load(['.'], root);
    expect(walked.files).toEqual(['k8s/a.yaml']);
    const notes = walked.diagnostics.filter((f) => f.key === 'input-error|.|testdata');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ severity: 'info', file: '.', line: 1 });
    expect(notes[0]!.message).toBe(
      "2 directories named testdata under it were not walked (pkg/inject/testdata, tests/testdata): by Go's convention they hold test inputs, which are not deployed. Name one on the command line to lint it.",
    );
    // Named, a testdata directory is walked, and so is everything under it.
    const named = await load(['pkg/inject/testdata'], root);
    expect(named.files).toEqual(['pkg/inject/testdata/broken.yaml', 'pkg/inject/testdata/deeper/x.yaml']);
    expect(named.diagnostics.filter((f) => f.key.endsWith('|testdata'))).toEqual([]);
    // The CLI: the invalid test input does not fail the run; naming it does.
    expect((await cli(['--fail-on', 'warning', '.'], root)).code).toBe(0);
    expect((await cli(['--fail-on', 'warning', 'pkg'], root)).code).toBe(0);
    expect((await cli(['--fail-on', 'warning', 'pkg/inject/testdata'], root)).code).toBe(1);
  });
});

describe('50,000 small files', () => {
  it('are all loaded, in path order', { timeout: 300_000 }, async () => {
    const root = path.join(tmp, 'many');
    const t0 = performance.now();
    for (let d = 0; d < 50; d++) {
      const dir = path.join(root, `team-${String(d).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 1000; f++) {
        writeFileSync(
          path.join(dir, `cm-${String(f).padStart(4, '0')}.yaml`),
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${f}\n  namespace: team-${d}\ndata:\n  key: value\n`,
        );
      }
    }
    const t1 = performance.now();
    const inputs = await load(['.'], root);
    const t2 = performance.now();
    console.log(
      `50,000 files: generated in ${((t1 - t0) / 1000).toFixed(1)} s, loaded in ${((t2 - t1) / 1000).toFixed(1)} s, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
    expect(inputs.files).toHaveLength(50_000);
    expect(inputs.resources).toHaveLength(50_000);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.files[0]).toBe('team-00/cm-0000.yaml');
    expect(inputs.files[49_999]).toBe('team-49/cm-0999.yaml');
    rmSync(root, { recursive: true, force: true });
  });
});
