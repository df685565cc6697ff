// The release table (src/mesh/releases.ts) is the one place that knows which Istio release does what. These tests
// hold it against the semantics reference (docs/istio-semantics.md) and keep version arithmetic out of every
// other source file, so a new version gate has to become an entry a reader can check against release notes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BEHAVIOURS,
  EVERY_RELEASE,
  releaseOf,
  type Behaviour,
  type BehaviourName,
} from '../src/mesh/releases.js';
import { parseIstioVersion } from '../src/mesh/version.js';
import { lintYaml } from './helpers/mesh.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const REFERENCE = path.join(ROOT, 'docs', 'istio-semantics.md');
const entries = Object.entries(BEHAVIOURS) as [BehaviourName, Behaviour][];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** The release before `text` ("1.6" → "1.5"): a range in the reference may end there ("1.0–1.5"). */
function previous(text: string): string {
  const v = parseIstioVersion(text)!;
  return `${v.major}.${v.minor - 1}`;
}

/** `text` as a release number in prose: "1.1" matches "1.1", "1.1+" and "1.1.0", never "1.10" or "11.1". */
function mentions(sentence: string, text: string): boolean {
  return new RegExp(`(?<![\\d.])${text.replace('.', '\\.')}(?!\\d)`).test(sentence);
}

const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('behaviours that hold in every release', () => {
  it.each(Object.entries(EVERY_RELEASE))('%s: cited at a release, and not also a dated entry', (name, b) => {
    expect(b.where).toMatch(/istio@1\.\d+\.\d+.*:[\w./-]+\.(go|yaml) \(/);
    expect(b.what.length).toBeGreaterThan(20);
    expect(Object.keys(BEHAVIOURS)).not.toContain(name);
  });
});

describe('release table against the semantics reference', () => {
  const reference = squash(readFileSync(REFERENCE, 'utf8'));

  for (const [name, b] of entries) {
    it(`${name}: dated by a release boundary and cited`, () => {
      expect(b.from !== undefined || b.until !== undefined, 'an entry needs from or until').toBe(true);
      for (const t of [b.from, b.until]) if (t !== undefined) expect(parseIstioVersion(t)?.text, t).toBe(t);
      expect(b.where.length).toBeGreaterThan(10);
      if (!b.reference) {
        expect(b.note, `${name} is not dated by the reference: say why in note`).toBeTruthy();
        return;
      }
      expect(
        reference,
        `${name}: its reference sentence is not (or no longer) in istio-semantics.md`,
      ).toContain(squash(b.reference));
      const boundary = (b.from ?? b.until)!;
      // The sentence names the boundary release or the last release on the other side of it.
      expect(
        mentions(b.reference, boundary) || mentions(b.reference, previous(boundary)),
        `${name} is dated ${b.from ? 'from' : 'until'} ${boundary}, but its reference sentence names neither ${boundary} nor ${previous(boundary)}: "${b.reference}"`,
      ).toBe(true);
    });
  }

  it('from is inclusive and until exclusive', () => {
    for (const [name, b] of entries) {
      if (b.from) {
        expect(releaseOf(b.from).has(name), `${name} in ${b.from}`).toBe(true);
        expect(releaseOf(previous(b.from)).has(name), `${name} in ${previous(b.from)}`).toBe(false);
      }
      if (b.until) {
        expect(releaseOf(b.until).has(name), `${name} in ${b.until}`).toBe(false);
        expect(releaseOf(previous(b.until)).has(name), `${name} in ${previous(b.until)}`).toBe(true);
      }
    }
  });
});

describe('no version comparison outside the release table', () => {
  // What a version comparison looks like in this code base: a major/minor field, a comparison helper, or a release
  // number compared as text. The table's own file and the parser of --istio-version are the only places allowed.
  const ALLOWED = new Set(['src/mesh/releases.ts', 'src/mesh/version.ts']);
  const PATTERNS: [RegExp, string][] = [
    [/\.(major|minor)\b/, 'reads a version field'],
    [/\b(atLeast|atMost|compareVersions?|versionAtLeast|semver)\b/, 'calls a version comparison'],
    [/\b(version|istioVersion|targetVersion)(\.text)?\s*[<>]=?|[<>]=?\s*['"]1\.\d+['"]/, 'compares versions'],
    [/\.text\s*[!=]==\s*['"]1\.\d+['"]/, 'compares a version text'],
  ];

  it('src/ and rules/ ask release.has() instead', () => {
    const offences: string[] = [];
    for (const file of [...sources('src'), ...sources('rules')]) {
      if (ALLOWED.has(file) || file.startsWith(`src${path.sep}schema${path.sep}generated`)) continue;
      readFileSync(path.join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [re, what] of PATTERNS)
            if (re.test(line)) offences.push(`${file}:${i + 1} ${what}: ${line.trim()}`);
        });
    }
    expect(offences, 'add an entry to src/mesh/releases.ts and ask release.has() instead').toEqual([]);
  });
});

describe('a behaviour switches where the table says', () => {
  // Real manifests in, findings out: the table, not a number in the rule, decides the switch.
  const files = {
    'ns.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
`,
    'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
`,
    'policy.yaml': `apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: {name: default, namespace: shop}
spec: {peers: [{mtls: {}}]}
`,
  };

  it('a legacy Policy is a warning while Istio reads it and an error from the release that stops', async () => {
    const until = BEHAVIOURS['legacy-authentication-policy'].until;
    const read = await lintYaml(files, { istioVersion: previous(until) });
    const ignored = await lintYaml(files, { istioVersion: until });
    const severity = (r: typeof read) => r.findings.find((f) => f.rule === 'deprecated-api')?.severity;
    expect(severity(read)).toBe('warning');
    expect(severity(ignored)).toBe('error');
  });
});
