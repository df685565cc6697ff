// The `markdown` format: the job summary / PR comment a reviewer reads in ten seconds.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintAgainstBase } from '../src/diff/base.js';
import { lint } from '../src/engine.js';
import { escapeMarkdown, escapeMermaid, formatMarkdown } from '../src/report/markdown.js';
import { resolveOptions } from '../src/resolve-options.js';
import { fixture, makeRepo, seedWorkloads, writeTree, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';

const PERMISSIVE = { 'k8s/policy.yaml': fixture('seed-steps/policy-permissive.yaml') };
const STRICT = { 'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml') };
const DR = { 'k8s/destinationrule.yaml': fixture('seed-steps/destinationrule.yaml') };

async function seedPr(base: Tree, head: Tree, showAll = true) {
  const repo = makeRepo('md', [base, head]);
  const options = resolveOptions({ cwd: repo.dir, paths: ['k8s'], istioVersion: '1.1', noConfig: true });
  return lintAgainstBase(options, repo.commits[0]!, { stdin: async () => new Uint8Array(), showAll });
}

/** Cells of a Markdown table row, split on unescaped pipes. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe('markdown summary', () => {
  it('PR: counts first, the new problem, the connection that changes, and a Mermaid graph of it', async () => {
    const r = await seedPr({ ...seedWorkloads(), ...PERMISSIVE, ...DR, 'k8s/old.yaml': 'kind: [\n' }, STRICT);
    const md = formatMarkdown(r, { baseLabel: 'base main (1a2b3c4)' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('### mtls-lint');
    const old = r.summary.errors + r.summary.warnings - 1;
    expect(old).toBeGreaterThanOrEqual(1); // the broken old.yaml, at least
    expect(lines[2]).toBe(
      `❌ **1 new error, 0 new warnings** — 8 files, 10 resources checked against base main \\(1a2b3c4\\); ${old} problem${old === 1 ? '' : 's'} already in the base.`,
    );

    const newAt = lines.indexOf('#### New problems');
    const row = lines[newAt + 4]!;
    expect(
      cells(row)
        .map((c) => c.trim())
        .slice(0, 2),
    ).toEqual(['🔴 error', 'k8s/policy.yaml:11']);
    expect(row).toContain('legacy/sleep → httpbin.foo:8000');

    const conn = lines.indexOf('#### Affected connections');
    expect(conn).toBeGreaterThan(newAt);
    expect(lines[conn + 4]).toBe(
      '| legacy/sleep | httpbin.foo:8000 | plaintext → reset | plaintext-to-strict (k8s/policy.yaml:11) |',
    );
    expect(lines.length).toBeGreaterThan(conn + 6);

    // A fenced mermaid block (rendered by GitHub), after a blank line.
    const fence = lines.indexOf('```mermaid');
    expect(lines[fence - 1]).toBe('');
    const graph = lines.slice(fence + 1, lines.indexOf('```', fence + 1));
    expect(graph[0]).toBe('flowchart LR');
    expect(graph).toContain('  c0["legacy/sleep"]');
    expect(graph).toContain('  s1["httpbin.foo:8000"]');
    expect(graph).toContain('  c0 -- "plaintext → reset" --> s1');

    // The old finding is folded away, after the new ones.
    expect(
      md.indexOf(`<details><summary>${old} finding${old === 1 ? '' : 's'} already in the base`),
    ).toBeGreaterThan(fence);
  });

  it('each connection shows its own change (STRICT without the DestinationRule: 503 for sidecars, reset for legacy)', async () => {
    const r = await seedPr({ ...seedWorkloads(), ...PERMISSIVE }, STRICT);
    const rows = formatMarkdown(r)
      .split('\n')
      .filter((l) => l.includes('| httpbin.foo:8000 |'));
    expect(rows).toContain(
      '| legacy/sleep | httpbin.foo:8000 | plaintext → reset | plaintext-to-strict (k8s/policy.yaml:11) |',
    );
    expect(rows).toContain(
      '| foo/sleep | httpbin.foo:8000 | plaintext → 503 | plaintext-to-strict (k8s/policy.yaml:11) |',
    );
    expect(rows).toContain(
      '| bar/sleep | httpbin.foo:8000 | plaintext → 503 | plaintext-to-strict (k8s/policy.yaml:11) |',
    );
  });

  it('PR without new problems says so in the first line', async () => {
    const base = { ...seedWorkloads(), ...PERMISSIVE };
    const r = await seedPr(
      base,
      { 'k8s/httpbin.yaml': fixture('seed/httpbin.yaml').replace('replicas: 1', 'replicas: 2') },
      false,
    );
    const md = formatMarkdown(r);
    expect(md.split('\n')[2]).toMatch(
      /^✅ \*\*0 new errors, 0 new warnings\*\* — 6 files, 9 resources checked(; \d+ problems? already in the base)?\.$/,
    );
    expect(md).not.toContain('#### New problems');
    expect(md).not.toMatch(/🔴|🟠/);
  });

  it('full lint (no base) counts everything', async () => {
    const dir = tempDir('md-full');
    writeTree(dir, { ...seedWorkloads(), ...STRICT });
    const r = await lint(resolveOptions({ cwd: dir, paths: ['k8s'], istioVersion: '1.1', noConfig: true }));
    const md = formatMarkdown(r);
    const { errors, warnings, infos } = r.summary;
    expect(errors).toBe(1);
    expect(md.split('\n')[2]).toBe(
      `❌ **1 error, ${warnings} warning${warnings === 1 ? '' : 's'}, ${infos} info** — 6 files, 9 resources checked.`,
    );
    expect(md).toContain('#### Problems');
  });

  it('escapes HTML, Markdown, mentions and fences that come from manifests', async () => {
    const dir = tempDir('md-inject');
    writeTree(dir, { ...seedWorkloads() });
    const evil = 'k8s/<img src=x onerror=alert(1)>|`x`|@octo-org [a](javascript:alert(1)) ```.yaml';
    writeFileSync(path.join(dir, evil), 'kind: [\n');
    writeFileSync(
      path.join(dir, 'k8s/pa.yaml'),
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: "<script>alert(1)</script> | @admins \`\`\` **bold** &amp;"
  namespace: foo
spec:
  mtls: {mode: STRICT}
`,
    );
    const r = await lint(resolveOptions({ cwd: dir, paths: ['k8s'], noConfig: true }));
    const md = formatMarkdown(r);
    expect(md).not.toMatch(/<(img|script)/i);
    expect(md).not.toContain('```.yaml');
    expect(md).not.toMatch(/(^|[^\\])\[a\]\(/);
    expect(md).not.toMatch(/@(octo-org|admins)/);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    // Every table row keeps its four cells.
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| …')))
      expect(cells(line)).toHaveLength(4);
    // No fence is opened by the content (the only connection here is an info one: no graph).
    expect(md).not.toContain('```');
  });

  it('escapes Mermaid labels so a label cannot end the block or add nodes', () => {
    const label = 'a"] --> x["b\n```\n<b>#1;&`|{}';
    const escaped = escapeMermaid(label);
    expect(escaped).not.toMatch(/["<>`\n|{}\]]/);
    expect(escaped).toBe(
      'a#34;#93; --#62; x#91;#34;b #96;#96;#96; #60;b#62;#35;1#59;#38;#96;#124;#123;#125;',
    );
    expect(escapeMarkdown('a|b`c<d>&e@f\n[g](h)')).toBe(
      'a&#124;b&#96;c&lt;d&gt;&amp;e@&#8203;f \\[g\\]\\(h\\)',
    );
  });

  it('fits the caps: 65,536 characters for a comment, 1 MiB for a step summary, with "… and N more"', async () => {
    const tree: Tree = {};
    for (let i = 0; i < 400; i++) tree[`k8s/broken-${i}.yaml`] = `# ${'padding '.repeat(40)}\nkind: [\n`;
    const dir = tempDir('md-cap');
    writeTree(dir, tree);
    const r = await lint(resolveOptions({ cwd: dir, paths: ['k8s'], noConfig: true }));
    const full = formatMarkdown(r);
    expect(full.length).toBeGreaterThan(20_000);
    const comment = formatMarkdown(r, { maxChars: 20_000, moreAt: 'the job summary' });
    expect(comment.length).toBeLessThanOrEqual(20_000);
    expect(comment).toMatch(/\| … and \d+ more \(see the job summary\) \|/);
    expect(comment.split('\n')[2]).toMatch(/400 errors/);
    const bytes = formatMarkdown(r, { maxBytes: 8_000 });
    expect(Buffer.byteLength(bytes)).toBeLessThanOrEqual(8_000);
  });
});
