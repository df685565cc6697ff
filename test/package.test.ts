import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { runCli } from './helpers/cli.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

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
    expect(ci).toContain('npm test');
    expect(ci).toContain('node dist/cli/index.js examples/migration/3-strict');
  });
});
