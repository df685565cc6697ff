import { readFileSync } from 'node:fs';
import { parseManifestText } from './src/load/parse.ts';
for (const f of process.argv.slice(2)) {
  const r = parseManifestText(readFileSync(f, 'utf8'), f, 'default');
  console.log('==', f, JSON.stringify(r.resources.map((x) => x.value)));
  for (const d of r.diagnostics) console.log('  ', d.severity, d.rule, d.line, d.message);
}
