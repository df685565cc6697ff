import path from 'node:path';
import { ConfigError, findConfigFile, loadConfigFile } from './config.js';
import { DEFAULT_LIMITS } from './load/index.js';
import { LATEST_ISTIO_VERSION, parseIstioVersion } from './mesh/version.js';
import { displayPath, type TrafficSources } from './load/observed.js';
import { parseWindow } from './load/traffic.js';
import { RULE_IDS } from '../rules/index.js';
import type { Config, FailOn, ResolvedOptions } from './options.js';

export interface OptionInputs {
  cwd: string;
  paths: string[];
  namespace?: string;
  istioVersion?: string;
  failOn?: string;
  /** Explicit config path; when absent, .mtls-lint.yaml is searched from cwd upward. */
  configPath?: string;
  /** Skip the config search (tests, `--no-config`). */
  noConfig?: boolean;
  showSuppressed?: boolean;
  /** --concurrency: "auto", "off" or a number; accepted for compatibility, no effect (checkConcurrency). */
  concurrency?: string;
  /** --traffic FILE (repeatable), relative to cwd. */
  traffic?: string[];
  /** --prometheus URL */
  prometheus?: string;
  /** --traffic-window 7d */
  trafficWindow?: string;
  /** --prometheus-timeout SECONDS */
  prometheusTimeout?: string;
  /** --prometheus-token-env NAME: the environment variable holding a bearer token. */
  prometheusTokenEnv?: string;
}

const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

/** Merge flags/inputs over the config file over defaults. Throws ConfigError (exit 2) on bad values. */
export function resolveOptions(input: OptionInputs): ResolvedOptions {
  const configFile = input.configPath
    ? path.resolve(input.cwd, input.configPath)
    : input.noConfig
      ? undefined
      : findConfigFile(input.cwd);
  const config: Config = configFile ? loadConfigFile(configFile, RULE_IDS) : {};
  const versionText = input.istioVersion || config.istioVersion || LATEST_ISTIO_VERSION;
  const istioVersion = parseIstioVersion(versionText);
  if (!istioVersion) {
    throw new ConfigError(`--istio-version ${JSON.stringify(versionText)} is not a version like 1.4 or 1.24`);
  }
  const failOn = (input.failOn || 'error') as FailOn;
  if (!FAIL_ON.includes(failOn)) {
    throw new ConfigError(`--fail-on ${JSON.stringify(input.failOn)} must be one of ${FAIL_ON.join(', ')}`);
  }
  const namespace = input.namespace || config.namespace || 'default';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new ConfigError(`namespace ${JSON.stringify(namespace)} is not a valid Kubernetes namespace name`);
  }
  const resolved: ResolvedOptions = {
    cwd: input.cwd,
    paths: input.paths.length ? input.paths : ['.'],
    namespace,
    istioVersion,
    failOn,
    config,
    limits: { ...DEFAULT_LIMITS, ...(config.limits ?? {}) },
    showSuppressed: input.showSuppressed ?? false,
  };
  if (input.concurrency !== undefined) checkConcurrency(input.concurrency);
  const traffic = trafficSources(input, config, configFile);
  if (traffic) resolved.trafficSources = traffic;
  if (configFile) resolved.configFile = configFile;
  return resolved;
}

/**
 * `--concurrency auto|off|N` chose worker threads for parsing, which did not pay (bench/README.md, "Parse workers")
 * and were removed; the flag stays accepted, with no effect, so scripts that pass it keep working. A value it never
 * accepted is still refused.
 */
function checkConcurrency(text: string): void {
  if (text === 'auto' || text === 'off' || /^\d{1,3}$/.test(text)) return;
  throw new ConfigError(`--concurrency ${JSON.stringify(text)} must be auto, off, or a number of threads`);
}

/** The default bearer-token variable for --prometheus (--prometheus-token-env names another). */
export const PROMETHEUS_TOKEN_ENV = 'MTLS_LINT_PROMETHEUS_TOKEN';

/** Flags win over the config: --traffic replaces the config's files, --prometheus its URL. */
function trafficSources(
  input: OptionInputs,
  config: Config,
  configFile: string | undefined,
): TrafficSources | undefined {
  const fromFlags = input.traffic?.length ? input.traffic.map((f) => path.resolve(input.cwd, f)) : undefined;
  const configDir = configFile ? path.dirname(configFile) : input.cwd;
  const files = fromFlags ?? (config.traffic ?? []).map((f) => path.resolve(configDir, f));
  const url = input.prometheus || config.prometheus;
  if (!files.length && !url) {
    for (const [flag, value] of [
      ['--traffic-window', input.trafficWindow],
      ['--prometheus-timeout', input.prometheusTimeout],
      ['--prometheus-token-env', input.prometheusTokenEnv],
    ] as const)
      if (value !== undefined) throw new ConfigError(`${flag} needs --traffic FILE or --prometheus URL`);
    return undefined;
  }
  const window = input.trafficWindow || config.trafficWindow || '7d';
  if (!parseWindow(window))
    throw new ConfigError(`--traffic-window ${JSON.stringify(window)} is not a duration like 7d, 12h or 30m`);
  const sources: TrafficSources = { files, shown: files.map((f) => displayPath(input.cwd, f)), window };
  if (url) {
    const seconds = input.prometheusTimeout === undefined ? 30 : Number(input.prometheusTimeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
      throw new ConfigError(
        `--prometheus-timeout ${JSON.stringify(input.prometheusTimeout)} must be a number of seconds (1 to 3600)`,
      );
    const tokenEnv = input.prometheusTokenEnv || PROMETHEUS_TOKEN_ENV;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv))
      throw new ConfigError(
        `--prometheus-token-env ${JSON.stringify(tokenEnv)} is not an environment variable name`,
      );
    sources.prometheus = { url, timeoutMs: seconds * 1000, tokenEnv };
  }
  return sources;
}
