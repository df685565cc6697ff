import path from 'node:path';
import { ConfigError, findConfigFile, loadConfigFile } from './config.js';
import { DEFAULT_LIMITS } from './load/index.js';
import { LATEST_ISTIO_VERSION, parseIstioVersion } from './mesh/version.js';
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
  /** --concurrency: "auto", "off" or a number of worker threads. */
  concurrency?: string;
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
  if (input.concurrency !== undefined) resolved.concurrency = parseConcurrency(input.concurrency);
  if (configFile) resolved.configFile = configFile;
  return resolved;
}

/** `--concurrency auto|off|N` (as ESLint's flag of that name); 0 is the same as off. */
function parseConcurrency(text: string): number | 'auto' | 'off' {
  if (text === 'auto' || text === 'off') return text;
  if (/^\d{1,3}$/.test(text)) return Number(text) === 0 ? 'off' : Number(text);
  throw new ConfigError(`--concurrency ${JSON.stringify(text)} must be auto, off, or a number of threads`);
}
