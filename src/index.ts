// The GitHub Action's entry: everything else is plain, testable code in src/action/.
import { run } from './action/main.js';

await run();
