// The simple YAML reader (src/load/simple-yaml.ts) must read exactly what the loader's yaml path reads (yaml with
// go-yaml v2's scalars and keys, src/load/kube-yaml.ts), or decline: every document it accepts is compared with that
// toJS() value (key order, -0 and NaN included), root offset and position tree. Where yaml refuses a document that
// go-yaml reads (lines inside quotes or brackets less indented), the reference is go-yaml itself (test/helpers/goyaml).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../bench/generate.js';
import { scanSegments } from '../src/load/documents.js';
import { parseKubeChunk } from '../src/load/yaml-tree.js';
import { buildPositionTree } from '../src/load/positions.js';
import { parseSimpleDocument } from '../src/load/simple-yaml.js';
import { goRead } from './helpers/goyaml.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Where the document starts in its (imaginary) file: positions must be file offsets, not chunk offsets. */
const BASE = 17;

type Outcome = 'declined' | 'same' | string;

/** Documents the simple reader read and yaml refused: checked against go-yaml in one batch (afterEach of a test). */
const refusedByYaml: { chunk: string; value: unknown }[] = [];

/** Compare the simple reader with yaml on one document; a string names the first difference. */
function compare(chunk: string): Outcome {
  const simple = parseSimpleDocument(chunk, BASE, 200);
  if (!simple) return 'declined';
  const docs = parseKubeChunk(chunk);
  if (docs.length !== 1) return 'yaml reads another number of documents';
  const doc = docs[0]!;
  if (doc.errors.length) {
    if (!doc.errors.some((e) => e.code === 'BAD_INDENT' || /quote/.test(e.message)))
      return `yaml reports ${doc.errors.map((e) => e.code).join(', ')}`;
    refusedByYaml.push({ chunk, value: simple.value });
    return 'same';
  }
  const valueDiff = difference(simple.value, doc.toJS({ maxAliasCount: 100 }), '');
  if (valueDiff) return `value ${valueDiff}`;
  const root = doc.contents!;
  if (simple.rootStart !== root.range![0] + BASE)
    return `root at ${simple.rootStart}, yaml ${root.range![0]}`;
  const mine = simple.positions();
  const theirs = buildPositionTree(root, doc, ' '.repeat(BASE) + chunk, BASE);
  if (mine.nodes !== theirs.nodes || mine.entries !== theirs.entries) return 'tree shape';
  const at = mine.data.findIndex((v, i) => v !== theirs.data[i]);
  if (at >= 0) return `tree data [${at}] ${mine.data[at]} vs ${theirs.data[at]}`;
  if (JSON.stringify(mine.keyText) !== JSON.stringify(theirs.keyText)) return 'key texts';
  return 'same';
}

function difference(a: unknown, b: unknown, at: string): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? undefined : `${at}: ${String(a)} vs ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return `${at}: keys ${ka.join()} vs ${kb.join()}`;
  for (const k of ka) {
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Every document of a YAML stream, split as the loader splits it. */
function documents(text: string): string[] {
  return scanSegments(text, 200)
    .filter((s) => s.content && s.deepAt === undefined)
    .map((s) => text.slice(s.start, s.end));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function tally(chunks: string[]) {
  const outcomes = chunks.map(compare);
  return {
    read: outcomes.filter((o) => o === 'same').length,
    declined: outcomes.filter((o) => o === 'declined').length,
    mismatches: outcomes.flatMap((o, i) =>
      o === 'same' || o === 'declined' ? [] : [`${o} in:\n${chunks[i]}`],
    ),
  };
}

describe('simple YAML reader', () => {
  it('reads every document of a generated mesh, exactly as yaml does', () => {
    const mesh = generateMesh({ workloads: 300, seed: 7, perNamespace: 50 });
    // And the same with Windows line ends (a checkout with core.autocrlf).
    const texts = mesh.files.flatMap((f) => [f.text, f.text.replace(/\n/g, '\r\n')]);
    const result = tally(texts.flatMap(documents));
    expect(result.mismatches).toEqual([]);
    // The generator writes what real repositories hold (ConfigMaps with `|` blocks, flow maps, port-number keys…):
    // all of it is in the subset, or the speed of issue 5 is gone.
    expect(result.declined).toBe(0);
    expect(result.read).toBeGreaterThan(1000);
  });

  it('agrees with yaml on every example and test fixture it accepts', () => {
    const files = [...yamlFiles(path.join(ROOT, 'examples')), ...yamlFiles(path.join(ROOT, 'test'))];
    const chunks = files.flatMap((f) => documents(readFileSync(f, 'utf8').replace(/^\ufeff/gm, '')));
    const result = tally(chunks);
    expect(result.mismatches).toEqual([]);
    expect(result.read).toBeGreaterThan(chunks.length / 2);
  });

  it('reads the shapes manifests are written in', () => {
    const inside = [
      '# Source: chart/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'spec:\n  ports:\n  - name: http # the main port\n    port: 80\n\n  - port: 81\n# a comment between keys\nkind: Service\n',
      'a: # nested below\n  b: 1\n  c:\n  d: ""\n',
      'data:\n  app.conf: |\n    x = 1\n\n    y = 2\n  short: |-\n    z\n  folded: >\n    a\n    b\n\n    c\nnext: 1\n',
      'portLevelMtls:\n  8080:\n    mode: STRICT\n  9090: {mode: DISABLE}\n  "9443": {mode: STRICT}\n  \'9444\':\n    mode: PERMISSIVE\n',
      'args: ["--port", \'8080\', 9090, [a, {b: c}], {}, []]\nempty:\n',
      'command: ["/hello",\n          "--port=8080",\n          {a: b, c: [d,\n  e]}]\nargs: [\n  "--x",\n\n  y,\n]\nk:\n  - {a: 1,\n  }\n',
      'rules:\n- from:\n  - source:\n      principals: ["cluster.local/ns/a/sa/b"]\n  to:\n  - operation: {methods: ["GET"]}\n',
      'a: 1\n# trailing comment at the left margin\n',
      '--- # the next object\na: 1\n',
      'a:\n  b: 1\n  # trailing, indented into the mapping\nc: 2\n',
      'spec:\n  env:\n  - name: A\n    value: dns\n    # value: env\n\n  ports:\n  - 1\n  # end\n  \n',
      'ports:\n- name: a\n  port: 1\n  # - name: b\n#   port: 2\nkind: x\nk:\n  s: v\n     # more indented: joins v\n   # then these stay\n # with the mapping\nz: [1]\n  # joins the flow\n',
      'metadata:\n  annotations:\n    {}\nspec:\n  - name: x\n    resources:\n      {}\n  -\n    [a,\n     b]\n',
    ];
    for (const text of inside) expect(compare(text), text).toBe('same');
  });

  it('declines what it does not model, so that yaml reads it (and reports its errors)', () => {
    const outside = [
      'a: &x 1\nb: *x\n', // anchors, aliases
      'a: !!str 1\n', // tags
      'base: &b {x: 1}\nc:\n  <<: *b\n', // merge keys
      'a: 1\na: 2\n', // duplicate keys (yaml's reading reports them)
      'a: "x\\qy"\n', // an escape YAML does not have (yaml reports it)
      'a: b\n  c\n', // multi-line plain
      'a:\n  b\n', // a scalar below its key
      'a:\n{}\n', // a flow collection not indented past its key
      'a:\n\tb: 1\n', // tab
      'a: 1\rb: 2\n', // a CR that does not end a line
      'a: {{ .Values.x }}\n', // a template
      'a: b: c\n', // a nested mapping on one line (an error)
      'a: |+\n  x\n\n', // keep chomping
      'a: |2\n   x\n', // explicit indentation
      'a: >\n  x\n    more\n', // folded more-indented line
      '~: 1\n', // a null key
      '- a\n- b\n', // a root sequence
      '--- !tag\na: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      'a: [1,\n# c\n  2]\n', // a comment inside a flow collection
      'a: [x,\n y\n z]\n', // a multi-line plain scalar in flow
      'a: [x,\n...\n]\n', // a document end inside a flow collection (an error for go-yaml)
      'a: "x\n--- y"\n', // a document marker inside a quoted scalar (an error for go-yaml)
      'a: "x\\/"\n', // an escape go-yaml does not have
      'a:\n- b\n - c\n',
      'a:   \nb: 1\n', // an empty value with trailing spaces
      'a:\n  b:\n  # after an empty value\nc: 1\n',
    ];
    for (const text of outside) expect(parseSimpleDocument(text, 0, 200), text).toBeUndefined();
  });

  it('reads the core schema as yaml does', () => {
    const scalars = [
      '~',
      'null',
      'Null',
      'NULL',
      'nULL',
      'true',
      'True',
      'TRUE',
      'tRUE',
      'false',
      'yes',
      'no',
      'on',
      '0',
      '-0',
      '+0',
      '007',
      '0o17',
      '0o8',
      '0x1F',
      '0X1F',
      '0x',
      '1e3',
      '1E-3',
      '-1.5e+3',
      '.5',
      '5.',
      '1.50',
      '1_000',
      '.inf',
      '-.Inf',
      '+.INF',
      '.nan',
      '.NaN',
      'nan',
      '12345678901234567890',
      '1.2.3',
      '0b101',
      '-',
      '-x',
      'http://a:80/x',
      'a#b',
      "it's",
      'x "y"',
      'é',
      '100m',
      '128Mi',
      '"q"',
      "'s'",
      "'it''s'",
      '""',
      "''",
      '"a\\"b"',
      '"\\u00e9\\x41\\n\\t\\\\ \\/\\_"',
      '"\\U0001F600"',
      '"\\UFFFFFFFF"',
      '"\\uD83D"',
      '"\\x4"',
    ];
    for (const s of scalars) {
      expect(compare(`k: ${s}\n`), s).toMatch(/same|declined/);
      expect(compare(`k: [${s}]\n`), s).toMatch(/same|declined/);
      expect(compare(`${s}: v\n`), s).toMatch(/same|declined/);
    }
    expect(compare('k: 0o17\n')).toBe('same');
    expect(compare('8080: x\n')).toBe('same');
    expect(compare('k: "say \\"hi\\" \\u00e9\\n"\n')).toBe('same');
    expect(compare('"quoted \\"key\\"": [v]\n')).toBe('same');
  });

  it('agrees with yaml on random documents (or declines them)', () => {
    // Documents from Kubernetes-like pieces, then mutated line by line: comments at any indentation, blank lines,
    // trailing spaces, lines re-indented or duplicated — the places where the subset must end exactly.
    const key = fc.constantFrom(
      'a',
      'name',
      'port',
      '8080',
      'true',
      'x.y/z',
      'a b',
      'k-1',
      'on',
      '1.5',
      '-k',
      'é',
      '"8080"',
      "'q'",
      '"a": "b"',
      '"<<"',
    );
    const scalar = fc.constantFrom(
      'v',
      '1',
      '-0',
      '0x1F',
      '.inf',
      'null',
      '~',
      '',
      '"q"',
      "'s''t'",
      '"a # b"',
      '"e\\"s\\x41\\n"',
      'a #b',
      'a#b',
      'x: y',
      'http://h:1/p',
      '[a, "b", 1]',
      '{c: d, e: [f]}',
      '[]',
      '{}',
      '{a: }',
      '[a,]',
      '"x',
      '- y',
      '100m',
    );
    interface Line {
      indent: number;
      text: string;
    }
    const block = (depth: number): fc.Arbitrary<Line[]> =>
      depth > 3
        ? fc.constant([])
        : fc.oneof(
            fc
              .array(
                fc.tuple(
                  key,
                  fc.oneof(
                    scalar.map((s) => [s] as const),
                    block(depth + 1).map((b) => b),
                  ),
                ),
                { minLength: 1, maxLength: 4 },
              )
              .map((entries) =>
                entries.flatMap(([k, v]): Line[] =>
                  v.length === 1 && typeof v[0] === 'string'
                    ? [{ indent: 0, text: v[0] === '' ? `${k}:` : `${k}: ${v[0]}` }]
                    : [
                        { indent: 0, text: `${k}:` },
                        ...(v as Line[]).map((l) => ({ ...l, indent: l.indent + 2 })),
                      ],
                ),
              ),
            fc
              .array(scalar, { minLength: 1, maxLength: 3 })
              .map((items) => items.map((s) => ({ indent: 0, text: `- ${s}` }))),
            fc.constant<Line[]>([
              { indent: 0, text: 'env:' },
              { indent: 0, text: '- name: a' },
              { indent: 2, text: 'value: b' },
              { indent: 0, text: '- c' },
              { indent: 0, text: 'after: d' },
            ]),
            fc.constant<Line[]>([
              { indent: 0, text: 'below:' },
              { indent: 2, text: '{}' },
              { indent: 0, text: 'seq:' },
              { indent: 0, text: '-' },
              { indent: 2, text: '[x, {y: z}]' },
            ]),
            fc.constant<Line[]>([
              { indent: 0, text: 'flow: [a,' },
              { indent: 2, text: '"b", {c: d,' },
              { indent: 4, text: 'e: [f]}' },
              { indent: 0, text: ']' },
            ]),
            fc.constant<Line[]>([
              { indent: 0, text: 'lit: |' },
              { indent: 2, text: 'line one' },
              { indent: 0, text: '' },
              { indent: 0, text: '  ' },
              { indent: 2, text: 'line two  ' },
              { indent: 0, text: 'fold: >-' },
              { indent: 2, text: 'a' },
              { indent: 2, text: 'b' },
            ]),
          );
    const mutation = fc.tuple(
      fc.nat(40),
      fc.constantFrom('comment', 'blank', 'spaces', 'indent+', 'indent-', 'duplicate', 'dash'),
      fc.nat(6),
    );
    const seen = { same: 0, declined: 0 };
    fc.assert(
      fc.property(block(0), fc.array(mutation, { maxLength: 3 }), (lines, mutations) => {
        const out = lines.map((l) => ({ ...l }));
        for (const [where, what, n] of mutations) {
          const i = out.length ? where % out.length : 0;
          if (what === 'comment') out.splice(i, 0, { indent: n, text: '# note' });
          else if (what === 'blank') out.splice(i, 0, { indent: 0, text: ' '.repeat(n % 4) });
          else if (!out[i]) continue;
          else if (what === 'spaces') out[i]!.text += ' '.repeat(n % 3);
          else if (what === 'indent+') out[i]!.indent += 1 + (n % 2);
          else if (what === 'indent-') out[i]!.indent = Math.max(0, out[i]!.indent - 2);
          else if (what === 'duplicate') out.splice(i, 0, { ...out[i]! });
          else out[i]!.text = `- ${out[i]!.text}`;
        }
        const text = `---\n${out.map((l) => (l.text ? ' '.repeat(l.indent) + l.text : '')).join('\n')}\n`;
        const outcome = compare(text);
        if (outcome !== 'same' && outcome !== 'declined') throw new Error(`${outcome} in:\n${text}`);
        seen[outcome]++;
        const crlf = compare(text.replace(/\n/g, '\r\n'));
        if (crlf !== outcome) throw new Error(`with CRLF ${crlf}, with LF ${outcome}, in:\n${text}`);
      }),
      { numRuns: 3000, seed: 20251126 },
    );
    // Both sides of the boundary are exercised.
    expect(seen.same).toBeGreaterThan(600);
    expect(seen.declined).toBeGreaterThan(600);
  });

  it('agrees with yaml where nested collections end together between comment lines', () => {
    // Where comments after a block's last line go (into the last scalar, the block, or its parent) decides where
    // ranges end: nested maps, sequences (indented, indentless, of compact maps) and flow values, all closing at
    // once, with comment and blank lines of any indentation before the line that closes them.
    type Node = { kind: 'map' | 'seq' | 'indentless' | 'compact'; children: (Node | string)[] };
    const leaf = fc.constantFrom('v', '"q"', '[f]', '|\n  lit');
    const node: fc.Memo<Node> = fc.memo((n) =>
      fc.record({
        kind: fc.constantFrom('map', 'seq', 'indentless', 'compact'),
        children: fc.array(n > 1 ? fc.oneof(leaf, node(n - 1)) : leaf, { minLength: 1, maxLength: 2 }),
      }),
    );
    const lines = (value: Node | string, indent: number, lead: string): string[] => {
      const pad = ' '.repeat(indent);
      if (typeof value === 'string') {
        const [first, ...rest] = value.split('\n');
        return [`${lead} ${first}`, ...rest.map((l) => `${pad}${l}`)];
      }
      const out = [`${lead}`];
      value.children.forEach((child, i) => {
        const inner = value.kind === 'indentless' ? indent - 2 : indent;
        if (value.kind === 'map') out.push(...lines(child, indent + 2, `${pad}k${i}:`));
        else if (value.kind === 'compact')
          out.push(
            `${' '.repeat(inner)}- c: v`,
            ...lines(child, inner + 4, `${' '.repeat(inner + 2)}d${i}:`),
          );
        else out.push(...lines(child, inner + 2, `${' '.repeat(inner)}-`));
      });
      return out;
    };
    const extra = fc.array(fc.tuple(fc.nat(30), fc.nat(9), fc.boolean()), { minLength: 1, maxLength: 4 });
    const seen = { same: 0, declined: 0 };
    fc.assert(
      fc.property(node(4), extra, fc.nat(4), (root, inserts, tailIndent) => {
        const body = lines(root, 2, 'top:');
        for (const [at, indent, isComment] of inserts)
          body.splice(
            1 + (at % body.length),
            0,
            isComment ? `${' '.repeat(indent)}# c` : ' '.repeat(indent % 4),
          );
        body.push(`${' '.repeat(tailIndent)}tail: x`);
        const text = `${body.join('\n')}\n`;
        const outcome = compare(text);
        if (outcome !== 'same' && outcome !== 'declined') throw new Error(`${outcome} in:\n${text}`);
        seen[outcome]++;
      }),
      { numRuns: 2000, seed: 20251126 },
    );
    expect(seen.same).toBeGreaterThan(300);
  });

  it('reads lines inside quotes and brackets at any indentation, as go-yaml does (yaml refuses them)', () => {
    const lenient = [
      'k: {a: {b: c\n}}\n', // found by fuzzing: the nested flow map closes at the key's indentation
      'metadata:\n  annotations:\n    x: "abc\ndef ghi\n\n  jkl \\\n   mno"\nnext: 1\n', // quoted, continued at column 0
      "s: 'it''s\nsplit'\n",
      'rules:\n- apiGroups: [\n  ""]\n  resources: ["pods",\n"services"]\n  verbs: [get,\n list]\n',
      'm:\n  n: {a: 1,\nb: 2}\n',
    ];
    for (const text of lenient) {
      expect(parseSimpleDocument(text, 0, 200), text).toBeDefined();
      expect(compare(text), text).toBe('same');
    }
    // Everything the simple reader read where yaml refused, in this file's tests: go-yaml reads the same values.
    expect(refusedByYaml.length).toBeGreaterThanOrEqual(lenient.length);
    const go = goRead(refusedByYaml.map((r) => r.chunk));
    const differences = refusedByYaml.flatMap((r, i) => {
      const theirs = go[i]!.docs[0];
      return theirs?.json !== undefined &&
        JSON.stringify(sortKeys(theirs.json)) === JSON.stringify(sortKeys(r.value))
        ? []
        : [`${r.chunk}\n  go-yaml: ${JSON.stringify(theirs)}\n  simple: ${JSON.stringify(r.value)}`];
    });
    expect(differences).toEqual([]);
  });
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
}
