// Output formats shared by the CLI and the action. One module per format.
import type { LintResult } from '../engine.js';
import { formatJson } from './json.js';
import { formatStylish } from './stylish.js';

export interface FormatContext {
  color: boolean;
  showSuppressed: boolean;
  /** Tool version, for SARIF. */
  version: string;
}

export type Formatter = (result: LintResult, ctx: FormatContext) => string;

export const FORMATTERS: Record<string, Formatter> = {
  stylish: (r, ctx) => formatStylish(r, { color: ctx.color, showSuppressed: ctx.showSuppressed }),
  json: (r, ctx) => formatJson(r, ctx.showSuppressed),
};

export const FORMAT_NAMES = (): string[] => Object.keys(FORMATTERS);
