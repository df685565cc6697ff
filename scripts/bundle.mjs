// Build both ncc bundles: dist/index.js (the action) and dist/cli/index.js (the npm bin).
// ncc output is deterministic, so `npm run check-dist` can diff a rebuild against the committed dist/.
import { execFileSync } from 'node:child_process';
import { rmSync, readdirSync, statSync, chmodSync } from 'node:fs';

const ncc = ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', '--minify', '--quiet', '--target', 'es2022'];
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [...ncc, 'src/index.ts', '-o', 'dist', '--license', 'licenses.txt'], { stdio: 'inherit' });
execFileSync(process.execPath, [...ncc, 'src/cli.ts', '-o', 'dist/cli'], { stdio: 'inherit' });
chmodSync('dist/cli/index.js', 0o755);
for (const dir of ['dist', 'dist/cli']) {
  for (const f of readdirSync(dir)) {
    const p = `${dir}/${f}`;
    if (statSync(p).isFile()) console.log(`${p}\t${(statSync(p).size / 1024).toFixed(0)} KiB`);
  }
}
