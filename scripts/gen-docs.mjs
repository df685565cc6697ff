// Write docs/rules/<id>.md for every rule, docs/rules/README.md, and the rule table in README.md, from the rules'
// meta (rules/*.ts). The rules are TypeScript, so they are loaded through Vite's module runner (vitest's own
// dependency). test/docs.test.ts fails when the committed files differ from what this writes.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await createServer({
  configFile: false,
  root,
  logLevel: 'error',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false },
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  const { RULES } = await server.ssrLoadModule('/rules/index.ts');
  const docs = await server.ssrLoadModule('/scripts/rule-docs.ts');
  const dir = path.join(root, docs.DOCS_DIR);
  mkdirSync(dir, { recursive: true });
  const files = docs.renderDocsFiles(RULES);
  // Pages of rules that no longer exist go.
  for (const f of readdirSync(dir)) if (f.endsWith('.md') && !files.has(f)) rmSync(path.join(dir, f));
  let changed = 0;
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writeFileSync(file, text);
    changed++;
  }
  const readmePath = path.join(root, 'README.md');
  if (existsSync(readmePath)) {
    const before = readFileSync(readmePath, 'utf8');
    const after = docs.replaceRuleTable(before, RULES);
    if (after === undefined)
      console.warn(`README.md has no ${docs.TABLE_START} … ${docs.TABLE_END} markers; table left out.`);
    else if (after !== before) {
      writeFileSync(readmePath, after);
      changed++;
    }
  }
  console.log(`${RULES.length} rules; ${changed} file${changed === 1 ? '' : 's'} updated.`);
} finally {
  await server.close();
}
