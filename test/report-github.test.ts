// The `github` format: workflow commands the runner turns into annotations. Escaping, limits, order.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintAgainstBase } from '../src/diff/base.js';
import { lint } from '../src/engine.js';
import { formatGithub } from '../src/report/github.js';
import { resolveOptions } from '../src/resolve-options.js';
import { fixture, makeRepo, seedWorkloads, writeTree, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';

interface Command {
  command: string;
  props: Record<string, string>;
  message: string;
}

/** Parse output the way the runner does: one command per line, `::name k=v,k=v::data`, %-decoding. */
function parseCommands(out: string): Command[] {
  const lines = out.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    expect(m, `not a workflow command: ${line}`).not.toBeNull();
    const decode = (s: string) =>
      s
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%3A/g, ':')
        .replace(/%2C/g, ',')
        .replace(/%25/g, '%');
    const props: Record<string, string> = {};
    for (const kv of (m![2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq)] = decode(kv.slice(eq + 1));
    }
    return { command: m![1]!, props, message: decode(m![3]!) };
  });
}

async function lintTree(
  tree: Tree,
  paths = ['k8s'],
  rules?: Record<string, 'off' | 'error' | 'warning' | 'info'>,
) {
  const dir = tempDir('gh');
  writeTree(dir, tree);
  const options = resolveOptions({ cwd: dir, paths, istioVersion: '1.1', noConfig: true });
  if (rules) options.config.rules = rules;
  return lint(options);
}

describe('github workflow commands', () => {
  it('annotates the mode: STRICT line with file, line, columns and a title; victims follow in the message', async () => {
    const result = await lintTree({
      ...seedWorkloads(),
      'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml'),
    });
    const cmds = parseCommands(formatGithub(result));
    const strict = cmds.find((c) => c.props.title === 'mtls-lint plaintext-to-strict')!;
    expect(strict).toMatchObject({
      command: 'error',
      props: { file: 'k8s/policy.yaml', line: '11', endLine: '11', col: '13', endColumn: '19' },
    });
    expect(strict.message).toContain('legacy/sleep → httpbin.foo:8000');
    expect(strict.message).toMatch(/\n↳ k8s\/sleep-legacy\.yaml:\d+:\d+ /);
  });

  it('shows at most 10 per level, most severe first, then one notice with what was left out', async () => {
    const tree: Tree = {};
    for (let i = 0; i < 12; i++) {
      tree[`k8s/broken-${String(i).padStart(2, '0')}.yaml`] = 'kind: [\n'; // yaml-syntax: error
      // An ignore annotation without a reason (invalid-suppression: warning) in a namespace the inputs do not define.
      tree[`k8s/app-${String(i).padStart(2, '0')}.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app${i}
  namespace: ns${i}
  annotations:
    mtls-lint.io/ignore: plaintext-to-strict
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: a, image: a}]
`;
    }
    const result = await lintTree(tree, ['k8s'], { 'invalid-resource': 'info' });
    const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
    expect(count('error')).toBe(12);
    expect(count('warning')).toBeGreaterThan(10);
    expect(count('info')).toBeGreaterThan(10);

    const cmds = parseCommands(formatGithub(result));
    const by = (c: string) => cmds.filter((x) => x.command === c);
    expect(by('error')).toHaveLength(10);
    expect(by('warning')).toHaveLength(10);
    expect(by('notice')).toHaveLength(10); // 9 findings + the pointer
    expect(cmds.slice(0, 10).every((c) => c.command === 'error')).toBe(true);
    const last = cmds.at(-1)!;
    const hidden = result.findings.length - 29;
    expect(last.command).toBe('notice');
    expect(last.message).toMatch(
      new RegExp(
        `^${hidden} more findings are not annotated \\(2 errors, ${count('warning') - 10} warnings, ${count('info') - 9} infos\\)`,
      ),
    );
    expect(last.message).toContain('job summary');

    // The action keeps one error slot for its own failure message.
    const reserved = parseCommands(formatGithub(result, { reserveErrors: 1 }));
    expect(reserved.filter((c) => c.command === 'error')).toHaveLength(9);
  });

  it('in PR mode new findings come first', async () => {
    const STRICT = { 'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml') };
    const repo = makeRepo('gh-pr', [
      { ...seedWorkloads(), 'k8s/old-broken.yaml': 'kind: [\n' },
      { ...STRICT },
    ]);
    const options = resolveOptions({ cwd: repo.dir, paths: ['k8s'], istioVersion: '1.1', noConfig: true });
    const r = await lintAgainstBase(options, repo.commits[0]!, {
      stdin: async () => new Uint8Array(),
      showAll: true,
    });
    const cmds = parseCommands(formatGithub(r));
    const errors = cmds.filter((c) => c.command === 'error').map((c) => c.props.title);
    expect(errors).toEqual(['mtls-lint plaintext-to-strict', 'mtls-lint yaml-syntax (already in base)']);
    // Within each level, every new finding comes before every old one (so the 10 shown are the new ones).
    for (const level of ['error', 'warning', 'notice']) {
      const old = cmds
        .filter((c) => c.command === level)
        .map((c) => c.props.title!.endsWith('(already in base)'));
      expect(old).toEqual([...old].sort((a, b) => Number(a) - Number(b)));
    }
  });

  it('values from manifests cannot inject workflow commands', async () => {
    const dir = tempDir('gh-inject');
    // A file name with a newline and a workflow command, and names carrying encoded ones.
    const evilFile = 'k8s/x\n::set-output name=pwned::1\n%0A::error::y, a: b.yaml';
    writeTree(dir, { ...seedWorkloads() });
    writeFileSync(path.join(dir, evilFile), 'kind: [\n');
    writeFileSync(
      path.join(dir, 'k8s/names.yaml'),
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: "a%0A::error::b\\n::add-mask::c\\r::warning::d"
  namespace: foo
spec:
  mtls: {mode: STRICT}
`,
    );
    const result = await lint(resolveOptions({ cwd: dir, paths: ['k8s'], noConfig: true }));
    const out = formatGithub(result);
    // Every line is one of our commands: nothing a manifest said starts a line.
    for (const line of out.trimEnd().split('\n')) expect(line).toMatch(/^::(error|warning|notice) [^:]*::/);
    expect(out).not.toMatch(/^::(set-output|add-mask)/m);
    const cmds = parseCommands(out);
    expect(cmds.some((c) => c.props.file === evilFile)).toBe(true);
    expect(cmds.some((c) => c.message.includes('a%0A::error::b'))).toBe(true);
  });

  it('standard input has no file to annotate: the position goes into the message', async () => {
    const dir = tempDir('gh-stdin');
    const result = await lint(resolveOptions({ cwd: dir, paths: ['-'], noConfig: true }), {
      stdin: async () => Buffer.from('a: 1\nkind: [\n'),
    });
    const [cmd] = parseCommands(formatGithub(result));
    expect(cmd!.props.file).toBeUndefined();
    expect(cmd!.message).toMatch(/^<stdin>:\d+:\d+: YAML syntax error/);
  });
});
