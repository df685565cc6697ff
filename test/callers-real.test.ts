// Callers as real repositories write them (issue 15): a program name in `command` is not a call, and a declared
// caller that names nothing is a warning at its config line instead of a silent gap.
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
`;

function app(name: string, ns: string, container = ''): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {app: ${name}}
  ports:
  - {name: http, port: 80, targetPort: 8080}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: example.com/${name}:1
${container}`;
}

describe('a bare program name is not a host', () => {
  it('command: [curl] / [sleep, 3600] / args: [python] call no Service named curl, sleep or python', async () => {
    const run = await lintYaml({
      'ns.yaml': NAMESPACES,
      'servers.yaml': [app('curl', 'legacy'), app('sleep', 'legacy'), app('python', 'legacy')].join('---\n'),
      'client.yaml': app(
        'client',
        'legacy',
        `        command: ["curl"]\n        args: ["python"]\n      - name: idle\n        image: example.com/idle:1\n        command: ["sleep", "3600"]\n`,
      ),
    });
    const inferred = run.edges.filter((e) => e.caller === 'inferred' && e.client.name === 'client');
    expect(inferred.map((e) => e.server.service)).toEqual([]);
  });

  it('a URL or host:port in a command is still a call', async () => {
    const run = await lintYaml({
      'ns.yaml': NAMESPACES,
      'servers.yaml': app('curl', 'legacy'),
      'client.yaml': app('client', 'legacy', `        command: ["sh", "-c", "curl http://curl/health"]\n`),
    });
    const inferred = run.edges.filter((e) => e.caller === 'inferred' && e.client.name === 'client');
    expect(inferred.map((e) => `${e.server.service}:${e.server.port}`)).toEqual(['curl:80']);
  });
});

describe('declared callers that resolve to nothing', () => {
  const files = {
    'ns.yaml': NAMESPACES,
    'apps.yaml': [app('cart', 'shop'), app('checker', 'legacy')].join('---\n'),
  };

  it('a typo in the host is a warning at its line of the config, with the likely Service', async () => {
    const config = `callers:\n  - {from: legacy/checker, to: "cart.shop:80"}\n  - {from: legacy/checker, to: "crt.shop:80"}\n`;
    const run = await lintYaml(files, { config });
    const found = run.findings.filter((f) => f.rule === 'unmatched-target' && f.file.endsWith('config.yaml'));
    expect(found.map((f) => [f.severity, f.line])).toEqual([['warning', 3]]);
    expect(found[0]!.message).toContain(
      '"crt.shop:80" is not a Service in the inputs (did you mean cart.shop?)',
    );
    expect(found[0]!.column).toBe(next(config, 3, 'crt.shop'));
  });

  it('a client that is not in the inputs is a warning at its `from`', async () => {
    const config = `callers:\n  - {from: legacy/chekcer, to: "cart.shop:80"}\n`;
    const run = await lintYaml(files, { config });
    const found = run.findings.filter((f) => f.rule === 'unmatched-target' && f.file.endsWith('config.yaml'));
    expect(found.map((f) => [f.severity, f.line])).toEqual([['warning', 2]]);
    expect(found[0]!.message).toContain('no workload legacy/chekcer is in the inputs');
  });

  it('callers that resolve give no such finding', async () => {
    const run = await lintYaml(files, {
      config: `callers:\n  - {from: legacy/checker, to: "cart.shop:80"}\n`,
    });
    expect(run.findings.filter((f) => f.file.endsWith('config.yaml'))).toEqual([]);
  });
});

/** 1-based column of `needle` on 1-based `line` of `text`, minus the opening quote. */
function next(text: string, line: number, needle: string): number {
  return text.split('\n')[line - 1]!.indexOf(needle);
}
