// Every rule has its own test file that runs its cases through the rule harness (and so its documentation's
// examples), and the example marking in the docs reads as documented in harness.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.js';
import { parseExamples } from './harness.js';

const DIR = import.meta.dirname;

describe('rule test files', () => {
  for (const rule of RULES) {
    const id = rule.meta.id;
    it(`test/rules/${id}.test.ts runs ruleTests('${id}', …)`, () => {
      const file = path.join(DIR, `${id}.test.ts`);
      expect(existsSync(file), `rule ${id} has no test/rules/${id}.test.ts`).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(`ruleTests('${id}'`);
    });
  }

  it('has no test file for a rule that does not exist', () => {
    const ids = new Set(RULES.map((r) => r.meta.id));
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.test.ts') && f !== 'every-rule.test.ts')
      .map((f) => f.replace(/\.test\.ts$/, ''));
    expect(files.filter((f) => !ids.has(f))).toEqual([]);
  });
});

describe('examples in rule documentation', () => {
  it('the blocks of one kind under one heading are one example; other blocks are prose', () => {
    const md = [
      '## Failing example',
      '```yaml failing file=a.yaml istio=1.4',
      'a: 1',
      '```',
      'Some prose.',
      '```yaml failing file=b.yaml',
      'b: 1',
      '```',
      '```yaml',
      'not: an example',
      '```',
      '## Fixed example',
      '```yaml fixed',
      'a: 2',
      '```',
      '```yaml fixed file=a.yaml base',
      'a: 0',
      '```',
      '```yaml fixed file=.mtls-lint.yaml',
      'rules: {}',
      '```',
      '```json fixed traffic file=seen.json',
      '{}',
      '```',
    ].join('\n');
    expect(parseExamples(md)).toEqual([
      {
        kind: 'failing',
        heading: 'Failing example',
        files: { 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n' },
        base: {},
        traffic: {},
        istioVersion: '1.4',
      },
      {
        kind: 'fixed',
        heading: 'Fixed example',
        files: { 'manifests.yaml': 'a: 2\n' },
        base: { 'a.yaml': 'a: 0\n' },
        traffic: { 'seen.json': '{}\n' },
        config: 'rules: {}\n',
      },
    ]);
  });

  it('two blocks for one file in one example are a mistake in the page', () => {
    expect(() => parseExamples('# x\n```yaml failing\na\n```\n```yaml failing\nb\n```\n')).toThrow(
      /file=NAME/,
    );
  });
});
