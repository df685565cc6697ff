// The bundled Action with `plan: true` on a pull request, end to end: a real git checkout, the runner's environment,
// and a loopback HTTP server as the GitHub REST API. The job summary gets the plan; with `comment: true` the sticky
// comment holds it too, and a second run updates that comment instead of adding another.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, inputEnv, readActionMetadata, runNode } from './helpers/action.js';
import { sharedBundle } from './helpers/bundle.js';
import { makeRepo, type Repo, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';
import { writeFileSync } from 'node:fs';

const TOKEN = 'ghs_PlanCommentTokenThatMustNotLeak0123';

interface Comment {
  id: number;
  body: string;
  user: { login: string };
}

/** Just enough of GitHub's REST API for the sticky comment of PR octo/mesh#7 written with a GITHUB_TOKEN. */
function fakeGitHub() {
  const state = { comments: [] as Comment[], writes: [] as string[], nextId: 500 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method !== 'GET') state.writes.push(`${req.method} ${url.pathname}`);
      if (req.headers.authorization !== `token ${TOKEN}`) return send(401, { message: 'Bad credentials' });
      // An installation token (GITHUB_TOKEN) may not read /user: the Action then writes as github-actions[bot].
      if (req.method === 'GET' && url.pathname === '/user')
        return send(403, { message: 'Resource not accessible' });
      if (url.pathname === '/repos/octo/mesh/issues/7/comments') {
        if (req.method === 'GET') return send(200, state.comments);
        const c = {
          id: state.nextId++,
          body: (JSON.parse(text) as { body: string }).body,
          user: { login: 'github-actions[bot]' },
        };
        state.comments.push(c);
        return send(201, c);
      }
      const patch = /^\/repos\/octo\/mesh\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        const c = state.comments.find((x) => x.id === Number(patch[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(text) as { body: string }).body;
        return send(200, c);
      }
      send(404, { message: 'Not Found' });
    });
  });
  return { state, server };
}

let bundle: string;
let api: ReturnType<typeof fakeGitHub>;
let apiUrl: string;
beforeAll(async () => {
  bundle = await sharedBundle('src/index.ts');
  api = fakeGitHub();
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
}, 300_000);
afterAll(async () => {
  api.server.closeAllConnections();
  await new Promise<void>((resolve) => api.server.close(() => resolve()));
});

/** The seed before its migration (examples/migration/0-plaintext) under k8s/, in both commits of the PR. */
function seedRepo(): Repo {
  const tree: Tree = {};
  const dir = path.join(ROOT, 'examples/migration/0-plaintext');
  for (const f of readdirSync(dir)) tree[`k8s/${f}`] = readFileSync(path.join(dir, f), 'utf8');
  return makeRepo('plan-comment', [tree, { 'README.md': 'docs only\n' }]);
}

async function runPr(repo: Repo, inputs: Record<string, string>) {
  const runner = tempDir('plan-comment-runner');
  const summary = path.join(runner, 'summary.md');
  const event = path.join(runner, 'event.json');
  writeFileSync(summary, '');
  writeFileSync(path.join(runner, 'output.txt'), '');
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 7, base: { sha: repo.commits[0] }, head: { sha: repo.commits[1] } },
      repository: { full_name: 'octo/mesh' },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_OUTPUT: path.join(runner, 'output.txt'),
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'octo/mesh',
    ...inputEnv(readActionMetadata(), inputs, { 'github.token': TOKEN }),
  };
  const r = await runNode([bundle], { cwd: repo.dir, env });
  return { ...r, summary: readFileSync(summary, 'utf8') };
}

describe('the Action with plan: true on a pull request', () => {
  it('job summary and sticky comment hold the plan; the second run updates the comment, it does not add one', async () => {
    const repo = seedRepo();
    api.state.comments = [];
    api.state.writes = [];
    // The PR adds no finding (it changes a README): the plan alone is worth the comment.
    const first = await runPr(repo, { paths: 'k8s', plan: 'true', comment: 'true' });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // Masked (::add-mask::) and never printed otherwise.
    expect(
      (first.stdout + first.stderr)
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain(TOKEN);
    expect(first.summary).toContain('### mtls-lint plan (Istio 1.30)');
    expect(first.summary).toContain('#### 2. STRICT in namespace foo \\(1 exception\\)');
    expect(api.state.writes).toEqual(['POST /repos/octo/mesh/issues/7/comments']);
    expect(api.state.comments).toHaveLength(1);
    const comment = api.state.comments[0]!;
    expect(comment.body).toMatch(/^<!-- mtls-lint -->\n/);
    expect(comment.body).toContain('### mtls-lint plan (Istio 1.30)');
    expect(comment.body).toContain('#### 1. STRICT in namespace bar');
    expect(comment.body).toContain('#### 3. STRICT mesh-wide \\(root namespace istio-system\\)');
    expect(comment.body).toMatch(/#### Blockers[\s\S]*legacy\/sleep → httpbin\.foo:8000/);

    // Someone edits the comment; the next run puts the plan back in the same comment.
    comment.body = '<!-- mtls-lint -->\nstale';
    const second = await runPr(repo, { paths: 'k8s', plan: 'true', comment: 'true' });
    expect(second.code).toBe(0);
    expect(api.state.writes).toEqual([
      'POST /repos/octo/mesh/issues/7/comments',
      `PATCH /repos/octo/mesh/issues/comments/${comment.id}`,
    ]);
    expect(api.state.comments).toHaveLength(1);
    expect(api.state.comments[0]!.body).toContain('### mtls-lint plan (Istio 1.30)');
    expect(api.state.comments[0]!.body).not.toContain('stale');
    expect(second.stdout).toContain(`comment: updated PR comment ${comment.id} by github-actions[bot]`);
  });

  it('without plan: true, a PR without findings gets no comment and no plan', async () => {
    const repo = seedRepo();
    api.state.comments = [];
    api.state.writes = [];
    const r = await runPr(repo, { paths: 'k8s', comment: 'true' });
    expect(r.code).toBe(0);
    expect(api.state.writes).toEqual([]);
    expect(r.summary).not.toContain('mtls-lint plan');
  });
});
