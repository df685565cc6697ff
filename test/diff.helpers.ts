// Throwaway git repositories for PR-mode tests: real git, real files, in temporary directories (helpers/tmp.ts)
// removed after each test file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/tmp.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pr');

/** path → content; null deletes the file. */
export type Tree = Record<string, string | null>;

export function fixture(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

/** The seed task's workloads: namespaces foo/bar (injected) and legacy (not), httpbin.foo, sleep in each. */
export function seedWorkloads(prefix = 'k8s/'): Tree {
  const tree: Tree = {};
  for (const f of [
    'namespaces.yaml',
    'httpbin.yaml',
    'sleep-foo.yaml',
    'sleep-bar.yaml',
    'sleep-legacy.yaml',
  ]) {
    tree[`${prefix}${f}`] = fixture(`seed/${f}`);
  }
  return tree;
}

export function runGit(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  }).trim();
}

export function writeTree(dir: string, tree: Tree): void {
  for (const [rel, content] of Object.entries(tree)) {
    const file = path.join(dir, rel);
    if (content === null) {
      rmSync(file, { force: true });
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export interface Repo {
  dir: string;
  /** Commit shas, one per step, in order. */
  commits: string[];
}

/** A repository with one commit per step; each step's tree is applied on top of the previous one. */
export function makeRepo(name: string, steps: Tree[]): Repo {
  const dir = tempDir(name);
  runGit(dir, ['init', '-q', '-b', 'main']);
  const commits: string[] = [];
  steps.forEach((tree, i) => {
    writeTree(dir, tree);
    runGit(dir, ['add', '-A']);
    runGit(dir, ['commit', '-q', '--allow-empty', '-m', `step ${i}`]);
    commits.push(runGit(dir, ['rev-parse', 'HEAD']));
  });
  return { dir, commits };
}
