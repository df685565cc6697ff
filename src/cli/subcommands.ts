import type { CliIO } from './common.js';

export type Subcommand = (argv: string[], io: CliIO) => Promise<number>;

/** `mtls-lint graph …`, `mtls-lint convert …`; loaded on demand so a plain lint pays nothing for them. */
export const SUBCOMMANDS: Record<string, Subcommand> = {
  graph: async (argv, io) => (await import('./graph-command.js')).runGraph(argv, io),
  convert: async (argv, io) => (await import('../convert/command.js')).runConvert(argv, io),
  plan: async (argv, io) => (await import('./plan-command.js')).runPlan(argv, io),
};
