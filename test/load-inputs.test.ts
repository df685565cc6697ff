// Every input source goes through the loader's one entry point (src/load/index.ts loadInputs): files and
// directories, standard input, and PR mode's base read from a git tree. Each reads under the same limits and as
// kubectl reads it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintAgainstBase } from '../src/diff/base.js';
import { lint } from '../src/engine.js';
import { resolveOptions } from '../src/resolve-options.js';
import type { Finding } from '../src/types.js';
import { parseManifestText } from '../src/load/parse.js';
import { makeRepo } from './diff.helpers.js';
import { runCli } from './helpers/cli.js';
import { goRead } from './helpers/goyaml.js';
import { tempDir } from './helpers/tmp.js';

const FIX = path.join(import.meta.dirname, 'fixtures', 'load-inputs');
const BUDGET = path.join(FIX, 'budget');
const budgetFiles = {
  '.mtls-lint.yaml': readFileSync(path.join(BUDGET, '.mtls-lint.yaml'), 'utf8'),
  'k8s/namespaces.yaml': readFileSync(path.join(BUDGET, 'k8s/namespaces.yaml'), 'utf8'),
};
const rendered = readFileSync(path.join(BUDGET, 'rendered.yaml'), 'utf8');

const show = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`);

describe('limits.maxTotalSize counts every input source', () => {
  it('standard input past the budget is not checked, with the same input-error as a file', async () => {
    const run = await runCli(['-f', 'json', 'k8s', '-'], { cwd: BUDGET, stdin: rendered });
    const report = JSON.parse(run.stdout) as { findings: Finding[]; summary: { resources: number } };
    const budget = report.findings.filter((f) => f.rule === 'input-error');
    expect(
      budget.map((f) => [f.file, f.line, f.severity]),
      show(report.findings).join('\n'),
    ).toEqual([['<stdin>', 1, 'error']]);
    expect(budget[0]!.message).toContain(
      'larger than limits.maxTotalSize (700 B in all): standard input and the 0 after it (332 B) were not read or checked',
    );
    // The PeerAuthentication on standard input was not read: only k8s/'s three objects are.
    expect(report.summary.resources).toBe(3);
    expect(run.code).toBe(1);
  });

  it('within the budget, standard input is read as before', async () => {
    const run = await runCli(['-f', 'json', '-'], { cwd: BUDGET, stdin: rendered });
    const report = JSON.parse(run.stdout) as { findings: Finding[]; summary: { resources: number } };
    expect(report.findings.filter((f) => f.rule === 'input-error')).toEqual([]);
    expect(report.summary.resources).toBe(1);
  });

  it("PR mode's base read from git is cut where the head is: the head's budget error is not new in every PR", async () => {
    const policy = rendered.replace(/^#.*\n/gm, '');
    const repo = makeRepo('budget-git', [
      {
        ...budgetFiles,
        'k8s/policy.yaml': `# the shop's policy, padded past the budget ${'.'.repeat(60)}\n${policy}`,
      },
      {
        'k8s/namespaces.yaml': `# a comment: the change touches nothing the budget cuts\n${budgetFiles['k8s/namespaces.yaml']}`,
      },
    ]);
    const options = resolveOptions({ cwd: repo.dir, paths: ['k8s'] });
    const result = await lintAgainstBase(options, 'main~1', {
      stdin: async () => new Uint8Array(),
      showAll: true,
      gitOnly: true,
    });
    // The base (a git tree) reads what the budget allows, as the head does.
    expect(result.baseResult.inputs.files).toEqual(['k8s/namespaces.yaml']);
    expect(
      result.baseResult.findings.filter((f) => f.rule === 'input-error').map((f) => [f.file, f.line]),
    ).toEqual([['k8s/policy.yaml', 1]]);
    // So the head's finding is an old one, and the CLI passes a PR that did not touch the cut.
    expect(
      result.findings.filter((f) => f.rule === 'input-error').map((f) => [f.file, f.new]),
      show(result.findings).join('\n'),
    ).toEqual([['k8s/policy.yaml', false]]);
    const run = await runCli(['--base', 'main~1', '-f', 'json', 'k8s'], { cwd: repo.dir });
    expect(JSON.parse(run.stdout)).toMatchObject({ findings: [], summary: { newErrors: 0 } });
    expect(run.code).toBe(0);
  });
  it("PR mode's base directory is cut by the same budget", async () => {
    const policy = rendered.replace(/^#.*\n/gm, '');
    const dir = tempDir('budget-dir');
    const tree = {
      ...budgetFiles,
      'k8s/policy.yaml': `# padded past the budget ${'.'.repeat(80)}\n${policy}`,
    };
    for (const [file, text] of Object.entries(tree)) {
      for (const side of ['.', 'old']) {
        const target = path.join(dir, side, side === 'old' ? file.replace(/^k8s\//, '') : file);
        if (side === 'old' && file.startsWith('.')) continue;
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
    }
    const options = resolveOptions({ cwd: dir, paths: ['k8s'] });
    const result = await lintAgainstBase(options, 'old', {
      stdin: async () => new Uint8Array(),
      showAll: true,
    });
    expect(result.base.kind).toBe('directory');
    // The base directory's files are shown with the head's paths and cut at the same place.
    expect(result.baseResult.inputs.files).toEqual(['k8s/namespaces.yaml']);
    expect(result.findings.filter((f) => f.rule === 'input-error').map((f) => [f.file, f.new])).toEqual([
      ['k8s/policy.yaml', false],
    ]);
  });
});

describe('a stream of JSON objects is read as kubectl reads it', () => {
  // apimachinery's YAMLOrJSONDecoder: a stream whose first non-space byte is `{` is decoded by Go's json.Decoder,
  // one value after another, with or without whitespace between them.
  async function lintFile(file: string) {
    const options = resolveOptions({ cwd: path.join(FIX, 'json-stream'), paths: [file], noConfig: true });
    return lint(options);
  }

  it('objects written one after another on one line ({…}{…}) are each a document, with their own positions', async () => {
    const result = await lintFile('concatenated.json');
    expect(result.inputs.resources.map((r) => r.id)).toEqual([
      'Namespace//shop',
      'PeerAuthentication/shop/default',
    ]);
    const pa = result.inputs.resources[1]!;
    // The second object starts at column 105 of line 1; its mode value is where the finding points.
    expect(pa.span([])).toMatchObject({ line: 1, column: 105 });
    expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`)).toEqual([
      'invalid-resource concatenated.json:1:242',
    ]);
  });

  it('JSON objects on consecutive lines (JSON lines, pretty-printed) are each a document', async () => {
    const result = await lintFile('lines.json');
    expect(result.inputs.resources.map((r) => [r.id, r.span([]).line])).toEqual([
      ['Namespace//shop', 1],
      ['PeerAuthentication/shop/default', 6],
    ]);
    expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`)).toEqual([
      'invalid-resource lines.json:10:29',
    ]);
  });

  it('a broken object is an error at the line and column where it stops being JSON, naming where it starts', async () => {
    const result = await lintFile('broken.json');
    expect(result.findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column}`)).toEqual([
      'yaml-syntax error broken.json:4:38',
    ]);
    expect(result.findings[0]!.message).toContain(
      'it is not JSON at line 4, column 38, in the object that starts at line 2',
    );
    // kubectl apply refuses the whole file, so nothing in it is analysed.
    expect(result.inputs.resources).toEqual([]);
  });

  it('reads the same objects as apimachinery (go json.Decoder over the stream, test/oracle/goyaml)', () => {
    const files = ['concatenated.json', 'lines.json', 'broken.json'].map((f) =>
      path.join(FIX, 'json-stream', f),
    );
    const go = goRead(files.map((f) => readFileSync(f, 'utf8')));
    files.forEach((file, i) => {
      const ours = parseManifestText(readFileSync(file, 'utf8'), path.basename(file), 'default');
      const kubectl = go[i]!;
      if (kubectl.fatal) {
        // kubectl stops at the broken object; mtls-lint reports it and reads nothing from the file.
        expect(path.basename(file)).toBe('broken.json');
        expect(ours.resources).toEqual([]);
        expect(ours.diagnostics.map((d) => d.rule)).toEqual(['yaml-syntax']);
      } else expect(ours.resources.map((r) => r.value)).toEqual(kubectl.docs.map((d) => d.json));
    });
    expect(go.map((g) => g.fatal === undefined)).toEqual([true, true, false]);
  });
});
