import type { CliIO } from './main.js';

export async function runGraph(_argv: string[], io: CliIO): Promise<number> {
  io.stderr.write('mtls-lint graph: not available yet\n');
  return 2;
}
