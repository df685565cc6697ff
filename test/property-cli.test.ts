// Property: the CLI, on real files, always exits 0, 1 or 2, never prints a stack trace or an internal error, and
// `-f json` (lint and graph) always prints JSON that parses, with findings that point at the files it was given.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { run, type CliIO } from '../src/cli/main.js';
import { locationProblems } from './oracle/checks.js';
import { knownCrash, knownStandInAutoMtls14 } from './oracle/known-bugs.js';
import { params, timeoutFor } from './oracle/settings.js';
import { configArb, wildSetArb } from './oracle/wild.js';
import { tempDir } from './helpers/tmp.js';

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

function collector() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(argv: string[], cwd: string) {
  const out = collector();
  const err = collector();
  const io: CliIO = { cwd, stdout: out.stream, stderr: err.stream, stdin: Readable.from([]), env: {} };
  const code = await run(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

const root = tempDir('prop');

/** The config file: absent, valid (possibly hostile strings), or not a valid config at all. */
const configText = fc.oneof(
  fc.constant<string | undefined>(undefined),
  configArb.map((c) => stringify(c)),
  fc.constantFrom(
    'rules:\n  no-such-rule: error\n',
    'istioVersion: 1.10\n',
    'mesh: [\n',
    'callers: 7\n',
    'unknown: true\n',
    '\u0000',
  ),
);

describe('mtls-lint CLI on generated manifests', () => {
  const RUNS = 40;
  let n = 0;
  it(
    'exits 0/1/2, never writes a stack trace, and -f json output parses (lint and graph)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          wildSetArb(),
          configText,
          fc.constantFrom('1.4', '1.5', '1.30', 'nonsense'),
          async (set, config, version) => {
            fc.pre(!knownCrash(set.files));
            const dir = path.join(root, `case-${n++}`);
            for (const f of set.files) {
              await mkdir(path.dirname(path.join(dir, f.file)), { recursive: true });
              await writeFile(path.join(dir, f.file), f.text);
            }
            if (config !== undefined) await writeFile(path.join(dir, '.mtls-lint.yaml'), config);
            try {
              const lint = await cli(['-f', 'json', '--istio-version', version, '.'], dir);
              expect([0, 1, 2]).toContain(lint.code);
              expect(lint.stderr).not.toMatch(STACK_FRAME);
              expect(lint.stderr).not.toContain('internal error');
              if (lint.code === 2) {
                // A usage error: only a bad config or a bad version may cause it here, and it says so on stderr.
                expect(lint.stderr).toMatch(/^mtls-lint: /);
                expect(lint.stdout).toBe('');
                expect(version === 'nonsense' || config !== undefined).toBe(true);
              } else {
                const parsed = JSON.parse(lint.stdout) as {
                  findings: {
                    file: string;
                    line: number;
                    column: number;
                    endLine: number;
                    endColumn: number;
                    rule: string;
                    message: string;
                  }[];
                };
                const problems = parsed.findings
                  .filter((f) => !knownStandInAutoMtls14(f))
                  // A declared caller that names nothing is reported at its line of the config file.
                  .flatMap((f) =>
                    locationProblems(
                      f,
                      config === undefined
                        ? set.files
                        : [...set.files, { file: '.mtls-lint.yaml', text: config }],
                    ),
                  );
                expect(problems).toEqual([]);
              }

              const graph = await cli(
                ['graph', '--possible', '-f', 'json', '--istio-version', version, '.'],
                dir,
              );
              expect([0, 2]).toContain(graph.code);
              expect(graph.stderr).not.toMatch(STACK_FRAME);
              expect(graph.stderr).not.toContain('internal error');
              if (graph.code === 0) JSON.parse(graph.stdout);
              else expect(lint.code).toBe(2);
            } finally {
              await rm(dir, { recursive: true, force: true });
            }
          },
        ),
        params(RUNS, 0.1),
      );
    },
    timeoutFor(RUNS, 400, 0.1),
  );
});
