// PR mode (--base): identity matching, git plumbing, base directories/files, and the CLI contract.
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run as cli } from '../src/cli/main.js';
import { lintAgainstBase } from '../src/diff/base.js';
import { BaseError, checkRef } from '../src/diff/git.js';
import { ParseCache } from '../src/load/index.js';
import { resolveOptions } from '../src/resolve-options.js';
import type { Finding } from '../src/types.js';
import { fixture, makeRepo, runGit, writeTree, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';

const noStdin = async () => new Uint8Array();

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
const PA_STRICT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
    mode: STRICT
`;
const PA_PERMISSIVE = PA_STRICT.replace('STRICT', 'PERMISSIVE');
const sleep = (ns: string, name = 'sleep', calls = 'httpbin.foo:8000') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}${calls ? `\n  annotations:\n    mtls-lint.io/calls: ${calls}` : ''}
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

/** foo (injected) runs httpbin; legacy (not injected) runs sleep, which calls httpbin.foo:8000. */
function workloads(): Tree {
  return {
    'k8s/namespaces.yaml': NAMESPACES,
    'k8s/httpbin.yaml': fixture('seed/httpbin.yaml'),
    'k8s/legacy-sleep.yaml': sleep('legacy'),
  };
}

function options(cwd: string, paths = ['k8s'], rules?: Record<string, 'off' | 'error' | 'warning' | 'info'>) {
  const o = resolveOptions({ cwd, paths, noConfig: true });
  if (rules) o.config.rules = rules;
  return o;
}

const errorsOf = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');

describe('matching findings by identity, not by line', () => {
  it('an old finding stays old when the file is moved and lines are added above it', async () => {
    const moved = `# Peer authentication for foo, moved into security/ in this change.\n# (two comment lines above)\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated, namespace: foo}\ndata: {a: b}\n---\n${PA_STRICT}`;
    const repo = makeRepo('move', [
      { ...workloads(), 'k8s/pa.yaml': PA_STRICT },
      { 'k8s/pa.yaml': null, 'k8s/security/peer-authentication.yaml': moved },
    ]);
    const onlyNew = await lintAgainstBase(options(repo.dir), repo.commits[0]!, {
      stdin: noStdin,
      showAll: false,
    });
    expect(onlyNew.findings).toEqual([]);
    expect(onlyNew.summary.newErrors).toBe(0);
    expect(onlyNew.summary.errors).toBe(1);

    const all = await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: true });
    const e = errorsOf(all.findings);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({
      rule: 'plaintext-to-strict',
      new: false,
      file: 'k8s/security/peer-authentication.yaml',
      line: 16,
    });
  });

  it('the same finding with a victim more is new (STRICT now also breaks legacy/curl)', async () => {
    const repo = makeRepo('victim', [
      { ...workloads(), 'k8s/pa.yaml': PA_STRICT },
      { 'k8s/legacy-curl.yaml': sleep('legacy', 'curl') },
    ]);
    const r = await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: false });
    const e = errorsOf(r.findings);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ rule: 'plaintext-to-strict', new: true, file: 'k8s/pa.yaml', line: 8 });
    expect(e[0]!.message).toContain('legacy/curl');
  });

  it('a finding whose severity rises is new (a possible caller becomes a declared one)', async () => {
    const repo = makeRepo('severity', [
      { ...workloads(), 'k8s/legacy-sleep.yaml': sleep('legacy', 'sleep', ''), 'k8s/pa.yaml': PA_STRICT },
      { 'k8s/legacy-sleep.yaml': sleep('legacy') },
    ]);
    const base = await lintAgainstBase(options(repo.dir), repo.commits[0]!, {
      stdin: noStdin,
      showAll: true,
    });
    const before = base.baseResult.findings.find((f) => f.rule === 'plaintext-to-strict');
    expect(before?.severity).toBe('warning');
    const e = errorsOf(base.findings);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ rule: 'plaintext-to-strict', new: true });
  });

  it('a YAML error that moves down a file is not new; a second one is', async () => {
    const broken =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: foo}\ndata:\n  a: [1, 2\n';
    const repo = makeRepo('yaml', [
      { ...workloads(), 'k8s/broken.yaml': broken },
      { 'k8s/broken.yaml': `# a comment\n# another\n${broken}`, 'k8s/broken2.yaml': broken },
    ]);
    const r = await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: true });
    const syntax = r.findings.filter((f) => f.rule === 'yaml-syntax');
    expect(syntax.map((f) => [f.file, f.new])).toEqual([
      ['k8s/broken.yaml', false],
      ['k8s/broken2.yaml', true],
    ]);
  });
});

describe('reading the base from git', () => {
  it('refuses refs that git or a shell could misread, and runs nothing', async () => {
    const repo = makeRepo('refs', [{ ...workloads() }]);
    const marker = path.join(repo.dir, 'pwned');
    const hostile = [
      `--upload-pack=touch ${marker}`,
      '-h',
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      'main..HEAD',
      'HEAD:k8s/httpbin.yaml',
      'main;touch pwned',
      'main\nHEAD',
      '',
    ];
    for (const ref of hostile) {
      expect(checkRef(ref), ref).toBeDefined();
      await expect(
        lintAgainstBase(options(repo.dir), ref, { stdin: noStdin, showAll: false, gitOnly: true }),
        ref,
      ).rejects.toBeInstanceOf(BaseError);
    }
    expect(existsSync(marker)).toBe(false);
    for (const ok of [
      'main',
      'origin/main',
      'HEAD~1',
      'HEAD^',
      'v1.2.3',
      'release-1.24',
      repo.commits[0]!,
      '@{upstream}',
    ]) {
      expect(checkRef(ok), ok).toBeUndefined();
    }
  });

  it('a ref that is not a commit, a shallow clone, and a directory outside git each get a clear usage error', async () => {
    const repo = makeRepo('shallow', [
      { ...workloads(), 'k8s/pa.yaml': PA_PERMISSIVE },
      { 'k8s/pa.yaml': PA_STRICT },
    ]);
    await expect(
      lintAgainstBase(options(repo.dir), 'no-such-branch', { stdin: noStdin, showAll: false }),
    ).rejects.toThrow(/"no-such-branch" is not a commit in this repository/);

    const clone = tempDir('clone');
    runGit(clone, ['clone', '-q', '--depth=1', `file://${repo.dir}`, 'c']);
    const cloneDir = path.join(clone, 'c');
    await expect(
      lintAgainstBase(options(cloneDir), repo.commits[0]!, { stdin: noStdin, showAll: false }),
    ).rejects.toThrow(/fetch-depth: 0/);

    const notGit = tempDir('nogit');
    writeTree(notGit, { 'k8s/pa.yaml': PA_STRICT });
    await expect(
      lintAgainstBase(options(notGit), 'main', { stdin: noStdin, showAll: false }),
    ).rejects.toThrow(/not inside a git repository/);

    await expect(
      lintAgainstBase(options(repo.dir, [notGit]), 'main', { stdin: noStdin, showAll: false }),
    ).rejects.toThrow(/outside the git repository/);
  });

  it('paths are relative to the working directory, also in a subdirectory of the repository', async () => {
    const repo = makeRepo('subdir', [
      { ...workloads(), 'k8s/pa.yaml': PA_STRICT, 'other/pa.yaml': PA_STRICT.replace('foo', 'bar') },
      { 'k8s/pa.yaml': `# moved down\n${PA_STRICT}` },
    ]);
    const cwd = path.join(repo.dir, 'k8s');
    const r = await lintAgainstBase(options(cwd, ['.']), repo.commits[0]!, { stdin: noStdin, showAll: true });
    // Only k8s/ was compared: other/ (outside the given path) is in neither side.
    expect(r.findings.every((f) => !f.file.startsWith('other') && !f.file.startsWith('..'))).toBe(true);
    expect(errorsOf(r.findings)).toEqual([expect.objectContaining({ file: 'pa.yaml', line: 9, new: false })]);
    expect(r.base).toMatchObject({ kind: 'git', commit: repo.commits[0] });
  });

  it('names with spaces and glob characters are literal; symlinks are taken as the head walk takes them', async () => {
    const repo = makeRepo('names', [
      {
        ...workloads(),
        'k8s/odd name [1].yaml': PA_STRICT,
        'k8s/* .yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: star, namespace: foo}\n',
        'k8s/sub/real.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: real, namespace: foo}\n',
        'k8s/sub/real.txt': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: txt, namespace: foo}\n',
        'outside/pa.yaml': PA_STRICT.replace('foo', 'bar'),
      },
    ]);
    // In the base commit: a link out of the walked directory (not followed) and one inside it (read).
    symlinkSync('../outside/pa.yaml', path.join(repo.dir, 'k8s/link-out.yaml'));
    symlinkSync('sub/real.yaml', path.join(repo.dir, 'k8s/link-in.yaml'));
    symlinkSync('sub/real.txt', path.join(repo.dir, 'k8s/via-link.yaml'));
    runGit(repo.dir, ['add', '-A']);
    runGit(repo.dir, ['commit', '-qm', 'links']);
    const base = runGit(repo.dir, ['rev-parse', 'HEAD']);
    writeTree(repo.dir, { 'k8s/odd name [1].yaml': `# edit\n${PA_STRICT}` });
    runGit(repo.dir, ['commit', '-qam', 'head']);

    const r = await lintAgainstBase(options(repo.dir, ['k8s/odd name [1].yaml']), base, {
      stdin: noStdin,
      showAll: true,
    });
    // Only the named file: "[1]" is not a glob class, and "k8s/* .yaml" is not pulled in.
    expect(r.inputs.files).toEqual(['k8s/odd name [1].yaml']);
    expect(r.baseResult.inputs.files).toEqual(['k8s/odd name [1].yaml']);

    const all = await lintAgainstBase(options(repo.dir), base, { stdin: noStdin, showAll: true });
    expect(all.baseResult.inputs.files).toEqual(all.inputs.files);
    // link-in.yaml's target is read directly (once); link-out.yaml leads out of k8s/ and is not followed.
    expect(all.inputs.files).not.toContain('k8s/link-in.yaml');
    expect(all.inputs.files).toContain('k8s/via-link.yaml'); // real.txt is not a manifest name: read via the link
    expect(all.inputs.files).not.toContain('k8s/link-out.yaml');
    // The head's info about the outside link is matched by the base's: not new.
    expect(all.findings.filter((f) => f.file === 'k8s/link-out.yaml')).toEqual([
      expect.objectContaining({ rule: 'input-error', severity: 'info', new: false }),
    ]);
    expect(all.inputs.files).toContain('k8s/* .yaml');
    expect(all.findings.filter((f) => f.new)).toEqual([]);
    expect(errorsOf(all.findings)).toEqual([
      expect.objectContaining({ file: 'k8s/odd name [1].yaml', line: 9, new: false }),
    ]);
  });

  it('parses a file that the change did not touch once for both sides', async () => {
    const repo = makeRepo('cache', [
      { ...workloads(), 'k8s/pa.yaml': PA_PERMISSIVE },
      { 'k8s/pa.yaml': PA_STRICT },
    ]);
    const cache = new ParseCache();
    await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: false, cache });
    // namespaces, httpbin and legacy-sleep are the same blob on both sides; pa.yaml differs.
    expect(cache.hits).toBe(3);
  });
});

describe('--base DIR and --base FILE', () => {
  it('a directory with the old version of the one head directory', async () => {
    const dir = tempDir('dirbase');
    const broken =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: foo}\ndata:\n  a: [1, 2\n';
    writeTree(dir, {
      'old/namespaces.yaml': NAMESPACES,
      'old/httpbin.yaml': fixture('seed/httpbin.yaml'),
      'old/legacy-sleep.yaml': sleep('legacy'),
      'old/pa.yaml': PA_PERMISSIVE,
      'old/broken.yaml': broken,
      'new/namespaces.yaml': NAMESPACES,
      'new/httpbin.yaml': fixture('seed/httpbin.yaml'),
      'new/legacy-sleep.yaml': sleep('legacy'),
      'new/pa.yaml': PA_STRICT,
      'new/broken.yaml': `\n\n${broken}`,
    });
    const r = await lintAgainstBase(options(dir, ['new']), 'old', { stdin: noStdin, showAll: true });
    expect(r.base.kind).toBe('directory');
    // old/broken.yaml is the old new/broken.yaml: the moved YAML error is matched by file and message.
    expect(r.findings.filter((f) => f.rule === 'yaml-syntax')).toEqual([
      expect.objectContaining({ file: 'new/broken.yaml', new: false }),
    ]);
    expect(errorsOf(r.findings).filter((f) => f.rule === 'plaintext-to-strict')).toEqual([
      expect.objectContaining({ file: 'new/pa.yaml', line: 8, new: true }),
    ]);
  });

  it('a directory with the old version of the working directory, for several head paths', async () => {
    const dir = tempDir('rootbase');
    writeTree(dir, {
      ...workloads(),
      'k8s/pa.yaml': PA_STRICT,
      'extra/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: foo}\n',
      'base/k8s/namespaces.yaml': NAMESPACES,
      'base/k8s/httpbin.yaml': fixture('seed/httpbin.yaml'),
      'base/k8s/legacy-sleep.yaml': sleep('legacy'),
      'base/k8s/pa.yaml': PA_STRICT,
    });
    const r = await lintAgainstBase(options(dir, ['k8s', 'extra']), 'base', {
      stdin: noStdin,
      showAll: false,
    });
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatchObject({ errors: 1, newErrors: 0 });
  });

  it('a file with the old rendered manifests, against standard input', async () => {
    const dir = tempDir('filebase');
    const all = [NAMESPACES, fixture('seed/httpbin.yaml'), sleep('legacy')].join('---\n');
    writeFileSync(path.join(dir, 'old.yaml'), `${all}---\n${PA_PERMISSIVE}`);
    const stdin = async () => Buffer.from(`${all}---\n${PA_STRICT}`);
    const r = await lintAgainstBase(options(dir, ['-']), 'old.yaml', { stdin, showAll: false });
    expect(r.base.kind).toBe('file');
    expect(errorsOf(r.findings)).toEqual([
      expect.objectContaining({ rule: 'plaintext-to-strict', file: '<stdin>', new: true }),
    ]);
  });
});

describe('transitions', () => {
  const PA_PERMISSIVE_SIDE = {
    ...workloads(),
    'k8s/foo-sleep.yaml': sleep('foo'),
    'k8s/pa.yaml': PA_PERMISSIVE,
  };
  const DR_DISABLE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: httpbin-plain
  namespace: foo
spec:
  host: httpbin.foo.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
`;

  it('mTLS → plaintext becomes a connection-downgrade finding at the DestinationRule when no other rule covers it', async () => {
    const repo = makeRepo('downgrade', [PA_PERMISSIVE_SIDE, { 'k8s/dr.yaml': DR_DISABLE }]);
    const opts = options(repo.dir, ['k8s'], {
      'plaintext-between-sidecars': 'off',
      'plaintext-accepted': 'off',
    });
    const r = await lintAgainstBase(opts, repo.commits[0]!, { stdin: noStdin, showAll: false });
    const d = r.findings.filter((f) => f.rule === 'connection-downgrade');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      file: 'k8s/dr.yaml',
      line: 10,
      new: true,
      severity: 'warning',
      transition: { from: 'mtls', to: 'plaintext' },
    });
    expect(d[0]!.message).toMatch(
      /^foo\/sleep → httpbin\.foo:8000: mTLS → plaintext \(200\), caused by foo\/DestinationRule httpbin-plain line 10/,
    );
    expect(d[0]!.message).toContain('undoes "clients send mTLS"');
    expect(d[0]!.edges).toEqual([
      {
        client: { namespace: 'foo', workload: 'sleep', kind: 'Deployment' },
        server: { namespace: 'foo', service: 'httpbin', port: 8000 },
        caller: 'declared',
        transition: { from: 'mtls', to: 'plaintext' },
      },
    ]);
    expect(d[0]!.related?.map((x) => x.file)).toEqual(['k8s/foo-sleep.yaml', 'k8s/httpbin.yaml']);
  });

  it('with the default rules the transition is added to the finding that reports the edge, not a second finding', async () => {
    const repo = makeRepo('covered', [PA_PERMISSIVE_SIDE, { 'k8s/dr.yaml': DR_DISABLE }]);
    const r = await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: false });
    const withTransition = r.findings.filter((f) => f.transition);
    expect(withTransition).toHaveLength(1);
    expect(withTransition[0]!.rule).not.toBe('connection-downgrade');
    expect(withTransition[0]!.message).toContain(
      'Change: foo/sleep → httpbin.foo:8000: mTLS → plaintext (200)',
    );
  });

  it('plaintext → 503: a client sends ISTIO_MUTUAL to a server without a sidecar (skips PERMISSIVE)', async () => {
    const legacyHttpbin = fixture('seed/httpbin.yaml').replace(/namespace: foo/g, 'namespace: legacy');
    const base = {
      'k8s/namespaces.yaml': NAMESPACES,
      'k8s/httpbin.yaml': legacyHttpbin,
      'k8s/foo-sleep.yaml': sleep('foo', 'sleep', 'httpbin.legacy:8000'),
    };
    const dr = DR_DISABLE.replace('httpbin.foo', 'httpbin.legacy').replace('DISABLE', 'ISTIO_MUTUAL');
    const repo = makeRepo('mtls-to-plain', [base, { 'k8s/dr.yaml': dr }]);
    const r = await lintAgainstBase(options(repo.dir), repo.commits[0]!, { stdin: noStdin, showAll: false });
    const e = errorsOf(r.findings);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({
      file: 'k8s/dr.yaml',
      new: true,
      transition: { from: 'plaintext', to: '503' },
    });
    expect(e[0]!.message).toContain('foo/sleep → httpbin.legacy:8000: plaintext (200) → 503');
    expect(e[0]!.message).toContain('skipped step: PERMISSIVE');
  });

  it('rules: {connection-downgrade: off} turns transitions off', async () => {
    const repo = makeRepo('off', [PA_PERMISSIVE_SIDE, { 'k8s/dr.yaml': DR_DISABLE }]);
    const r = await lintAgainstBase(
      options(repo.dir, ['k8s'], { 'connection-downgrade': 'off' }),
      repo.commits[0]!,
      { stdin: noStdin, showAll: true },
    );
    expect(r.findings.filter((f) => f.transition || f.rule === 'connection-downgrade')).toEqual([]);
  });
});

describe('the CLI with --base', () => {
  function io(cwd: string, stdinText = '') {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    stdin.end(stdinText);
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += String(c)));
    stderr.on('data', (c) => (err += String(c)));
    return { io: { cwd, stdout, stderr, stdin, env: {} }, out: () => out, err: () => err };
  }

  it('exits 1 only for new findings; --all lists the old ones marked', async () => {
    const repo = makeRepo('cli', [
      { ...workloads(), 'k8s/pa.yaml': PA_STRICT },
      { 'k8s/pa.yaml': `# comment\n${PA_STRICT}` },
    ]);
    const a = io(repo.dir);
    expect(await cli(['--base', 'main~1', '-f', 'json', 'k8s'], a.io)).toBe(0);
    expect(JSON.parse(a.out())).toMatchObject({ findings: [], summary: { errors: 1, newErrors: 0 } });

    const b = io(repo.dir);
    expect(await cli(['--base', 'main~1', '--all', '-f', 'json', 'k8s'], b.io)).toBe(0);
    expect(JSON.parse(b.out()).findings).toEqual([
      expect.objectContaining({ rule: 'plaintext-to-strict', new: false, line: 9 }),
    ]);

    writeTree(repo.dir, { 'k8s/pa.yaml': PA_PERMISSIVE });
    runGit(repo.dir, ['commit', '-qam', 'permissive']);
    writeTree(repo.dir, { 'k8s/pa.yaml': PA_STRICT });
    const c = io(repo.dir);
    expect(await cli(['--base', 'HEAD', '-f', 'json', 'k8s'], c.io)).toBe(1);
    expect(JSON.parse(c.out()).findings).toEqual([
      expect.objectContaining({ rule: 'plaintext-to-strict', new: true }),
    ]);
  });

  it('a hostile ref is a usage error (exit 2) with a one-line message', async () => {
    const repo = makeRepo('cli-bad', [{ ...workloads() }]);
    const a = io(repo.dir);
    expect(await cli(['--base=--upload-pack=touch pwned', 'k8s'], a.io)).toBe(2);
    expect(a.err()).toMatch(/^mtls-lint: --base: .* starts with "-", so git would read it as an option\n$/);
    expect(existsSync(path.join(repo.dir, 'pwned'))).toBe(false);
  });
});
