import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config.js';
import { TrafficError } from '../load/traffic.js';
import { failsThreshold, lint, type LintResult } from '../engine.js';
import { FORMATTERS, FORMAT_NAMES } from '../report/index.js';
import { resolveOptions } from '../resolve-options.js';
import { findRule, RULES } from '../../rules/index.js';
import { VERSION } from '../version.js';
import { LATEST_ISTIO_VERSION } from '../mesh/version.js';
import { SUBCOMMANDS } from './subcommands.js';
import {
  checkInputs,
  checkMeshInputs,
  COMMON_OPTIONS,
  EXIT_FINDINGS,
  readTraffic,
  TRAFFIC_HELP,
  TRAFFIC_OPTIONS,
  trafficInputs,
  EXIT_OK,
  EXIT_USAGE,
  guardPipe,
  meshesWanted,
  noteIstioVersion,
  parse,
  readAll,
  UsageError,
  writeFailure,
  writeOutput,
  type CliIO,
} from './common.js';

// Tests and the entry point import the I/O type from here.
export type { CliIO } from './common.js';

const LINT_OPTIONS = {
  ...COMMON_OPTIONS,
  ...TRAFFIC_OPTIONS,
  'fail-on': { type: 'string' },
  base: { type: 'string' },
  all: { type: 'boolean' },
  untracked: { type: 'string' },
  'show-suppressed': { type: 'boolean' },
  mesh: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  explain: { type: 'string' },
  'list-rules': { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

export const HELP = `mtls-lint ${VERSION} — find Istio mTLS changes that break or downgrade traffic, before apply

Usage:
  mtls-lint [options] [path ...]        lint manifests (files, directories, or - for stdin)
  mtls-lint graph [options] [path ...]  print the client → service graph with each connection's outcome
  mtls-lint convert [options] [path ...] write PeerAuthentication equivalents of legacy Policies
  mtls-lint plan [options] [path ...]   the ordered, verified steps from the manifests to STRICT
  mtls-lint --explain RULE              print a rule's documentation

Options:
  -f, --format FORMAT       ${'stylish|json|sarif|github|markdown|junit|gitlab'} (default: stylish)
  -o, --output-file FILE    write the report to FILE instead of stdout
  -n, --namespace NS        namespace for resources without metadata.namespace (default: default)
  -c, --config FILE         config file (default: .mtls-lint.yaml, searched upward from the working directory)
      --istio-version X.Y   Istio semantics to apply (default: ${LATEST_ISTIO_VERSION})
      --fail-on LEVEL       error|warning|info|never: exit 1 at or above LEVEL (default: error)
      --base REF|DIR        PR mode: report only what changed since a git ref or an old manifest directory
      --all                 with --base: also show findings that the base already had
      --untracked MODE      with --base REF: exclude (default) leaves files git does not track out of the
                            comparison and lists them; compare compares them against nothing (all new)
      --mesh NAME           lint only this mesh of the config's meshes: (repeatable; default: all of them).
                            Path arguments lint those paths instead of the meshes
      --show-suppressed     list findings silenced by annotations
      --concurrency N       accepted for compatibility, no effect (auto, off or a number; parsing is single-threaded)
${TRAFFIC_HELP}
      --list-rules          list rules with their default severity
      --no-color            no colours (also: NO_COLOR=1); --color forces them
  -h, --help                this help
  -v, --version             print the version

Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it; 2 usage error, unreadable path,
no input, bad config, or internal failure.

Examples:
  npx mtls-lint ./manifests
  helm template rel ./chart | npx mtls-lint -
  npx mtls-lint --base origin/main -f github ./k8s
`;

/** The CLI. Returns the exit code; never throws (a stack trace only with DEBUG set). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  guardPipe(io.stdout);
  guardPipe(io.stderr);
  try {
    const split = splitSubcommand(argv);
    const code = split ? await SUBCOMMANDS[split.name]!(split.argv, io) : await runLint(argv, io);
    // The error of the last write is reported on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    const failure = writeFailure(io.stdout);
    if (failure) {
      io.stderr.write(`mtls-lint: cannot write to standard output (${failure}); the report is incomplete.\n`);
      return EXIT_USAGE;
    }
    return code;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof TrafficError) {
      io.stderr.write(`mtls-lint: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`mtls-lint: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    else io.stderr.write('mtls-lint: set DEBUG=1 for a stack trace, and please report it.\n');
    return EXIT_USAGE;
  }
}

/** Options that take a value, for finding the subcommand behind options (`mtls-lint -c cfg.yaml graph k8s`). */
const VALUE_OPTIONS = new Set([
  'out-dir',
  'scope',
  ...Object.entries(LINT_OPTIONS)
    .filter(([, o]) => o.type === 'string')
    .map(([k]) => k),
]);
const VALUE_SHORTS = new Set(
  Object.values(LINT_OPTIONS)
    .filter((o) => o.type === 'string' && 'short' in o)
    .map((o) => (o as { short: string }).short),
);

/** The subcommand, when the first positional argument names one; the options around it go to it. */
function splitSubcommand(argv: string[]): { name: string; argv: string[] } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && VALUE_OPTIONS.has(arg.slice(2))) i++;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') {
      // A group of short flags; the first one that takes a value takes the rest of the group, or the next word.
      for (let j = 1; j < arg.length; j++) {
        if (VALUE_SHORTS.has(arg[j]!)) {
          if (j === arg.length - 1) i++;
          break;
        }
      }
      continue;
    }
    return Object.hasOwn(SUBCOMMANDS, arg)
      ? { name: arg, argv: [...argv.slice(0, i), ...argv.slice(i + 1)] }
      : undefined;
  }
  return undefined;
}

async function runLint(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, LINT_OPTIONS);
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (values['list-rules']) {
    for (const r of RULES)
      io.stdout.write(`${r.meta.id.padEnd(28)} ${r.meta.defaultSeverity.padEnd(8)} ${r.meta.summary}\n`);
    return EXIT_OK;
  }
  if (values.explain !== undefined) {
    const rule = findRule(values.explain);
    if (!rule)
      throw new UsageError(
        `no rule named ${JSON.stringify(values.explain)}; rules: ${RULES.map((r) => r.meta.id).join(', ')}`,
      );
    io.stdout.write(explainRule(rule.meta));
    return EXIT_OK;
  }
  const format = values.format ?? 'stylish';
  if (!Object.hasOwn(FORMATTERS, format))
    throw new UsageError(`--format ${JSON.stringify(format)} must be one of ${FORMAT_NAMES().join(', ')}`);
  const options = resolveOptions({
    cwd: io.cwd,
    paths: positionals,
    namespace: values.namespace,
    istioVersion: values['istio-version'],
    failOn: values['fail-on'],
    configPath: values.config,
    showSuppressed: values['show-suppressed'],
    concurrency: values.concurrency,
    ...trafficInputs(values),
  });
  noteIstioVersion(options, io);
  await readTraffic(options, io);
  // Never buffer more than the file size limit: `yes | mtls-lint -` must end with a finding, not run out of memory.
  const stdin = () => readAll(io.stdin, options.limits.maxFileSize + 1);
  const untracked = values.untracked;
  if (untracked !== undefined && untracked !== 'exclude' && untracked !== 'compare') {
    throw new UsageError(`--untracked ${JSON.stringify(untracked)} must be one of exclude, compare`);
  }
  if (untracked !== undefined && values.base === undefined) {
    throw new UsageError('--untracked applies to PR mode only: add --base REF (see --help)');
  }
  let result: LintResult;
  const meshes = meshesWanted(options, positionals, values.mesh);
  if (meshes) {
    const { lintMeshes } = await import('../diff/meshes.js');
    const all = await lintMeshes(options, {
      names: meshes,
      env: io.env,
      stdin,
      ...(values.base !== undefined
        ? { base: { ref: values.base, showAll: values.all ?? false, ...(untracked ? { untracked } : {}) } }
        : {}),
    });
    for (const run of all.meshes) checkMeshInputs(run, options);
    result = all;
  } else if (values.base !== undefined) {
    const { lintAgainstBase } = await import('../diff/base.js');
    result = await lintAgainstBase(options, values.base, {
      stdin,
      showAll: values.all ?? false,
      ...(untracked ? { untracked } : {}),
    });
  } else {
    result = await lint(options, { stdin });
  }
  checkInputs(result, options);
  const color = colorWanted(values.color, values['no-color'], io, values['output-file']);
  const output = FORMATTERS[format]!(result, {
    color,
    showSuppressed: options.showSuppressed,
    version: VERSION,
  });
  await writeOutput(output, values['output-file'], io);
  const counted =
    values.base !== undefined ? result.findings.filter((f) => f.new !== false) : result.findings;
  return counted.some((f) => failsThreshold(f, options.failOn)) ? EXIT_FINDINGS : EXIT_OK;
}

function colorWanted(
  force: boolean | undefined,
  off: boolean | undefined,
  io: CliIO,
  outputFile: string | undefined,
): boolean {
  if (off || io.env.NO_COLOR) return false;
  const forced = io.env.FORCE_COLOR;
  if (force || (forced !== undefined && forced !== '' && forced !== '0' && forced !== 'false')) return true;
  return !outputFile && io.stdout.isTTY === true;
}

function explainRule(meta: {
  id: string;
  defaultSeverity: string;
  summary: string;
  docs: string;
  relatedCodes?: string[];
}): string {
  return `# ${meta.id} (default: ${meta.defaultSeverity})\n\n${meta.summary}\n${meta.docs.replace(/^\n/, '\n')}`.replace(
    /\n*$/,
    '\n',
  );
}
