import { parseManifestText } from './src/load/parse.ts';
import { writeFileSync } from 'node:fs';
// regenerate gen-8 via the test's generator: copy of the functions is heavy; instead read from env
const text = process.argv[2] === 'a' ? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' : 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nspec:\n  s0: -0x10\n  s1: 9223372036854775808\n';
writeFileSync('/tmp/dbg.yaml', text);
const r = parseManifestText(text, 'x', 'default');
console.log(r.resources.map(x => (x.value as any).metadata.name), r.diagnostics.map(d => [d.line, d.message]));
