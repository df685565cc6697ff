// Lint a rendered scenario in memory (no file system): the same engine path as the CLI after loading.
import { analyze, type LintResult } from '../../src/engine.js';
import { parseTexts } from '../../src/load/index.js';
import { resolveOptions } from '../../src/resolve-options.js';
import type { Config } from '../../src/options.js';

export interface TextFile {
  file: string;
  text: string;
}

export function lintTexts(
  files: TextFile[],
  opts: { istioVersion?: string; config?: Config } = {},
): LintResult {
  const options = resolveOptions({
    cwd: '/nonexistent',
    paths: files.map((f) => f.file),
    noConfig: true,
    istioVersion: opts.istioVersion,
  });
  if (opts.config) options.config = opts.config;
  const inputs = parseTexts(
    files.map((f) => ({ input: { file: f.file }, text: f.text })),
    options,
  );
  return analyze(inputs, options);
}
