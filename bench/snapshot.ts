// Behaviour snapshot, for optimisations that must not change anything a user sees: every finding (JSON) and every
// graph edge (client, members, server, evidence, each connection's verdict and explanation) for each input.
//   node --import ./bench/register.mjs bench/snapshot.ts out.json [--workloads 1000] [--seed 1] [--per-namespace 50]
//     [--istio-version 1.5] [dir ...]
// Without dirs: every example under examples/ plus a fixed-seed generated mesh. Compare two runs with cmp(1).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lint } from '../src/engine.js';
import type { Edge } from '../src/graph/graph.js';
import { resolveOptions } from '../src/resolve-options.js';
import { generateMesh, writeMesh } from './generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function edgeSnapshot(e: Edge): unknown {
  return {
    client: {
      ...e.client,
      workload: e.client.workload?.resource.id,
      members: e.client.members?.map((m) => m.resource.id),
    },
    server: {
      ...e.server,
      serviceRef: e.server.serviceRef?.resource.id,
      servicePort: e.server.servicePort?.port,
    },
    caller: e.caller,
    evidence: { ...e.evidence, resource: e.evidence.resource?.id },
    outcome: e.outcome,
    clientTls: e.clientTls,
    serverMode: e.serverMode,
    connections: e.connections.map((c) => ({
      serverWorkload: c.serverWorkload?.resource.id,
      targetPort: c.targetPort,
      client: {
        ...c.client,
        cause:
          c.client.cause &&
          `${c.client.cause.resource.id}|${c.client.cause.path.join('.')}|${c.client.cause.description}`,
      },
      server: {
        ...c.server,
        cause:
          c.server.cause &&
          `${c.server.cause.resource.id}|${c.server.cause.path.join('.')}|${c.server.cause.description}`,
        ambiguousWith: c.server.ambiguousWith?.map((r) => r.id),
      },
      result: c.result,
    })),
  };
}

export async function snapshot(dir: string, withEdges = true, istioVersion?: string): Promise<unknown> {
  const options = resolveOptions({ cwd: dir, paths: ['.'], noConfig: true, istioVersion });
  const result = await lint(options);
  return {
    findings: result.findings,
    suppressed: result.suppressed,
    summary: result.summary,
    edges: withEdges ? result.graph().edges.map(edgeSnapshot) : undefined,
    unresolved: result.graph().unresolved,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      workloads: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      'per-namespace': { type: 'string', default: '50' },
      'istio-version': { type: 'string' },
    },
  });
  const [out, ...dirs] = positionals;
  if (!out) throw new Error('usage: snapshot.ts out.json [dir ...]');
  const targets: string[] = [...dirs];
  let tmp: string | undefined;
  if (!targets.length) {
    for (const group of await readdir(path.join(ROOT, 'examples'))) {
      for (const example of await readdir(path.join(ROOT, 'examples', group)))
        targets.push(path.join(ROOT, 'examples', group, example));
    }
    tmp = await mkdtemp(path.join(os.tmpdir(), 'mtls-lint-snapshot-'));
    await writeMesh(
      tmp,
      generateMesh({
        workloads: Number(values.workloads),
        seed: Number(values.seed),
        perNamespace: Number(values['per-namespace']),
      }),
    );
    targets.push(tmp);
  }
  const all: Record<string, unknown> = {};
  try {
    for (const dir of targets)
      all[tmp && dir === tmp ? `generated:${values.workloads}:${values.seed}` : path.relative(ROOT, dir)] =
        await snapshot(dir, true, values['istio-version']);
    await writeFile(out, JSON.stringify(all, null, 1));
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  process.stderr.write(`${targets.length} inputs → ${out}\n`);
}
