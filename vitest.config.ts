import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/rules/**'] },
      },
      {
        // One file per rule, each a few dozen in-process lints: without isolation the engine is imported once per
        // worker instead of once per file (most of these files' time). They keep no module state of their own.
        extends: true,
        test: {
          name: 'rules',
          include: ['test/rules/**/*.test.ts'],
          isolate: false,
          setupFiles: ['test/rules/setup.ts'],
        },
      },
    ],
  },
});
