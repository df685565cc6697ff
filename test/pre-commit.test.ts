// The pre-commit hook (.pre-commit-hooks.yaml) as pre-commit users get it: its entry run the way pre-commit runs it
// (the staged files that match `files`, as arguments, from the repository root), and pre-commit itself (Debian's
// package, installed by .ci/run) blocking a `git commit` that breaks traffic.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, parseYamlStrict, runNode } from './helpers/action.js';
import { tempDir } from './helpers/tmp.js';

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  exclude?: string;
  args?: string[];
  pass_filenames?: boolean;
  require_serial?: boolean;
}

const hooks = parseYamlStrict(
  readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'),
  '.pre-commit-hooks.yaml',
) as Hook[];
const hook = hooks.find((h) => h.id === 'mtls-lint')!;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();

/** A repository with an example's manifests and a package.json (a JSON file that is no manifest) staged. */
function stagedRepo(name: string, example: string): string {
  const dir = tempDir(name);
  git(dir, ['init', '-q', '-b', 'main']);
  const src = path.join(ROOT, 'examples/migration', example);
  for (const f of readdirSync(src)) copyFileSync(path.join(src, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "mesh", "private": true }\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'not for the hook\n');
  git(dir, ['add', '-A']);
  return dir;
}

/** What pre-commit passes: the staged file names matching `files` (Python regex search) and not `exclude`. */
function filesFor(dir: string): string[] {
  const staged = git(dir, ['diff', '--cached', '--name-only', '--diff-filter=ACMRTUXB', '-z']).split('\0');
  return staged
    .filter(Boolean)
    .filter((f) => new RegExp(hook.files).test(f) && !(hook.exclude && new RegExp(hook.exclude).test(f)));
}

// pre-commit installs the package (npm pack + npm install -g) and runs its bin, the committed CLI bundle, from the
// repository root: entry, then args, then the file names.
const entry = (names: string[], cwd: string, args = hook.args ?? []) =>
  runNode([path.join(ROOT, pkg.bin[hook.entry]!), ...args, ...names], {
    cwd,
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
  });

describe('.pre-commit-hooks.yaml', () => {
  it('is a node hook whose entry is the package bin, given all staged YAML/JSON files in one run', () => {
    expect(hook).toMatchObject({ entry: 'mtls-lint', language: 'node', files: '\\.(ya?ml|json)$' });
    expect(Object.keys(pkg.bin)).toContain(hook.entry);
    // Batches in parallel would split a policy from its callers; one run sees them together.
    expect(hook.require_serial).toBe(true);
    expect(hook.pass_filenames ?? true).toBe(true);
  });

  it('the entry on staged files that break traffic: exit 1 with the finding', async () => {
    const dir = stagedRepo('hook-strict', '3-strict');
    const names = filesFor(dir);
    expect(names).toContain('package.json');
    expect(names).toContain('peer-authentication.yaml');
    expect(names).not.toContain('notes.txt');
    const r = await entry(names, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^peer-authentication\.yaml\n\s+\d+:\d+\s+error\s+.*mode STRICT breaks.*plaintext-to-strict$/m,
    );
    expect(r.stderr).toBe('');
  });

  it('the entry on clean staged files (and a JSON file that is no manifest): exit 0', async () => {
    const dir = stagedRepo('hook-clean', '2-client-mtls');
    const r = await entry(filesFor(dir), dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 errors/);
    expect(r.stderr).toBe('');
  });
});

describe("the README's pre-commit configurations", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## pre-commit\n'),
    readme.indexOf('\n## PR mode on the command line\n'),
  );
  /** Hook entries of the section's yaml blocks, each as pre-commit merges it with .pre-commit-hooks.yaml. */
  const configs = [...section.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].flatMap((m) => {
    const doc = parseYamlStrict(m[1]!, 'README.md') as {
      repos?: { repo: string; rev: string; hooks: Partial<Hook>[] }[];
      hooks?: Partial<Hook>[];
    };
    return [...(doc.repos?.flatMap((r) => r.hooks) ?? []), ...(doc.hooks ?? [])].map((h) => ({
      ...hook,
      ...h,
    }));
  });

  it("name this repository's hook", () => {
    expect(configs.length).toBe(2);
    for (const c of configs) expect(hooks.map((h) => h.id)).toContain(c.id);
  });

  it('with args [--base, HEAD, k8s]: a commit that changes only the PeerAuthentication to STRICT is stopped', async () => {
    const variant = configs.find((c) => c.pass_filenames === false)!;
    expect(variant.args).toEqual(['--base', 'HEAD', 'k8s']);
    const dir = tempDir('hook-base');
    git(dir, ['init', '-q', '-b', 'main']);
    const step = (example: string) => {
      const src = path.join(ROOT, 'examples/migration', example);
      mkdirSync(path.join(dir, 'k8s'), { recursive: true });
      for (const f of readdirSync(src)) copyFileSync(path.join(src, f), path.join(dir, 'k8s', f));
      git(dir, ['add', '-A']);
    };
    step('2-client-mtls');
    git(dir, ['commit', '-q', '-m', 'step 2']);
    step('3-strict');
    // The staged change is this one file; alone it has no callers to break, so the default configuration passes it.
    expect(filesFor(dir)).toEqual(['k8s/peer-authentication.yaml']);
    expect((await entry(filesFor(dir), dir)).code).toBe(0);
    const r = await entry([], dir, variant.args);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('plaintext-to-strict');
    expect(r.stdout).toMatch(/1 new problem \(1 error/);
    // Back to step 2 (staged, not committed): nothing new, the commit goes through.
    step('2-client-mtls');
    expect((await entry([], dir, variant.args)).code).toBe(0);
  });
});

// pre-commit from Debian (.ci/run installs it). Its node environment is built from this repository's HEAD with npm
// (`npm install`, `npm pack`, `npm install -g`), which needs the npm registry: a minute or so.
const havePreCommit = spawnSync('pre-commit', ['--version']).status === 0;
describe.skipIf(!havePreCommit && !process.env.CI)(
  'pre-commit itself (git commit with the hook installed)',
  () => {
    it('refuses the commit that makes a PeerAuthentication STRICT before its callers send mTLS, then takes the fix', () => {
      const head = git(ROOT, ['rev-parse', 'HEAD']);
      const home = tempDir('pre-commit-home');
      const dir = stagedRepo('hook-commit', '3-strict');
      writeFileSync(
        path.join(dir, '.pre-commit-config.yaml'),
        `repos:\n  - repo: ${ROOT}\n    rev: ${head}\n    hooks:\n      - id: mtls-lint\n`,
      );
      git(dir, ['add', '.pre-commit-config.yaml']);
      const env = { ...process.env, ...GIT_ENV, PRE_COMMIT_HOME: home, NO_COLOR: '1' };
      execFileSync('pre-commit', ['install'], { cwd: dir, env });
      const commit = () =>
        spawnSync('git', ['commit', '-q', '-m', 'mesh'], {
          cwd: dir,
          env,
          encoding: 'utf8',
          timeout: 280_000,
        });

      const refused = commit();
      expect(refused.status, refused.stderr).toBe(1);
      expect(refused.stdout + refused.stderr).toMatch(/mtls-lint\.+Failed/);
      expect(refused.stdout + refused.stderr).toContain('plaintext-to-strict');
      expect(spawnSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: dir }).status).not.toBe(0);

      // The safe step instead: PERMISSIVE with clients sending mTLS (the example's step 2).
      const step2 = path.join(ROOT, 'examples/migration/2-client-mtls');
      for (const f of readdirSync(step2)) copyFileSync(path.join(step2, f), path.join(dir, f));
      git(dir, ['add', '-A']);
      const taken = commit();
      expect(taken.status, taken.stdout + taken.stderr).toBe(0);
      expect(taken.stdout + taken.stderr).toMatch(/mtls-lint\.+Passed/);
    }, 300_000);
  },
);
