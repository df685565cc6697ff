// `mtls-lint convert` writes YAML that kubectl applies: Kubernetes decodes it with go-yaml v2 (YAML 1.1), where a
// plain `on`, `yes`, `n`, `off` is a boolean and `0777`, `1_000` are numbers. The written text must mean the same to
// go-yaml v2 (the oracle in test/oracle/goyaml), to a YAML 1.2 reader and to mtls-lint's own loader.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseManifestText } from '../src/load/parse.js';
import { runCli } from './helpers/cli.js';
import { goRead } from './helpers/goyaml.js';
import { tempDir } from './helpers/tmp.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'load-inputs', 'convert', 'yaml11-names.yaml');

/** Strings YAML 1.1 resolves to something else when plain: booleans, null, octal, hex, binary, underscores, floats. */
const TRICKY = [
  ...['on', 'On', 'ON', 'off', 'Off', 'yes', 'Yes', 'YES', 'no', 'No', 'y', 'Y', 'n', 'N'],
  ...['true', 'False', 'null', 'NULL', '0777', '010', '0x1F', '0o17', '0b101', '1_000', '12_3'],
  ...['1e3', '1.5', '+12', '-3', '007', '0', '1_0.5'],
];

/** DNS-1123 labels among them: usable as a namespace and a Policy name. */
const dnsLabel = (s: string) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);

/** One namespace per tricky string: a Service selecting by it (key and value) and a legacy Policy targeting it. */
function generated(): { text: string; labels: Record<string, string>[] } {
  const docs: string[] = [];
  const labels: Record<string, string>[] = [];
  TRICKY.forEach((t, i) => {
    const ns = dnsLabel(t) ? t : `ns${i}`;
    const name = dnsLabel(t) ? t : `p${i}`;
    const selector = { [t]: t, app: `v${i}` };
    labels.push(selector);
    docs.push(
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc${i}`, namespace: ns },
        spec: { selector, ports: [{ name: 'http', port: 80 }] },
      }),
      JSON.stringify({
        apiVersion: 'authentication.istio.io/v1alpha1',
        kind: 'Policy',
        metadata: { name, namespace: ns },
        spec: { targets: [{ name: `svc${i}` }], peers: [{ mtls: {} }] },
      }),
    );
  });
  // YAML documents written as JSON (quoted): what they mean is not in doubt.
  return { text: docs.map((d) => `---\n${d}\n`).join(''), labels };
}

async function convert(file: string): Promise<string> {
  const run = await runCli(['convert', file], { cwd: path.dirname(file) });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

/** What each reader makes of the converted YAML: go-yaml v2 (kubectl), YAML 1.2, and mtls-lint's loader. */
function readers(output: string) {
  const go = goRead([output])[0]!;
  expect(go.fatal).toBeUndefined();
  return {
    goYaml: go.docs.filter((d) => d.json !== null).map((d) => d.json ?? d.error),
    yaml12: parseAllDocuments(output).map((d) => d.toJS() as unknown),
    loader: parseManifestText(output, 'converted.yaml', 'default').resources.map((r) => r.value),
  };
}

describe('convert writes YAML that reads the same under YAML 1.1 (Kubernetes) and 1.2', () => {
  it('names and labels such as on, yes, n, off, 0777, 1_000 are quoted: go-yaml v2 reads them as strings', async () => {
    const dir = tempDir('convert-yaml11');
    const { text, labels } = generated();
    const input = path.join(dir, 'policies.yaml');
    writeFileSync(input, text);
    const output = await convert(input);
    const { goYaml, yaml12, loader } = readers(output);
    expect(goYaml).toHaveLength(TRICKY.length);
    expect(goYaml).toEqual(yaml12);
    expect(loader).toEqual(yaml12);
    // And it is what was converted: the labels are the Services' selectors, strings as they were.
    const selectors = goYaml.map(
      (d) => (d as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels,
    );
    expect(selectors).toEqual(labels);
    const names = goYaml.map((d) => (d as { metadata: { name: string; namespace: string } }).metadata);
    TRICKY.forEach((t, i) => {
      if (dnsLabel(t)) expect(names[i]).toEqual({ name: t, namespace: t });
    });
  });

  it('the fixture: a Policy named on in namespace 0777, selector on: yes, n: 1_000, y: off', async () => {
    const output = await convert(FIXTURE);
    const { goYaml, yaml12 } = readers(output);
    expect(goYaml).toEqual(yaml12);
    expect(goYaml).toEqual([
      expect.objectContaining({
        metadata: { name: 'on', namespace: '0777' },
        spec: {
          selector: { matchLabels: { on: 'yes', version: '0777', n: '1_000', y: 'off' } },
          mtls: { mode: 'STRICT' },
        },
      }),
    ]);
    // Only what YAML 1.1 would misread is quoted; the rest stays as readable as before.
    expect(output).toContain('kind: PeerAuthentication\n');
    expect(output).toContain('    mode: STRICT');
    expect(readFileSync(FIXTURE, 'utf8')).toContain('name: "on"');
  });
});
