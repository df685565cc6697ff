// node:crypto, loaded on the first hash rather than at start-up: the loader, SARIF and GitLab reports hash, but a
// run that needs no hash should not pay for loading it (about 5% of the CLI's start-up).
import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

let crypto: typeof Crypto | undefined;

export function createHash(algorithm: string): Crypto.Hash {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto;
  return crypto.createHash(algorithm);
}
