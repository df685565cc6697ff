// A plan's outputs: stylish (numbered steps, short), json (the contract in docs/plan.md), markdown (for a PR or an
// issue, a Mermaid graph per step of the connections that change), and the files of --out-dir.
import { defuseJson, oneLine, quoteName } from '../escape.js';
import { stringifyForKubernetesFile } from '../load/yaml-writer.js';
import { escapeMarkdown, escapeMermaid } from '../report/markdown.js';
import type { Counts, Plan, PlanChange, PlanStep } from './plan.js';

export const PLAN_FORMATS = ['stylish', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** The plan's objects as YAML kubectl reads as meant (one writer for the project: src/load/yaml-writer.ts). */
export function toYaml(value: unknown): string {
  return stringifyForKubernetesFile(value);
}

function countsText(c: Counts): string {
  return `${c.mtls} mtls, ${c.plaintext} plaintext, ${c.broken} broken${c.tls ? `, ${c.tls} tls` : ''}`;
}

function changeName(c: PlanChange): string {
  return c.namespace === undefined ? `${c.kind} ${c.name}` : `${c.kind} ${c.namespace}/${c.name}`;
}

export function formatPlan(plan: Plan, format: PlanFormat): string {
  if (format === 'json') return formatJson(plan);
  if (format === 'markdown') return formatMarkdownPlan(plan);
  return formatStylishPlan(plan);
}

function formatJson(plan: Plan): string {
  const out = {
    version: 1,
    istioVersion: plan.istioVersion,
    before: plan.before,
    steps: plan.steps.map((s) => ({
      n: s.n,
      title: s.title,
      why: s.why,
      changes: s.changes.map((c) => ({
        action: c.action,
        kind: c.kind,
        apiVersion: c.apiVersion,
        ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
        name: c.name,
        manifest: c.manifest,
      })),
      checks: s.checks,
      after: s.after,
      connections: s.connections,
    })),
    blockers: plan.blockers,
    exceptions: plan.exceptions,
  };
  return defuseJson(JSON.stringify(out, null, 2)) + '\n';
}

function formatStylishPlan(plan: Plan): string {
  const out: string[] = [];
  if (!plan.steps.length) {
    out.push(
      plan.blockers.length
        ? `Nothing can move to STRICT safely yet (Istio ${plan.istioVersion}; now ${countsText(plan.before)}).`
        : `Nothing to do: no step changes anything in scope (servers with a sidecar are STRICT, or there are none; Istio ${plan.istioVersion}; ${countsText(plan.before)}).`,
    );
  } else {
    out.push(
      `Plan to STRICT for Istio ${plan.istioVersion}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} (now ${countsText(plan.before)})`,
    );
  }
  for (const s of plan.steps) {
    out.push('', `${s.n}. ${oneLine(s.title)}`);
    out.push(`   why:     ${oneLine(s.why)}`);
    for (const c of s.changes) out.push(`   ${c.action.padEnd(7)}  ${quoteName(changeName(c))}`);
    for (const c of s.checks) {
      out.push(`   check:   ${oneLine(c.text)}`);
      for (const q of c.queries ?? []) out.push(`            ${oneLine(q)}`);
    }
    out.push(`   after:   ${countsText(s.after)}`);
  }
  if (plan.exceptions.length) {
    out.push('', `Exceptions kept PERMISSIVE (${plan.exceptions.length}):`);
    for (const x of plan.exceptions)
      out.push(
        `  ${quoteName(`${x.namespace}/${x.workload}`)}${x.port !== undefined ? ` port ${x.port}` : ''} (${x.level}, ${x.policy.kind} ${x.policy.namespace}/${x.policy.name}): ${oneLine(x.because.join('; '))}`,
      );
  }
  if (plan.blockers.length) {
    out.push('', `Blockers (${plan.blockers.length}):`);
    for (const b of plan.blockers)
      out.push(
        `  ${quoteName(`${b.client} → ${b.server}`)} [${b.kind}]: ${oneLine(b.reason).replace(/\.$/, '')}. Fix: ${oneLine(b.fix)}`,
      );
  }
  return out.join('\n') + '\n';
}

function formatMarkdownPlan(plan: Plan): string {
  const md = escapeMarkdown;
  const out: string[] = [`### mtls-lint plan (Istio ${md(plan.istioVersion)})`, ''];
  out.push(
    plan.steps.length
      ? `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} to STRICT. Now: ${countsText(plan.before)}.`
      : `Nothing to do: ${countsText(plan.before)}.`,
    '',
  );
  for (const s of plan.steps) out.push(...stepMarkdown(s));
  if (plan.exceptions.length) {
    out.push(
      '#### Exceptions kept PERMISSIVE',
      '',
      '| server | port | level | policy | because |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const x of plan.exceptions)
      out.push(
        `| ${md(`${x.namespace}/${x.workload}`)} | ${x.port ?? 'all'} | ${x.level} | ${md(`${x.policy.kind} ${x.policy.namespace}/${x.policy.name}`)} | ${md(x.because.join('; '))} |`,
      );
    out.push('');
  }
  if (plan.blockers.length) {
    out.push('#### Blockers', '', '| caller → server | kind | reason | fix |', '| --- | --- | --- | --- |');
    for (const b of plan.blockers)
      out.push(`| ${md(`${b.client} → ${b.server}`)} | ${b.kind} | ${md(b.reason)} | ${md(b.fix)} |`);
    out.push('');
  }
  return out.join('\n');
}

function stepMarkdown(s: PlanStep): string[] {
  const md = escapeMarkdown;
  const out = [`#### ${s.n}. ${md(s.title)}`, '', md(s.why), ''];
  const apply = s.changes.filter((c) => c.action !== 'remove');
  const remove = s.changes.filter((c) => c.action === 'remove');
  for (const c of s.changes) out.push(`- ${c.action} ${md(changeName(c))}`);
  out.push('');
  if (apply.length) {
    out.push('<details><summary>kubectl apply -f</summary>', '', '```yaml');
    out.push(
      apply
        .map((c) => toYaml(c.manifest).replace(/```/g, '`\u200b``'))
        .join('---\n')
        .trimEnd(),
    );
    out.push('```', '', '</details>', '');
  }
  if (remove.length) {
    out.push(
      `Delete: ${remove.map((c) => `\`kubectl delete ${md(c.kind.toLowerCase())} ${md(c.name)}${c.namespace !== undefined ? ` -n ${md(c.namespace)}` : ''}\``).join(', ')}`,
      '',
    );
  }
  if (s.connections.length) {
    out.push('```mermaid', 'graph LR');
    const ids = new Map<string, string>();
    const node = (label: string) => {
      let id = ids.get(label);
      if (!id) {
        ids.set(label, (id = `n${ids.size}`));
        out.push(`  ${id}["${escapeMermaid(label)}"]`);
      }
      return id;
    };
    for (const c of s.connections) {
      const a = node(c.client);
      const b = node(c.server);
      out.push(`  ${a} -- "${escapeMermaid(`${c.from} → ${c.to}`)}" --> ${b}`);
    }
    out.push('```', '');
  }
  for (const c of s.checks) {
    out.push(`- [ ] ${md(c.text)}`);
    for (const q of c.queries ?? []) out.push('', '  ```promql', `  ${q}`, '  ```');
    if (c.possibleVictims?.length)
      out.push(
        `  Possible callers: ${md(c.possibleVictims.slice(0, 20).join('; '))}${c.possibleVictims.length > 20 ? ` and ${c.possibleVictims.length - 20} more` : ''}`,
      );
  }
  out.push('', `After this step: ${countsText(s.after)}.`, '');
  return out;
}

/** A file or directory name made from the inputs: lowercase letters, digits, dots and dashes only. */
function safeName(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 100) || 'x'
  );
}

/** The files of --out-dir: NN-short-title/ (apply), NN-short-title/delete/ (delete), README.md. */
export function planFiles(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  const readme: string[] = [
    '# mtls-lint plan',
    '',
    `Istio ${plan.istioVersion}. Now: ${countsText(plan.before)}.`,
    '',
  ];
  if (!plan.steps.length) readme.push('Nothing to do.', '');
  for (const s of plan.steps) {
    const dir = safeName(s.slug);
    readme.push(`## ${s.n}. ${escapeMarkdown(s.title)}`, '', escapeMarkdown(s.why), '');
    const apply = s.changes.filter((c) => c.action !== 'remove');
    const remove = s.changes.filter((c) => c.action === 'remove');
    apply.forEach((c, i) => {
      files.set(
        `${dir}/${String(i + 1).padStart(2, '0')}-${safeName(`${c.kind}-${c.namespace ?? 'cluster'}-${c.name}`)}.yaml`,
        `# ${c.action === 'add' ? 'new' : 'changed'}: ${oneLine(changeName(c))}\n${toYaml(c.manifest)}`,
      );
    });
    remove.forEach((c, i) => {
      files.set(
        `${dir}/delete/${String(i + 1).padStart(2, '0')}-${safeName(`${c.kind}-${c.namespace ?? 'cluster'}-${c.name}`)}.yaml`,
        `# remove: ${oneLine(changeName(c))}\n${toYaml(c.manifest)}`,
      );
    });
    readme.push('```sh');
    if (apply.length) readme.push(`kubectl apply -f ${dir}/`);
    if (remove.length) readme.push(`kubectl delete -f ${dir}/delete/`);
    readme.push('```', '');
    for (const c of s.checks) {
      readme.push(`- [ ] ${escapeMarkdown(c.text)}`);
      for (const q of c.queries ?? []) readme.push('', '  ```promql', `  ${q}`, '  ```');
    }
    readme.push('', `After: ${countsText(s.after)}.`, '');
  }
  if (plan.exceptions.length) {
    readme.push('## Exceptions kept PERMISSIVE', '');
    for (const x of plan.exceptions)
      readme.push(
        `- ${escapeMarkdown(`${x.namespace}/${x.workload}`)}${x.port !== undefined ? ` port ${x.port}` : ''}: ${escapeMarkdown(x.because.join('; '))}`,
      );
    readme.push('');
  }
  if (plan.blockers.length) {
    readme.push('## Blockers', '');
    for (const b of plan.blockers)
      readme.push(
        `- ${escapeMarkdown(`${b.client} → ${b.server}`)} (${b.kind}): ${escapeMarkdown(b.reason.replace(/\.$/, ''))}. Fix: ${escapeMarkdown(b.fix)}`,
      );
    readme.push('');
  }
  files.set('README.md', readme.join('\n'));
  return files;
}
