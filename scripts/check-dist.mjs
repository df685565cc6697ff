// Fails when dist/ is not what `npm run bundle` makes from the current src/ and rules/.
import { execFileSync } from 'node:child_process';

execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
const status = execFileSync('git', ['status', '--porcelain', '--', 'dist'], { encoding: 'utf8' });
if (status.trim()) {
  console.error('dist/ is stale: run `npm run bundle` and commit dist/.\n' + status);
  const diff = execFileSync('git', ['diff', '--stat', '--', 'dist'], { encoding: 'utf8' });
  console.error(diff);
  process.exit(1);
}
console.log('dist/ is up to date.');
