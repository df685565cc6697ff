// action.yml read the way the runner reads it, so tests take input names, defaults, outputs and the entry point from
// the file GitHub loads instead of repeating them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  /** As written in action.yml, expressions unevaluated; undefined when there is none. */
  default: string | undefined;
}

export interface ActionMetadata {
  name: string;
  inputs: ActionInput[];
  outputs: string[];
  runs: { using: string; main: string };
}

/**
 * Strict YAML 1.2 parse (duplicate keys are errors, as they are for the runner). Throws with the parser's message,
 * which names the line, when the file is not YAML.
 */
export function parseYamlStrict(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('\n')}`);
  return doc.toJS();
}

export function readActionMetadata(file = path.join(ROOT, 'action.yml')): ActionMetadata {
  const raw = parseYamlStrict(readFileSync(file, 'utf8'), file) as {
    name: string;
    inputs?: Record<string, { description: string; required?: boolean; default?: unknown }>;
    outputs?: Record<string, unknown>;
    runs: { using: string; main: string };
  };
  return {
    name: raw.name,
    inputs: Object.entries(raw.inputs ?? {}).map(([name, spec]) => ({
      name,
      description: spec.description,
      required: spec.required === true,
      default: spec.default === undefined || spec.default === null ? undefined : String(spec.default),
    })),
    outputs: Object.keys(raw.outputs ?? {}),
    runs: raw.runs,
  };
}

/** The runner's environment variable for an input: INPUT_ + name upper-cased, spaces to `_` (hyphens stay). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The few expressions action.yml defaults may use, as the runner evaluates them. */
export interface ExpressionContext {
  'github.token': string;
}

/**
 * The INPUT_* variables the runner sets for a step `uses:` this action `with:` these values: every declared input,
 * the given value or else its default (expressions evaluated). An input the action does not declare is an error
 * here (GitHub only warns "Unexpected input(s)", and the value is silently lost).
 */
export function inputEnv(
  meta: ActionMetadata,
  withInputs: Record<string, string>,
  context: ExpressionContext,
): Record<string, string> {
  const declared = new Set(meta.inputs.map((i) => i.name));
  const unexpected = Object.keys(withInputs).filter((k) => !declared.has(k));
  if (unexpected.length)
    throw new Error(
      `Unexpected input(s) ${unexpected.map((k) => `'${k}'`).join(', ')}, valid inputs are ${[...declared].join(', ')}`,
    );
  const env: Record<string, string> = {};
  for (const input of meta.inputs) {
    const value = Object.hasOwn(withInputs, input.name)
      ? withInputs[input.name]!
      : evaluate(input.default ?? '', context);
    env[inputEnvName(input.name)] = value;
  }
  return env;
}

function evaluate(text: string, context: ExpressionContext): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_m, expr: string) => {
    if (!Object.hasOwn(context, expr))
      throw new Error(`action.yml default uses \${{ ${expr} }}, which these tests do not evaluate`);
    return context[expr as keyof ExpressionContext];
  });
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a Node script (no shell) and collect its output and exit status. */
export function runNode(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      args,
      {
        cwd: opts.cwd ?? ROOT,
        env: opts.env ?? process.env,
        timeout: opts.timeout ?? 60_000,
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}
