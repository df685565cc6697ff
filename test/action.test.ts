// The bundled action (ncc build of src/index.ts, as dist/index.js is built) run as the runner runs it: a Node
// process with INPUT_* and GITHUB_* variables, a real git checkout, and a loopback HTTP server as the GitHub API.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, inputEnv, parseYamlStrict, readActionMetadata, runNode } from './helpers/action.js';
import { sharedBundle } from './helpers/bundle.js';
import { fixture, makeRepo, runGit, seedWorkloads, writeTree, type Repo, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';
import { prometheusAnswer } from './helpers/traffic.js';

const TOKEN = 'ghs_TestTokenThatMustNotLeak0123456789';
const PERMISSIVE = { 'k8s/policy.yaml': fixture('seed-steps/policy-permissive.yaml') };
const STRICT = { 'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml') };
const DR = { 'k8s/destinationrule.yaml': fixture('seed-steps/destinationrule.yaml') };

let bundle: string;

beforeAll(async () => {
  bundle = await sharedBundle('src/index.ts');
}, 180_000);

// ---- a fake GitHub REST API -------------------------------------------------------------------------------

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** Whom the token authenticates as: `user` is what `GET /user` returns (undefined: 403, as for an app installation
 * token such as GITHUB_TOKEN); `writesAs` is the author GitHub puts on comments the token writes. */
interface Identity {
  user?: string;
  writesAs: string;
}
const GITHUB_TOKEN_IDENTITY: Identity = { writesAs: 'github-actions[bot]' };

class FakeGitHub {
  requests: Recorded[] = [];
  comments: { id: number; body: string; user: { login: string } }[] = [];
  identity: Identity = GITHUB_TOKEN_IDENTITY;
  /** Status for writes (403 = a fork PR's read-only token). */
  writeStatus = 200;
  private server: Server = createServer((req, res) => void this.handle(req, res));
  private nextId = 1000;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/user') {
      return this.identity.user
        ? send(200, { login: this.identity.user, type: 'User' })
        : send(403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          });
    }
    if (req.method === 'GET' && /^\/repos\/octo\/mesh\/issues\/7\/comments$/.test(url.pathname))
      return send(200, this.comments);
    if (req.method !== 'GET' && this.writeStatus !== 200) {
      return send(this.writeStatus, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    if (req.method === 'POST' && url.pathname === '/repos/octo/mesh/issues/7/comments') {
      const comment = {
        id: this.nextId++,
        body: (body as { body: string }).body,
        user: { login: this.identity.writesAs },
      };
      this.comments.push(comment);
      return send(201, comment);
    }
    const patch = /^\/repos\/octo\/mesh\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (req.method === 'PATCH' && patch) {
      const comment = this.comments.find((c) => c.id === Number(patch[1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = (body as { body: string }).body;
      return send(200, comment);
    }
    send(404, { message: 'Not Found' });
  }
}

let api: FakeGitHub;
let apiUrl: string;
beforeAll(async () => {
  api = new FakeGitHub();
  apiUrl = await api.start();
});
afterAll(async () => api.stop());

// ---- running the action -----------------------------------------------------------------------------------

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

interface RunSpec {
  workspace: string;
  /** The step's `with:`; every other input gets its default from action.yml, as the runner does. */
  inputs: Record<string, string>;
  event?: { name: string; payload: unknown };
  /** The script to run; default: the run's bundle of src/index.ts (built once, shared by the test files). */
  main?: string;
}

const action = readActionMetadata();

function prEvent(base: string, head: string) {
  return {
    name: 'pull_request',
    payload: {
      pull_request: { number: 7, base: { sha: base }, head: { sha: head } },
      repository: { full_name: 'octo/mesh' },
    },
  };
}

async function runAction(spec: RunSpec): Promise<RunResult> {
  const runner = tempDir('runner');
  const eventPath = path.join(runner, 'event.json');
  const outputPath = path.join(runner, 'output.txt');
  const summaryPath = path.join(runner, 'summary.md');
  writeFileSync(eventPath, JSON.stringify(spec.event?.payload ?? {}));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: spec.workspace,
    GITHUB_EVENT_NAME: spec.event?.name ?? 'push',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'octo/mesh',
    ...inputEnv(action, spec.inputs, { 'github.token': TOKEN }),
  };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(
        process.execPath,
        [spec.main ?? bundle],
        { cwd: spec.workspace, env, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputPath, 'utf8')),
    summary: readFileSync(summaryPath, 'utf8'),
  };
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<delimiter`, value lines, `delimiter`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

/** Workflow commands outside the stop-commands block (the runner ignores commands inside it). */
function activeCommands(stdout: string): string[] {
  const out: string[] = [];
  let stopToken: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stopToken) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) stopToken = stop[1];
    else if (line.startsWith('::')) out.push(line);
  }
  return out;
}

function seedPrRepo(name: string): Repo {
  return makeRepo(name, [{ ...seedWorkloads(), ...PERMISSIVE, ...DR }, STRICT]);
}

// ---- tests ------------------------------------------------------------------------------------------------

describe('the bundled action on a pull request', () => {
  it('the STRICT step of the seed: annotation on line 11, outputs, summary, SARIF, sticky comment, failure', async () => {
    const repo = seedPrRepo('action-pr');
    api.comments = [];
    api.requests = [];
    api.writeStatus = 200;
    const r = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', comment: 'true', 'sarif-file': 'out/mtls-lint.sarif' },
      event: prEvent(repo.commits[0]!, repo.commits[1]!),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);

    const cmds = activeCommands(r.stdout);
    expect(cmds[0]).toBe(`::add-mask::${TOKEN}`);
    const errors = cmds.filter((c) => c.startsWith('::error'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(
      /^::error file=k8s\/policy\.yaml,line=11,endLine=11,col=13,endColumn=19,title=mtls-lint plaintext-to-strict::.*legacy\/sleep → httpbin\.foo:8000/,
    );
    expect(errors[1]).toBe(
      '::error::mtls-lint: 1 new finding at or above fail-on=error (see the annotations and the job summary).',
    );
    // The token is printed once, to be masked, and nowhere else.
    expect(r.stdout.split(TOKEN).length - 1).toBe(1);

    // warnings: the head's Policy is a deprecated API (already in the base), so not new.
    expect(r.outputs).toMatchObject({ errors: '1', 'new-errors': '1', 'new-warnings': '0' });
    expect(Number(r.outputs.warnings)).toBeGreaterThanOrEqual(0);
    expect(r.outputs['sarif-file']).toBe(path.join(repo.dir, 'out/mtls-lint.sarif'));

    expect(r.summary).toContain('❌ **1 new error, 0 new warnings**');
    expect(r.summary).toContain(`against base ${repo.commits[0]!.slice(0, 7)}`);
    expect(r.summary).toContain('| legacy/sleep | httpbin.foo:8000 | plaintext → reset |');
    expect(r.summary).toContain('\n```mermaid\nflowchart LR\n');

    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8')) as Log;
    const result = sarif.runs[0]!.results!.find((x) => x.ruleId === 'plaintext-to-strict')!;
    expect(result).toMatchObject({ level: 'error', baselineState: 'new' });
    expect(result.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('k8s/policy.yaml');

    // One comment created, with the marker, authenticated with the token.
    const writes = api.requests.filter((q) => q.method !== 'GET');
    expect(writes.map((q) => `${q.method} ${q.url}`)).toEqual(['POST /repos/octo/mesh/issues/7/comments']);
    expect(api.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]!.body).toMatch(/^<!-- mtls-lint -->\n### mtls-lint\n/);

    // A second run (a new push to the PR) updates the same comment.
    const again = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', comment: 'true' },
      event: prEvent(repo.commits[0]!, repo.commits[1]!),
    });
    expect(again.code).toBe(1);
    const writes2 = api.requests.filter((q) => q.method !== 'GET').slice(1);
    expect(writes2.map((q) => `${q.method} ${q.url}`)).toEqual([
      `PATCH /repos/octo/mesh/issues/comments/${api.comments[0]!.id}`,
    ]);
    expect(api.comments).toHaveLength(1);
  });

  it('a read-only token (fork PR) turns the comment into a warning, not a failure', async () => {
    const repo = makeRepo('action-fork', [{ ...seedWorkloads() }, PERMISSIVE]);
    api.comments = [];
    api.requests = [];
    api.writeStatus = 403;
    const r = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', comment: 'true' },
      event: prEvent(repo.commits[0]!, repo.commits[1]!),
    });
    api.writeStatus = 200;
    expect(r.code).toBe(0);
    const warning = activeCommands(r.stdout).find((c) => c.startsWith('::warning::comment:'));
    expect(warning).toMatch(
      /HTTP 403: Resource not accessible by integration.*forks GITHUB_TOKEN is read-only/,
    );
    expect(r.outputs).toMatchObject({ errors: '0', 'new-errors': '0' });
  });

  it('fetches the base commit into a shallow checkout', async () => {
    const origin = seedPrRepo('action-origin');
    const ws = tempDir('action-shallow');
    runGit(ws, ['clone', '-q', '--depth=1', `file://${origin.dir}`, 'repo']);
    const workspace = path.join(ws, 'repo');
    const r = await runAction({
      workspace,
      inputs: { paths: 'k8s', 'istio-version': '1.1' },
      event: prEvent(origin.commits[0]!, origin.commits[1]!),
    });
    expect(r.stdout).toContain(
      `is not in the checkout (shallow clone); fetching it with git fetch --depth=1 origin ${origin.commits[0]}`,
    );
    expect(r.outputs).toMatchObject({ 'new-errors': '1' });
  });

  it('says what to change in the workflow when the base commit cannot be fetched', async () => {
    const origin = seedPrRepo('action-nofetch');
    const ws = tempDir('action-nofetch-ws');
    runGit(ws, ['clone', '-q', '--depth=1', `file://${origin.dir}`, 'repo']);
    const workspace = path.join(ws, 'repo');
    runGit(workspace, ['remote', 'set-url', 'origin', path.join(ws, 'gone')]);
    const r = await runAction({
      workspace,
      inputs: { paths: 'k8s' },
      event: prEvent(origin.commits[0]!, origin.commits[1]!),
    });
    expect(r.code).toBe(1);
    const failure = activeCommands(r.stdout).find((c) => c.startsWith('::error::'))!;
    expect(failure).toMatch(
      /^::error::mtls-lint: the base commit [0-9a-f]{40} is not in the checkout and "git fetch --depth=1 origin [0-9a-f]{40}" failed \(.+\)\. Add "fetch-depth: 0" to the actions\/checkout step/,
    );
    expect(failure).not.toContain('%0A'); // one line
  });

  it('leaves a manifest an earlier step rendered out of the comparison, or compares it with untracked: compare', async () => {
    const repo = seedPrRepo('action-untracked');
    // Another uninjected caller of httpbin.foo, rendered into the workspace and not committed.
    const batch = fixture('seed/sleep-legacy.yaml').replace(/\bsleep\b/g, 'batch');
    writeTree(repo.dir, { 'k8s/rendered/batch.yaml': batch });
    const event = prEvent(repo.commits[0]!, repo.commits[1]!);

    const r = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1' },
      event,
    });
    expect(r.stdout).toContain(
      '1 file git does not track was not part of the comparison: k8s/rendered/batch.yaml (--untracked compare',
    );
    expect(r.summary).toContain('not part of the comparison');
    expect(r.outputs['new-errors']).toBe('1');
    expect(activeCommands(r.stdout).join('\n')).not.toContain('legacy/batch');

    const c = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', untracked: 'compare' },
      event,
    });
    expect(c.stdout).not.toContain('not part of the comparison');
    expect(c.outputs['new-errors']).toBe('1');
    expect(activeCommands(c.stdout).join('\n')).toContain('legacy/batch');

    const bad = await runAction({ workspace: repo.dir, inputs: { paths: 'k8s', untracked: 'yes' }, event });
    expect(bad.code).toBe(1);
    expect(activeCommands(bad.stdout)).toContain(
      '::error::mtls-lint: input "untracked" must be exclude or compare, not "yes"',
    );
  });

  it('rejects a hostile base-ref without running anything', async () => {
    const repo = seedPrRepo('action-hostile');
    const marker = path.join(repo.dir, 'pwned');
    for (const ref of [`--upload-pack=touch ${marker}`, `$(touch ${marker})`, 'HEAD..main']) {
      const r = await runAction({ workspace: repo.dir, inputs: { paths: 'k8s', 'base-ref': ref } });
      expect(r.code).toBe(1);
      expect(activeCommands(r.stdout).find((c) => c.startsWith('::error::'))).toMatch(
        /^::error::mtls-lint: base-ref: /,
      );
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('the bundled action elsewhere', () => {
  it('on push: a full lint, no comment, new-* equal the totals, no token needed', async () => {
    const dir = tempDir('action-push');
    writeTree(dir, { ...seedWorkloads(), ...STRICT });
    runGit(dir, ['init', '-q']);
    api.requests = [];
    const r = await runAction({
      workspace: dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', comment: 'true', token: '' },
      event: { name: 'push', payload: {} },
    });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ errors: '1', 'new-errors': '1' });
    expect(r.outputs['new-warnings']).toBe(r.outputs.warnings);
    expect(r.stdout).toContain('comment: this push is not a pull request; no comment.');
    expect(api.requests).toEqual([]);
    expect(r.summary).toMatch(/❌ \*\*1 error, \d+ warnings?, \d+ info\*\*/);
  });

  it('annotations and summary can be turned off; fail-on never passes', async () => {
    const dir = tempDir('action-quiet');
    writeTree(dir, { ...seedWorkloads(), ...STRICT });
    const r = await runAction({
      workspace: dir,
      inputs: {
        paths: 'k8s',
        'istio-version': '1.1',
        annotations: 'false',
        summary: 'false',
        'fail-on': 'never',
      },
    });
    expect(r.code).toBe(0);
    expect(activeCommands(r.stdout).filter((c) => /^::(error|warning|notice)/.test(c))).toEqual([]);
    expect(r.summary).toBe('');
    expect(r.outputs.errors).toBe('1');
  });

  it('file names from the PR cannot inject workflow commands into the log', async () => {
    const dir = tempDir('action-inject');
    const tree: Tree = { ...seedWorkloads() };
    writeTree(dir, tree);
    mkdirSync(path.join(dir, 'k8s', '::set-output name=pwned::1'), { recursive: true });
    writeFileSync(path.join(dir, 'k8s', '::set-output name=pwned::1', '::warning::hi.yaml'), 'kind: [\n');
    writeFileSync(path.join(dir, 'k8s', 'x\n::error::injected.yaml'), 'kind: [\n');
    const r = await runAction({ workspace: dir, inputs: { paths: 'k8s', 'fail-on': 'never' } });
    expect(r.code).toBe(0);
    for (const c of activeCommands(r.stdout))
      expect(c).toMatch(/^::(add-mask|error|warning|notice|group|endgroup)( |::)/);
    expect(activeCommands(r.stdout).some((c) => c.startsWith('::error::injected'))).toBe(false);
    expect(activeCommands(r.stdout).some((c) => c.startsWith('::warning::hi'))).toBe(false);
    expect(r.outputs.pwned).toBeUndefined();
  });

  it('a bad input is one failure line, not a stack trace', async () => {
    const dir = tempDir('action-bad');
    writeTree(dir, { ...seedWorkloads() });
    for (const [inputs, expected] of [
      [
        { 'fail-on': 'sometimes' },
        /^::error::mtls-lint: --fail-on "sometimes" must be one of error, warning, info, never$/,
      ],
      [
        { paths: 'nope' },
        /^::error::mtls-lint: path not found: nope \(paths are relative to the repository root\)$/,
      ],
      [
        { annotations: 'maybe' },
        /^::error::mtls-lint: input "annotations" must be true or false, not "maybe"$/,
      ],
    ] as const) {
      const r = await runAction({ workspace: dir, inputs });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(activeCommands(r.stdout).filter((c) => c.startsWith('::error'))).toEqual([
        expect.stringMatching(expected),
      ]);
    }
  });
});

describe('the sticky comment belongs to the token', () => {
  const MARKED = '<!-- mtls-lint -->\n### mtls-lint\n\nold report';
  const HUMAN = {
    id: 1,
    body: '> <!-- mtls-lint -->\n> ### mtls-lint\n\nI quote the bot: is this STRICT really safe?',
    user: { login: 'octocat' },
  };
  let repo: Repo;
  beforeAll(() => {
    repo = seedPrRepo('action-owner');
  });

  async function commentRun(
    comments: typeof api.comments,
    identity: Identity,
    inputs: Record<string, string> = {},
  ) {
    api.comments = structuredClone(comments);
    api.requests = [];
    api.identity = identity;
    const r = await runAction({
      workspace: repo.dir,
      inputs: { paths: 'k8s', 'istio-version': '1.1', comment: 'true', ...inputs },
      event: prEvent(repo.commits[0]!, repo.commits[1]!),
    });
    api.identity = GITHUB_TOKEN_IDENTITY;
    expect(r.code).toBe(1); // the seed's STRICT finding
    return { r, writes: api.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.url}`) };
  }

  it("GITHUB_TOKEN: a human's comment quoting the marker, listed first, stays; github-actions[bot]'s is updated", async () => {
    const bot = { id: 2, body: MARKED, user: { login: 'github-actions[bot]' } };
    const { r, writes } = await commentRun([HUMAN, bot], GITHUB_TOKEN_IDENTITY);
    expect(writes).toEqual(['PATCH /repos/octo/mesh/issues/comments/2']);
    expect(api.comments[0]).toEqual(HUMAN);
    expect(api.comments[1]!.body).toMatch(/^<!-- mtls-lint -->\n### mtls-lint\n/);
    expect(api.comments[1]!.body).not.toContain('old report');
    expect(r.stdout).toContain('comment: updated PR comment 2 by github-actions[bot] (GITHUB_TOKEN).');
    expect(r.stdout).toContain(
      'comment: left alone 1 comment by other users that contain the mtls-lint marker',
    );
  });

  it("with only someone else's marked comment, a new one is created and theirs is not touched", async () => {
    const { r, writes } = await commentRun([HUMAN], GITHUB_TOKEN_IDENTITY);
    expect(writes).toEqual(['POST /repos/octo/mesh/issues/7/comments']);
    expect(api.comments[0]).toEqual(HUMAN);
    expect(api.comments[1]!.user.login).toBe('github-actions[bot]');
    expect(r.stdout).toMatch(/comment: created PR comment \d+ by github-actions\[bot\] \(GITHUB_TOKEN\)\./);
    expect(activeCommands(r.stdout).filter((c) => c.startsWith('::warning'))).toEqual([]);
  });

  it("a user's token (PAT): the comment of the login GET /user returns is updated, not the bot's", async () => {
    const bot = { id: 2, body: MARKED, user: { login: 'github-actions[bot]' } };
    const ci = { id: 3, body: MARKED, user: { login: 'Mesh-CI' } };
    const { r, writes } = await commentRun([HUMAN, bot, ci], { user: 'mesh-ci', writesAs: 'mesh-ci' });
    expect(api.requests.some((q) => q.method === 'GET' && q.url === '/user')).toBe(true);
    expect(writes).toEqual(['PATCH /repos/octo/mesh/issues/comments/3']);
    expect(api.comments.slice(0, 2)).toEqual([HUMAN, bot]);
    expect(r.stdout).toContain("comment: updated PR comment 3 by mesh-ci (the token's user).");
  });

  it('comment-author names the owner (another GitHub App): no GET /user, that login is updated', async () => {
    const bot = { id: 2, body: MARKED, user: { login: 'github-actions[bot]' } };
    const app = { id: 4, body: MARKED, user: { login: 'deploy-app[bot]' } };
    const { r, writes } = await commentRun(
      [bot, HUMAN, app],
      { writesAs: 'deploy-app[bot]' },
      { 'comment-author': 'deploy-app[bot]' },
    );
    expect(api.requests.some((q) => q.url === '/user')).toBe(false);
    expect(writes).toEqual(['PATCH /repos/octo/mesh/issues/comments/4']);
    expect(api.comments.slice(0, 2)).toEqual([bot, HUMAN]);
    expect(r.stdout).toContain(
      'comment: updated PR comment 4 by deploy-app[bot] (the comment-author input).',
    );
  });

  it("another app's token without comment-author: the comment is created and the warning names the input to set", async () => {
    const { r, writes } = await commentRun([], { writesAs: 'deploy-app[bot]' });
    expect(writes).toEqual(['POST /repos/octo/mesh/issues/7/comments']);
    expect(activeCommands(r.stdout).filter((c) => c.startsWith('::warning'))).toEqual([
      expect.stringContaining('Set the input "comment-author: deploy-app[bot]"'),
    ]);
  });
});

describe("this repository's workflow step `uses: ./`, run as the runner runs it", () => {
  interface Step {
    id?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
  }
  const workflows = readdirSync(path.join(ROOT, '.github/workflows'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => {
      const file = `.github/workflows/${f}`;
      return {
        file,
        doc: parseYamlStrict(readFileSync(path.join(ROOT, file), 'utf8'), file) as {
          jobs: Record<string, { steps?: Step[] }>;
        },
      };
    });
  const local = workflows.flatMap(({ file, doc }) =>
    Object.entries(doc.jobs).flatMap(([job, { steps = [] }]) =>
      steps.filter((s) => s.uses === './').map((step) => ({ file, job, step, steps })),
    ),
  );

  it('there is such a step', () => {
    expect(local.map((l) => `${l.file}#${l.job}`)).toContain('.github/workflows/ci.yml#action');
  });

  for (const { file, job, step, steps } of local) {
    it(`${file} job ${job}: runs.main with the step's inputs sets the outputs and exits as the CLI does`, async () => {
      // The runner starts `node <runs.main>` (relative to the action's directory, here the checkout) with the node
      // version runs.using names; this machine has one Node, which runs the same bundle.
      expect(['node20', 'node24']).toContain(action.runs.using);
      const main = path.join(ROOT, action.runs.main);
      expect(existsSync(main), `${action.runs.main} (runs.main) is missing: run npm run bundle`).toBe(true);
      const withInputs = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => {
          expect(String(v), `${file}: input ${k} uses an expression this test cannot evaluate`).not.toContain(
            '${{',
          );
          return [k, String(v)];
        }),
      );
      const r = await runAction({
        workspace: ROOT,
        inputs: withInputs,
        event: { name: 'push', payload: {} },
        main,
      });
      expect(r.stderr).toBe('');

      // The committed CLI bundle (built with the action's) on the same paths and threshold is the reference.
      const env = inputEnv(action, withInputs, { 'github.token': TOKEN });
      const paths = env.INPUT_PATHS!.split(/\s+/).filter(Boolean);
      const cli = await runNode(
        [path.join(ROOT, 'dist/cli/index.js'), '-f', 'json', '--fail-on', env['INPUT_FAIL-ON']!, ...paths],
        {
          cwd: ROOT,
        },
      );
      const summary = (
        JSON.parse(cli.stdout) as { summary: { errors: number; warnings: number; resources: number } }
      ).summary;
      expect(summary.resources).toBeGreaterThan(0);
      expect(r.code).toBe(cli.code);
      expect(r.outputs).toEqual({
        errors: String(summary.errors),
        warnings: String(summary.warnings),
        'new-errors': String(summary.errors),
        'new-warnings': String(summary.warnings),
      });

      // Later steps read these outputs: each one they name is declared in action.yml and was set.
      const referenced = steps
        .filter((s) => s.run && step.id)
        .flatMap((s) =>
          [...s.run!.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g'))].map((m) => m[1]!),
        );
      for (const name of referenced) {
        expect(action.outputs).toContain(name);
        expect(r.outputs[name]).toBeDefined();
      }
    });
  }
});

describe('observed traffic in the action', () => {
  const mesh = path.join(ROOT, 'test', 'fixtures', 'traffic', 'mesh');
  const tree = (): Tree =>
    Object.fromEntries(readdirSync(mesh).map((f) => [`k8s/${f}`, readFileSync(path.join(mesh, f), 'utf8')]));
  const seen = prometheusAnswer([{ from: 'legacy/sleep', to: 'foo/httpbin', security: 'none', value: 12 }]);

  it('input traffic: a plaintext caller seen in the file fails STRICT', async () => {
    const dir = tempDir('action-traffic');
    writeTree(dir, { ...tree(), 'traffic/seen.json': seen });
    runGit(dir, ['init', '-q']);
    const quiet = await runAction({ workspace: dir, inputs: { paths: 'k8s' } });
    expect(quiet.code).toBe(0);
    const r = await runAction({ workspace: dir, inputs: { paths: 'k8s', traffic: 'traffic/seen.json' } });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ errors: '1' });
    expect(r.stdout).toMatch(
      /::error file=k8s\/strict\.yaml,line=8.*legacy\/sleep \(observed: 12 requests in 7d, all plaintext\)/,
    );
  });

  it('input prometheus-url with prometheus-token: the token reaches Prometheus only, masked', async () => {
    const token = 'prom-secret-4711';
    const seenAuth: string[] = [];
    const server = createServer((req, res) => {
      seenAuth.push(String(req.headers.authorization));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        new URL(req.url!, 'http://x').searchParams.get('query')!.includes('istio_requests_total')
          ? seen
          : prometheusAnswer([]),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = tempDir('action-prometheus');
    writeTree(dir, tree());
    runGit(dir, ['init', '-q']);
    const r = await runAction({
      workspace: dir,
      inputs: { paths: 'k8s', 'prometheus-url': url, 'prometheus-token': token, 'traffic-window': '3d' },
    });
    server.close();
    expect(seenAuth).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::add-mask::${token}`);
    expect(r.stdout.replace(`::add-mask::${token}`, '')).not.toContain(token);
    expect(r.summary).not.toContain(token);
    expect(r.stdout).toContain('legacy/sleep (observed: 12 requests in 3d, all plaintext)');
  });
});
