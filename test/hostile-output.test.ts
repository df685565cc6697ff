// Output printed in a CI log cannot be turned into workflow commands by the inputs. The GitHub runner reads every line
// of a step's stdout and stderr; it runs `::name …::data` when a line starts with `::` after white space, and the
// legacy `##[name …]data` anywhere in a line (actions/runner ActionCommand.cs TryParseV2/TryParse). File names with
// newlines are made on the real file system; resource names, env names and annotation values hold `\n::error::`.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../src/report/markdown.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(ROOT, 'examples/migration/3-strict');
const LEGACY = path.join(ROOT, 'examples/migration-legacy/3-strict');

// File names an attacker can commit: a line break then a command, a leading command, a legacy command.
const NEWLINE_NAME = 'evil\n::error title=pwned::from-a-file-name.yaml';
const LEADING_NAME = '::warning::leading.yaml';
const LEGACY_NAME = '##[error]legacy.yaml';

/** Every line the runner would run as a workflow command, by its rules. */
function workflowCommands(output: string): string[] {
  return output
    .split(/\r\n|\r|\n/)
    .filter((line) => /^::[^:]*::/.test(line.trimStart()) || /##\[[^\]]*\]/.test(line));
}

const SLEEP2 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep2
  namespace: legacy
spec:
  selector: {matchLabels: {app: sleep2}}
  template:
    metadata: {labels: {app: sleep2}}
    spec:
      containers:
      - name: sleep
        image: curlimages/curl
        env:
        - name: "TARGET\\n::error::from-an-env-name ##[error]legacy"
          value: http://httpbin.foo:8000/ip
`;
const BAD_NAMES = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: "pa\\n::error::from-a-resource-name"
  namespace: foo
spec:
  mtls: {mode: SOMETIMES}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: foo
  annotations:
    mtls-lint.io/ignore: "plaintext-to-strict\\n::error::from-an-annotation ##[warning]x"
data: {}
`;

let dir = '';
beforeAll(() => {
  dir = tempDir('hostile-output');
  for (const f of readdirSync(EXAMPLE)) copyFileSync(path.join(EXAMPLE, f), path.join(dir, f));
  // The STRICT policy (the finding's own file) and the plaintext caller (its related location) under hostile names.
  copyFileSync(path.join(EXAMPLE, 'peer-authentication.yaml'), path.join(dir, NEWLINE_NAME));
  copyFileSync(path.join(EXAMPLE, 'sleep.yaml'), path.join(dir, LEGACY_NAME));
  writeFileSync(path.join(dir, 'peer-authentication.yaml'), '');
  writeFileSync(path.join(dir, 'sleep.yaml'), '');
  writeFileSync(path.join(dir, LEADING_NAME), 'apiVersion: v1\nkind: [\n'); // broken YAML: a finding in it
  writeFileSync(path.join(dir, 'sleep2.yaml'), SLEEP2);
  writeFileSync(path.join(dir, 'bad-names.yaml'), BAD_NAMES);
});

describe('lint formats print nothing the runner would run', () => {
  it.each(['stylish', 'json', 'sarif', 'markdown', 'junit', 'gitlab'])('-f %s', async (format) => {
    const r = await runCli(['-f', format, '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(workflowCommands(r.stdout)).toEqual([]);
    expect(workflowCommands(r.stderr)).toEqual([]);
  });

  it('stylish: the findings are still there, names quoted so they can be told apart', async () => {
    const r = await runCli(['.'], { cwd: dir });
    expect(r.stdout).toMatch(
      new RegExp(
        `^${JSON.stringify(NEWLINE_NAME).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\n  13:11 +error +PeerAuthentication foo/httpbin`,
        'm',
      ),
    );
    expect(r.stdout).toContain(JSON.stringify(LEADING_NAME) + '\n');
    expect(r.stdout).toContain(`↳ "#\\u0023[error]legacy.yaml":112:9 sends plaintext`);
    // Machine formats keep the names exactly: JSON parses back to them.
    const json = JSON.parse((await runCli(['-f', 'json', '.'], { cwd: dir })).stdout) as {
      findings: { file: string }[];
    };
    expect(json.findings.map((f) => f.file)).toEqual(expect.arrayContaining([NEWLINE_NAME, LEADING_NAME]));
  });

  it('-f github: one command per finding, names escaped into its properties and message', async () => {
    const r = await runCli(['-f', 'github', '.'], { cwd: dir });
    const lines = r.stdout.split(/\r\n|\r|\n/).filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) [^:]*::/);
    const files = lines.map((l) => /file=([^,:]*)/.exec(l)?.[1]).filter(Boolean);
    const unescape = (s: string) =>
      s
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%3A/g, ':')
        .replace(/%2C/g, ',')
        .replace(/%25/g, '%');
    expect(files.map((f) => unescape(f!))).toEqual(expect.arrayContaining([NEWLINE_NAME, LEADING_NAME]));
  });

  it('markdown: no mentions or issue references from inputs; escaping still renders the text', () => {
    expect(escapeMarkdown('ping @octocat about owner/repo#12')).toBe(
      'ping @&#8203;octocat about owner/repo\\#&#8203;12',
    );
    expect(escapeMarkdown('a\u0085b\u009bc')).toBe('abc');
  });
});

describe('graph and convert print nothing the runner would run', () => {
  it.each(['table', 'json', 'mermaid', 'dot'])('graph -f %s', async (format) => {
    const r = await runCli(['graph', '--possible', '-f', format, '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(workflowCommands(r.stdout)).toEqual([]);
    if (format === 'table')
      expect(r.stdout).toContain('inferred: env TARGET ::error::from-an-env-name #\\u0023[error]legacy');
  });

  it('convert: comments and notes with hostile file names', async () => {
    const legacyDir = tempDir('hostile-convert');
    for (const f of readdirSync(LEGACY))
      copyFileSync(path.join(LEGACY, f), path.join(legacyDir, f === 'policy.yaml' ? NEWLINE_NAME : f));
    mkdirSync(path.join(legacyDir, 'out'));
    const r = await runCli(['convert', '.'], { cwd: legacyDir });
    expect(r.stdout).toContain(`# Converted by mtls-lint from Policy foo/`);
    expect(r.stdout).toContain(`(${JSON.stringify(NEWLINE_NAME)}:`);
    expect(workflowCommands(r.stdout)).toEqual([]);
    expect(workflowCommands(r.stderr)).toEqual([]);
  });
});
