// Config `meshes:` with `render:`: run the command that prints a mesh's manifests (kustomize build, helm template),
// and, in PR mode, the same command in a temporary checkout of the base commit. The command is repository content
// executed as a build would be: it runs without the GitHub token and the runner's own tokens in its environment,
// under a timeout, and its process group is killed when the time is up.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCommandOutput } from '../load/index.js';
import { fileFinding } from '../load/parsed-file.js';
import type { Finding } from '../types.js';
import { git } from './git.js';

/** Seconds a render command may take unless the mesh sets `timeout:`. */
export const DEFAULT_RENDER_TIMEOUT = 300;

/** Bytes of standard error kept for the message: the end, where the tool says what failed. */
const STDERR_TAIL = 2000;

/**
 * Variables that hold tokens on a GitHub runner or in common CI setups: the action's inputs (`INPUT_TOKEN` is the
 * token input), GITHUB_TOKEN/GH_TOKEN, and the runner's own (ACTIONS_RUNTIME_TOKEN for caches and artifacts,
 * ACTIONS_ID_TOKEN_REQUEST_* for OIDC cloud credentials).
 */
const SECRET_NAMES = [
  /^INPUT_/i,
  /^ACTIONS_RUNTIME_/i,
  /^ACTIONS_ID_TOKEN_REQUEST_/i,
  /^ACTIONS_(CACHE|RESULTS)_URL$/i,
  /^(GITHUB|GH|GITHUB_ENTERPRISE|GH_ENTERPRISE)_TOKEN$/i,
];

/** The environment a render command gets: the caller's, without tokens (by name, and any variable holding one). */
export function renderEnv(env: NodeJS.ProcessEnv, secrets: readonly string[] = []): NodeJS.ProcessEnv {
  const values = secrets.filter((s) => s.length >= 4);
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (SECRET_NAMES.some((re) => re.test(name))) continue;
    if (values.some((s) => value.includes(s))) continue;
    out[name] = value;
  }
  return out;
}

/** The display path of a render's output: `$(command)`, so that `line:column` reads as a place in its output. */
export function renderedFile(command: string): string {
  const one = command.replace(/\s+/g, ' ').trim();
  return `$(${one.length > 100 ? `${one.slice(0, 99)}…` : one})`;
}

export interface RenderSpec {
  mesh: string;
  command: string;
  /** The directory the command runs in (the config file's, or its place in the base checkout). */
  cwd: string;
  timeoutSeconds: number;
  /** Bytes of output accepted (limits.maxFileSize). */
  maxBytes: number;
  env: NodeJS.ProcessEnv;
  /** For messages: "" for the head, " at base 1a2b3c4" for the base. */
  side?: string;
}

export type RenderOutcome = { ok: true; text: string } | { ok: false; finding: Finding };

/** Run a render command; never throws: a failure is an input-error finding on the render's display path. */
export function runRender(spec: RenderSpec): Promise<RenderOutcome> {
  const file = renderedFile(spec.command);
  const fail = (what: string, stderr: string): RenderOutcome => {
    const tail = stderr.length > STDERR_TAIL ? `…${stderr.slice(-STDERR_TAIL)}` : stderr;
    const said = tail.trim()
      ? ` Its standard error ends:\n${tail.trimEnd()}`
      : ' It wrote nothing to standard error.';
    return {
      ok: false,
      finding: fileFinding(
        'input-error',
        file,
        { line: 1, column: 1, endLine: 1, endColumn: 1 },
        `Mesh "${spec.mesh}"${spec.side ?? ''}: the render command \`${spec.command}\` ${what}, so nothing of this mesh was checked. Run it in ${spec.cwd} to see why, and fix the command or the files it reads.${said}`,
        `render${spec.side ? '-base' : ''}`,
      ),
    };
  };
  return new Promise((resolve) => {
    let child;
    try {
      // A shell, as a CI step would run it; its own process group, so that the timeout kills what it started too.
      child = spawn('/bin/sh', ['-c', spec.command], {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (err) {
      resolve(fail(`could not be started (${(err as Error).message})`, ''));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let errText = '';
    let why: string | undefined;
    const kill = (reason: string) => {
      why ??= reason;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(
      () =>
        kill(`did not finish within ${spec.timeoutSeconds} s (meshes.${spec.mesh}.timeout) and was killed`),
      spec.timeoutSeconds * 1000,
    );
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > spec.maxBytes) {
        kill(`printed more than limits.maxFileSize (${spec.maxBytes} bytes) and was stopped`);
        return;
      }
      out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      errText = (errText + c.toString('utf8')).slice(-STDERR_TAIL * 2);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(fail(`could not be started (${err.message})`, errText));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (why) return resolve(fail(why, errText));
      if (code !== 0)
        return resolve(
          fail(code === null ? `was killed by ${signal}` : `failed with exit code ${code}`, errText),
        );
      const read = readCommandOutput(Buffer.concat(out), file, spec.maxBytes);
      if ('problem' in read) return resolve(fail(read.problem, errText));
      resolve({ ok: true, text: read.text });
    });
  });
}

/**
 * A checkout of `commit` in a temporary directory for the duration of `fn` (git worktree, detached, no hooks run),
 * removed afterwards whatever happens. `fn` gets the checkout's root.
 */
export async function withCheckout<T>(
  root: string,
  commit: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const parent = await mkdtemp(path.join(tmpdir(), 'mtls-lint-base-'));
  const dir = path.join(parent, 'checkout');
  try {
    const added = await git(
      ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', dir, commit],
      root,
    );
    if (added.code !== 0) {
      throw new Error(`git worktree add of the base ${commit.slice(0, 7)} failed: ${added.stderr.trim()}`);
    }
    return await fn(dir);
  } finally {
    await git(['worktree', 'remove', '--force', dir], root);
    await rm(parent, { recursive: true, force: true });
    await git(['worktree', 'prune'], root);
  }
}
