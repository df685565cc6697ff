import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const root = path.resolve(import.meta.dirname, '..');
const strict = 'examples/migration/3-strict';

describe('mtls-lint graph', () => {
  it('prints the seed migration edges as a table with outcomes and how each caller is known', async () => {
    const r = await runCli(['graph', strict], { cwd: root });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CLIENT\s+SERVER:PORT\s+CLIENT SENDS\s+SERVER ACCEPTS\s+OUTCOME\s+HOW KNOWN$/);
    const row = (client: string) => lines.find((l) => l.startsWith(client + ' '))!;
    expect(row('foo/sleep')).toMatch(/httpbin\.foo:8000\s+mtls\s+STRICT\s+mtls\s+declared/);
    expect(row('bar/sleep')).toMatch(/httpbin\.foo:8000\s+mtls\s+STRICT\s+mtls\s+declared/);
    expect(row('legacy/sleep')).toMatch(
      /httpbin\.foo:8000\s+plaintext\s+STRICT\s+BROKEN \(reset, curl 000\)\s+declared/,
    );
    // Possible callers are hidden unless asked for.
    expect(r.stdout).not.toContain('possible:');
  });

  it('json lists edges with the contract fields, and --possible adds grouped possible callers and stand-ins', async () => {
    const plain = JSON.parse((await runCli(['graph', '-f', 'json', strict], { cwd: root })).stdout);
    expect(plain.edges).toHaveLength(3);
    const legacy = plain.edges.find(
      (e: { client: { namespace: string } }) => e.client.namespace === 'legacy',
    );
    expect(legacy).toMatchObject({
      client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
      server: { namespace: 'foo', service: 'httpbin', port: 8000 },
      caller: 'declared',
      clientTls: 'plaintext',
      serverMode: 'STRICT',
      outcome: 'broken',
      failure: 'reset',
    });
    const all = JSON.parse(
      (await runCli(['graph', '-f', 'json', '--possible', strict], { cwd: root })).stdout,
    );
    expect(all.edges.length).toBeGreaterThan(plain.edges.length);
    expect(
      all.edges.some((e: { client: { standIn?: string } }) =>
        e.client.standIn?.startsWith('any new sidecar workload in foo'),
      ),
    ).toBe(true);
    const grouped = all.edges.find(
      (e: { client: { members?: string[] } }) => (e.client.members?.length ?? 0) > 1,
    );
    expect(grouped.caller).toBe('possible');
  });

  it('json groups: namespace "*" across namespaces, members listed, a group of one written as that workload', async () => {
    type Client = { namespace: string; workload: string; kind: string; members?: string[]; standIn?: string };
    const all = JSON.parse(
      (await runCli(['graph', '-f', 'json', '--possible', strict], { cwd: root })).stdout,
    ) as {
      edges: { client: Client; server: { namespace: string; service: string }; caller: string }[];
    };
    const groups = all.edges.filter((e) => e.client.members);
    expect(groups.length).toBeGreaterThan(0);
    for (const { client } of groups) {
      expect(client.members!.length, JSON.stringify(client)).toBeGreaterThan(1);
      expect(client.workload).toBe('*');
      const namespaces = new Set(client.members!.map((m) => m.split('/')[0]));
      expect(client.namespace, JSON.stringify(client)).toBe(namespaces.size > 1 ? '*' : [...namespaces][0]);
    }
    // foo and bar sidecar workloads as possible callers of the other namespaces' services: one group, two namespaces.
    expect(
      groups.some(
        (e) =>
          e.client.namespace === '*' &&
          e.client.members!.includes('foo/sleep') &&
          e.client.members!.includes('bar/sleep'),
      ),
    ).toBe(true);
    // legacy/sleep is the only workload without a sidecar: it is a possible caller of httpbin.bar as itself.
    const legacy = all.edges.find(
      (e) =>
        e.server.service === 'httpbin' &&
        e.server.namespace === 'bar' &&
        e.client.workload === 'sleep' &&
        e.client.namespace === 'legacy',
    );
    expect(legacy).toMatchObject({
      client: { namespace: 'legacy', workload: 'sleep', kind: 'Deployment' },
      caller: 'possible',
    });
    expect(legacy!.client).not.toHaveProperty('members');
  });

  it('mermaid draws broken edges red and plaintext dashed; dot likewise', async () => {
    const m = (await runCli(['graph', '-f', 'mermaid', strict], { cwd: root })).stdout;
    expect(m.split('\n')[0]).toBe('flowchart LR');
    expect(m).toMatch(/-\.->\|BROKEN \(reset, curl 000\)\|/);
    expect(m).toMatch(/linkStyle \d+ stroke:#d00/);
    expect(m).toMatch(/-->\|mtls\|/);
    const d = (await runCli(['graph', '-f', 'dot', strict], { cwd: root })).stdout;
    expect(d).toMatch(
      /"legacy\/sleep" -> "httpbin\.foo:8000" \[label="BROKEN \(reset, curl 000\)", color=red/,
    );
    expect(d).toMatch(/"foo\/sleep" -> "httpbin\.foo:8000" \[label="mtls", style=solid\]/);
  });

  it('rejects an unknown format with exit 2', async () => {
    const r = await runCli(['graph', '-f', 'svg', strict], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format "svg" must be one of table, json, mermaid, dot');
  });
});
