// Output formats shared by the CLI and the action. One module per format.
import type { LintResult } from '../engine.js';
import { jsonChunks } from './json.js';
import { formatStylish } from './stylish.js';
import { formatSarif } from './sarif.js';
import { formatGithub } from './github.js';
import { formatMarkdown, STEP_SUMMARY_MAX_BYTES } from './markdown.js';
import { junitChunks } from './junit.js';
import { gitlabChunks } from './gitlab.js';
import { defuseJson } from '../escape.js';

interface FormatContext {
  color: boolean;
  showSuppressed: boolean;
  /** Tool version, for SARIF. */
  version: string;
}

/** A report as one string, or in pieces (a large JSON report is written as it is made). */
export type Output = string | Iterable<string>;

export type Formatter = (result: LintResult, ctx: FormatContext) => Output;

export const FORMATTERS: Record<string, Formatter> = {
  stylish: (r, ctx) => formatStylish(r, { color: ctx.color, showSuppressed: ctx.showSuppressed }),
  // JSON and SARIF printed in a CI log: `##[` in a value is written `#\u0023[` (the same JSON), not a workflow command.
  json: (r, ctx) => mapChunks(jsonChunks(r, ctx.showSuppressed), defuseJson),
  sarif: (r, ctx) => defuseJson(formatSarif(r, { version: ctx.version, showSuppressed: ctx.showSuppressed })),
  github: (r, ctx) => formatGithub(r, { showSuppressed: ctx.showSuppressed }),
  markdown: (r, ctx) =>
    formatMarkdown(r, {
      showSuppressed: ctx.showSuppressed,
      maxBytes: STEP_SUMMARY_MAX_BYTES,
      // PR mode (--base) results say what they were compared with.
      ...baseLabelOf(r),
    }),
  junit: (r, ctx) => junitChunks(r, { showSuppressed: ctx.showSuppressed }),
  gitlab: (r) => gitlabChunks(r),
};

function* mapChunks(chunks: Iterable<string>, fn: (s: string) => string): Generator<string> {
  for (const c of chunks) yield fn(c);
}

/** The whole report as one string. */
export function outputText(output: Output): string {
  return typeof output === 'string' ? output : [...output].join('');
}

export const FORMAT_NAMES = (): string[] => Object.keys(FORMATTERS);

function baseLabelOf(r: LintResult): { baseLabel?: string } {
  const label = (r as LintResult & { base?: { label?: unknown } }).base?.label;
  return typeof label === 'string' ? { baseLabel: label } : {};
}
