// The release convention (docs/releasing.md) tested here as far as it runs without GitHub and npm: the release
// workflow's own shell steps run against real git repositories, and `npm publish --dry-run` packs the package against a
// loopback registry that records every request (nothing can be published from a test).
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, parseYamlStrict } from './helpers/action.js';
import { tempDir } from './helpers/tmp.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
}
const release = parseYamlStrict(
  readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8'),
  'release.yml',
) as {
  on: { push: { tags: string[] } };
  jobs: { release: { permissions: Record<string, string>; steps: Step[] } };
};
const steps = release.jobs.release.steps;
const stepIndex = (pred: (s: Step) => boolean) => {
  const i = steps.findIndex(pred);
  expect(i, 'step not found in release.yml').toBeGreaterThanOrEqual(0);
  return i;
};
const named = (name: string) => steps[stepIndex((s) => s.name === name)]!;

/** A workflow `run:` script as the runner runs it: bash -e, with the GITHUB_* variables given. */
function runStep(step: Step, cwd: string, env: Record<string, string>): { code: number; out: string } {
  try {
    const out = execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }).trim();
}

/** GitHub's filter pattern syntax (tags:): `*` any run without `/`, `+` one or more of the previous, `[..]` a class. */
function githubPattern(glob: string): RegExp {
  const re = glob
    .replace(/[.^$|(){}\\]/g, '\\$&')
    .replace(/\*\*/g, '\0')
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${re.replace(/\0/g, '.*')}$`);
}

describe('release workflow', () => {
  it('runs for tags vX.Y.Z only', () => {
    const patterns = release.on.push.tags.map(githubPattern);
    const runs = (tag: string) => patterns.some((p) => p.test(tag));
    for (const tag of ['v1.0.0', 'v1.2.3', 'v10.20.30']) expect(runs(tag), tag).toBe(true);
    for (const tag of ['v1', 'v1.2', 'v1.2.3-rc.1', '1.2.3', 'latest']) expect(runs(tag), tag).toBe(false);
  });

  it('checks, then moves the major tag, then publishes with provenance only when NPM_TOKEN is set', () => {
    const checkDist = stepIndex((s) => s.run === 'npm run check-dist');
    const tests = stepIndex((s) => s.run === 'npm test');
    const move = stepIndex((s) => s.name === 'Move the major tag');
    const publish = stepIndex((s) => /^npm publish\b/.test(s.run ?? ''));
    expect(Math.max(checkDist, tests)).toBeLessThan(move);
    expect(move).toBeLessThan(publish);
    expect(steps[publish]!.run).toContain('--provenance');
    expect(steps[publish]!.if).toBe("env.NPM_TOKEN != ''");
    expect(steps[publish]!.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
    // id-token for the provenance statement, contents: write for the tag; nothing else.
    expect(release.jobs.release.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
  });

  it('refuses a tag that does not name the version in package.json', () => {
    const dir = tempDir('release-version');
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'x', version: '1.4.0', type: 'module' }),
    );
    const step = named('The tag names the version in package.json');
    expect(runStep(step, dir, { GITHUB_REF_NAME: 'v1.4.0' })).toEqual({ code: 0, out: '' });
    const wrong = runStep(step, dir, { GITHUB_REF_NAME: 'v1.4.1' });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('::error::tag v1.4.1 does not match package.json version 1.4.0');
  });

  it('moves vX on the remote to each vX.Y.Z, again and again, and leaves other majors alone', () => {
    const base = tempDir('release-tags');
    const origin = path.join(base, 'origin.git');
    git(base, ['init', '-q', '--bare', origin]);
    git(base, ['clone', '-q', origin, 'work']);
    const work = path.join(base, 'work');
    const commit = (msg: string) => {
      git(work, ['commit', '-q', '--allow-empty', '-m', msg]);
      git(work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
      return git(work, ['rev-parse', 'HEAD']);
    };
    const remoteTag = (t: string) =>
      git(base, ['--git-dir', origin, 'rev-parse', '--verify', '--quiet', `refs/tags/${t}`]);
    const step = named('Move the major tag');
    const release = (tag: string, sha: string) => {
      git(work, ['tag', tag, sha]);
      const r = runStep(step, work, { GITHUB_REF_NAME: tag, GITHUB_SHA: sha });
      expect(r.code, r.out).toBe(0);
      return r;
    };

    const a = commit('1.0.0');
    expect(release('v1.0.0', a).out).toContain(`::notice::v1 now points at v1.0.0 (${a})`);
    expect(remoteTag('v1')).toBe(a);
    const b = commit('1.1.0');
    release('v1.1.0', b);
    expect(remoteTag('v1')).toBe(b);
    // A re-run of the same release (e.g. after a failed publish) works and changes nothing.
    expect(runStep(step, work, { GITHUB_REF_NAME: 'v1.1.0', GITHUB_SHA: b }).code).toBe(0);
    expect(remoteTag('v1')).toBe(b);
    const c = commit('2.0.0');
    release('v2.0.0', c);
    expect(remoteTag('v2')).toBe(c);
    expect(remoteTag('v1')).toBe(b);
  });
});

describe('npm publish --dry-run', () => {
  it('packs the CLI bundle, the docs and the license, nothing of the sources or tests, within the size budget', async () => {
    // A loopback registry: npm asks it whether the version exists (404: no), and a real publish would PUT to it.
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Not found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'npm',
        ['publish', '--dry-run', '--json', `--registry=${registry}`, '--fetch-retries=0'],
        { cwd: ROOT, maxBuffer: 16 << 20, timeout: 120_000 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`npm publish --dry-run: ${stderr}`)) : resolve(stdout),
      ),
    );
    server.close();
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([]);

    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      bin: Record<string, string>;
    };
    const report = (JSON.parse(out) as Record<string, unknown>)[pkg.name] as {
      size: number;
      unpackedSize: number;
      files: { path: string; mode: number }[];
    };
    const files = report.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/cli/index.js', 'docs/rules/README.md'])
      expect(files).toContain(f);
    for (const bin of Object.values(pkg.bin)) {
      expect(files).toContain(bin);
      expect(report.files.find((f) => f.path === bin)!.mode & 0o111, `${bin} is executable`).not.toBe(0);
    }
    const unwanted = files.filter((f) =>
      /^(src|test|bench|scripts|examples|rules|node_modules|\.github|\.ci)\/|^dist\/index\.js$|\.ts$|\.map$/.test(
        f,
      ),
    );
    expect(unwanted).toEqual([]);
    // Budget (docs/releasing.md): 1 MiB packed, 4 MiB installed.
    expect(report.size).toBeLessThan(1 << 20);
    expect(report.unpackedSize).toBeLessThan(4 << 20);
  });
});
