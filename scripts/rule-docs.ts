// Rule documentation generated from each rule's meta: docs/rules/<id>.md, docs/rules/README.md (index), and the
// rule table between the markers in README.md. scripts/gen-docs.mjs writes them; test/docs.test.ts fails when stale.
import type { Rule, RuleMeta } from '../src/rule.js';

export const TABLE_START = '<!-- rules:start -->';
export const TABLE_END = '<!-- rules:end -->';
export const DOCS_DIR = 'docs/rules';

const GENERATED = (id: string) =>
  `<!-- Generated from rules/${id}.ts by scripts/gen-docs.mjs (npm run docs). Edit the rule's meta, not this file. -->`;

/** One rule's page: title, default severity, summary, the docs markdown, related istioctl/Kiali codes. */
export function renderRulePage(meta: RuleMeta): string {
  const lines = [
    GENERATED(meta.id),
    '',
    `# \`${meta.id}\``,
    '',
    `**Default severity:** ${meta.defaultSeverity}`,
    '',
    meta.summary.trim(),
    '',
  ];
  lines.push(meta.docs.trim(), '');
  if (meta.relatedCodes?.length) {
    lines.push('## Related codes', '', ...meta.relatedCodes.map((c) => `- ${c}`), '');
  }
  lines.push(
    '## Configuration',
    '',
    'Change the severity or turn the rule off in `.mtls-lint.yaml`:',
    '',
    '```yaml',
    'rules:',
    `  ${meta.id}: ${meta.defaultSeverity === 'info' ? 'warning' : 'info'}   # or error, warning, info, off`,
    '```',
    '',
    'Silence it on one resource, with a reason:',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    `    mtls-lint.io/ignore: "${meta.id}: <why this is acceptable>"`,
    '```',
    '',
  );
  return lines.join('\n');
}

/** The rule table; `linkPrefix` is the path from the table's file to docs/rules/. */
export function renderRuleTable(rules: readonly Rule[], linkPrefix: string): string {
  const cell = (s: string) =>
    s
      .replace(/\|/g, '\\|')
      .replace(/\s*\n\s*/g, ' ')
      .trim();
  const rows = rules.map(
    (r) =>
      `| [\`${r.meta.id}\`](${linkPrefix}${r.meta.id}.md) | ${r.meta.defaultSeverity} | ${cell(r.meta.summary)} |`,
  );
  return ['| rule | default | what it catches |', '| --- | --- | --- |', ...rows].join('\n');
}

/** docs/rules/README.md: the index of rule pages. */
export function renderDocsIndex(rules: readonly Rule[]): string {
  return [
    "<!-- Generated from the rules' meta by scripts/gen-docs.mjs (npm run docs). -->",
    '',
    '# Rules',
    '',
    'Every rule of mtls-lint, its default severity and what it catches. `mtls-lint --explain RULE` prints a page;',
    '`mtls-lint --list-rules` lists them.',
    '',
    renderRuleTable(rules, ''),
    '',
  ].join('\n');
}

/** Every generated file under docs/rules/, by file name. */
export function renderDocsFiles(rules: readonly Rule[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of rules) files.set(`${r.meta.id}.md`, renderRulePage(r.meta));
  files.set('README.md', renderDocsIndex(rules));
  return files;
}

/** README.md with the table between the markers replaced; undefined when the markers are missing. */
export function replaceRuleTable(readme: string, rules: readonly Rule[]): string | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderRuleTable(rules, `${DOCS_DIR}/`)}\n${readme.slice(end)}`;
}
