import { defineRule } from '../src/rule.js';
import {
  atCause,
  causeKey,
  countEdges,
  findHitsAmong,
  groupByCause,
  victimList,
  victims,
} from '../src/rule-report.js';

export default defineRule({
  meta: {
    id: 'plaintext-accepted',
    defaultSeverity: 'info',
    summary:
      'A PERMISSIVE server receives plaintext from known callers without a sidecar: they block STRICT and are unauthenticated.',
    needs: ['graph'],
    docs: `
## What it catches
Declared or inferred callers without a sidecar that reach a PERMISSIVE server port. They work today; they are the
callers that will break when the server moves to STRICT, and their requests carry no identity.

## Why it matters
This is the to-do list of a migration: every caller listed must be injected (or given an exception) before STRICT.
Possible callers (any workload in the inputs) are not listed here, to keep the list actionable.

## Failing example
\`legacy/sleep\` (no sidecar) calls \`httpbin.foo:8000\`, whose namespace policy is PERMISSIVE.

## Fixed example
Inject \`legacy/sleep\`, then set STRICT.
`,
  },
  check(context) {
    const hits = findHitsAmong(
      context.graph,
      'plaintext',
      (e, c) =>
        e.caller !== 'possible' &&
        e.client.sidecar === 'none' &&
        c.result.outcome === 'plaintext' &&
        (c.server.mode === 'PERMISSIVE' || c.server.mode === 'AMBIENT_PERMISSIVE'),
    );
    // One finding per server service: that is where the STRICT decision is made.
    const groups = groupByCause(hits, (h) => ({
      resource: h.edge.server.serviceRef!.resource,
      path: ['metadata', 'name'],
      description: `service ${h.edge.server.service}.${h.edge.server.namespace}`,
    }));
    for (const group of groups) {
      const n = countEdges(group.hits);
      const first = group.hits[0]!;
      const at = atCause(first.connection.server.cause ?? group.cause, group.hits);
      if (!at) continue;
      context.report({
        ...at,
        message: `${first.connection.server.explanation}, and ${n} caller${n === 1 ? '' : 's'} without a sidecar send${n === 1 ? 's' : ''} plaintext: ${victimList(group.hits, false)}. They are unauthenticated and would break under STRICT; ${group.hits.some((h) => h.edge.client.kind === 'ExternalClient') ? 'send clients outside the cluster through an Istio ingress gateway (or keep those ports PERMISSIVE) and inject the others' : 'inject them'} before tightening.`,
        ...victims(context, group.hits, () => 'caller without a sidecar'),
        keyDetail: `${causeKey(group.cause)}|${first.edge.server.service}.${first.edge.server.namespace}`,
      });
    }
  },
});
