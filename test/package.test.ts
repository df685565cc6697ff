import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const exec = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cmd: string, args: string[], cwd: string): Promise<Run> {
  // No registry: every npm call is offline, and fails rather than fetch.
  const env = {
    ...process.env,
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('package', () => {
  it('reports the package.json version', async () => {
    expect(VERSION).toBe(pkg.version);
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exposes the CLI bundle as the mtls-lint bin and runs the action bundle on node24', () => {
    expect(pkg.bin['mtls-lint']).toBe('dist/cli/index.js');
    const action = readFileSync(path.join(root, 'action.yml'), 'utf8');
    expect(action).toMatch(/using:\s*['"]?node24/);
    expect(action).toMatch(/main:\s*['"]?dist\/index\.js/);
  });

  it('README quick start names the commands CI runs', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').slice(0, 6).join('\n');
    expect(readme).toContain('npm ci && node dist/cli/index.js examples/migration/3-strict');
    expect(readme).toContain('npm test');
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ci).toContain('npm ci');
    expect(ci).toContain('npm test');
    expect(ci).toContain('node dist/cli/index.js examples/migration/3-strict');
  });

  it('installs for development on this Node.js without an engine warning', async () => {
    // The lock file as `npm ci` reads it: every locked package's `engines`, and our `devEngines`, checked against
    // the running Node.js (.node-version in CI). A dry run reads no registry.
    const dir = tempDir('engines');
    for (const f of ['package.json', 'package-lock.json']) cpSync(path.join(root, f), path.join(dir, f));
    const r = await sh('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/EBADENGINE|EBADDEVENGINES/);
    expect(pkg.engines.node).toBe('>=20');
  });
});

describe('npm package, packed and installed as a user would', () => {
  // Packed from a copy of the package's files with a CLI bundle built from the current sources (dist/ in the
  // repository is rebuilt separately and may be stale), then installed from the tarball into an empty project.
  let project: string;
  let tarballFiles: string[];

  beforeAll(async () => {
    const stage = tempDir('pkg-stage');
    cpSync(path.join(root, 'package.json'), path.join(stage, 'package.json'));
    for (const entry of pkg.files as string[]) {
      if (entry.startsWith('dist')) continue;
      cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
    }
    // The build script itself, so that what it writes (the bin, licenses.txt) is what gets tested.
    const built = await sh(
      process.execPath,
      ['scripts/bundle.mjs', '--only', 'cli', '--out-dir', path.join(stage, 'dist')],
      root,
    );
    expect(built.code, built.stderr).toBe(0);

    const packs = tempDir('pkg-tgz');
    const packed = await sh('npm', ['pack', '--json', '--pack-destination', packs], stage);
    expect(packed.code, packed.stderr).toBe(0);
    const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarballFiles = info[0]!.files.map((f) => f.path);

    project = tempDir('pkg-user');
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }),
    );
    const tgz = path.join(packs, info[0]!.filename);
    const installed = await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tgz], project);
    expect(installed.code, installed.stderr).toBe(0);
  }, 300_000);

  it('ships the CLI bundle, its license notices, README, LICENSE and rule docs, and nothing else', () => {
    expect(tarballFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/cli/index.js',
        'dist/cli/licenses.txt',
      ]),
    );
    expect(tarballFiles.some((f) => f.startsWith('docs/rules/'))).toBe(true);
    expect(tarballFiles.filter((f) => /^(src|test|rules|bench|node_modules)\//.test(f))).toEqual([]);
  });

  it('names the licenses of the bundled packages', () => {
    const notices = readFileSync(path.join(project, 'node_modules/mtls-lint/dist/cli/licenses.txt'), 'utf8');
    // The CLI bundles yaml (ISC) and validators ajv generated (MIT): their notices are what the package must carry.
    expect(notices).toMatch(/^yaml\nISC\n/m);
    expect(notices).toMatch(/^ajv\nMIT\n/m);
    expect(notices).toContain('Copyright');
  });

  it('installs no dependency: node_modules holds mtls-lint alone', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    const installed = readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed).toEqual(['mtls-lint']);
    expect(existsSync(path.join(project, 'node_modules/.bin/mtls-lint'))).toBe(true);
  });

  it('runs with npx: --version, a lint that finds the break (exit 1), --explain', async () => {
    const version = await sh('npx', ['mtls-lint', '--version'], project);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });

    const example = path.join(project, 'k8s');
    mkdirSync(example);
    cpSync(path.join(root, 'examples/migration/3-strict'), example, { recursive: true });
    const lint = await sh('npx', ['mtls-lint', 'k8s'], project);
    expect(lint.code, lint.stderr).toBe(1);
    expect(lint.stdout).toContain('k8s/peer-authentication.yaml');
    expect(lint.stdout).toMatch(/13:11\s+error\s+PeerAuthentication foo\/httpbin .*plaintext-to-strict/);

    const explain = await sh('npx', ['mtls-lint', '--explain', 'plaintext-to-strict'], project);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('# plaintext-to-strict (default: error)');
  });
});
