// `mtls-lint plan`: the ordered, engine-verified steps from the inputs to STRICT (src/plan/).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lint, type LintResult } from '../engine.js';
import { releaseOf } from '../mesh/releases.js';
import { makePlan } from '../plan/plan.js';
import { formatPlan, planFiles, PLAN_FORMATS, type PlanFormat } from '../plan/render.js';
import { resolveOptions } from '../resolve-options.js';
import { quoteName } from '../escape.js';
import {
  checkInputs,
  checkMeshInputs,
  COMMON_OPTIONS,
  EXIT_FINDINGS,
  EXIT_OK,
  meshesWanted,
  noteIstioVersion,
  parse,
  readAll,
  readTraffic,
  TRAFFIC_HELP,
  TRAFFIC_OPTIONS,
  trafficInputs,
  UsageError,
  writeOutput,
  type CliIO,
} from './common.js';

export const PLAN_HELP = `Usage: mtls-lint plan [options] [path ...]

Print the ordered steps from the inputs to STRICT mTLS: each step's objects (complete, for kubectl apply), why it is
safe now, what to check before the next one, and the connections after it (mtls, plaintext, broken) as mtls-lint
itself computes them on the inputs with the step and all earlier ones applied. A step never makes a declared or
inferred caller worse; what would break is kept PERMISSIVE (port, else workload) and listed as a blocker.

Options:
  -f, --format FORMAT       stylish|json|markdown (default: stylish)
  -o, --output-file FILE    write the plan to FILE
      --out-dir DIR         also write NN-step/ directories (objects to apply), NN-step/delete/ and README.md
      --scope SCOPE         mesh (default: every namespace, then mesh-wide STRICT) or namespace NS[,NS…]
      --allow-injection     add a step that injects sidecars into callers that block STRICT (pods restart)
      --mesh NAME           with config meshes:, the mesh to plan (one; required when there are several)
  -n, --namespace NS        namespace for resources without one (default: default)
  -c, --config FILE         config file
      --istio-version X.Y   Istio semantics and APIs to plan for (≤1.4: Policy + DestinationRules; 1.5+: PeerAuthentication)
${TRAFFIC_HELP}
                            Observed callers that would break are blockers; possible callers are named as not
                            seen in the window.
  -h, --help                this help

Exit codes: 0 a plan that reaches STRICT everywhere in scope (or nothing to do); 1 blockers remain (the plan keeps
PERMISSIVE exceptions for them, or a namespace cannot go STRICT); 2 usage error, no input, unwritable output.
`;

export async function runPlan(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    ...TRAFFIC_OPTIONS,
    'out-dir': { type: 'string' },
    scope: { type: 'string' },
    'allow-injection': { type: 'boolean' },
    mesh: { type: 'string', multiple: true },
  });
  if (values.help) {
    io.stdout.write(PLAN_HELP);
    return EXIT_OK;
  }
  const format = (values.format ?? 'stylish') as PlanFormat;
  if (!PLAN_FORMATS.includes(format))
    throw new UsageError(`--format ${JSON.stringify(format)} must be one of ${PLAN_FORMATS.join(', ')}`);
  // `--scope namespace a,b` takes the namespace list as the next word.
  let namespaces: string[] | undefined;
  let rest = positionals;
  const scope = values.scope ?? 'mesh';
  if (scope === 'namespace') {
    const list = rest[0];
    if (list === undefined) throw new UsageError('--scope namespace needs a list: --scope namespace foo,bar');
    namespaces = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    rest = rest.slice(1);
  } else if (scope.startsWith('namespace=')) {
    namespaces = scope
      .slice('namespace='.length)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  } else if (scope !== 'mesh') {
    throw new UsageError(`--scope ${JSON.stringify(scope)} must be mesh or namespace NS[,NS…]`);
  }
  if (namespaces && !namespaces.length)
    throw new UsageError('--scope namespace needs at least one namespace');
  const options = resolveOptions({
    cwd: io.cwd,
    paths: rest,
    namespace: values.namespace,
    istioVersion: values['istio-version'],
    configPath: values.config,
    ...trafficInputs(values),
  });
  noteIstioVersion(options, io);
  await readTraffic(options, io);
  const stdin = async () => readAll(io.stdin, options.limits.maxFileSize + 1);
  // Config `meshes:`: a plan is for one mesh (its own model and graph, its own steps); which one must be said.
  const meshNames = meshesWanted(options, rest, values.mesh);
  let result: LintResult;
  if (meshNames) {
    const known = Object.keys(options.config.meshes ?? {});
    const names = meshNames.length ? meshNames : known;
    if (names.length !== 1)
      throw new UsageError(
        `plan is for one mesh at a time: ${options.configFile ?? 'the config'} has meshes ${known.join(', ')}; pick one with --mesh NAME`,
      );
    const { lintMeshes } = await import('../diff/meshes.js');
    const all = await lintMeshes(options, { names, env: io.env, stdin });
    const run = all.meshes[0]!;
    checkMeshInputs(run, options);
    result = run.result;
  } else {
    result = await lint(options, { stdin });
    checkInputs(result, options);
  }
  const plan = makePlan(result.inputs, options, releaseOf(options.istioVersion), {
    ...(namespaces ? { namespaces } : {}),
    allowInjection: values['allow-injection'] ?? false,
  });
  if (values['out-dir'] !== undefined) {
    const outDir = path.resolve(io.cwd, values['out-dir']);
    for (const [rel, text] of planFiles(plan)) {
      const target = path.join(outDir, rel);
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, text);
      } catch (err) {
        throw new UsageError(
          `cannot write ${quoteName(target)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
    io.stderr.write(
      `mtls-lint plan: wrote ${plan.steps.length} step(s) to ${quoteName(path.relative(io.cwd, outDir) || '.')}\n`,
    );
  }
  await writeOutput(formatPlan(plan, format), values['output-file'], io);
  return plan.blockers.length ? EXIT_FINDINGS : EXIT_OK;
}
