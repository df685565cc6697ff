// Config `meshes:`: several input sets analysed each on its own in one run and one report, from `paths:` or from a
// `render:` command (real shell scripts in real temporary git repositories), in the CLI, PR mode and the Action.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, inputEnv, readActionMetadata } from './helpers/action.js';
import { sharedBundle } from './helpers/bundle.js';
import { runCli } from './helpers/cli.js';
import { makeRepo, runGit, writeTree, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';

/** The migration example's manifests: step 2 (clients send mTLS, no error) and step 3 (STRICT breaks legacy/sleep). */
function example(step: '2-client-mtls' | '3-strict', prefix: string): Tree {
  const dir = path.join(ROOT, 'examples', 'migration', step);
  const tree: Tree = {};
  for (const f of readdirSync(dir)) tree[`${prefix}${f}`] = readFileSync(path.join(dir, f), 'utf8');
  return tree;
}

/** A render script that prints every manifest of a directory as one stream, as `kustomize build` does. */
const RENDER = `#!/bin/sh
# render.sh DIR: the manifests of DIR as one multi-document stream
for f in "$1"/*.yaml; do echo ---; cat "$f"; done
`;

function repoWith(name: string, config: string, extra: Tree = {}): string {
  const dir = tempDir(name);
  writeTree(dir, {
    ...example('3-strict', 'envs/prod/'),
    ...example('2-client-mtls', 'envs/staging/'),
    'render.sh': RENDER,
    '.mtls-lint.yaml': config,
    ...extra,
  });
  return dir;
}

const TWO_MESHES = `meshes:
  prod:
    render: sh render.sh envs/prod
  staging:
    paths: [envs/staging]
`;

describe('two meshes in one report', () => {
  let dir: string;
  beforeAll(() => {
    dir = repoWith('meshes-two', TWO_MESHES);
  });

  it('json: each finding names its mesh, and each mesh has its own findings', async () => {
    const r = await runCli(['-f', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: { rule: string; mesh?: string; file: string; line: number; fingerprint: string }[];
    };
    const prod = report.findings.filter((f) => f.mesh === 'prod');
    const staging = report.findings.filter((f) => f.mesh === 'staging');
    expect(prod.length + staging.length).toBe(report.findings.length);
    // STRICT breaks legacy/sleep in prod only; staging (PERMISSIVE) only says that plaintext is accepted.
    expect(prod.map((f) => f.rule)).toContain('plaintext-to-strict');
    expect(staging.map((f) => f.rule)).not.toContain('plaintext-to-strict');
    expect(staging.map((f) => f.rule)).toContain('plaintext-accepted');
    // Rendered objects are reported in the render's output: file `$(command)`, line in its standard output.
    const strict = prod.find((f) => f.rule === 'plaintext-to-strict')!;
    expect(strict.file).toBe('$(sh render.sh envs/prod)');
    const rendered = await new Promise<string>((resolve) =>
      execFile('sh', ['render.sh', 'envs/prod'], { cwd: dir }, (_e, out) => resolve(out)),
    );
    expect(rendered.split('\n')[strict.line - 1]).toMatch(/mode: STRICT/);
    expect(strict.fingerprint.startsWith('mesh:prod|')).toBe(true);
    // Files of a paths: mesh are shown as files.
    expect(staging[0]!.file).toMatch(/^envs\/staging\//);
  });

  it('every format shows the mesh', async () => {
    const stylish = await runCli(['--no-color'], { cwd: dir });
    expect(stylish.stdout).toContain('[prod] $(sh render.sh envs/prod)');
    expect(stylish.stdout).toMatch(/\[staging\] envs\/staging\/peer-authentication\.yaml/);

    const sarif = JSON.parse((await runCli(['-f', 'sarif'], { cwd: dir })).stdout) as Log;
    const results = sarif.runs[0]!.results!;
    expect(results.find((x) => x.ruleId === 'plaintext-to-strict')!.properties!.mesh).toBe('prod');
    expect(results.find((x) => x.ruleId === 'plaintext-accepted')!.message.text).toMatch(/^\[staging\] /);

    const github = (await runCli(['-f', 'github'], { cwd: dir })).stdout;
    expect(github).toMatch(
      /^::error title=mtls-lint plaintext-to-strict \[mesh prod\]::\$\(sh render\.sh envs\/prod\):\d+:\d+: /m,
    );
    expect(github).toMatch(
      /file=envs\/staging\/peer-authentication\.yaml,.*title=mtls-lint plaintext-accepted \[mesh staging\]/,
    );

    const markdown = (await runCli(['-f', 'markdown'], { cwd: dir })).stdout;
    expect(markdown).toContain('| \\[prod\\] $\\(sh render.sh envs/prod\\):');
    expect(markdown).toContain('| \\[staging\\] envs/staging/peer-authentication.yaml:12 |');

    const junit = (await runCli(['-f', 'junit'], { cwd: dir })).stdout;
    expect(junit).toContain('<testsuite name="[prod] $(sh render.sh envs/prod)"');
    expect(junit).toContain('<testsuite name="[staging] envs/staging/peer-authentication.yaml"');

    const gitlab = JSON.parse((await runCli(['-f', 'gitlab'], { cwd: dir })).stdout) as {
      check_name: string;
      description: string;
    }[];
    expect(gitlab.find((i) => i.check_name === 'plaintext-to-strict')!.description).toMatch(/^\[prod\] /);
    expect(gitlab.find((i) => i.check_name === 'plaintext-accepted')!.description).toMatch(/^\[staging\] /);
  });

  it('graph -f json: every edge names its mesh, each mesh its own outcome', async () => {
    const r = await runCli(['graph', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout) as {
      edges: { mesh: string; client: { namespace: string }; outcome: string }[];
    };
    const legacy = (mesh: string) =>
      graph.edges.find((e) => e.mesh === mesh && e.client.namespace === 'legacy')!.outcome;
    expect(legacy('prod')).toBe('broken');
    expect(legacy('staging')).toBe('plaintext');
  });

  it('--mesh selects meshes; path arguments lint those paths without meshes', async () => {
    const only = JSON.parse((await runCli(['-f', 'json', '--mesh', 'staging'], { cwd: dir })).stdout) as {
      findings: { mesh?: string }[];
    };
    expect(only.findings.length).toBeGreaterThan(0);
    expect(only.findings.every((f) => f.mesh === 'staging')).toBe(true);

    const plain = await runCli(['-f', 'json', 'envs/prod'], { cwd: dir });
    expect(plain.code).toBe(1);
    const findings = (JSON.parse(plain.stdout) as { findings: { mesh?: string; file: string }[] }).findings;
    expect(findings.some((f) => f.mesh !== undefined)).toBe(false);
    expect(findings.every((f) => f.file.startsWith('envs/prod/'))).toBe(true);

    const unknown = await runCli(['--mesh', 'qa'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--mesh "qa": no mesh of that name .*\(meshes: prod, staging\)/);
    const both = await runCli(['--mesh', 'prod', 'envs/prod'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one or the other/);
  });
});

describe('config', () => {
  it('a mesh without paths or render is exit 2 at its line', async () => {
    const dir = repoWith('meshes-config', 'namespace: default\nmeshes:\n  prod: {timeout: 5}\n');
    const r = await runCli([], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.mtls-lint\.yaml:3:3: meshes\.prod needs paths: .* or render: /);
  });

  it('--mesh without meshes: is exit 2', async () => {
    const dir = repoWith('meshes-none', 'namespace: default\n');
    const r = await runCli(['--mesh', 'prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no meshes: section/);
  });
});

describe('render failures', () => {
  it('a failing command is an input-error naming mesh, command, exit code and stderr; the other mesh still runs', async () => {
    const dir = repoWith(
      'meshes-fail',
      `meshes:\n  prod:\n    render: "echo 'error: accumulating resources: overlays/prod: no such directory' >&2; exit 3"\n  staging:\n    paths: [envs/staging]\n`,
    );
    const r = await runCli(['-f', 'json'], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { rule: string; mesh: string; message: string }[] })
      .findings;
    const failed = findings.find((f) => f.mesh === 'prod' && f.rule === 'input-error')!;
    expect(failed.message).toMatch(
      /^Mesh "prod": the render command `echo .*exit 3` failed with exit code 3/,
    );
    expect(failed.message).toMatch(/overlays\/prod: no such directory/);
    expect(findings.some((f) => f.mesh === 'staging' && f.rule === 'plaintext-accepted')).toBe(true);
  });

  it('a command over its timeout is killed, with everything it started', async () => {
    const marker = 'mtls-lint-timeout-test-' + process.pid;
    const dir = repoWith(
      'meshes-timeout',
      `meshes:\n  prod:\n    render: "sh render.sh envs/prod; sleep 30 # ${marker}"\n    timeout: 1\n  staging:\n    paths: [envs/staging]\n`,
    );
    const r = await runCli(['-f', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { rule: string; mesh: string; message: string }[] })
      .findings;
    const failed = findings.find((f) => f.mesh === 'prod' && f.rule === 'input-error')!;
    expect(failed.message).toMatch(/did not finish within 1 s \(meshes\.prod\.timeout\) and was killed/);
    // Nothing of the half-rendered mesh is analysed.
    expect(findings.filter((f) => f.mesh === 'prod').map((f) => f.rule)).toEqual(['input-error']);
    expect(findings.some((f) => f.mesh === 'staging')).toBe(true);
    // The sleep the shell started is gone too (the process group was killed).
    const ps = await new Promise<string>((resolve) =>
      execFile('ps', ['-eo', 'args'], (_e, out) => resolve(out)),
    );
    expect(ps).not.toContain(marker);
  });

  it('render commands do not see the tokens', async () => {
    const dir = repoWith(
      'meshes-env',
      'meshes:\n  prod:\n    render: "env > env.txt; sh render.sh envs/prod"\n',
    );
    const r = await runCli(['-f', 'json'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        GITHUB_TOKEN: 'ghs_visible1',
        GH_TOKEN: 'ghp_visible2',
        'INPUT_GITHUB-TOKEN': 'ghs_visible3',
        INPUT_TOKEN: 'ghs_visible4',
        ACTIONS_RUNTIME_TOKEN: 'rt_visible5',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc_visible6',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.invalid/',
        KEEP_ME: 'kept',
      },
    });
    expect(r.code).toBe(1);
    const env = readFileSync(path.join(dir, 'env.txt'), 'utf8');
    expect(env).toContain('KEEP_ME=kept');
    expect(env).not.toMatch(/visible|token\.invalid|GITHUB_TOKEN|INPUT_|ACTIONS_/);
  });
});

describe('PR mode', () => {
  it('renders the base in a temporary checkout with the head command and compares mesh by mesh', async () => {
    // Base: prod PERMISSIVE (the step-2 manifests), and a render command in the base config that would fail.
    const base: Tree = {
      ...example('2-client-mtls', 'envs/prod/'),
      ...example('2-client-mtls', 'envs/staging/'),
      'render.sh': RENDER,
      '.mtls-lint.yaml': `meshes:\n  prod:\n    render: "exit 9"\n  staging:\n    paths: [envs/staging]\n`,
    };
    const repo = makeRepo('meshes-pr', [base]);
    // Head: prod goes STRICT; the config renders with render.sh.
    writeTree(repo.dir, {
      ...example('3-strict', 'envs/prod/'),
      '.mtls-lint.yaml': `meshes:\n  prod:\n    render: sh render.sh envs/prod\n    paths: [envs/prod, render.sh]\n  staging:\n    paths: [envs/staging]\n`,
    });
    const r = await runCli(['-f', 'json', '--base', 'main'], { cwd: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      findings: { rule: string; mesh: string; new: boolean; transition?: { from: string; to: string } }[];
      summary: { newErrors: number };
    };
    // Only the change: prod's STRICT breaks legacy/sleep, which sent plaintext that worked in the base.
    expect(report.findings.map((f) => [f.mesh, f.rule])).toEqual([['prod', 'plaintext-to-strict']]);
    expect(report.findings[0]!.new).toBe(true);
    expect(report.findings[0]!.transition).toEqual({ from: 'plaintext', to: 'reset' });
    expect(report.summary.newErrors).toBe(1);
    // The base config's command (exit 9) never ran, and the checkout is gone.
    expect(r.stdout).not.toMatch(/exit code 9/);
    expect(runGit(repo.dir, ['worktree', 'list']).split('\n')).toHaveLength(1);

    // --all: staging's finding is already in the base.
    const all = JSON.parse(
      (await runCli(['-f', 'json', '--base', 'main', '--all'], { cwd: repo.dir })).stdout,
    ) as {
      findings: { mesh: string; rule: string; new: boolean }[];
    };
    expect(all.findings.find((f) => f.mesh === 'staging' && f.rule === 'plaintext-accepted')!.new).toBe(
      false,
    );
  });

  it('a mesh the change adds cannot render at the base: a warning, and its findings are new', async () => {
    const repo = makeRepo('meshes-pr-new', [{ 'README.md': 'nothing yet\n', 'render.sh': RENDER }]);
    writeTree(repo.dir, {
      ...example('3-strict', 'envs/prod/'),
      '.mtls-lint.yaml': 'meshes:\n  prod:\n    render: sh render.sh envs/prod\n',
    });
    const r = await runCli(['-f', 'json', '--base', 'main'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    const findings = (
      JSON.parse(r.stdout) as { findings: { rule: string; severity: string; message: string }[] }
    ).findings;
    const warning = findings.find((f) => f.rule === 'input-error')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toMatch(
      /at the base [0-9a-f]{7}: the render command `sh render\.sh envs\/prod` failed/,
    );
    expect(findings.some((f) => f.rule === 'plaintext-to-strict')).toBe(true);
  });
});

describe('PR mode: when the base is rendered', () => {
  it('not when nothing under the mesh paths changed; again when something did', async () => {
    const log = path.join(tempDir('meshes-runs'), 'runs.log');
    const config = `meshes:\n  prod:\n    render: "echo run >> ${log}; sh render.sh envs/prod"\n    paths: [envs/prod, render.sh]\n  staging:\n    paths: [envs/staging]\n`;
    const repo = makeRepo('meshes-pr-skip', [
      {
        ...example('3-strict', 'envs/prod/'),
        ...example('2-client-mtls', 'envs/staging/'),
        'render.sh': RENDER,
        '.mtls-lint.yaml': config,
      },
    ]);
    const runs = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    // Only staging changes: prod's base is its head, rendered once.
    writeTree(repo.dir, {
      'envs/staging/extra.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n',
    });
    const same = await runCli(['-f', 'json', '--base', 'main'], { cwd: repo.dir });
    expect(same.code).toBe(0);
    expect(runs()).toBe(1);
    // A new file under envs/prod (untracked) is a change: the base is rendered too.
    writeTree(repo.dir, {
      'envs/prod/extra.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n',
    });
    const changed = await runCli(['-f', 'json', '--base', 'main'], { cwd: repo.dir });
    expect(changed.code).toBe(0);
    expect(runs()).toBe(3);
  });

  it('a base directory cannot be rendered: exit 2 naming the mesh', async () => {
    const dir = repoWith('meshes-base-dir', TWO_MESHES);
    const r = await runCli(['--base', 'envs/staging'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mesh "prod" has render:, which needs the base as a git commit/);
  });
});

describe('the Action', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await sharedBundle('src/index.ts');
  }, 600_000);

  it('lints every mesh on a pull request, renders without the token, and annotates with the mesh', async () => {
    const token = 'ghs_MeshesTestTokenThatMustNotLeak42';
    const base: Tree = {
      ...example('2-client-mtls', 'envs/prod/'),
      ...example('2-client-mtls', 'envs/staging/'),
      'render.sh': RENDER,
    };
    const repo = makeRepo('meshes-action', [base]);
    writeTree(repo.dir, {
      ...example('3-strict', 'envs/prod/'),
      '.mtls-lint.yaml': `meshes:\n  prod:\n    render: "env | grep -c ${token} > leak.txt; sh render.sh envs/prod"\n  staging:\n    paths: [envs/staging]\n`,
    });
    runGit(repo.dir, ['add', '-A']);
    runGit(repo.dir, ['commit', '-q', '-m', 'prod STRICT']);
    const runner = tempDir('meshes-runner');
    const outputPath = path.join(runner, 'output.txt');
    const eventPath = path.join(runner, 'event.json');
    writeFileSync(outputPath, '');
    writeFileSync(
      eventPath,
      JSON.stringify({
        pull_request: { number: 7, base: { sha: repo.commits[0] } },
        repository: { full_name: 'o/r' },
      }),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: runner,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: repo.dir,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_TOKEN: token,
      ACTIONS_RUNTIME_TOKEN: token,
      ...inputEnv(readActionMetadata(), {}, { 'github.token': token }),
    };
    const r = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, [bundle], { cwd: repo.dir, env, timeout: 180_000 }, (err, stdout) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }),
      ),
    );
    expect(r.stdout).toMatch(/^::error title=mtls-lint plaintext-to-strict \[mesh prod\]::/m);
    expect(r.stdout).toMatch(/^::error::mtls-lint: 1 new finding at or above fail-on=error/m);
    expect(r.code).toBe(1);
    expect(readFileSync(outputPath, 'utf8')).toMatch(/new-errors<<[^\n]+\n1\n/);
    // The render ran, and no variable of its environment held the token.
    expect(existsSync(path.join(repo.dir, 'leak.txt'))).toBe(true);
    expect(readFileSync(path.join(repo.dir, 'leak.txt'), 'utf8').trim()).toBe('0');
  }, 300_000);
});
