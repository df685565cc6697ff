// Build both ncc bundles: dist/index.js (the action) and dist/cli/index.js (the npm bin).
// ncc output is deterministic, so `npm run check-dist` can diff a rebuild against the committed dist/.
// `--only cli --out-dir DIR` builds the CLI bundle alone into DIR/cli (the package test packs it; dist/ untouched).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { only: { type: 'string' }, 'out-dir': { type: 'string', default: 'dist' } },
});
const out = values['out-dir'];
const ncc = [
  'node_modules/@vercel/ncc/dist/ncc/cli.js',
  'build',
  '--minify',
  '--quiet',
  '--target',
  'es2022',
];
rmSync(values.only ? `${out}/cli` : out, { recursive: true, force: true });
if (values.only !== 'cli') {
  execFileSync(process.execPath, [...ncc, 'src/index.ts', '-o', out, '--license', 'licenses.txt'], {
    stdio: 'inherit',
  });
}
// The npm package ships the CLI bundle alone: its licenses.txt carries the notices of the code bundled into it.
execFileSync(process.execPath, [...ncc, 'src/cli.ts', '-o', `${out}/cli`, '--license', 'licenses.txt'], {
  stdio: 'inherit',
});
chmodSync(`${out}/cli/index.js`, 0o755);
const bundles = values.only ? [`${out}/cli`] : [out, `${out}/cli`];
// The schema validators (src/schema/generated/) are code ajv wrote; ajv itself is no longer bundled, so ncc does not
// list it. Its notice goes with them.
const ajvNotice = `\najv\nMIT\n${readFileSync('node_modules/ajv/LICENSE', 'utf8')}`;
for (const dir of bundles) {
  if (!/^ajv\nMIT\n/m.test(readFileSync(`${dir}/licenses.txt`, 'utf8')))
    appendFileSync(`${dir}/licenses.txt`, ajvNotice);
}
for (const dir of bundles) {
  for (const f of readdirSync(dir)) {
    const p = `${dir}/${f}`;
    if (statSync(p).isFile()) console.log(`${p}\t${(statSync(p).size / 1024).toFixed(0)} KiB`);
  }
}
