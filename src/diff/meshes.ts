// Config `meshes:`: several input sets (clusters, environments, demo steps) in one repository, each analysed on its
// own (its own model and graph) in one run and one report. A mesh is `paths:` (files to lint) or `render:` (a
// command whose standard output is the manifests). Every finding of a mesh carries its name (`mesh`), and its
// fingerprint starts with it, so that the same file in two meshes gives two findings and PR mode compares each mesh
// with the same mesh of the base.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { analyze, lint, passesSchema, type LintResult } from '../engine.js';
import { parseTexts, type LoadedInputs } from '../load/index.js';
import type { MeshSpec, ResolvedOptions } from '../options.js';
import type { Finding, Summary } from '../types.js';
import { compareInputs, lintAgainstBase, type BaseInfo } from './base.js';
import { checkRef, git, repoRoot, type UntrackedMode } from './git.js';
import { DEFAULT_RENDER_TIMEOUT, renderEnv, renderedFile, runRender, withCheckout } from './render.js';

export interface MeshRun {
  name: string;
  spec: MeshSpec;
  /** The mesh's own analysis (in PR mode: compared with the same mesh of the base). */
  result: LintResult;
}

/** One report over several meshes. `mesh()` and `graph()` belong to each mesh: read them from `meshes`. */
export interface MeshesResult extends LintResult {
  meshes: MeshRun[];
}

export interface MeshesOptions {
  /** --mesh NAME (repeatable) / the action's `meshes` input: the meshes to lint; empty means all. */
  names: readonly string[];
  /** The environment render commands start from (tokens are removed: render.ts). */
  env: NodeJS.ProcessEnv;
  /** Token values to keep out of render commands' environment, whatever variable holds them. */
  secrets?: readonly string[];
  stdin: () => Promise<Uint8Array>;
  /** PR mode. */
  base?: { ref: string; showAll: boolean; gitOnly?: boolean; untracked?: UntrackedMode };
}

/** The configured meshes to lint, in config order; an unknown name is a usage error naming the known ones. */
function selectMeshes(options: ResolvedOptions, names: readonly string[]): [string, MeshSpec][] {
  const all = Object.entries(options.config.meshes ?? {});
  if (!names.length) return all;
  const known = new Set(all.map(([n]) => n));
  for (const n of names) {
    if (!known.has(n)) {
      throw new ConfigError(
        all.length
          ? `--mesh ${JSON.stringify(n)}: no mesh of that name in ${options.configFile ?? 'the config'} (meshes: ${[...known].join(', ')})`
          : `--mesh ${JSON.stringify(n)}: the config has no meshes: section${options.configFile ? ` (${options.configFile})` : ''}`,
      );
    }
  }
  return all.filter(([n]) => names.includes(n));
}

export async function lintMeshes(options: ResolvedOptions, opts: MeshesOptions): Promise<MeshesResult> {
  const selected = selectMeshes(options, opts.names);
  const env = renderEnv(opts.env, opts.secrets);
  const runs: MeshRun[] = [];
  for (const [name, spec] of selected)
    runs.push({ name, spec, result: await lintMesh(name, spec, options, opts, env) });
  return merge(runs);
}

/** Paths of `meshes:` are relative to the config file's directory; the loader wants them relative to cwd. */
function meshPaths(options: ResolvedOptions, spec: MeshSpec): string[] {
  const dir = configDir(options);
  return (spec.paths ?? []).map((p) => path.relative(options.cwd, path.resolve(dir, p)) || '.');
}

function configDir(options: ResolvedOptions): string {
  return options.configFile ? path.dirname(options.configFile) : options.cwd;
}

async function lintMesh(
  name: string,
  spec: MeshSpec,
  options: ResolvedOptions,
  opts: MeshesOptions,
  env: NodeJS.ProcessEnv,
): Promise<LintResult> {
  const meshOptions: ResolvedOptions = { ...options, paths: meshPaths(options, spec) };
  const base = opts.base;
  if (spec.render === undefined) {
    return base
      ? lintAgainstBase(meshOptions, base.ref, {
          stdin: opts.stdin,
          showAll: base.showAll,
          ...(base.gitOnly ? { gitOnly: true } : {}),
          ...(base.untracked ? { untracked: base.untracked } : {}),
        })
      : lint(meshOptions, { stdin: opts.stdin });
  }
  const render = (cwd: string, side?: string) =>
    renderInputs(name, spec, spec.render!, cwd, meshOptions, env, side);
  const head = await render(configDir(options));
  if (!base) return analyze(head, meshOptions);
  // The base is rendered by the head's command (never the base's config) in a checkout of the base commit.
  const notCommit = (why: string) =>
    new ConfigError(
      `--base ${JSON.stringify(base.ref)}: mesh "${name}" has render:, which needs the base as a git commit (${why}); a base directory or file cannot be rendered`,
    );
  // As in lintAgainstBase, an existing file or directory of that name is meant as one.
  if (!base.gitOnly && (await stat(path.resolve(options.cwd, base.ref)).catch(() => undefined)))
    throw notCommit(`${base.ref} is a file or directory`);
  const root = await repoRoot(options.cwd);
  const problem = checkRef(base.ref);
  const resolved = problem
    ? undefined
    : await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${base.ref}^{commit}`], root);
  if (!resolved || resolved.code !== 0) throw notCommit(problem ?? 'not a commit in this repository');
  const commit = resolved.stdout.toString('utf8').trim();
  const info: BaseInfo = {
    kind: 'git',
    ref: base.ref,
    commit,
    label: `base ${base.ref} (${commit.slice(0, 7)})`,
  };
  const watched = meshOptions.paths.map((p) => path.resolve(options.cwd, p));
  let baseInputs: LoadedInputs;
  if (watched.length && (await unchangedSince(root, commit, watched))) {
    // Nothing the command reads changed: the base renders to what the head does.
    baseInputs = head;
  } else {
    const where = path.relative(root, configDir(options));
    baseInputs = await withCheckout(root, commit, (dir) =>
      render(path.join(dir, where), ` at the base ${commit.slice(0, 7)}`),
    );
    for (const failed of baseInputs.diagnostics.filter((d) => d.key.endsWith('|render-base'))) {
      // A mesh the change adds cannot render at the base: every finding of it is new, which the head should hear.
      // Its own key: the base has the failure too, and the head's must not match it as "already in base".
      head.diagnostics.push({
        ...failed,
        key: `${failed.key}|head`,
        severity: 'warning',
        message: `${failed.message}\nEvery finding of this mesh is reported as new.`,
      });
    }
  }
  return compareInputs(head, baseInputs, info, meshOptions, base.showAll);
}

async function renderInputs(
  name: string,
  spec: MeshSpec,
  command: string,
  cwd: string,
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv,
  side?: string,
): Promise<LoadedInputs> {
  const outcome = await runRender({
    mesh: name,
    command,
    cwd,
    timeoutSeconds: spec.timeout ?? DEFAULT_RENDER_TIMEOUT,
    maxBytes: options.limits.maxFileSize,
    env,
    ...(side ? { side } : {}),
  });
  if (!outcome.ok)
    return { resources: [], diagnostics: [outcome.finding], files: [], skipped: 0, missing: [] };
  const inputs = parseTexts([{ input: { file: renderedFile(command) }, text: outcome.text }], {
    namespace: options.namespace,
    limits: options.limits,
    isValid: passesSchema,
  });
  // Where an object came from: Helm's `# Source:` comment (the loader reads it), or the origin annotation kustomize
  // writes with `buildMetadata: [originAnnotations]`.
  for (const r of [...inputs.resources, ...(inputs.shadowed ?? [])]) {
    if (r.source !== undefined) continue;
    const origin = kustomizeOrigin(r.value);
    if (origin !== undefined) r.source = origin;
  }
  return inputs;
}

function kustomizeOrigin(value: Record<string, unknown>): string | undefined {
  const metadata = value.metadata as { annotations?: Record<string, unknown> } | undefined;
  const origin = metadata?.annotations?.['config.kubernetes.io/origin'];
  if (typeof origin !== 'string') return undefined;
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(\\S.*?)\\s*$`, 'm').exec(origin)?.[1];
  const file = field('path');
  if (file === undefined) return undefined;
  const repo = field('repo');
  return repo === undefined ? file : `${repo}//${file}${field('ref') ? `?ref=${field('ref')}` : ''}`;
}

/** True when git sees no change (tracked or new) under `paths` between `commit` and the working tree. */
async function unchangedSince(root: string, commit: string, paths: string[]): Promise<boolean> {
  const spec = ['--', ...paths.map((p) => path.relative(root, p) || '.')];
  if (spec.some((p) => p.startsWith('..'))) return false;
  const diff = await git(['diff', '--quiet', commit, ...spec], root);
  if (diff.code !== 0) return false;
  const added = await git(['ls-files', '--others', '--exclude-standard', ...spec], root);
  return added.code === 0 && added.stdout.length === 0;
}

function tagged(f: Finding, mesh: string): Finding {
  return { ...f, mesh, key: `mesh:${mesh}|${f.key}` };
}

/** One report: each mesh's findings in config order, tagged; counts added up. */
function merge(runs: MeshRun[]): MeshesResult {
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  const summary: Summary = {
    errors: 0,
    warnings: 0,
    infos: 0,
    files: 0,
    resources: 0,
    skipped: 0,
    suppressed: 0,
  };
  const inputs: LoadedInputs = { resources: [], diagnostics: [], files: [], skipped: 0, missing: [] };
  for (const { name, result } of runs) {
    for (const f of result.findings) findings.push(tagged(f, name));
    for (const f of result.suppressed) suppressed.push(tagged(f, name));
    const s = result.summary;
    summary.errors += s.errors;
    summary.warnings += s.warnings;
    summary.infos += s.infos;
    summary.files += s.files;
    summary.resources += s.resources;
    summary.skipped += s.skipped;
    summary.suppressed += s.suppressed;
    if (s.newErrors !== undefined) summary.newErrors = (summary.newErrors ?? 0) + s.newErrors;
    if (s.newWarnings !== undefined) summary.newWarnings = (summary.newWarnings ?? 0) + s.newWarnings;
    if (s.notCompared?.length) (summary.notCompared ??= []).push(...s.notCompared);
    const i = result.inputs;
    inputs.resources.push(...i.resources);
    inputs.diagnostics.push(...i.diagnostics.map((d) => tagged(d, name)));
    inputs.files.push(...i.files);
    inputs.skipped += i.skipped;
    inputs.missing.push(...i.missing.map((m) => `${m} (mesh ${name})`));
    if (i.notCompared?.length) (inputs.notCompared ??= []).push(...i.notCompared);
  }
  const perMesh = (what: string) => () => {
    throw new Error(`${what} of several meshes: read each mesh's from result.meshes`);
  };
  return {
    findings,
    suppressed,
    summary,
    inputs,
    meshes: runs,
    mesh: perMesh('mesh()'),
    graph: perMesh('graph()'),
  };
}
