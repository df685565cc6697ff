// Kept in step with package.json by test/package.test.ts (the bundle must not read package.json at run time).
export const VERSION = '0.1.0';
