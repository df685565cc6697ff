// The GitHub Action: inputs → the same engine and formats as the CLI → annotations, job summary, SARIF file,
// outputs, and (opt-in) one sticky PR comment. Nothing from the inputs is executed or fetched; only git runs, for the
// base commit, with arguments passed as an array — and the config's `meshes:` `render:` commands, repository content
// run as a build would be, without the token (diff/render.ts).
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { failsThreshold, lint, type LintResult } from '../engine.js';
import { lintAgainstBase, type BaseLintResult } from '../diff/base.js';
import type { MeshesResult } from '../diff/meshes.js';
import { checkRef, fetchCommit, git, hasCommit, repoRoot } from '../diff/git.js';
import { PROMETHEUS_TOKEN_ENV, resolveOptions } from '../resolve-options.js';
import { loadObservedTraffic } from '../load/observed.js';
import { formatGithub } from '../report/github.js';
import {
  COMMENT_MAX_CHARS,
  STEP_SUMMARY_MAX_BYTES,
  escapeMarkdown,
  formatMarkdown,
} from '../report/markdown.js';
import { formatSarif } from '../report/sarif.js';
import { formatStylish, notComparedLine } from '../report/stylish.js';
import { VERSION } from '../version.js';
import { COMMENT_MARKER, upsertComment } from './comment.js';
import { releaseOf } from '../mesh/releases.js';
import { makePlan } from '../plan/plan.js';
import { formatPlan } from '../plan/render.js';

interface ActionInputs {
  paths: string[];
  /** Names of the config's meshes to lint; empty: all of them (when the config has `meshes:`). */
  meshes: string[];
  config: string;
  namespace: string;
  istioVersion: string;
  failOn: string;
  baseRef: string;
  /** With a base: files git does not track, "exclude" (default) or "compare". */
  untracked: string;
  annotations: boolean;
  summary: boolean;
  comment: boolean;
  sarifFile: string;
  token: string;
  commentAuthor: string;
  /** Observed-traffic files, newline- or space-separated. */
  traffic: string[];
  prometheusUrl: string;
  prometheusToken: string;
  trafficWindow: string;
  /** Add `mtls-lint plan` (the steps to STRICT) to the job summary and the PR comment. */
  plan: boolean;
}

/** The slice of a webhook payload we read; everything else is ignored (and nothing is trusted to have a type). */
interface EventPayload {
  pull_request?: { number?: unknown; base?: { sha?: unknown } };
  merge_group?: { base_sha?: unknown };
  repository?: { full_name?: unknown };
}

function readInputs(): ActionInputs {
  return {
    // Newline- or space-separated, relative to the repository root.
    paths: core
      .getInput('paths')
      .split(/\s+/)
      .filter((p) => p !== ''),
    meshes: core
      .getInput('meshes')
      .split(/[\s,]+/)
      .filter((m) => m !== ''),
    config: core.getInput('config'),
    namespace: core.getInput('namespace'),
    istioVersion: core.getInput('istio-version'),
    failOn: core.getInput('fail-on') || 'error',
    baseRef: core.getInput('base-ref'),
    untracked: core.getInput('untracked'),
    annotations: booleanInput('annotations', true),
    summary: booleanInput('summary', true),
    comment: booleanInput('comment', false),
    sarifFile: core.getInput('sarif-file'),
    token: core.getInput('token'),
    commentAuthor: core.getInput('comment-author'),
    traffic: core
      .getInput('traffic')
      .split(/\s+/)
      .filter((p) => p !== ''),
    prometheusUrl: core.getInput('prometheus-url'),
    prometheusToken: core.getInput('prometheus-token'),
    trafficWindow: core.getInput('traffic-window'),
    plan: booleanInput('plan', false),
  };
}

function booleanInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name).trim().toLowerCase();
  if (raw === '') return fallback;
  if (['true', 'yes', 'on', '1'].includes(raw)) return true;
  if (['false', 'no', 'off', '0'].includes(raw)) return false;
  throw new Error(`input "${name}" must be true or false, not ${JSON.stringify(raw.slice(0, 40))}`);
}

async function readEvent(): Promise<EventPayload> {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return value && typeof value === 'object' ? (value as EventPayload) : {};
  } catch {
    return {};
  }
}

/** The entry point: never throws; any failure is one line through core.setFailed. */
export async function run(): Promise<void> {
  try {
    await main();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    core.setFailed(`mtls-lint: ${message.replace(/\s*\n\s*/g, ' ')}`);
  }
}

async function main(): Promise<void> {
  const inputs = readInputs();
  // Masked in every log line from here on; used for nothing but the PR comment.
  if (inputs.token) core.setSecret(inputs.token);
  if (inputs.prometheusToken) core.setSecret(inputs.prometheusToken);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const event = await readEvent();
  const eventName = process.env.GITHUB_EVENT_NAME ?? '';
  const prNumber = typeof event.pull_request?.number === 'number' ? event.pull_request.number : undefined;

  let baseRef = inputs.baseRef.trim();
  if (!baseRef) {
    const sha = event.pull_request?.base?.sha ?? event.merge_group?.base_sha;
    if (typeof sha === 'string') baseRef = sha;
  }

  const options = resolveOptions({
    cwd: workspace,
    paths: inputs.paths,
    namespace: inputs.namespace || undefined,
    istioVersion: inputs.istioVersion || undefined,
    failOn: inputs.failOn,
    configPath: inputs.config || undefined,
    ...(inputs.traffic.length ? { traffic: inputs.traffic } : {}),
    prometheus: inputs.prometheusUrl || undefined,
    trafficWindow: inputs.trafficWindow || undefined,
  });
  // The token reaches Prometheus only: passed in a copy of the environment, never set in the process's own.
  const traffic = await loadObservedTraffic(options.trafficSources, {
    ...process.env,
    ...(inputs.prometheusToken ? { [PROMETHEUS_TOKEN_ENV]: inputs.prometheusToken } : {}),
  });
  if (traffic) options.traffic = traffic;

  const untracked = inputs.untracked.trim() || 'exclude';
  if (untracked !== 'exclude' && untracked !== 'compare') {
    throw new Error(
      `input "untracked" must be exclude or compare, not ${JSON.stringify(untracked.slice(0, 40))}`,
    );
  }

  let result: LintResult | BaseLintResult;
  let baseLabel: string | undefined;
  // Config `meshes:` is linted unless the paths input names other paths than its default (as the CLI: path
  // arguments lint those paths). Render commands run without the token and the runner's tokens (diff/render.ts).
  const pathsSet = inputs.paths.length > 0 && !(inputs.paths.length === 1 && inputs.paths[0] === '.');
  if (inputs.meshes.length && (pathsSet || !options.config.meshes)) {
    throw new Error(
      pathsSet
        ? `the input "meshes" selects meshes of the config, "paths" lints those paths instead; set one or the other`
        : `the input "meshes" is set, but ${options.configFile ?? 'no config file was found, so there is'} no meshes: section`,
    );
  }
  if (options.config.meshes && pathsSet)
    core.info(
      `The config has meshes:, but the "paths" input is set: linting ${inputs.paths.join(' ')} instead.`,
    );
  if (options.config.meshes && !pathsSet) {
    const sha = baseRef ? await ensureBaseCommit(baseRef, workspace) : undefined;
    const { lintMeshes } = await import('../diff/meshes.js');
    const all = await lintMeshes(options, {
      names: inputs.meshes,
      env: process.env,
      secrets: inputs.token ? [inputs.token] : [],
      stdin: async () => new Uint8Array(),
      ...(sha ? { base: { ref: sha, showAll: true, gitOnly: true, untracked } } : {}),
    });
    if (sha) baseLabel = sha === baseRef ? `base ${sha.slice(0, 7)}` : `base ${baseRef} (${sha.slice(0, 7)})`;
    result = all;
    for (const m of all.meshes) {
      // A mesh that read nothing must not pass as a mesh without problems.
      if (m.result.inputs.missing.length)
        throw new Error(
          `mesh "${m.name}": path not found: ${m.result.inputs.missing.join(', ')} (meshes: paths are relative to the config file's directory)`,
        );
      if (m.result.inputs.files.length === 0 && m.result.findings.length === 0)
        throw new Error(
          `mesh "${m.name}": no manifests (*.yaml, *.yml, *.json) found in ${(m.spec.paths ?? []).join(', ')}`,
        );
    }
  } else if (baseRef) {
    const sha = await ensureBaseCommit(baseRef, workspace);
    const r = await lintAgainstBase(options, sha, {
      stdin: async () => new Uint8Array(),
      showAll: true,
      gitOnly: true,
      untracked,
    });
    baseLabel = sha === baseRef ? `base ${sha.slice(0, 7)}` : `base ${baseRef} (${sha.slice(0, 7)})`;
    result = r;
  } else {
    result = await lint(options, { stdin: async () => new Uint8Array() });
  }
  if (result.inputs.missing.length) {
    throw new Error(
      `path not found: ${result.inputs.missing.join(', ')} (paths are relative to the repository root)`,
    );
  }
  if (result.inputs.files.length === 0 && result.findings.length === 0 && result.inputs.notCompared?.length) {
    throw new Error(
      `nothing to compare: git does not track ${result.inputs.notCompared.slice(0, 5).join(', ')}, so the base commit cannot have it; set the input "untracked: compare" to compare against nothing`,
    );
  }
  if (result.inputs.files.length === 0 && result.findings.length === 0) {
    throw new Error(
      `no manifests (*.yaml, *.yml, *.json) found in ${options.paths.join(', ')}; set the "paths" input`,
    );
  }

  const prMode = baseRef !== '';
  const shown = prMode ? result.findings.filter((f) => f.new !== false) : result.findings;
  const failing = shown.filter((f) => failsThreshold(f, options.failOn));
  const s = result.summary;
  core.setOutput('errors', s.errors);
  core.setOutput('warnings', s.warnings);
  core.setOutput('new-errors', prMode ? (s.newErrors ?? 0) : s.errors);
  core.setOutput('new-warnings', prMode ? (s.newWarnings ?? 0) : s.warnings);

  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  core.info(
    `mtls-lint ${VERSION}: ${n(s.files, 'file')}, ${n(s.resources, 'resource')}${baseLabel ? `, compared with ${baseLabel}` : ''}: ` +
      `${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}${prMode ? ` (${n(s.newErrors ?? 0, 'new error')}, ${n(s.newWarnings ?? 0, 'new warning')})` : ''}.`,
  );
  if (prMode && s.notCompared?.length) core.info(notComparedLine(s.notCompared));
  logFindings({ ...result, findings: shown });

  if (inputs.annotations) {
    const moreAt = `See the job summary${inputs.sarifFile ? ' or the SARIF file' : ''} for the full list.`;
    process.stdout.write(
      formatGithub({ findings: shown, suppressed: [] }, { moreAt, reserveErrors: failing.length ? 1 : 0 }),
    );
  }

  if (inputs.sarifFile) {
    const file = path.resolve(workspace, inputs.sarifFile);
    await mkdir(path.dirname(file), { recursive: true });
    // All head findings, marked new/unchanged: code scanning compares analyses itself, and an alert missing from a
    // PR analysis would look fixed.
    await writeFile(file, formatSarif(result, { version: VERSION }));
    core.setOutput('sarif-file', file);
  }

  const markdownOpts = { title: 'mtls-lint', ...(baseLabel ? { baseLabel } : {}) };
  // The plan for the head's manifests, the same as `mtls-lint plan -f markdown` prints.
  // With meshes:, one plan per mesh (each its own model and graph), never one over their inputs put together.
  const planned = inputs.plan
    ? (
        ('meshes' in result ? (result as MeshesResult).meshes : [{ name: undefined, result }]) as {
          name: string | undefined;
          result: LintResult;
        }[]
      ).map((m) => ({
        name: m.name,
        plan: makePlan(m.result.inputs, options, releaseOf(options.istioVersion), { allowInjection: false }),
      }))
    : [];
  const planMd = planned
    .map(({ name, plan }) =>
      name === undefined
        ? formatPlan(plan, 'markdown')
        : formatPlan(plan, 'markdown').replace(
            /^### mtls-lint plan \(/,
            `### mtls-lint plan for mesh ${escapeMarkdown(name)} (`,
          ),
    )
    .join('\n');
  // A plan with steps or blockers is worth a comment of its own, findings or not.
  const planToShow = planned.some(({ plan }) => plan.steps.length > 0 || plan.blockers.length > 0);
  if (inputs.summary) {
    if (process.env.GITHUB_STEP_SUMMARY) {
      const md = formatMarkdown(result, {
        ...markdownOpts,
        maxBytes: STEP_SUMMARY_MAX_BYTES - 1024,
        moreAt: inputs.sarifFile ? 'the SARIF file' : 'the log',
      });
      const room = STEP_SUMMARY_MAX_BYTES - 1024 - Buffer.byteLength(md);
      await core.summary.addRaw(md + (planMd ? '\n' + clipTo(planMd, room) : ''), true).write();
    } else {
      core.info(
        'summary: GITHUB_STEP_SUMMARY is not set (not running in GitHub Actions?); no job summary written.',
      );
    }
  }

  if (inputs.comment)
    await postComment(
      inputs,
      event,
      prNumber,
      eventName,
      result,
      markdownOpts,
      shown.length > 0 || planToShow,
      planMd,
    );

  if (failing.length) {
    core.setFailed(
      `mtls-lint: ${n(failing.length, `${prMode ? 'new ' : ''}finding`)} at or above fail-on=${options.failOn}` +
        `${inputs.annotations ? ' (see the annotations' + (inputs.summary ? ' and the job summary)' : ')') : ''}.`,
    );
  }
}

/** The base commit must be in the clone; actions/checkout fetches one commit by default, so fetch it if needed. */
async function ensureBaseCommit(ref: string, workspace: string): Promise<string> {
  const problem = checkRef(ref);
  if (problem) throw new Error(`base-ref: ${problem}`);
  const root = await repoRoot(workspace);
  if (!(await hasCommit(ref, root))) {
    core.info(
      `The base ${ref} is not in the checkout (shallow clone); fetching it with git fetch --depth=1 origin ${ref}.`,
    );
    const fetched = await fetchCommit(ref, root);
    if (!fetched.ok) {
      throw new Error(
        `the base commit ${ref} is not in the checkout and "git fetch --depth=1 origin ${ref}" failed (${fetched.error || 'no detail'}). ` +
          'Add "fetch-depth: 0" to the actions/checkout step (with: fetch-depth: 0), or set base-ref to a commit the checkout has.',
      );
    }
    if (!(await hasCommit(ref, root))) {
      // A branch or tag name: fetching it leaves it in FETCH_HEAD, not under its own name.
      const head = await git(['rev-parse', '--verify', '--quiet', 'FETCH_HEAD^{commit}'], root);
      if (head.code === 0) return head.stdout.toString('utf8').trim();
    }
  }
  const r = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], root);
  if (r.code !== 0) throw new Error(`base-ref: ${ref} is not a commit in this repository`);
  return r.stdout.toString('utf8').trim();
}

async function postComment(
  inputs: ActionInputs,
  event: EventPayload,
  prNumber: number | undefined,
  eventName: string,
  result: LintResult,
  markdownOpts: { title: string; baseLabel?: string },
  hasFindings: boolean,
  planMd = '',
): Promise<void> {
  if (prNumber === undefined) {
    core.info(`comment: this ${eventName || 'event'} is not a pull request; no comment.`);
    return;
  }
  if (!inputs.token) {
    core.warning(
      'comment: no token; set the "token" input (the default is github.token) to post the PR comment.',
    );
    return;
  }
  const repository =
    process.env.GITHUB_REPOSITORY ||
    (typeof event.repository?.full_name === 'string' ? event.repository.full_name : '');
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) {
    core.warning('comment: GITHUB_REPOSITORY is not set; no comment.');
    return;
  }
  const budget = COMMENT_MAX_CHARS - COMMENT_MARKER.length - 64;
  const lint = formatMarkdown(result, { ...markdownOpts, maxChars: budget, moreAt: 'the job summary' });
  const body = planMd ? `${lint}\n${clipTo(planMd, budget - lint.length - 1)}` : lint;
  const outcome = await upsertComment(
    {
      token: inputs.token,
      apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      owner,
      repo,
      issueNumber: prNumber,
      author: inputs.commentAuthor,
    },
    body,
    hasFindings,
  );
  if (outcome.action !== 'failed' && outcome.othersWithMarker > 0) {
    core.info(
      `comment: left alone ${outcome.othersWithMarker} comment${outcome.othersWithMarker === 1 ? '' : 's'} by other users that contain the mtls-lint marker; only the token's own comment is updated.`,
    );
  }
  switch (outcome.action) {
    case 'created':
    case 'updated': {
      const from = {
        input: 'the comment-author input',
        token: "the token's user",
        'github-token': 'GITHUB_TOKEN',
      }[outcome.authorFrom];
      core.info(`comment: ${outcome.action} PR comment ${outcome.id} by ${outcome.author} (${from}).`);
      if (outcome.writtenAs) {
        // e.g. another GitHub App's installation token: GET /user cannot say who it is.
        core.warning(
          `comment: GitHub wrote the comment as ${outcome.writtenAs}, but mtls-lint looks for its earlier comment by ${outcome.author}, so the next run would add another one. Set the input "comment-author: ${outcome.writtenAs}".`,
        );
      }
      break;
    }
    case 'skipped':
      core.info(`comment: ${outcome.reason}.`);
      break;
    case 'failed':
      // Fork PRs get a read-only GITHUB_TOKEN under pull_request: expected, and no reason to fail the check.
      core.warning(
        outcome.status === 403 || outcome.status === 404
          ? `comment: the token may not write PR comments (HTTP ${outcome.status}: ${outcome.message}). On pull requests from forks GITHUB_TOKEN is read-only, so this is expected there; elsewhere grant "permissions: pull-requests: write". The annotations and the job summary still show the findings.`
          : `comment: could not post the PR comment (${outcome.status ? `HTTP ${outcome.status}: ` : ''}${outcome.message}).`,
      );
  }
}

/**
 * The full list in the log, for when annotations are capped. File names and messages come from the PR, so the block
 * is wrapped in stop-commands: a file named `::warning::x.yaml` is printed, not obeyed.
 */
function logFindings(result: Pick<LintResult, 'findings' | 'summary' | 'suppressed'>): void {
  if (!result.findings.length) return;
  const token = randomUUID();
  core.startGroup(`Findings (${result.findings.length})`);
  process.stdout.write(`::stop-commands::${token}\n`);
  process.stdout.write(formatStylish({ ...result, suppressed: [] }, { color: false }));
  process.stdout.write(`::${token}::\n`);
  core.endGroup();
}

/** A markdown text cut to `room` characters at a line end, saying where the rest is. */
function clipTo(text: string, room: number): string {
  if (text.length <= room) return text;
  const note = '\n… the plan is longer: run `mtls-lint plan -f markdown` for all of it.\n';
  if (room <= note.length) return '';
  const cut = text.slice(0, room - note.length);
  return cut.slice(0, Math.max(0, cut.lastIndexOf('\n'))) + note;
}
