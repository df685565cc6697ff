// The pipeline's floors (docs/architecture.md): each module imports only from its own floor or the floors below,
// and no chain of imports comes back to where it started. The floor of every file is assigned here, in one place;
// the test reads the import statements of src/ and rules/ (static, type-only and dynamic imports all count).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Lowest first. A file belongs to the floor of the longest prefix that names it. */
export const FLOORS: readonly { floor: string; owns: readonly string[] }[] = [
  { floor: 'vocabulary', owns: ['src/types.ts', 'src/version.ts', 'src/escape.ts', 'src/hash.ts'] },
  // The run's settings and the parsed --istio-version are read from the loader up.
  { floor: 'load', owns: ['src/load/', 'src/options.ts', 'src/mesh/version.ts'] },
  { floor: 'schema', owns: ['src/schema/', 'src/config.ts'] },
  { floor: 'mesh', owns: ['src/mesh/'] },
  { floor: 'graph', owns: ['src/graph/'] },
  { floor: 'rule framework', owns: ['src/rule.ts', 'src/rule-report.ts', 'src/suppress.ts'] },
  { floor: 'rules', owns: ['rules/'] },
  { floor: 'engine', owns: ['src/engine.ts', 'src/resolve-options.ts'] },
  { floor: 'diff/report', owns: ['src/diff/', 'src/report/', 'src/plan/'] },
  { floor: 'cli/action', owns: ['src/cli/', 'src/convert/', 'src/action/', 'src/cli.ts', 'src/index.ts'] },
];

function floorOf(file: string): number {
  let best = -1;
  let length = -1;
  FLOORS.forEach(({ owns }, i) => {
    for (const prefix of owns)
      if ((file === prefix || (prefix.endsWith('/') && file.startsWith(prefix))) && prefix.length > length) {
        best = i;
        length = prefix.length;
      }
  });
  return best;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Relative imports of one file, as repository paths: `import … from`, `export … from`, `import('…')`. */
export function importsOf(file: string, text: string): string[] {
  const specifiers = new Set<string>();
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]/gm,
    /^\s*import\s+['"](\.[^'"]+)['"]/gm,
    /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) specifiers.add(m[1]!);
  return [...specifiers].map((s) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'),
  );
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sources('src'), ...sources('rules')]) {
    if (file.startsWith('src/schema/generated/')) continue;
    graph.set(file, importsOf(file, readFileSync(path.join(ROOT, file), 'utf8')));
  }
  return graph;
}

/** Every cycle's files, found by depth-first search (each reported once, from its first file met). */
function cycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('architecture', () => {
  const graph = importGraph();

  it('reads the imports it checks (a sample the code base is known to have)', () => {
    expect(graph.get('src/engine.ts')).toContain('src/mesh/build.ts');
    expect(graph.get('src/cli/subcommands.ts')).toContain('src/cli/graph-command.ts');
    expect(
      importsOf('src/a/b.ts', "import type { X } from '../c/d.js';\nconst m = await import('./e.js');"),
    ).toEqual(['src/c/d.ts', 'src/a/e.ts']);
  });

  it('assigns every source file to a floor', () => {
    expect([...graph.keys()].filter((f) => floorOf(f) < 0)).toEqual([]);
  });

  it('has no import from a lower floor to a higher one', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph)
      for (const target of imports) {
        if (!graph.has(target)) continue;
        const from = floorOf(file);
        const to = floorOf(target);
        if (to > from)
          upward.push(`${file} (${FLOORS[from]!.floor}) imports ${target} (${FLOORS[to]!.floor})`);
      }
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('reads inputs only through the loader: no caller walks, reads or parses files itself', () => {
    // PR mode's base, the lint and the graph command all go through loadInputs (src/load/index.ts).
    const readers = /\b(discoverFiles|readManifest|decodeManifest|parseManifestText|parseManifestData)\b/;
    const outside = [...graph.keys()]
      .filter((f) => !f.startsWith('src/load/'))
      .filter((f) => {
        const text = readFileSync(path.join(ROOT, f), 'utf8');
        return [...text.matchAll(/^\s*import\s[^;]*?from\s+['"](\.[^'"]+)['"]/gm)].some(
          (m) => m[1]!.includes('/load/') && readers.test(m[0]),
        );
      });
    expect(outside).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one', () => {
    const sample = new Map([
      ['src/mesh/a.ts', ['src/mesh/b.ts']],
      ['src/mesh/b.ts', ['src/mesh/a.ts', 'src/engine.ts']],
      ['src/engine.ts', []],
    ]);
    expect(cycles(sample)).toEqual([['src/mesh/a.ts', 'src/mesh/b.ts', 'src/mesh/a.ts']]);
    expect(floorOf('src/engine.ts')).toBeGreaterThan(floorOf('src/mesh/b.ts'));
  });
});
