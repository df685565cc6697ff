// A ConfigMap of every service's address, read whole by several workloads, is an address book: a reader is a possible
// caller of each service, not a known one. A key read by name (configMapKeyRef) is still a known call.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const AGENCY = readFileSync(
  path.join(import.meta.dirname, 'fixtures/precision/address-book/agency.yaml'),
  'utf8',
);

/** An auditor without a sidecar that reads the cars address by key. */
const AUDITOR = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: auditor, namespace: agency}
spec:
  selector: {matchLabels: {app: auditor}}
  template:
    metadata:
      labels: {app: auditor}
      annotations: {sidecar.istio.io/inject: "false"}
    spec:
      containers:
      - name: auditor
        image: example/auditor:1
        env:
        - name: CARS
          valueFrom: {configMapKeyRef: {name: endpoints, key: CARS_ADDR}}
`;

describe.each(['1.12', '1.30'])('shared address books, Istio %s', (istioVersion) => {
  it('readers of a shared address book are possible callers: a warning, and no inferred calls to the other services', async () => {
    const run = await lintYaml({ 'agency.yaml': AGENCY }, { istioVersion });
    expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['plaintext-to-strict warning']);
    expect(run.edges.filter((e) => e.caller === 'inferred')).toEqual([]);
    expect(run.findings[0]!.related?.map((r) => r.message).join('\n')).not.toContain('ConfigMap endpoints');
  });

  it('a key of it read by name is a known call: an error naming that reader and the key', async () => {
    const run = await lintYaml({ 'agency.yaml': AGENCY + AUDITOR }, { istioVersion });
    const strict = run.findings.filter((f) => f.rule === 'plaintext-to-strict');
    expect(strict.map((f) => f.severity)).toEqual(['error']);
    expect(strict[0]!.message).toContain('agency/auditor → cars.agency:8080');
    expect(strict[0]!.related?.map((r) => r.message)).toContain(
      'inferred caller: ConfigMap endpoints key CARS_ADDR (env CARS)',
    );
  });
});
