// Engine graph vs oracle, per declared caller and backing workload.
import type { LintResult } from '../../src/engine.js';
import { expectCall } from './oracle.js';
import type { Scenario } from './scenario.js';

/** Every disagreement between the engine's declared edges and the oracle, as readable text. */
export function disagreements(s: Scenario, result: LintResult): string[] {
  const edges = result.graph().edges;
  const out: string[] = [];
  for (const call of s.calls) {
    const expected = expectCall(s, call);
    if (!expected) continue;
    const label = `${call.from.namespace}/${call.from.name} → ${call.to.name}.${call.to.namespace}:${call.port} (declared by ${call.via})`;
    const found = edges.filter(
      (e) =>
        e.caller === (call.via === 'env' ? 'inferred' : 'declared') &&
        e.client.namespace === call.from.namespace &&
        e.client.name === call.from.name &&
        e.server.namespace === call.to.namespace &&
        e.server.service === call.to.name &&
        e.server.port === call.port,
    );
    if (!found.length) {
      out.push(`${label}: the engine has no declared edge`);
      continue;
    }
    for (const e of found) {
      // A per-pod name or a pod's IP reaches one pod: a connection to any other workload is a call never made.
      if (call.podHost || call.ip?.pod) {
        const extra = e.connections.filter(
          (x) =>
            x.serverWorkload &&
            !expected.connections.some(
              (w) => w.endpoint === `${x.serverWorkload!.namespace}/${x.serverWorkload!.name}`,
            ),
        );
        if (extra.length && expected.connections.length)
          out.push(
            `${label}: names pod ${call.podHost?.pod ?? call.ip?.pod}, but the engine also connects to ${extra.map((x) => x.serverWorkload!.name).join(', ')}`,
          );
      }
      for (const want of expected.connections) {
        // A routed call has one connection per (subset, endpoint): matched by both.
        const c = e.connections.find(
          (x) =>
            x.serverWorkload &&
            `${x.serverWorkload.namespace}/${x.serverWorkload.name}` === want.endpoint &&
            x.client.route?.subset === want.subset,
        );
        if (!c) {
          out.push(
            `${label}: the engine has no connection to ${want.endpoint}${want.subset ? ` through subset ${want.subset}` : ''} (oracle: ${want.outcomes.join(' or ')}; engine: ${e.connections.map((x) => `${x.serverWorkload?.name} subset ${x.client.route?.subset ?? '-'}`).join(', ')})`,
          );
          continue;
        }
        if (want.outcomes.includes(c.result.outcome)) continue;
        out.push(
          [
            `${label}, endpoint ${want.endpoint}: engine says ${c.result.outcome}, oracle says ${want.outcomes.join(' or ')}`,
            `  engine: client ${c.client.mode} (${c.client.explanation}); server ${c.server.mode} (${c.server.explanation}); ${c.result.explanation}`,
            `  oracle: ${[...expected.trace, ...want.trace].join('; ')}`,
          ].join('\n'),
        );
      }
    }
  }
  return out;
}
