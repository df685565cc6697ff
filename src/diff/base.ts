import type { LintResult } from '../engine.js';
import type { ResolvedOptions } from '../options.js';

export interface BaseOptions {
  stdin: () => Promise<Uint8Array>;
  showAll: boolean;
}

export async function lintAgainstBase(_options: ResolvedOptions, _base: string, _opts: BaseOptions): Promise<LintResult> {
  throw new Error('--base is not available yet');
}
