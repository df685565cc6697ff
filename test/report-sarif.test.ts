// SARIF 2.1.0: schema-valid, what GitHub code scanning reads, and fingerprints that survive line moves.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { lintAgainstBase } from '../src/diff/base.js';
import { lint } from '../src/engine.js';
import { formatSarif, MAX_SARIF_RESULTS, SARIF_GZIP_BUDGET } from '../src/report/sarif.js';
import { FORMATTERS, outputText } from '../src/report/index.js';
import { resolveOptions } from '../src/resolve-options.js';
import { RULES } from '../rules/index.js';
import { FIXTURES, fixture, makeRepo, seedWorkloads, writeTree, type Tree } from './diff.helpers.js';
import { tempDir } from './helpers/tmp.js';
import { generateMesh, writeMesh } from '../bench/generate.js';

// The SARIF 2.1.0 schema (rtm.5, the version GitHub documents), as shipped by the npm package @microsoft/jest-sarif
// (MIT). It is written for draft-04 (`id`); ajv 8 reads it as draft-07 once `id` is `$id`.
function sarifValidator() {
  const schema = JSON.parse(
    readFileSync(path.join(FIXTURES, 'sarif-schema-2.1.0-rtm.5.json'), 'utf8'),
  ) as Record<string, unknown>;
  schema.$id = schema.id;
  delete schema.id;
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  // The schema's `language` pattern has a stray "]", valid only as a non-unicode RegExp (as in the JS validators that use it).
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
  const mod = addFormatsModule as unknown as { default?: unknown };
  const addFormats = (mod.default ?? mod) as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  return ajv.compile(schema);
}
const validate = sarifValidator();

function expectValid(text: string): Log {
  const log = JSON.parse(text) as Log;
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
  return log;
}

const STRICT_SEED: Tree = {
  ...seedWorkloads(),
  'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml'),
  'k8s/destinationrule.yaml': fixture('seed-steps/destinationrule.yaml'),
};

async function lintTree(tree: Tree, paths = ['k8s']) {
  const dir = tempDir('sarif');
  writeTree(dir, tree);
  return lint(resolveOptions({ cwd: dir, paths, istioVersion: '1.1', noConfig: true }));
}

describe('sarif', () => {
  it('is valid SARIF 2.1.0 with rules, help, levels, security severity, regions and related locations', async () => {
    const result = await lintTree(STRICT_SEED);
    expect(result.findings.some((f) => f.rule === 'plaintext-to-strict')).toBe(true);
    const log = expectValid(
      outputText(FORMATTERS.sarif!(result, { color: false, showSuppressed: false, version: '1.2.3' })),
    );

    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({
      name: 'mtls-lint',
      semanticVersion: '1.2.3',
      informationUri: 'https://github.com/mtls-lint/mtls-lint',
    });
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    for (const rule of rules) {
      const meta = RULES.find((r) => r.meta.id === rule.id)!.meta;
      expect(rule.helpUri).toBe(`https://github.com/mtls-lint/mtls-lint/blob/main/docs/rules/${rule.id}.md`);
      expect(rule.shortDescription?.text).toBe(meta.summary);
      expect(rule.help?.markdown).toContain(meta.docs.trim().slice(0, 40));
      expect(rule.defaultConfiguration?.level).toBe(
        { error: 'error', warning: 'warning', info: 'note' }[meta.defaultSeverity],
      );
      const props = rule.properties as { tags: string[]; 'security-severity'?: string };
      if (meta.securitySeverity) {
        expect(props['security-severity']).toBe(meta.securitySeverity);
        expect(props.tags).toContain('security');
      } else {
        expect(props['security-severity']).toBeUndefined();
        expect(props.tags).not.toContain('security');
      }
    }

    const strict = run.results!.find((r) => r.ruleId === 'plaintext-to-strict')!;
    expect(strict.level).toBe('error');
    expect(rules[strict.ruleIndex!]!.id).toBe('plaintext-to-strict');
    expect(strict.message.text).toContain('legacy/sleep');
    // Field-level region: the `mode: STRICT` value on line 11 (columns 13–19, end exclusive).
    expect(strict.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'k8s/policy.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 11, startColumn: 13, endColumn: 19 },
    });
    // The victim's manifest is a related location.
    expect(strict.relatedLocations!.map((l) => l.physicalLocation!.artifactLocation!.uri)).toContain(
      'k8s/sleep-legacy.yaml',
    );
    expect(Object.keys(strict.partialFingerprints!)).toEqual(['mtlsLintKey/v1', 'primaryLocationLineHash']);
  });

  it('fingerprints follow the finding, not the line: same after lines are added above, also for stdin', async () => {
    const a = await lintTree(STRICT_SEED);
    const moved = await lintTree({
      ...STRICT_SEED,
      'k8s/policy.yaml': `# a comment\n# and another\n${fixture('seed-steps/policy-strict.yaml')}`,
    });
    const fa = JSON.parse(formatSarif(a, { version: '0' })) as Log;
    const fb = JSON.parse(formatSarif(moved, { version: '0' })) as Log;
    const pick = (log: Log) => log.runs[0]!.results!.find((r) => r.ruleId === 'plaintext-to-strict')!;
    expect(pick(fb).locations![0]!.physicalLocation!.region!.startLine).toBe(13);
    expect(pick(fb).partialFingerprints).toEqual(pick(fa).partialFingerprints);

    // Standard input (helm template | mtls-lint -f sarif -): no file, still a stable identity and a valid URI.
    const docs = Object.values(STRICT_SEED).join('---\n');
    const fromStdin = async (text: string) => {
      const dir = tempDir('sarif-stdin');
      return lint(resolveOptions({ cwd: dir, paths: ['-'], istioVersion: '1.1', noConfig: true }), {
        stdin: async () => Buffer.from(text),
      });
    };
    const s1 = expectValid(formatSarif(await fromStdin(docs), { version: '0' }));
    const s2 = JSON.parse(
      formatSarif(await fromStdin(`# rendered again\n\n${docs}`), { version: '0' }),
    ) as Log;
    expect(pick(s1).locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('stdin');
    expect(pick(s1).partialFingerprints).toEqual(pick(s2).partialFingerprints);
    expect(pick(s1).locations![0]!.physicalLocation!.region!.startLine).not.toBe(
      pick(s2).locations![0]!.physicalLocation!.region!.startLine,
    );
  });

  it('marks baselineState in PR mode', async () => {
    const repo = makeRepo('sarif-pr', [
      {
        ...seedWorkloads(),
        'k8s/policy.yaml': fixture('seed-steps/policy-permissive.yaml'),
        'k8s/destinationrule.yaml': fixture('seed-steps/destinationrule.yaml'),
      },
      { 'k8s/policy.yaml': fixture('seed-steps/policy-strict.yaml'), 'k8s/broken.yaml': 'a: [' },
    ]);
    const options = resolveOptions({ cwd: repo.dir, paths: ['k8s'], istioVersion: '1.1', noConfig: true });
    const r = await lintAgainstBase(options, repo.commits[0]!, {
      stdin: async () => new Uint8Array(),
      showAll: true,
    });
    const log = expectValid(formatSarif(r, { version: '0' }));
    const states = log.runs[0]!.results!.map((x) => [x.ruleId, x.baselineState]);
    expect(states).toContainEqual(['plaintext-to-strict', 'new']);
    expect(states).toContainEqual(['yaml-syntax', 'new']);
  });

  it('stays valid with hostile names: quotes, newlines, HTML, and file names that are not URI-safe', async () => {
    const hostileName = 'x"y\\n</script><b>&amp;%0A::error::z';
    const cm = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: ${JSON.stringify(hostileName)}
  namespace: foo
spec:
  mtls:
    mode: STRICT
`;
    const result = await lintTree({
      ...seedWorkloads(),
      'k8s/a b#c%d?.yaml': cm,
      'k8s/ünï cödé.yaml': 'kind: [',
    });
    const text = formatSarif(result, { version: '0' });
    const log = expectValid(text);
    const uris = log.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri);
    expect(uris).toContain('k8s/a%20b%23c%25d%3F.yaml');
    expect(uris).toContain(`k8s/${encodeURIComponent('ünï cödé.yaml')}`);
    // The message quotes the name as JSON; it survives the JSON round trip unchanged.
    expect(log.runs[0]!.results!.some((r) => r.message.text?.includes(JSON.stringify(hostileName)))).toBe(
      true,
    );
  });
});

describe('sarif size: what GitHub code scanning accepts', () => {
  const gz = (text: string) => gzipSync(text).length;
  const notification = (log: Log) => log.runs[0]!.invocations?.[0]?.toolExecutionNotifications?.[0];

  it('a generated mesh over a (lowered) byte budget keeps the most severe results, says what it dropped, stays valid', async () => {
    const dir = tempDir('sarif-mesh');
    // Large enough that the rules' descriptions (a fixed part of every file) stay well under a third of it.
    await writeMesh(dir, generateMesh({ workloads: 900, seed: 11, perNamespace: 30 }));
    const result = await lint(resolveOptions({ cwd: dir, paths: ['.'], noConfig: true }));
    const full = expectValid(formatSarif(result, { version: '0' }));
    const all = full.runs[0]!.results!;
    expect(all.length).toBe(result.findings.length);
    expect(notification(full)).toBeUndefined();
    expect(full.runs[0]!.properties).toBeUndefined();

    // A third of the full file's gzipped size: GitHub's 10 MB, scaled down to this mesh.
    const budget = Math.floor(gz(formatSarif(result, { version: '0' })) / 3);
    const text = formatSarif(result, { version: '0', limits: { gzipBudget: budget } });
    expect(gz(text)).toBeLessThanOrEqual(budget);
    const log = expectValid(text);
    const kept = log.runs[0]!.results!;
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(all.length);
    const dropped = all.length - kept.length;
    expect(log.runs[0]!.properties).toEqual({ droppedResults: dropped });
    const note = notification(log)!;
    expect(log.runs[0]!.invocations![0]!.executionSuccessful).toBe(true);
    expect(note.level).toBe('warning');
    expect(note.message.text).toContain(`${dropped} of ${all.length} results are not in this file`);
    expect(note.message.text).toContain('mtls-lint -f json');
    // Counted by rule: the notification's numbers add up to what is missing, rule by rule.
    const count = (rs: { ruleId?: string }[]) =>
      rs.reduce<Record<string, number>>((m, r) => ({ ...m, [r.ruleId!]: (m[r.ruleId!] ?? 0) + 1 }), {});
    const missing = Object.fromEntries(
      Object.entries(count(all))
        .map(([id, n]) => [id, n - (count(kept)[id] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    expect((note.properties as { byRule: Record<string, number> }).byRule).toEqual(missing);
    // The most severe are kept: nothing dropped is more severe than anything kept.
    const rank = { error: 3, warning: 2, note: 1, none: 0 } as const;
    const keptFingerprints = new Set(kept.map((r) => r.partialFingerprints!['mtlsLintKey/v1']));
    const droppedResults = all.filter((r) => !keptFingerprints.has(r.partialFingerprints!['mtlsLintKey/v1']));
    const lowestKept = Math.min(...kept.map((r) => rank[r.level!]));
    expect(Math.max(...droppedResults.map((r) => rank[r.level!]))).toBeLessThanOrEqual(lowestKept);
    // Kept results are unchanged, in report order.
    expect(kept).toEqual(all.filter((r) => keptFingerprints.has(r.partialFingerprints!['mtlsLintKey/v1'])));
  });

  it('at the real limits: over 25,000 results and over 9 MB gzipped, the file fits both', async () => {
    const base = (await lintTree(STRICT_SEED)).findings.find((f) => f.rule === 'plaintext-to-strict')!;
    // 30,000 findings whose messages do not compress (random text): about 20 MB gzipped in full.
    const noise = (n: number) => randomBytes(n).toString('base64');
    const findings = Array.from({ length: 30_000 }, (_, i) => ({
      ...base,
      severity: i % 3 === 0 ? ('error' as const) : ('warning' as const),
      message: `${noise(500)} ${i}`,
      key: `${base.key}|${i}`,
    }));
    const text = formatSarif({ findings, suppressed: [] }, { version: '0' });
    expect(gz(text)).toBeLessThanOrEqual(SARIF_GZIP_BUDGET);
    const log = expectValid(text);
    const results = log.runs[0]!.results!;
    expect(results.length).toBeLessThanOrEqual(MAX_SARIF_RESULTS);
    expect(results.length).toBeGreaterThan(5_000);
    // All 10,000 errors are kept; warnings fill what is left.
    expect(results.filter((r) => r.level === 'error')).toHaveLength(10_000);
    expect(notification(log)!.message.text).toContain(`${30_000 - results.length} of 30000 results`);
    expect(log.runs[0]!.properties).toEqual({ droppedResults: 30_000 - results.length });
  });

  it('caps related locations and edges per result at 10 and counts the rest', async () => {
    const files: Tree = {
      'k8s/ns.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: foo, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: legacy}\n',
      'k8s/server.yaml': `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: httpbin}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: foo}
spec: {mtls: {mode: STRICT}}
`,
      'k8s/clients.yaml': Array.from(
        { length: 130 },
        (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: client-${i}, namespace: legacy}
spec:
  selector: {matchLabels: {app: client-${i}}}
  template:
    metadata:
      labels: {app: client-${i}}
      annotations: {mtls-lint.io/calls: "httpbin.foo:8000"}
    spec: {containers: [{name: c, image: curl}]}
`,
      ).join('---\n'),
    };
    const dir = tempDir('sarif-caps');
    writeTree(dir, files);
    const result = await lint(resolveOptions({ cwd: dir, paths: ['k8s'], noConfig: true }));
    const log = expectValid(formatSarif(result, { version: '0' }));
    const strict = log.runs[0]!.results!.find((r) => r.ruleId === 'plaintext-to-strict')!;
    expect(strict.relatedLocations).toHaveLength(10);
    // 130 callers, each with two places (its manifest, the annotation that declares the call).
    expect(strict.properties).toMatchObject({ relatedOmitted: 260 - 10, edgesOmitted: 130 - 10 });
    expect((strict.properties as { edges: unknown[] }).edges).toHaveLength(10);
  });
});
