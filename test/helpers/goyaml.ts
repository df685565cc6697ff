// Kubernetes' own reading of YAML, for differential tests: test/oracle/goyaml/main.go (go-yaml v2 through
// sigs.k8s.io/yaml, split into documents as kubectl splits a file), built from Debian's packages with no network.
// .ci/run installs them (golang-go, golang-gopkg-yaml.v2-dev, golang-k8s-sigs-yaml-dev); without them the tests
// that use this fail, they do not skip.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

const SOURCE = path.resolve(import.meta.dirname, '../oracle/goyaml');
const GOPATH = '/usr/share/gocode';

interface GoDocument {
  /** The chunk of the file go-yaml was given (LF line ends, as kubectl's line reader writes them). */
  chunk: string;
  /** What sigs.k8s.io/yaml made of it, as JSON (absent when it failed). */
  json?: unknown;
  error?: string;
}

export interface GoFile {
  file: string;
  docs: GoDocument[];
  /** The stream failed here (an invalid separator): kubectl applies nothing from the file. */
  fatal?: string;
}

let binary: string | undefined;

/** Build the oracle once per test file. Throws, with what to install, when Go or the packages are missing. */
function goYamlOracle(): string {
  if (binary) return binary;
  const missing = ['gopkg.in/yaml.v2', 'sigs.k8s.io/yaml'].filter(
    (p) => !existsSync(path.join(GOPATH, 'src', p)),
  );
  if (missing.length)
    throw new Error(
      `go-yaml oracle: ${missing.join(', ')} not in ${GOPATH}: apt-get install golang-go golang-gopkg-yaml.v2-dev golang-k8s-sigs-yaml-dev (.ci/run does)`,
    );
  const dir = tempDir('goyaml');
  const out = path.join(dir, 'goyaml');
  execFileSync('go', ['build', '-o', out, '.'], {
    cwd: SOURCE,
    // GOPATH mode over Debian's packaged sources: no module download, no network.
    env: {
      ...process.env,
      GOPATH,
      GO111MODULE: 'off',
      GOFLAGS: '',
      GOPROXY: 'off',
      GOCACHE: path.join(dir, 'cache'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  binary = out;
  return out;
}

/** Read each text as kubectl would read a file holding it. */
export function goRead(texts: string[]): GoFile[] {
  const bin = goYamlOracle();
  const dir = tempDir('goyaml-in');
  const files = texts.map((t, i) => {
    const f = path.join(dir, `${i}.yaml`);
    writeFileSync(f, t);
    return f;
  });
  const results: GoFile[] = [];
  // Batches keep the argument list short.
  for (let i = 0; i < files.length; i += 500) {
    const out = execFileSync(bin, files.slice(i, i + 500), { encoding: 'utf8', maxBuffer: 1 << 30 });
    for (const line of out.split('\n')) if (line) results.push(JSON.parse(line) as GoFile);
  }
  return results;
}
