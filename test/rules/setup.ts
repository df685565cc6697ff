// The rule tests share one module graph per worker (vitest.config.ts: isolate off, as importing the engine again
// for each small file cost more than its tests), so helpers/tmp.ts's own afterAll runs for the first file only:
// this setup file runs before every file and removes that file's temporary directories when it ends.
import { afterAll } from 'vitest';
import { removeAll } from '../helpers/tmp.js';

afterAll(removeAll);
