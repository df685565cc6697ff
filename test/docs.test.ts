// The rule documentation is generated from each rule's meta (scripts/gen-docs.mjs → scripts/rule-docs.ts).
// These tests fail when docs/rules/*.md or the README's rule table are stale: run `npm run docs` and commit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { DOCS_DIR, renderDocsFiles, replaceRuleTable, TABLE_END, TABLE_START } from '../scripts/rule-docs.js';
import { runCli } from './helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const STALE = 'stale: run `npm run docs` and commit the result';

describe('generated rule documentation', () => {
  const expected = renderDocsFiles(RULES);

  it(`has a page for every rule in ${DOCS_DIR}/, and nothing else`, () => {
    const present = readdirSync(path.join(ROOT, DOCS_DIR))
      .filter((f) => f.endsWith('.md'))
      .sort();
    expect(present, STALE).toEqual([...expected.keys()].sort());
  });

  for (const [name, text] of expected) {
    it(`${DOCS_DIR}/${name} matches the rule's meta`, () => {
      const file = path.join(ROOT, DOCS_DIR, name);
      expect(existsSync(file), `${DOCS_DIR}/${name} is missing; ${STALE}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${DOCS_DIR}/${name} is ${STALE}`).toBe(text);
    });
  }

  it('README.md has the rule table between the markers, up to date', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(TABLE_START);
    expect(readme).toContain(TABLE_END);
    expect(replaceRuleTable(readme, RULES), `README.md rule table is ${STALE}`).toBe(readme);
  });

  it('each page carries the id, default severity, summary, docs and related codes', () => {
    for (const rule of RULES) {
      const page = expected.get(`${rule.meta.id}.md`)!;
      expect(page).toContain(`# \`${rule.meta.id}\``);
      expect(page).toContain(`**Default severity:** ${rule.meta.defaultSeverity}`);
      expect(page).toContain(rule.meta.summary.trim());
      expect(page).toContain(rule.meta.docs.trim());
      for (const code of rule.meta.relatedCodes ?? []) expect(page).toContain(`- ${code}`);
    }
  });

  it('detects a stale table: a changed summary changes the README section', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const changed = RULES.map((r, i) =>
      i === 0 ? { ...r, meta: { ...r.meta, summary: `${r.meta.summary} (changed)` } } : r,
    );
    expect(replaceRuleTable(readme, changed)).not.toBe(readme);
    expect(replaceRuleTable('no markers here', RULES)).toBeUndefined();
  });
});

describe('the hygiene rules’ documentation', () => {
  const ids = ['unmatched-target', 'ambiguous-policy', 'ignored-setting', 'deprecated-api'];

  it('says what it catches, why it matters, with a failing and a fixed example and related istioctl/Kiali codes', () => {
    for (const id of ids) {
      const rule = RULES.find((r) => r.meta.id === id);
      expect(rule, id).toBeDefined();
      const docs = rule!.meta.docs;
      for (const heading of [
        '## What it catches',
        '## Why it matters',
        '## Failing example',
        '## Fixed example',
        '## Related',
      ]) {
        expect(docs, `${id} lacks ${heading}`).toContain(heading);
      }
      expect(
        rule!.meta.relatedCodes?.some((c) => /^(IST|KIA)\d{4}/.test(c)),
        id,
      ).toBe(true);
    }
  });

  it('--explain prints the page', async () => {
    const r = await runCli(['--explain', 'ignored-setting'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# ignored-setting (default: warning)');
    expect(r.stdout).toContain('did you mean target port 80?');
  });
});

describe('README sample output', () => {
  // Every fenced block that starts with "$ npx mtls-lint ARGS" shows what that command prints, byte for byte.
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const samples = [...readme.matchAll(/^```\n\$ npx mtls-lint ([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    args: m[1]!.trim().split(/\s+/),
    shown: m[2]!,
  }));

  it('has the lint and the graph samples', () => {
    expect(samples.map((s) => s.args.join(' '))).toEqual(
      expect.arrayContaining(['examples/migration/3-strict', 'graph examples/migration/3-strict']),
    );
  });

  for (const { args, shown } of samples) {
    it(`"$ npx mtls-lint ${args.join(' ')}" prints what the README shows`, async () => {
      const r = await runCli(args, { cwd: ROOT, env: { NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      expect(shown, 'README.md sample output is stale: paste what the command prints').toBe(r.stdout);
    });
  }
});
