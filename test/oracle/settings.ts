// Run counts and reproducibility for the property suites.
//   FUZZ_RUNS=N    run every property N times (CLI properties that touch the disk N/10 times); `npm run fuzz`.
//   FUZZ_SEED=S    replay with the seed that fast-check printed on failure (add FUZZ_PATH=… to jump to the case).
// Without them each property uses a small default count, so the whole suite stays well under 30 s in CI.
import type fc from 'fast-check';

const envRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
const envSeed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const envPath = process.env.FUZZ_PATH || undefined;

/** True under `npm run fuzz` (or any FUZZ_RUNS): long runs. */
const LONG_RUN = envRuns !== undefined && Number.isFinite(envRuns);

function runsFor(defaultRuns: number, longRunShare = 1): number {
  return LONG_RUN ? Math.max(1, Math.round(envRuns! * longRunShare)) : defaultRuns;
}

export function params<T>(defaultRuns: number, longRunShare = 1): fc.Parameters<T> {
  const p: fc.Parameters<T> = { numRuns: runsFor(defaultRuns, longRunShare) };
  if (envSeed !== undefined && Number.isFinite(envSeed)) p.seed = envSeed;
  if (envPath !== undefined) p.path = envPath;
  return p;
}

/** Vitest timeout for a property: generous per run, since a long run is meant to run long. */
export function timeoutFor(defaultRuns: number, msPerRun: number, longRunShare = 1): number {
  return Math.max(60_000, runsFor(defaultRuns, longRunShare) * msPerRun * 3);
}
