// PR mode compares like with like: a submodule, a generated manifest git does not track and a dangling link out of
// the tree are read the same way on both sides, so that they never make old findings "new" (issue 20).
// Real git in throwaway repositories; the CLI runs in-process as in diff.test.ts.
import { rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, makeRepo, runGit, writeTree, type Tree } from './diff.helpers.js';
import { runCli } from './helpers/cli.js';
import type { Finding } from '../src/types.js';

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: foo
  labels:
    istio-injection: enabled
---
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
`;
const pa = (mode: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
    mode: ${mode}
`;
/** A workload in the uninjected namespace legacy that calls httpbin.foo:8000 in plaintext. */
const caller = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: legacy
  annotations:
    mtls-lint.io/calls: httpbin.foo:8000
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: curlimages/curl
`;

const SUBMODULE = 'k8s/policies';

interface Setup {
  dir: string;
  /** The submodule's own repository (its commits, in order). */
  policies: { dir: string; commits: string[] };
}

/**
 * A platform repository whose k8s/ holds foo's httpbin and legacy's uninjected sleep (calls httpbin.foo:8000), the
 * PeerAuthentication of foo in a submodule (k8s/policies, one commit per given mode), a committed link to a shared
 * file outside the repository that is not there (dangling), and, in the working tree only, a manifest a workflow
 * step rendered into the ignored k8s/rendered/: another uninjected caller of httpbin.foo.
 */
function platform(name: string, modes: string[]): Setup {
  const policies = makeRepo(
    `${name}-policies`,
    modes.map((m) => ({ 'pa.yaml': pa(m) })),
  );
  runGit(policies.dir, ['checkout', '-q', policies.commits[0]!]);
  const tree: Tree = {
    'k8s/namespaces.yaml': NAMESPACES,
    'k8s/httpbin.yaml': fixture('seed/httpbin.yaml'),
    'k8s/legacy-sleep.yaml': caller('sleep'),
    '.gitignore': 'k8s/rendered/\n',
  };
  const repo = makeRepo(name, [tree]);
  runGit(repo.dir, ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', policies.dir, SUBMODULE]);
  symlinkSync('../../platform-shared/mesh.yaml', path.join(repo.dir, 'k8s/shared-mesh.yaml'));
  symlinkSync('/nonexistent/mtls-lint/mesh.yaml', path.join(repo.dir, 'k8s/absolute-mesh.yaml'));
  runGit(repo.dir, ['add', '-A']);
  runGit(repo.dir, ['commit', '-qm', 'platform']);
  // `helm template … > k8s/rendered/batch.yaml` in an earlier step: ignored by git, present in the head only.
  writeTree(repo.dir, { 'k8s/rendered/batch.yaml': caller('batch') });
  return { dir: repo.dir, policies };
}

type JsonFinding = Finding & { fingerprint?: string };

function json(stdout: string): { findings: JsonFinding[]; summary: Record<string, unknown> } {
  return JSON.parse(stdout) as { findings: JsonFinding[]; summary: Record<string, unknown> };
}

describe('PR mode with a submodule, a generated untracked manifest and a dangling outside link', () => {
  it('a PR that only adds a comment line reports no new finding (exit 0)', async () => {
    // foo is STRICT already (in the submodule): legacy/sleep's plaintext is refused in the base and in the head.
    const { dir } = platform('comment', ['STRICT']);
    writeTree(dir, { 'k8s/httpbin.yaml': `# owned by team-a\n${fixture('seed/httpbin.yaml')}` });
    runGit(dir, ['commit', '-qam', 'comment']);

    const r = await runCli(['--base', 'main~1', '-f', 'json', 'k8s'], { cwd: dir });
    expect(r.stderr).toBe('');
    const out = json(r.stdout);
    expect(out.findings).toEqual([]);
    expect(r.code).toBe(0);
    // The generated manifest is listed once as not part of the comparison; the head's old error is still counted.
    expect(out.summary).toMatchObject({ newErrors: 0, errors: 1, notCompared: ['k8s/rendered/batch.yaml'] });

    // A file the submodule's git does not track is left out the same way.
    writeTree(dir, { [`${SUBMODULE}/local-test.yaml`]: caller('local') });
    const inSub = await runCli(['--base', 'main~1', '-f', 'json', 'k8s'], { cwd: dir });
    expect(inSub.code).toBe(0);
    expect(json(inSub.stdout).summary.notCompared).toEqual([
      `${SUBMODULE}/local-test.yaml`,
      'k8s/rendered/batch.yaml',
    ]);
    writeTree(dir, { [`${SUBMODULE}/local-test.yaml`]: null });

    const md = await runCli(['--base', 'main~1', '-f', 'markdown', 'k8s'], { cwd: dir });
    expect(md.stdout).toContain(
      '1 file git does not track was not part of the comparison: k8s/rendered/batch.yaml',
    );

    // Both sides read the submodule's policy and key both links the same way: all old, none new.
    const all = await runCli(['--base', 'main~1', '--all', '-f', 'json', 'k8s'], { cwd: dir });
    const findings = json(all.stdout).findings;
    expect(findings.filter((f) => f.new !== false)).toEqual([]);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'plaintext-to-strict', file: `${SUBMODULE}/pa.yaml`, new: false }),
        expect.objectContaining({ rule: 'input-error', file: 'k8s/shared-mesh.yaml', new: false }),
        expect.objectContaining({ rule: 'input-error', file: 'k8s/absolute-mesh.yaml', new: false }),
      ]),
    );
    expect(findings.some((f) => f.file.startsWith('k8s/rendered/'))).toBe(false);

    // The stylish report says once which files were left out, and how to compare them.
    const stylish = await runCli(['--base', 'main~1', 'k8s'], { cwd: dir });
    expect(stylish.code).toBe(0);
    expect(stylish.stdout).toMatch(
      /1 file git does not track was not part of the comparison: k8s\/rendered\/batch\.yaml \(--untracked compare/,
    );
  });

  it('--untracked compare compares the generated manifest against nothing', async () => {
    const { dir } = platform('compare', ['STRICT']);
    writeTree(dir, { 'k8s/httpbin.yaml': `# owned by team-a\n${fixture('seed/httpbin.yaml')}` });
    runGit(dir, ['commit', '-qam', 'comment']);

    const r = await runCli(['--base', 'main~1', '--untracked', 'compare', '-f', 'json', 'k8s'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    // legacy/batch is a new victim of foo's STRICT: the finding is new because it lists a caller the base did not.
    expect(out.findings).toEqual([
      expect.objectContaining({ rule: 'plaintext-to-strict', file: `${SUBMODULE}/pa.yaml`, new: true }),
    ]);
    expect(out.findings[0]!.edges?.map((e) => e.client.workload)).toContain('batch');
    expect(out.summary.notCompared).toBeUndefined();

    const bad = await runCli(['--base', 'main~1', '--untracked', 'maybe', 'k8s'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--untracked "maybe" must be one of exclude, compare/);
    const alone = await runCli(['--untracked', 'compare', 'k8s'], { cwd: dir });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--untracked applies to PR mode only: add --base REF/);
  });

  it('a PR that makes the submodule policy STRICT while an uninjected caller calls it reports exactly that (exit 1)', async () => {
    const { dir, policies } = platform('strict', ['PERMISSIVE', 'STRICT']);
    runGit(path.join(dir, SUBMODULE), ['checkout', '-q', policies.commits[1]!]);
    runGit(dir, ['add', SUBMODULE]);
    runGit(dir, ['commit', '-qm', 'foo: STRICT']);

    const r = await runCli(['--base', 'main~1', '-f', 'json', 'k8s'], { cwd: dir });
    expect(r.stderr).toBe('');
    const out = json(r.stdout);
    expect(out.findings).toEqual([
      expect.objectContaining({
        rule: 'plaintext-to-strict',
        severity: 'error',
        file: `${SUBMODULE}/pa.yaml`,
        new: true,
      }),
    ]);
    expect(out.findings[0]!.edges?.map((e) => `${e.client.namespace}/${e.client.workload}`)).toEqual([
      'legacy/sleep',
    ]);
    expect(out.summary).toMatchObject({ newErrors: 1, notCompared: ['k8s/rendered/batch.yaml'] });
    expect(r.code).toBe(1);

    // Paths named inside the submodule (and single files) are read on both sides too: the same one finding.
    const named = await runCli(
      [
        '--base',
        'main~1',
        '-f',
        'json',
        SUBMODULE,
        'k8s/namespaces.yaml',
        'k8s/httpbin.yaml',
        'k8s/legacy-sleep.yaml',
      ],
      { cwd: dir },
    );
    expect(json(named.stdout).findings).toEqual([
      expect.objectContaining({ rule: 'plaintext-to-strict', file: `${SUBMODULE}/pa.yaml`, new: true }),
    ]);
    const inside = await runCli(
      ['--base', 'main~1', '-f', 'json', '--all', `${SUBMODULE}/pa.yaml`, 'k8s/namespaces.yaml'],
      { cwd: dir },
    );
    // Without callers nothing breaks; the policy is read on both sides, so nothing at all is new.
    expect(json(inside.stdout).findings.filter((f) => f.new !== false)).toEqual([]);
    expect(json(inside.stdout).summary).toMatchObject({ files: 2 });
  });

  it('a submodule whose base commit is not in its object store is compared on neither side, and says so', async () => {
    const { dir, policies } = platform('shallow', ['PERMISSIVE', 'STRICT']);
    // The head's checkout of the submodule is a shallow clone of its newest commit: the base's commit is not there.
    runGit(policies.dir, ['checkout', '-q', policies.commits[1]!]);
    runGit(dir, ['submodule', '--quiet', 'deinit', '-f', SUBMODULE]);
    const modules = path.join(dir, '.git', 'modules');
    runGit(dir, ['rm', '-q', '--cached', SUBMODULE]);
    rmSync(path.join(dir, SUBMODULE), { recursive: true, force: true });
    rmSync(modules, { recursive: true, force: true });
    runGit(dir, ['clone', '-q', '--depth=1', `file://${policies.dir}`, SUBMODULE]);
    const cloned = runGit(path.join(dir, SUBMODULE), ['rev-parse', 'HEAD']);
    runGit(dir, ['update-index', '--add', '--cacheinfo', `160000,${cloned},${SUBMODULE}`]);
    runGit(dir, ['commit', '-qm', 'foo: STRICT']);
    expect(runGit(dir, ['ls-files', '-s', SUBMODULE])).toMatch(new RegExp(`^160000 ${policies.commits[1]}`));

    const r = await runCli(['--base', 'main~1', '-f', 'json', 'k8s'], { cwd: dir });
    expect(r.stderr).toBe('');
    const out = json(r.stdout);
    // Not "new": the head's copy is left out like the base's; one info finding names the submodule and the fix.
    expect(out.findings).toEqual([
      expect.objectContaining({ rule: 'input-error', severity: 'info', file: SUBMODULE, new: true }),
    ]);
    expect(out.findings[0]!.message).toMatch(/submodule .* not compared/i);
    expect(out.findings[0]!.message).toContain(policies.commits[0]!.slice(0, 12));
    expect(r.code).toBe(0);
  });

  it('an untracked file named on the command line is not compared unless asked, and says how', async () => {
    const { dir } = platform('named', ['STRICT']);
    const r = await runCli(['--base', 'HEAD', 'k8s/rendered/batch.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^mtls-lint: nothing to compare: git does not track k8s\/rendered\/batch\.yaml, .*--untracked compare/,
    );
    const compared = await runCli(
      ['--base', 'HEAD', '--untracked', 'compare', '-f', 'json', 'k8s/rendered/batch.yaml'],
      { cwd: dir },
    );
    expect(compared.code).toBe(0);
    expect(json(compared.stdout).summary).toMatchObject({ files: 1, resources: 1 });
  });
});

describe('links are keyed the same on both sides', () => {
  it('dangling, out-of-tree (relative, absolute, through a chain) and in-tree links give the base the head’s keys', async () => {
    const repo = makeRepo('links', [
      {
        'k8s/namespaces.yaml': NAMESPACES,
        'k8s/sub/real.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: real, namespace: foo}\n',
        'k8s/dir/keep.txt': 'not a manifest\n',
      },
    ]);
    const links: [string, string][] = [
      ['k8s/out-dangling.yaml', '../../nowhere/mesh.yaml'],
      ['k8s/out-absolute.yaml', '/nonexistent/mtls-lint/mesh.yaml'],
      ['k8s/out-existing.yaml', '../.git/HEAD'],
      ['k8s/chain-out.yaml', 'hop.yaml'],
      ['k8s/hop.yaml', '../../nowhere/hop.yaml'],
      ['k8s/in-dangling.yaml', 'sub/missing.yaml'],
      ['k8s/in-absolute.yaml', path.join(repo.dir, 'k8s/sub/real.yaml')],
      ['k8s/loop-a.yaml', 'loop-b.yaml'],
      ['k8s/loop-b.yaml', 'loop-a.yaml'],
      ['k8s/to-dir.yaml', 'dir'],
    ];
    for (const [at, to] of links) symlinkSync(to, path.join(repo.dir, at));
    runGit(repo.dir, ['add', '-A']);
    runGit(repo.dir, ['commit', '-qm', 'links']);
    writeTree(repo.dir, { 'k8s/namespaces.yaml': `# comment\n${NAMESPACES}` });
    runGit(repo.dir, ['commit', '-qam', 'comment']);

    const r = await runCli(['--base', 'HEAD~1', '--all', '-f', 'json', 'k8s'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const findings = json(r.stdout).findings;
    const keys = (f: JsonFinding) => `${f.file} ${f.fingerprint ?? ''}`;
    expect(findings.map(keys).sort()).toEqual(
      [
        'k8s/out-dangling.yaml input-error|k8s/out-dangling.yaml|symlink-outside',
        'k8s/out-absolute.yaml input-error|k8s/out-absolute.yaml|symlink-outside',
        'k8s/out-existing.yaml input-error|k8s/out-existing.yaml|symlink-outside',
        'k8s/chain-out.yaml input-error|k8s/chain-out.yaml|symlink-outside',
        'k8s/hop.yaml input-error|k8s/hop.yaml|symlink-outside',
        'k8s/in-dangling.yaml input-error|k8s/in-dangling.yaml|symlink',
        'k8s/loop-a.yaml input-error|k8s/loop-a.yaml|symlink',
        'k8s/loop-b.yaml input-error|k8s/loop-b.yaml|symlink',
      ].sort(),
    );
    // Each is matched by the base's finding: nothing new, exit 0.
    expect(findings.filter((f) => f.new !== false)).toEqual([]);
    expect(r.code).toBe(0);
    // The absolute link into the tree is read like the relative one would be: real.yaml once, under its own name.
    const files = await runCli(['--base', 'HEAD~1', '-f', 'json', 'k8s'], { cwd: repo.dir });
    expect(json(files.stdout).summary).toMatchObject({ files: 2 });
  });

  it('the note on testdata directories left out has the head’s key in the base, and their changes are not linted', async () => {
    const bad = 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: foo}\n';
    const repo = makeRepo('testdata', [
      {
        'k8s/namespaces.yaml': NAMESPACES,
        'k8s/operator/testdata/old.yaml': bad,
        'k8s/operator/testdata/notes.txt': 'inputs of the operator tests\n',
      },
    ]);
    writeTree(repo.dir, { 'k8s/operator/testdata/new.yaml': bad.replace('Bad_Name', 'Also_Bad') });
    runGit(repo.dir, ['add', '-A']);
    runGit(repo.dir, ['commit', '-qm', 'more test inputs']);
    const r = await runCli(['--base', 'HEAD~1', '--all', '-f', 'json', 'k8s'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    const findings = json(r.stdout).findings;
    expect(findings.map((f) => `${f.file} ${f.fingerprint ?? ''} ${String(f.new)}`)).toEqual([
      'k8s input-error|k8s|testdata false',
    ]);
    expect(r.code).toBe(0);
  });
});
