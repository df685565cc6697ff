import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config.js';
import { failsThreshold, lint, type LintResult } from '../engine.js';
import { FORMATTERS, FORMAT_NAMES } from '../report/index.js';
import { resolveOptions } from '../resolve-options.js';
import { findRule, RULES } from '../../rules/index.js';
import { VERSION } from '../version.js';
import { LATEST_ISTIO_VERSION } from '../mesh/version.js';
import { SUBCOMMANDS } from './subcommands.js';
import {
  checkInputs,
  COMMON_OPTIONS,
  EXIT_FINDINGS,
  EXIT_OK,
  EXIT_USAGE,
  parse,
  readAll,
  UsageError,
  writeOutput,
  type CliIO,
} from './common.js';

// Tests and the entry point import the I/O type from here.
export type { CliIO } from './common.js';


const LINT_OPTIONS = {
  ...COMMON_OPTIONS,
  'fail-on': { type: 'string' },
  base: { type: 'string' },
  all: { type: 'boolean' },
  'show-suppressed': { type: 'boolean' },
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
  mtls-lint --explain RULE              print a rule's documentation

Options:
  -f, --format FORMAT       ${'stylish|json|sarif|github|markdown'} (default: stylish)
  -o, --output-file FILE    write the report to FILE instead of stdout
  -n, --namespace NS        namespace for resources without metadata.namespace (default: default)
  -c, --config FILE         config file (default: .mtls-lint.yaml, searched upward from the working directory)
      --istio-version X.Y   Istio semantics to apply (default: ${LATEST_ISTIO_VERSION})
      --fail-on LEVEL       error|warning|info|never: exit 1 at or above LEVEL (default: error)
      --base REF|DIR        PR mode: report only what changed since a git ref or an old manifest directory
      --all                 with --base: also show findings that the base already had
      --show-suppressed     list findings silenced by annotations
      --concurrency N       parse on N worker threads; auto (default: one per CPU for large inputs) or off
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
  try {
    const sub = argv[0] !== undefined && Object.hasOwn(SUBCOMMANDS, argv[0]) ? SUBCOMMANDS[argv[0]] : undefined;
    if (sub) return await sub(argv.slice(1), io);
    return await runLint(argv, io);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      io.stderr.write(`mtls-lint: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`mtls-lint: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    else io.stderr.write('mtls-lint: set DEBUG=1 for a stack trace, and please report it.\n');
    return EXIT_USAGE;
  }
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
    for (const r of RULES) io.stdout.write(`${r.meta.id.padEnd(28)} ${r.meta.defaultSeverity.padEnd(8)} ${r.meta.summary}\n`);
    return EXIT_OK;
  }
  if (values.explain !== undefined) {
    const rule = findRule(values.explain);
    if (!rule) throw new UsageError(`no rule named ${JSON.stringify(values.explain)}; rules: ${RULES.map((r) => r.meta.id).join(', ')}`);
    io.stdout.write(explainRule(rule.meta));
    return EXIT_OK;
  }
  const format = values.format ?? 'stylish';
  if (!Object.hasOwn(FORMATTERS, format)) throw new UsageError(`--format ${JSON.stringify(format)} must be one of ${FORMAT_NAMES().join(', ')}`);
  const options = resolveOptions({
    cwd: io.cwd,
    paths: positionals,
    namespace: values.namespace,
    istioVersion: values['istio-version'],
    failOn: values['fail-on'],
    configPath: values.config,
    showSuppressed: values['show-suppressed'],
    concurrency: values.concurrency,
  });
  // Never buffer more than the file size limit: `yes | mtls-lint -` must end with a finding, not run out of memory.
  const stdin = () => readAll(io.stdin, options.limits.maxFileSize + 1);
  let result: LintResult;
  if (values.base !== undefined) {
    const { lintAgainstBase } = await import('../diff/base.js');
    result = await lintAgainstBase(options, values.base, { stdin, showAll: values.all ?? false });
  } else {
    result = await lint(options, { stdin });
  }
  checkInputs(result, options);
  const color = colorWanted(values.color, values['no-color'], io, values['output-file']);
  const output = FORMATTERS[format]!(result, { color, showSuppressed: options.showSuppressed, version: VERSION });
  await writeOutput(output, values['output-file'], io);
  const counted = values.base !== undefined ? result.findings.filter((f) => f.new !== false) : result.findings;
  return counted.some((f) => failsThreshold(f, options.failOn)) ? EXIT_FINDINGS : EXIT_OK;
}

export function colorWanted(force: boolean | undefined, off: boolean | undefined, io: CliIO, outputFile: string | undefined): boolean {
  if (off || io.env.NO_COLOR) return false;
  const forced = io.env.FORCE_COLOR;
  if (force || (forced !== undefined && forced !== '' && forced !== '0' && forced !== 'false')) return true;
  return !outputFile && io.stdout.isTTY === true;
}

export function explainRule(meta: { id: string; defaultSeverity: string; summary: string; docs: string; relatedCodes?: string[] }): string {
  return `# ${meta.id} (default: ${meta.defaultSeverity})\n\n${meta.summary}\n${meta.docs.replace(/^\n/, '\n')}`.replace(/\n*$/, '\n');
}

