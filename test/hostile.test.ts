// Hostile and broken input: every case ends in a finding at a place, the rest of the input is still checked,
// and nothing hangs, throws or runs out of memory. Big inputs are generated in a temporary directory.
import { rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/cli/main.js';
import { DEFAULT_LIMITS, loadInputs, type LoadedInputs, type LoadLimits } from '../src/load/index.js';
import { KUBE_YAML_OPTIONS } from '../src/load/kube-yaml.js';
import { parseManifestText } from '../src/load/parse.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOSTILE = 'test/fixtures/hostile';
const tmp = tempDir('hostile');

async function load(paths: string[], limits: Partial<LoadLimits> = {}, cwd = ROOT): Promise<LoadedInputs> {
  return loadInputs({
    paths,
    cwd,
    namespace: 'default',
    ignore: [],
    limits: { ...DEFAULT_LIMITS, ...limits },
  });
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

const NAMESPACE_AFTER = '\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: after\n';

async function cli(argv: string[], stdin: Readable = Readable.from([])) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    cwd: tmp,
    stdout: Object.assign(new Writable({ write: (c, _e, cb) => ((stdout += String(c)), cb()) }), {
      isTTY: false,
    }),
    stderr: new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) }),
    stdin,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('encodings and bytes', () => {
  it('CRLF line ends: positions are the same as with LF, and never include the \\r', async () => {
    const inputs = await load([`${HOSTILE}/crlf.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    const pa = inputs.resources[0]!;
    expect(pa).toMatchObject({ kind: 'PeerAuthentication', name: 'crlf', namespace: 'foo' });
    expect(pa.span(['spec', 'mtls', 'mode'])).toEqual({ line: 8, column: 11, endLine: 8, endColumn: 17 });
    expect(pa.span(['spec', 'mtls'])).toEqual({ line: 8, column: 5, endLine: 8, endColumn: 17 });
  });

  it('a UTF-8 byte order mark is not content: columns on line 1 are what an editor shows', async () => {
    const inputs = await load([`${HOSTILE}/bom.yaml`]);
    expect(inputs.diagnostics).toEqual([]);
    const pa = inputs.resources[0]!;
    expect(pa).toMatchObject({ kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', name: 'bom' });
    expect(pa.span(['apiVersion'], { key: true })).toMatchObject({ line: 1, column: 1, endColumn: 11 });
    expect(pa.span(['spec', 'mtls', 'mode'])).toMatchObject({ line: 8, column: 11 });
  });

  it('BOM + CRLF, and a BOM in the middle of a concatenated file', async () => {
    const file = write(
      'bom-crlf.yaml',
      '\ufeffapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n---\r\n\ufeffapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: b\r\n',
    );
    const inputs = await load([file]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.resources.map((r) => [r.name, r.span(['metadata', 'name']).line])).toEqual([
      ['a', 4],
      ['b', 9],
    ]);
  });

  it('Latin-1 text: input-error at the first byte that is not UTF-8, nothing else from the file', async () => {
    const inputs = await load([`${HOSTILE}/latin1.yaml`, `${HOSTILE}/crlf.yaml`]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'input-error',
        severity: 'error',
        file: `${HOSTILE}/latin1.yaml`,
        line: 7,
        column: 16,
        message: expect.stringMatching(/not valid UTF-8 \(byte 0xE9\).*iconv -f latin1 -t utf-8/),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['crlf']);
  });

  it('NUL bytes and a binary file named .yaml: input-error, the run goes on', async () => {
    const inputs = await load([`${HOSTILE}/nul.yaml`, `${HOSTILE}/binary.yaml`, `${HOSTILE}/crlf.yaml`]);
    expect(inputs.diagnostics.map((d) => [d.rule, d.file, d.line, d.column])).toEqual([
      ['input-error', `${HOSTILE}/nul.yaml`, 4, 12],
      ['input-error', `${HOSTILE}/binary.yaml`, 3, 1], // the PNG header's first NUL, after \r\n\x1a\n
    ]);
    expect(inputs.diagnostics[0]!.message).toContain('NUL byte');
    expect(inputs.resources.map((r) => r.name)).toEqual(['crlf']);
  });

  it('UTF-16 is named as such', async () => {
    const inputs = await load([`${HOSTILE}/utf16.yaml`]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({ rule: 'input-error', line: 1, message: expect.stringContaining('UTF-16') }),
    ]);
  });
});

describe('aliases', () => {
  it('billion laughs: refused with a finding, the next document is checked', async () => {
    const inputs = await load([`${HOSTILE}/billion-laughs.yaml`]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        line: 1,
        column: 1,
        message: expect.stringContaining('more than 100 alias expansions (limits.maxAliasCount)'),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['after-the-bomb']);
  });

  it('limits.maxAliasCount is the limit', async () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: few, namespace: foo}\ndata:\n  a: &a x\n  b: *a\n  c: *a\n  d: *a\n';
    const file = write('few-aliases.yaml', text);
    expect((await load([file])).resources).toHaveLength(1);
    const strict = await load([file], { maxAliasCount: 2 });
    expect(strict.resources).toHaveLength(0);
    expect(strict.diagnostics[0]!.message).toContain('more than 2 alias expansions');
  });

  it('a few big anchors referenced many times (under the alias count) are refused too', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `    k${i}: v${i}`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: amplified, namespace: foo}\nbase: &b\n${big}\ncopies:\n${Array(60).fill('- *b').join('\n')}${NAMESPACE_AFTER}`;
    const inputs = await load([write('amplified.yaml', text)]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        line: 1,
        message: expect.stringMatching(/grow this document from \d+ to more than \d+ values/),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['after']);
  });

  it('an alias inside its own anchor (a cycle) is refused, not walked forever', async () => {
    const inputs = await load([`${HOSTILE}/self-alias.yaml`]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        message: expect.stringContaining('inside its own anchor'),
      }),
    ]);
    expect(inputs.resources).toEqual([]);
  });

  it('ordinary merge keys are fine', async () => {
    const containers = Array.from({ length: 20 }, (_, i) => `      - <<: *c\n        name: c${i}`).join('\n');
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: merged, namespace: foo}\nx-container: &c {image: 'app:1', ports: [{containerPort: 8080}]}\nspec:\n  template:\n    spec:\n      containers:\n${containers}\n`;
    const inputs = await load([write('merges.yaml', text)]);
    expect(inputs.diagnostics).toEqual([]);
    const deploy = inputs.resources[0]!;
    const list = (deploy.value as { spec: { template: { spec: { containers: unknown[] } } } }).spec.template
      .spec.containers;
    expect(list).toHaveLength(20);
    expect(list[19]).toEqual({ image: 'app:1', ports: [{ containerPort: 8080 }], name: 'c19' });
    // The merged field points at the anchor, where it is written.
    expect(deploy.span(['spec', 'template', 'spec', 'containers', 19, 'image'])).toMatchObject({
      line: 4,
      column: 25,
    });
  });
});

describe('nesting', () => {
  const deep = 100_000;
  it.each([
    ['flow sequences', '['.repeat(deep) + ']'.repeat(deep)],
    // After `---`: a file that starts with `{` is JSON for kubectl (and this is not JSON).
    ['flow mappings', '---\n' + '{a: '.repeat(deep) + '1' + '}'.repeat(deep)],
    ['compact block sequences', '- '.repeat(deep) + 'x'],
    [
      'a value of nested flow sequences',
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  x: ' + '['.repeat(deep) + ']'.repeat(deep),
    ],
  ])('%s 100,000 deep: input-error, no crash, the next document is checked', async (_name, text) => {
    const inputs = await load([write('deep.yaml', text + NAMESPACE_AFTER)]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'input-error',
        message: expect.stringContaining('nested deeper than 200 levels (limits.maxDepth)'),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['after']);
  });

  it('block mappings nested 3,000 deep by indentation (4.5 MB): input-error at the level that is too deep', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const inputs = await load([write('deep-block.yaml', lines.join('\n') + ' x' + NAMESPACE_AFTER)]);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({ rule: 'input-error', line: 201, column: 201 }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['after']);
  });

  it('nesting under the limit is fine, also JSON in a block scalar and brackets in plain scalars', async () => {
    const nested = '['.repeat(150) + '1' + ']'.repeat(150);
    const json = '{"a":'.repeat(300) + '1' + '}'.repeat(300);
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  namespace: foo\ndata:\n  nested: "${nested}"\n  regex: ^foo[a-z{]+$\n  json: |\n    ${json}\n    ${'['.repeat(500)}\n  list: ${nested}\n`;
    const inputs = await load([write('not-deep.yaml', text)]);
    expect(inputs.diagnostics).toEqual([]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['fine']);
  });

  it('limits.maxDepth is the limit', async () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ten, namespace: foo}\ndata: {a: ${'['.repeat(8)}${']'.repeat(8)}}\n`;
    const file = write('ten.yaml', text);
    expect((await load([file])).resources).toHaveLength(1);
    const strict = await load([file], { maxDepth: 6 });
    expect(strict.resources).toHaveLength(0);
    expect(strict.diagnostics[0]).toMatchObject({
      rule: 'input-error',
      line: 4,
      message: expect.stringContaining('deeper than 6'),
    });
  });
});

describe('size and count limits', () => {
  it('a 200 MB file is refused from its size, without being read', async () => {
    const file = path.join(tmp, 'huge.yaml');
    writeFileSync(file, 'apiVersion: v1\n');
    truncateSync(file, 200 * 1024 * 1024); // sparse: no 200 MB written, and reading it would find NUL bytes
    const inputs = await load([file, path.join(ROOT, HOSTILE, 'crlf.yaml')], {}, tmp);
    expect(inputs.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'input-error',
        file: 'huge.yaml',
        line: 1,
        message: expect.stringMatching(
          /^File is 200 MiB, over the 16 MiB limit \(limits\.maxFileSize\); it was not checked/,
        ),
      }),
    ]);
    expect(inputs.resources.map((r) => r.name)).toEqual(['crlf']);
  });

  it('a one-line 50 MB scalar: refused under the default limit; a 6 MB one parses under a raised limit', async () => {
    const header =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blob\n  namespace: foo\ndata:\n  blob: ';
    const fifty = write('blob-50mb.yaml', header + 'x'.repeat(50 * 1024 * 1024) + '\n');
    const refused = await load([fifty]);
    expect(refused.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'input-error',
        message: expect.stringContaining('50.0 MiB, over the 16 MiB limit'),
      }),
    ]);
    rmSync(fifty);
    const six = write('blob-6mb.yaml', header + 'y'.repeat(6 * 1024 * 1024) + '\n');
    const small = await load([six], { maxFileSize: 4 * 1024 * 1024 });
    expect(small.diagnostics[0]!.message).toContain('over the 4 MiB limit');
    const parsed = await load([six], { maxFileSize: 8 * 1024 * 1024 });
    expect(parsed.diagnostics).toEqual([]);
    expect((parsed.resources[0]!.value as { data: { blob: string } }).data.blob).toHaveLength(
      6 * 1024 * 1024,
    );
  });

  it.runIf(process.platform === 'linux' && existsSync('/dev/zero'))(
    'an endless device named on the command line is read only up to the limit',
    async () => {
      const inputs = await load(['/dev/zero'], { maxFileSize: 1024 * 1024 });
      expect(inputs.diagnostics).toEqual([
        expect.objectContaining({
          rule: 'input-error',
          message: expect.stringContaining('over the 1 MiB limit'),
        }),
      ]);
    },
  );

  it('more documents than limits.maxDocuments: the first ones are checked, the rest reported once', async () => {
    const docs = Array.from(
      { length: 30 },
      (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${i}\n`,
    );
    const inputs = await load([write('thirty.yaml', docs.join('---\n'))], { maxDocuments: 10 });
    expect(inputs.resources).toHaveLength(10);
    expect(inputs.diagnostics).toEqual([
      // At the `---` that starts the 11th document.
      expect.objectContaining({
        rule: 'input-error',
        line: 50,
        message: expect.stringContaining('More than 10 YAML documents'),
      }),
    ]);
  });

  it('100,000 empty documents and a 50,000-key mapping finish (duplicate detection is linear)', async () => {
    // Empty documents (Helm renders one per disabled template) are not counted against limits.maxDocuments.
    const empties = await load([
      write(
        'empties.yaml',
        '---\n# nothing\n'.repeat(100_000) + 'apiVersion: v1\nkind: Namespace\nmetadata: {name: last}\n',
      ),
    ]);
    expect(empties.resources.map((r) => r.name)).toEqual(['last']);
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`).join('\n');
    const wide = await load([
      write(
        'wide.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: wide, namespace: foo}\ndata:\n${keys}\n  k7: again\n`,
      ),
    ]);
    expect(wide.diagnostics).toEqual([
      expect.objectContaining({
        rule: 'yaml-syntax',
        line: 50_005,
        column: 3,
        message: expect.stringContaining('Duplicate key `k7` in one mapping (first at line 12)'),
      }),
    ]);
    expect(wide.resources).toHaveLength(1);
  });
});

describe('through the CLI', () => {
  it('stdin without end (`yes | mtls-lint -`): stops at the limit with a finding, exit 1', async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        const chunk = Buffer.alloc(64 * 1024, 'y: y\n');
        for (;;) {
          pulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    writeFileSync(path.join(tmp, '.mtls-lint.yaml'), 'limits:\n  maxFileSize: 1048576\n');
    try {
      const r = await cli(['-f', 'json', '-'], endless);
      expect(r.code).toBe(1);
      const json = JSON.parse(r.stdout) as { findings: { rule: string; file: string; message: string }[] };
      expect(json.findings).toEqual([
        expect.objectContaining({
          rule: 'input-error',
          file: '<stdin>',
          message: expect.stringContaining('Standard input is over the 1 MiB limit'),
        }),
      ]);
      expect(pulled).toBeLessThan(4 * 1024 * 1024);
    } finally {
      rmSync(path.join(tmp, '.mtls-lint.yaml'));
    }
  });

  it('a file mixing every kind of breakage: each finding has its line, exit 1, valid JSON', async () => {
    const text = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good-1\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n',
      'a: &a [*a, *a]\nb: *a\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: dup2\n  namespace: foo\n',
      `x: ${'['.repeat(1000)}${']'.repeat(1000)}\n`,
      'kind: PeerAuthentication\nmetadata:\n  name: noapi\n  namespace: foo\n',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: good-2\n',
    ].join('---\n');
    write('mixed.yaml', text);
    const r = await cli(['-f', 'json', 'mixed.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      findings: { rule: string; line: number }[];
      summary: { resources: number };
    };
    const mine = json.findings.filter((f) =>
      ['yaml-syntax', 'input-error', 'invalid-resource'].includes(f.rule),
    );
    expect(mine.map((f) => [f.rule, f.line])).toEqual([
      ['yaml-syntax', 9],
      ['yaml-syntax', 11],
      ['yaml-syntax', 18],
      ['input-error', 21],
      ['invalid-resource', 23],
    ]);
    expect(json.summary.resources).toBe(3); // good-1, dup (with its last name), good-2
  });
});

describe('any text', () => {
  // YAML's syntax characters, document markers and Kubernetes-ish words, in any order.
  const token = fc.constantFrom(
    ...[
      '-',
      ':',
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\t',
      '[',
      ']',
      '{',
      '}',
      ',',
      "'",
      '"',
      '#',
      '|',
      '>',
      '&a',
      '*a',
      '!x',
      '?',
      '%',
      '...',
    ],
    ...[
      '---\n',
      '<<: ',
      'apiVersion: v1\n',
      'kind: Namespace\n',
      'metadata:\n  name: x\n',
      '{{ .Values.x }}',
      '\ufeff',
      'é',
      '1.10',
    ],
  );
  const text = fc.array(token, { maxLength: 200 }).map((t) => t.join(''));

  it('never throws; every finding and every resource position is a line of the input', () => {
    fc.assert(
      fc.property(text, (input) => {
        const parsed = parseManifestText(input, 'fuzz.yaml', 'default', DEFAULT_LIMITS);
        const lines = input.split('\n').length;
        for (const d of parsed.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.column).toBeGreaterThanOrEqual(1);
        }
        for (const r of parsed.resources) {
          const span = r.span(['metadata', 'name']);
          expect(span.line).toBeGreaterThanOrEqual(1);
          expect(span.line).toBeLessThanOrEqual(lines);
        }
        JSON.stringify(parsed.resources.map((r) => r.value)); // plain, finite, acyclic values
      }),
      { numRuns: 2000 },
    );
  });
  // Splitting at `---` before parsing must not change what a valid stream means.
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const doc = fc.oneof(
    name.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`),
    name.map(
      (n) => `{apiVersion: v1, kind: ConfigMap, metadata: {name: ${n}, namespace: x}, data: {a: "[{"}}\n`,
    ),
    name.map(
      (n) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\ndata:\n  s: |\n    --- not a marker\n    [[[ {{{ "'\n    ---\n  t: >-\n    x: y\n`,
    ),
    name.map(
      (n) =>
        `# Source: c/templates/${n}.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: ${n}}\nspec:\n  ports:\n  - port: 80\n    name: "a # b"\n`,
    ),
    name.map(
      (n) =>
        `base: &b {x: 1}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\ndata:\n  <<: *b\n  q: 'it''s [ ]'\n`,
    ),
    fc.constantFrom(
      '# only a comment\n',
      '',
      'values: {a: 1}\n',
      '- a\n- - b\n  - c\n',
      '"multi\n  line --- quoted"\n',
    ),
  );
  const separator = fc.constantFrom('---\n', '--- \n', '---\r\n', '...\n---\n', '--- # c\n', '\n---\n');

  it('documents split before parsing read exactly as the yaml package reads the whole stream', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(separator, doc), { maxLength: 8 }), fc.boolean(), (parts, leading) => {
        const joined = parts.map(([sep, d], i) => (i === 0 && !leading ? d : sep + d)).join('');
        // A stream that starts with `{` is JSON for kubectl: make it YAML.
        const input = joined.trimStart().startsWith('{') ? `---\n${joined}` : joined;
        const whole = parseAllDocuments(input, KUBE_YAML_OPTIONS);
        const values = (Array.isArray(whole) ? whole : []).map(
          (d) => d.toJS({ maxAliasCount: 100 }) as unknown,
        );
        const objects = values.filter((v) => typeof (v as { kind?: unknown } | null)?.kind === 'string');
        const parsed = parseManifestText(input, 'x.yaml', 'default', DEFAULT_LIMITS);
        expect(parsed.diagnostics).toEqual([]);
        expect(parsed.resources.map((r) => r.value)).toEqual(objects);
      }),
      { numRuns: 500 },
    );
  });
});
