// Differential test against Kubernetes' own reading of YAML: go-yaml v2 through sigs.k8s.io/yaml, split into
// documents as kubectl splits a file (test/oracle/goyaml/main.go, built from Debian's packages). For generated
// documents full of what YAML 1.1 and 1.2 read differently, and for every YAML file in test/fixtures and examples,
// whatever mtls-lint reads must be what kubectl decodes, value by value, or mtls-lint must say that it did not read
// that document as kubectl does (a finding on it).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../src/load/parse.js';
import { decodeManifest } from '../src/load/files.js';
import { goFloatKey, resolvePlain } from '../src/load/kube-yaml.js';
import { goRead, type GoFile } from './helpers/goyaml.js';
import { runCli } from './helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Kubernetes objects in a decoded document, as the loader collects them (a List's items, no kustomize files). */
function objects(v: unknown): unknown[] {
  if (!isObject(v)) return [];
  const { kind, apiVersion } = v;
  if (typeof kind !== 'string' || !kind || typeof apiVersion !== 'string' || !apiVersion) return [];
  if (/^(kustomize\.config\.k8s\.io|config\.kubernetes\.io)\//.test(apiVersion)) return [];
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(v.items)))
    return Array.isArray(v.items) ? v.items.flatMap(objects) : [];
  return [v];
}

/** JSON as Go writes it and JSON.parse reads it: key order does not matter, numbers are doubles. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : isObject(x)
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort(x[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

/**
 * Every place where mtls-lint's reading differs from kubectl's and mtls-lint says nothing. A document mtls-lint
 * reports a finding on is not compared: the finding is what it says about it.
 */
function unreported(name: string, text: string, go: GoFile): string[] {
  const problems: string[] = [];
  const whole = parseManifestText(text, name, 'default');
  // (An unrendered template is skipped on purpose, whatever kubectl would make of it.)
  if (go.fatal && !text.includes('{{') && !whole.diagnostics.some((f) => f.severity === 'error'))
    problems.push(`${name}: kubectl stops reading the file (${go.fatal}), mtls-lint says nothing`);
  if (go.docs.some((d) => d.chunk === '' && d.json !== undefined)) return problems; // a JSON stream
  const perChunk = go.docs.map((d) => parseManifestText(d.chunk, name, 'default'));
  go.docs.forEach((doc, i) => {
    const mine = perChunk[i]!;
    // An unrendered template ({{ }}, ${VAR}, <name> …): skipped on purpose and listed, whatever kubectl makes of it.
    if (doc.chunk.includes('{{') || mine.templates?.length) return;
    const reported = mine.diagnostics.some((f) => f.severity !== 'info');
    if (doc.error !== undefined) {
      if (!reported)
        problems.push(
          `${name} #${i}: kubectl refuses it (${doc.error}), mtls-lint says nothing:\n${doc.chunk}`,
        );
      return;
    }
    if (reported) return;
    const want = canonical(objects(doc.json));
    const got = canonical(mine.resources.map((r) => r.value));
    if (want !== got) problems.push(`${name} #${i}:\n${doc.chunk}\n  kubectl: ${want}\n  mtls-lint: ${got}`);
  });
  // The file as a whole is split as kubectl splits it: the same objects as its chunks one by one, up to where
  // kubectl stops reading it (a document it refuses; mtls-lint reports that and still checks the rest).
  const stop = go.docs.findIndex((d) => d.error !== undefined);
  const before = stop < 0 ? perChunk : perChunk.slice(0, stop);
  const chunkValues = before.flatMap((p) => p.resources.map((r) => canonical(r.value)));
  const wholeValues = whole.resources.map((r) => canonical(r.value));
  const prefix = stop < 0 && !go.fatal ? wholeValues : wholeValues.slice(0, chunkValues.length);
  if (prefix.join() !== chunkValues.join())
    problems.push(`${name}: read whole, ${prefix.join()}; read as kubectl's chunks, ${chunkValues.join()}`);
  return problems;
}

// -----------------------------------------------------------------------------------------------------------------
// Generated documents

/** A small seeded PRNG (mulberry32): the same documents on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'yES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'oN',
  'off',
  'Off',
  'OFF',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'FALSE',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  '',
  '0777',
  '010',
  '08',
  '0o17',
  '0O17',
  '0x1F',
  '0X1f',
  '-0x10',
  '0b101',
  '-0b101',
  '0b+1',
  '1_000',
  '1__0',
  '_1',
  '0',
  '00',
  '-0',
  '+0',
  '-0.0',
  '1.',
  '1.5',
  '.5',
  '.5e3',
  '1e3',
  '1E3',
  '1e+3',
  '1e-3',
  '1e999',
  '+12',
  '-12',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '123456789012345678901234567890',
  '.inf',
  '-.inf',
  '+.inf',
  '.Inf',
  '.NaN',
  '.nan',
  'Infinity',
  'NaN',
  'inf',
  '12:30:00',
  '190:20:30',
  '2001-12-14',
  '2001-12-14T21:59:43.10Z',
  '1.2.3',
  '0x',
  '0b',
  '100m',
  '128Mi',
  'STRICT',
  '"0777"',
  "'on'",
  '"yes"',
  '"a\\tb"',
  '"\\u00e9\\x41"',
  '"\\L\\P\\N\\_"',
  '"x\\/y"',
  '"\\\'"',
  "'it''s'",
  '!!str 0777',
  '!!int "0777"',
  '!!float 1',
  '!!bool yes',
  '!!str on',
  '!!null ""',
  '[on, off, 0777, y]',
  '{yes: no, 0x10: 1e6}',
  '[]',
  '{}',
];

const KEYS = [
  'on',
  'y',
  'n',
  'Off',
  '0777',
  '0x10',
  '1e6',
  '1.5',
  '3.14159265',
  '-0.0',
  '.inf',
  '8080',
  '"on"',
  '~',
  'null',
  '9223372036854775808',
  '2001-12-14',
];

const BLOCKS = [
  '|\n  a\n   b\n\n  c\n',
  '|-\n  a\n  b\n\n',
  '|+\n  a\n\n\n',
  '>\n  a\n  b\n\n  c\n   d\n  e\n',
  '>-\n  folded\n  text\n',
  '>+\n  keep\n\n',
  '|2\n    two more\n   one more\n',
  '>1-\n   x\n   y\n',
  '|\n  # not a comment\n  ---\n  ...\n',
];

const MULTILINE = [
  '[a,\n  b, {c: d,\n  e: f}]\n',
  '{a: 1,\nb: 2}\n',
  '{a: {b: c\n}}\n',
  '[x,\n]\n',
  '"double\nat column 0\n\n  with a break"\n',
  '"escaped \\\n  join"\n',
  "'single\n  folded'\n",
  'plain\n   continued\n',
  '[a, # c\n  b]\n',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function indentBlock(text: string, by: number): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(by) + l))
    .join('\n');
}

/** One manifest with a few tricky values under `spec`, its lines broken as `br` breaks them. */
function document(r: () => number, n: number): string {
  const lines = [`apiVersion: v1`, `kind: ConfigMap`, `metadata:`, `  name: gen-${n}`];
  if (r() < 0.3) lines.push(`  labels:`, `    version: ${pick(r, ['on', 'v1', 'yes', '"on"', '1.10'])}`);
  if (r() < 0.2)
    lines.push(`  annotations:`, `    sidecar.istio.io/inject: ${pick(r, ['no', '"false"', 'n', 'off'])}`);
  lines.push('spec:');
  const count = 1 + Math.floor(r() * 4);
  for (let i = 0; i < count; i++) {
    const what = r();
    if (what < 0.45) lines.push(`  s${i}: ${pick(r, SCALARS)}`.trimEnd());
    else if (what < 0.55) lines.push(`  k${i}:`, `    ${pick(r, KEYS)}: v`);
    else if (what < 0.7) lines.push(`  b${i}: ${indentBlock(pick(r, BLOCKS), 2).trimEnd()}`);
    else if (what < 0.85) lines.push(`  f${i}: ${indentBlock(pick(r, MULTILINE), 2).trimEnd()}`);
    else if (what < 0.93)
      lines.push(
        `  base${i}: &b${i} {x: 1, y: ${pick(r, SCALARS) || '1'}}`,
        `  m${i}:`,
        `    <<: *b${i}`,
        `    y: 3`,
      );
    else lines.push(`  # a comment`, `  c${i}: ${pick(r, SCALARS)}`.trimEnd());
  }
  return lines.join('\n') + '\n';
}

const BREAKS = ['\n', '\r\n', '\r', '\u0085', '\u2028', '\u2029'];

/** A file: one to three documents, their separators, directives, `...`, and now and then an odd line break. */
function file(r: () => number, n: number): string {
  const docs = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => document(r, n * 10 + i));
  let text = '';
  docs.forEach((d, i) => {
    const sep = r();
    if (i > 0 || sep < 0.3)
      text +=
        sep < 0.05
          ? '%YAML 1.1\n---\n'
          : sep < 0.08
            ? '%YAML 1.2\n---\n'
            : sep < 0.12
              ? '...\n'
              : sep < 0.15
                ? '--- # next\n'
                : sep < 0.17
                  ? '--- {a: 1}\n'
                  : '---\n';
    text += d;
  });
  if (r() < 0.15) {
    // One of go-yaml's line breaks in place of a newline, e.g. right after a comment line.
    const br = pick(r, BREAKS);
    const nl = [...text.matchAll(/\n/g)].map((m) => m.index);
    const at = pick(r, nl);
    text = text.slice(0, at) + br + text.slice(at + 1);
  }
  return text;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('what Kubernetes decodes (go-yaml v2 via sigs.k8s.io/yaml)', () => {
  it('resolves every plain scalar and key as go-yaml v2 does', () => {
    const plain = SCALARS.filter((s) => !/^["'![{]/.test(s) && s !== '');
    const texts = plain.flatMap((s) => [`v: ${s}\n`, `${s}: v\n`]);
    const go = goRead(texts);
    const differences: string[] = [];
    plain.forEach((s, i) => {
      const [asValue, asKey] = [go[2 * i]!.docs[0]!, go[2 * i + 1]!.docs[0]!];
      const v = resolvePlain(s);
      const mineValue = typeof v === 'number' && !Number.isFinite(v) ? 'refused' : canonical({ v });
      const theirValue = asValue.error !== undefined ? 'refused' : canonical(asValue.json);
      if (mineValue !== theirValue) differences.push(`value ${s}: go ${theirValue}, mine ${mineValue}`);
      if (asKey.json !== undefined && isObject(asKey.json)) {
        const key = Object.keys(asKey.json)[0]!;
        const mine =
          typeof v === 'number' ? (Number.isInteger(v) && !/[.eE]/.test(s) ? null : goFloatKey(v)) : null;
        if (mine !== null && key !== mine) differences.push(`key ${s}: go ${key}, mine ${mine}`);
      }
    });
    expect(differences).toEqual([]);
  });

  it('reads generated documents with YAML 1.1 scalars, merges, block and flow scalars, odd line breaks and separators as kubectl does', () => {
    const r = rng(15);
    const texts = Array.from({ length: 400 }, (_, i) => file(r, i));
    if (process.env.DUMP) texts.forEach((t, i) => writeFileSync(`${process.env.DUMP}/gen-${i}.yaml`, t));
    const go = goRead(texts);
    const problems = texts.flatMap((t, i) => unreported(`gen-${i}.yaml`, t, go[i]!));
    expect(problems).toEqual([]);
    // The generator reaches both sides: documents kubectl refuses and documents it reads.
    const docs = go.flatMap((g) => g.docs);
    expect(docs.filter((d) => d.error !== undefined).length).toBeGreaterThan(20);
    expect(docs.filter((d) => d.json !== undefined).length).toBeGreaterThan(300);
  });

  it('reads every YAML file of the test fixtures and examples as kubectl does', () => {
    const files = [...yamlFiles(path.join(ROOT, 'test/fixtures')), ...yamlFiles(path.join(ROOT, 'examples'))];
    // The loader reads bytes as files.ts does: a binary, UTF-16 or non-UTF-8 file is reported there, not parsed.
    const decoded = files.map((f) => decodeManifest(readFileSync(f), f, 1 << 30));
    const texts = decoded.map((d) => d.text ?? '');
    const go = goRead(texts);
    const problems = files.flatMap((f, i) =>
      decoded[i]!.text === undefined ? [] : unreported(path.relative(ROOT, f), texts[i]!, go[i]!),
    );
    expect(problems).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
  });
});

describe('manifests Kubernetes reads differently from YAML 1.2 (test/fixtures/kube-yaml)', () => {
  const FIX = 'test/fixtures/kube-yaml';
  interface JsonFinding {
    rule: string;
    severity: string;
    message: string;
    file: string;
    line: number;
  }
  async function lint(dir: string): Promise<{ code: number; findings: JsonFinding[] }> {
    const { code, stdout } = await runCli(['-f', 'json', `${FIX}/${dir}`], { cwd: ROOT });
    return { code, findings: (JSON.parse(stdout) as { findings: JsonFinding[] }).findings };
  }

  it('a STRICT PeerAuthentication written after a comment on lines broken by U+2028 is read, as kubectl reads it', async () => {
    const { code, findings } = await lint('line-separator');
    expect(code).toBe(1);
    expect(findings.find((f) => f.rule === 'plaintext-to-strict')).toMatchObject({
      severity: 'error',
      file: `${FIX}/line-separator/strict.yaml`,
    });
    expect(findings.find((f) => f.rule === 'yaml-syntax')?.message).toMatch(/LINE SEPARATOR \(U\+2028\)/);
  });

  it('a PERMISSIVE exception after `...` without `---` is never applied by kubectl: the STRICT break shows', async () => {
    const { code, findings } = await lint('document-end');
    expect(code).toBe(1);
    expect(findings.filter((f) => f.rule === 'plaintext-to-strict')).toHaveLength(1);
    expect(findings.find((f) => f.rule === 'yaml-syntax')).toMatchObject({
      severity: 'warning',
      line: 11,
      message: expect.stringMatching(/^kubectl never applies this/),
    });
  });

  it('`enableAutoMtls: off` in the mesh ConfigMap is false for istiod: sidecar clients send plaintext to STRICT', async () => {
    const { code, findings } = await lint('auto-mtls-off');
    expect(code).toBe(1);
    const strict = findings.find((f) => f.rule === 'plaintext-to-strict');
    expect(strict?.message).toContain('auto mTLS is off');
  });

  it('unquoted `no` and `on` in annotations and labels are booleans Kubernetes rejects; `0777` is port 511', async () => {
    const { findings } = await lint('yaml11-values');
    const invalid = findings.filter((f) => f.rule === 'invalid-resource');
    expect(invalid.map((f) => f.line).sort()).toEqual([21, 31]);
    for (const f of invalid)
      expect(f.message).toMatch(/booleans too for kubectl.*Kubernetes rejects the object/);
    const parsed = parseManifestText(
      readFileSync(path.join(ROOT, FIX, 'yaml11-values/workload.yaml'), 'utf8'),
      'workload.yaml',
      'default',
    );
    expect(parsed.resources[0]!.value).toMatchObject({ spec: { ports: [{ port: 511, targetPort: 8 }] } });
  });

  it('what go-yaml accepts and YAML 1.2 readers refuse is read: quoted and flow lines at column 0, CR-only line ends, a quoted dashboard with {{ }} inside', async () => {
    const { code, findings } = await lint('lenient');
    expect(code).toBe(0);
    expect(findings.filter((f) => f.rule === 'yaml-syntax')).toEqual([]);
    const read = (f: string) =>
      parseManifestText(readFileSync(path.join(ROOT, FIX, 'lenient', f), 'utf8'), f, 'default').resources[0]!
        .value;
    expect(read('quoted-continuation.yaml')).toMatchObject({
      metadata: { annotations: { description: 'sidecar injector template, rendered at install' } },
      data: { values: '{"global": {"proxy": "1.5"}, "mtls": true}' },
    });
    expect(read('clusterrole.yaml')).toMatchObject({
      rules: [
        { apiGroups: ['networking.istio.io', 'security.istio.io'], verbs: ['get', 'list', 'watch'] },
        { resources: { a: { b: 'c' } } },
      ],
    });
    expect(read('cr-only.yaml')).toMatchObject({ metadata: { name: 'cr-only' } });
    // `{{ … }}` inside a value is text, not an unrendered template: the dashboard is read, as kubectl reads it.
    expect(read('dashboard.yaml')).toMatchObject({
      data: {
        'pilot-dashboard.json': '{ "panels": [ { "legendFormat": "{{ tag }}", "title": "it\'s pilot" } ] }',
      },
    });
  });
});
