// Rule tests as ESLint's RuleTester writes them: one file per rule (test/rules/<id>.test.ts) with `valid` cases
// (manifests in, no finding of that rule out) and `invalid` cases (manifests in, exactly the expected findings of that
// rule out: severity, file, line, column, message fragments). Every case runs the real engine on real files in a
// temporary directory (loader → schema → model → graph → rules; PR mode with a `base`). The same call also runs the
// failing and fixed examples of the rule's documentation page (see parseExamples), so the docs cannot rot.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRule } from '../../rules/index.js';
import { lintAgainstBase } from '../../src/diff/base.js';
import { lint, type LintResult } from '../../src/engine.js';
import { resolveOptions } from '../../src/resolve-options.js';
import { loadObservedTraffic } from '../../src/load/observed.js';
import type { Finding, Severity } from '../../src/types.js';
import type { Run } from '../helpers/mesh.js';
import { tempDir } from '../helpers/tmp.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Rules that report the inputs themselves: their cases may (must) hold broken manifests. */
const INPUT_RULES = new Set(['yaml-syntax', 'input-error', 'invalid-resource']);

interface RuleCase {
  name: string;
  /** One manifest file, `manifests.yaml`. */
  yaml?: string;
  /** Manifest files by relative path. */
  files?: Record<string, string>;
  /** Or a fixture: a directory or file relative to the repository root, linted from the root. */
  fixture?: string;
  /** PR mode: files on the base side that differ from the head (`null`: the file is new in the head). */
  base?: Record<string, string | null>;
  istioVersion?: string;
  /** `.mtls-lint.yaml` text. */
  config?: string;
  /** A config file relative to the repository root. */
  configFile?: string;
  /** `-n`: the namespace for manifests without metadata.namespace. */
  namespace?: string;
  /** Observed-traffic files by name (Prometheus or Kiali answers), given to the run as --traffic. */
  traffic?: Record<string, string>;
  /** Schema or YAML findings are allowed (by default a case with invalid manifests is a broken case). */
  allowInvalid?: boolean;
  /** Further assertions on the run (edges, related locations, other rules). */
  check?: (run: Run) => void | Promise<void>;
}

interface ExpectedFinding {
  severity?: Severity;
  file?: string;
  line?: number;
  column?: number;
  /** Fragments (or patterns) the message contains. */
  message?: string | RegExp | (string | RegExp)[];
  /** Fragments the message must not contain. */
  notMessage?: string | string[];
}

interface InvalidCase extends RuleCase {
  /** Exactly these findings of the rule, in report order. */
  findings: ExpectedFinding[];
}

export interface RuleTests {
  valid: RuleCase[];
  invalid: InvalidCase[];
}

/** Lint a case through the real engine; findings of every rule. */
async function runCase(c: RuleCase, ruleId = ''): Promise<Run> {
  const sources = [c.yaml, c.files, c.fixture].filter((x) => x !== undefined).length;
  if (sources !== 1) throw new Error(`case "${c.name}": give exactly one of yaml, files, fixture`);
  let cwd = ROOT;
  let paths = [c.fixture ?? '.'];
  let configPath = c.configFile ? path.join(ROOT, c.configFile) : undefined;
  const root = tempDir('rule');
  if (c.fixture === undefined) {
    cwd = path.join(root, 'head');
    paths = ['.'];
    writeFiles(cwd, c.yaml !== undefined ? { 'manifests.yaml': c.yaml } : c.files!);
  }
  if (c.config !== undefined) {
    configPath = path.join(root, 'mtls-lint.yaml');
    writeFileSync(configPath, c.config);
  }
  let traffic: string[] | undefined;
  if (c.traffic) {
    writeFiles(path.join(root, 'traffic'), c.traffic);
    traffic = Object.keys(c.traffic).map((f) => path.join(root, 'traffic', f));
  }
  const options = resolveOptions({
    cwd,
    paths,
    istioVersion: c.istioVersion,
    namespace: c.namespace,
    configPath,
    noConfig: configPath === undefined,
    ...(traffic ? { traffic } : {}),
  });
  const observed = await loadObservedTraffic(options.trafficSources, {});
  if (observed) options.traffic = observed;
  let result: LintResult;
  if (c.base) {
    if (c.fixture !== undefined) throw new Error(`case "${c.name}": base needs yaml or files`);
    const baseDir = path.join(root, 'base');
    const head: Record<string, string> = c.yaml !== undefined ? { 'manifests.yaml': c.yaml } : c.files!;
    const base: Record<string, string> = {};
    for (const [f, text] of Object.entries({ ...head, ...c.base })) if (text !== null) base[f] = text;
    writeFiles(baseDir, base);
    result = await lintAgainstBase(options, baseDir, { stdin: async () => new Uint8Array(), showAll: false });
  } else {
    result = await lint(options);
  }
  if (!(c.allowInvalid || INPUT_RULES.has(ruleId))) {
    const bad = result.findings.filter((f) => INPUT_RULES.has(f.rule));
    if (bad.length)
      throw new Error(
        `case "${c.name}": the manifests are invalid:\n${bad.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`).join('\n')}`,
      );
  }
  return { result, dir: cwd, findings: result.findings, edges: result.graph().edges };
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

const show = (fs: Finding[]) =>
  fs.map((f) => `  ${f.severity} ${f.file}:${f.line}:${f.column} ${f.message}`).join('\n') || '  (none)';

/** Assert that `actual` (findings of one rule) are exactly `expected`. */
function expectFindings(actual: Finding[], expected: ExpectedFinding[]): void {
  expect(actual.length, `expected ${expected.length} finding(s), got:\n${show(actual)}`).toBe(
    expected.length,
  );
  expected.forEach((want, i) => {
    const got = actual[i]!;
    const where = `finding ${i + 1}:\n${show([got])}`;
    for (const key of ['severity', 'file', 'line', 'column'] as const)
      if (want[key] !== undefined) expect(got[key], `${key} of ${where}`).toBe(want[key]);
    for (const m of want.message === undefined ? [] : [want.message].flat())
      if (typeof m === 'string') expect(got.message, where).toContain(m);
      else expect(got.message, where).toMatch(m);
    for (const m of want.notMessage === undefined ? [] : [want.notMessage].flat())
      expect(got.message, where).not.toContain(m);
  });
}

/**
 * Register the tests of one rule: its valid and invalid cases, and the examples on its documentation page. Each list
 * must have at least one case.
 */
export function ruleTests(ruleId: string, tests: RuleTests): void {
  const rule = findRule(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId} in rules/index.ts`);
  if (!tests.valid.length || !tests.invalid.length)
    throw new Error(`${ruleId}: a rule test needs at least one valid and one invalid case`);
  describe(`${ruleId}: valid`, () => {
    for (const c of tests.valid)
      it(c.name, async () => {
        const run = await runCase(c, ruleId);
        expect(run.findings.filter((f) => f.rule === ruleId)).toEqual([]);
        await c.check?.(run);
      });
  });
  describe(`${ruleId}: invalid`, () => {
    for (const c of tests.invalid)
      it(c.name, async () => {
        const run = await runCase(c, ruleId);
        expectFindings(
          run.findings.filter((f) => f.rule === ruleId),
          c.findings,
        );
        await c.check?.(run);
      });
  });
  describe(`${ruleId}: documentation examples (docs/rules/${ruleId}.md)`, () => {
    const examples = parseExamples(rule.meta.docs);
    it('has a failing and a fixed example', () => {
      expect(examples.map((e) => e.kind)).toEqual(expect.arrayContaining(['failing', 'fixed']));
    });
    for (const ex of examples)
      it(`${ex.kind} example under "${ex.heading}" ${ex.kind === 'failing' ? 'is' : 'is not'} reported`, async () => {
        const run = await runCase(exampleCase(ex), ruleId);
        const found = run.findings.filter((f) => reportedBy(ruleId, f));
        if (ex.kind === 'failing')
          expect(
            found.length,
            `the failing example gives no ${ruleId} finding; all findings:\n${show(run.findings)}`,
          ).toBeGreaterThan(0);
        else expect(found, `the fixed example still gives ${ruleId}`).toEqual([]);
      });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Examples in rule documentation
//
// A fenced block whose info string carries `failing`, `fixed` or `setup` is (part of) a runnable example:
//
//   ```yaml failing                     one file, manifests.yaml
//   ```yaml failing file=callers.yaml   a named file; the blocks of one kind under one heading are one example
//   ```yaml failing istio=1.4           lint as Istio 1.4 (any block of the example may say it)
//   ```yaml failing file=pa.yaml base   the file as it was on the base side: the example runs in PR mode
//   ```yaml fixed file=.mtls-lint.yaml  the example's configuration file
//   ```yaml setup file=apps.yaml        a file of every example on the page (the workloads the examples act on)
//   ```json failing traffic file=t.json observed traffic given to the run (--traffic), not a manifest
//
// A failing example must produce at least one finding of the page's rule, a fixed example none. The manifests must
// be valid (no yaml-syntax / invalid-resource finding) except on the pages of those rules. connection-downgrade
// reports on the finding that already names the connection when there is one (its docs say so): there, a finding
// carrying a transition counts as the rule's.

export interface DocExample {
  kind: 'failing' | 'fixed' | 'setup';
  heading: string;
  files: Record<string, string>;
  base: Record<string, string>;
  traffic: Record<string, string>;
  istioVersion?: string;
  config?: string;
}

export function parseExamples(markdown: string): DocExample[] {
  const examples: DocExample[] = [];
  let heading = '(top)';
  let open: Map<string, DocExample> = new Map();
  let setup: DocExample | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) {
      heading = h[1]!.trim();
      open = new Map();
      continue;
    }
    const fence = /^(```+)(.*)$/.exec(line);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(fence[1]!) && l.trim() === fence[1]);
    if (end < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    const body = lines.slice(i + 1, end).join('\n') + '\n';
    i = end;
    const words = fence[2]!.trim().split(/\s+/).slice(1);
    const kind = words.find((w) => w === 'failing' || w === 'fixed' || w === 'setup') as
      DocExample['kind'] | undefined;
    if (!kind) continue;
    const attrs = new Map(
      words.filter((w) => w.includes('=')).map((w) => w.split('=', 2) as [string, string]),
    );
    let ex = kind === 'setup' ? setup : open.get(kind);
    if (!ex) {
      ex = { kind, heading, files: {}, base: {}, traffic: {} };
      if (kind === 'setup') setup = ex;
      else {
        open.set(kind, ex);
        examples.push(ex);
      }
    }
    if (attrs.has('istio')) ex.istioVersion = attrs.get('istio');
    const file = attrs.get('file') ?? 'manifests.yaml';
    if (file === '.mtls-lint.yaml') {
      ex.config = body;
      continue;
    }
    const side = words.includes('traffic') ? ex.traffic : words.includes('base') ? ex.base : ex.files;
    if (Object.hasOwn(side, file))
      throw new Error(`two ${kind} blocks for ${file} under "${heading}": give each a file=NAME`);
    side[file] = body;
  }
  for (const ex of examples) {
    for (const [file, text] of Object.entries(setup?.traffic ?? {}))
      if (!Object.hasOwn(ex.traffic, file)) ex.traffic[file] = text;
    for (const [file, text] of Object.entries(setup?.files ?? {})) {
      if (Object.hasOwn(ex.files, file))
        throw new Error(
          `${file} is both a setup file and a file of the ${ex.kind} example under "${ex.heading}"`,
        );
      ex.files[file] = text;
    }
  }
  return examples;
}

/** Findings that are the rule's output. */
function reportedBy(ruleId: string, f: Finding): boolean {
  return f.rule === ruleId || (ruleId === 'connection-downgrade' && f.transition !== undefined);
}

function exampleCase(ex: DocExample): RuleCase {
  return {
    name: `${ex.kind} example under ${ex.heading}`,
    files: ex.files,
    ...(Object.keys(ex.base).length ? { base: ex.base } : {}),
    ...(ex.istioVersion ? { istioVersion: ex.istioVersion } : {}),
    ...(ex.config !== undefined ? { config: ex.config } : {}),
    ...(Object.keys(ex.traffic).length ? { traffic: ex.traffic } : {}),
  };
}
