// `node --import ./bench/register.mjs bench/bench.ts`: run the TypeScript sources directly on Node 20 (which cannot
// strip types itself) by transpiling each .ts module with the TypeScript compiler already in devDependencies.
// Transpile-only: no type checking, no new dependency. Worker threads started with the default execArgv get it too.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
