// Engine graph vs oracle, per declared caller and backing workload.
import type { LintResult } from '../../src/engine.js';
import { expectAuthzCall, expectCall, expectEgressHop, unenforcedPolicies } from './oracle.js';
import type { Scenario } from './scenario.js';
import { knownAuthzPassthrough14 } from './known-bugs.js';

/** Every disagreement between the engine's declared edges and the oracle, as readable text. */
export function disagreements(s: Scenario, result: LintResult): string[] {
  const edges = result.graph().edges;
  const out: string[] = [];
  for (const call of s.calls) {
    const expected = expectCall(s, call);
    if (!expected) continue;
    const label = `${call.from.namespace}/${call.from.name} → ${call.to.name}.${call.to.namespace}:${call.port} (declared by ${call.via})`;
    const isCalled = (n: { namespace: string; service: string; port: number }) =>
      n.namespace === call.to.namespace && n.service === call.to.name && n.port === call.port;
    const declaredFrom = edges.filter(
      (e) =>
        e.caller === (call.via === 'env' ? 'inferred' : 'declared') &&
        e.client.namespace === call.from.namespace &&
        e.client.name === call.from.name,
    );
    // The call's own edge, and the edges of the service ports a VirtualService sends it to instead (routedFrom).
    const found = declaredFrom.filter((e) => !e.routedFrom && isCalled(e.server));
    const redirected = declaredFrom.filter((e) => e.routedFrom && isCalled(e.routedFrom));
    const serverOf = (e: (typeof edges)[number]) =>
      `${e.server.service}.${e.server.namespace}:${e.server.port}`;
    const own = expected.routed?.own ?? true;
    const targets = expected.routed?.targets ?? [];
    if (own && !found.length) {
      out.push(`${label}: the engine has no declared edge`);
      continue;
    }
    if (!own && found.length)
      out.push(
        `${label}: the engine has an edge to the service called, the oracle routes every connection elsewhere (${targets.join(', ')})`,
      );
    for (const target of targets)
      if (!redirected.some((e) => serverOf(e) === target))
        out.push(
          `${label}: the engine has no edge routed to ${target} (engine: ${redirected.map(serverOf).join(', ') || 'none'})`,
        );
    for (const e of redirected)
      if (!targets.includes(serverOf(e)))
        out.push(`${label}: the engine routes the call to ${serverOf(e)}, the oracle does not`);
    for (const e of [...found, ...redirected]) {
      // A per-pod name or a pod's IP reaches one pod: a connection to any other workload is a call never made.
      if (!e.routedFrom && (call.podHost || call.ip?.pod)) {
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
      const wants = expected.connections.filter((w) => (e.routedFrom ? w.target === serverOf(e) : !w.target));
      for (const want of wants) {
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
  out.push(...egressDisagreements(s, edges));
  return out;
}

/** entries2: each egress client's hop to the egress gateway (an inferred edge to istio-egressgateway:443). */
function egressDisagreements(s: Scenario, edges: ReturnType<LintResult['graph']>['edges']): string[] {
  const out: string[] = [];
  for (const from of s.egress?.clients ?? []) {
    const expected = expectEgressHop(s, from);
    if (expected === undefined) continue;
    const label = `${from.namespace}/${from.name} → istio-egressgateway.istio-system:443 (egress hop)`;
    const found = edges.filter(
      (e) =>
        e.client.namespace === from.namespace &&
        e.client.name === from.name &&
        e.server.namespace === 'istio-system' &&
        e.server.service === 'istio-egressgateway' &&
        e.server.port === 443,
    );
    if (expected === 'none') {
      if (found.length)
        out.push(`${label}: the engine has a hop, the oracle none (the client has no sidecar)`);
      continue;
    }
    if (!found.length) {
      out.push(`${label}: the engine has no hop edge`);
      continue;
    }
    const want = expected.connections[0]!;
    for (const e of found)
      for (const c of e.connections)
        if (!want.outcomes.includes(c.result.outcome))
          out.push(
            `${label}: engine says ${c.result.outcome}, oracle says ${want.outcomes.join(' or ')}\n  engine: client ${c.client.mode} (${c.client.explanation}); server ${c.server.mode} (${c.server.explanation})\n  oracle: ${expected.trace.join('; ')}`,
          );
  }
  return out;
}

// ---- authz (issue 17): authz-requires-mtls against the oracle ------------------------------------------------------

/**
 * Disagreements between authz-requires-mtls and the oracle, per policy: the declared callers it says get 403 for
 * lack of identity (the finding's edges: client workload → service port), and the policies nothing enforces. Pairs
 * the oracle does not decide, and callers with any undecided declared call, are left out.
 */
export function authzDisagreements(s: Scenario, result: LintResult): string[] {
  const out: string[] = [];
  const findings = result.findings.filter((f) => f.rule === 'authz-requires-mtls');
  const policyOf = (f: (typeof findings)[number]) => `${f.resource?.namespace}/${f.resource?.name}`;
  const unenforcedFinding = (f: (typeof findings)[number]) => f.message.includes('is not enforced at all');
  // Expected denials per pair "client → server", and the pairs (per policy) the oracle decides.
  const expected = new Map<string, { denies: Set<string>; undecided: Set<string>; trace: string[] }>();
  const undecidedClients = new Set<string>();
  for (const call of s.calls) {
    const client = `${call.from.namespace}/${call.from.name}`;
    if (knownAuthzPassthrough14(s.version, call)) continue;
    const pairs = expectAuthzCall(s, call);
    if (!pairs) {
      undecidedClients.add(client);
      continue;
    }
    for (const p of pairs) {
      const key = `${p.client} → ${p.server}`;
      let e = expected.get(key);
      if (!e) expected.set(key, (e = { denies: new Set(), undecided: new Set(), trace: [] }));
      for (const id of p.denies) e.denies.add(id);
      for (const id of p.undecided) e.undecided.add(id);
      e.trace.push(...p.trace);
    }
  }
  const engine = new Map<string, Set<string>>();
  for (const f of findings) {
    if (unenforcedFinding(f)) continue;
    // Declared and env-inferred callers only: a possible caller from the same workload is another claim.
    for (const edge of (f.edges ?? []).filter((x) => x.caller !== 'possible')) {
      const key = `${edge.client.namespace}/${edge.client.workload} → ${edge.server.service}.${edge.server.namespace}:${edge.server.port}`;
      let set = engine.get(key);
      if (!set) engine.set(key, (set = new Set()));
      set.add(policyOf(f));
    }
  }
  for (const [key, e] of expected) {
    if (undecidedClients.has(key.split(' → ')[0]!)) continue;
    const got = engine.get(key) ?? new Set<string>();
    for (const ap of s.authorizationPolicies ?? []) {
      const id = `${ap.namespace}/${ap.name}`;
      if (e.undecided.has(id) && !e.denies.has(id)) continue;
      const want = e.denies.has(id);
      if (want === got.has(id)) continue;
      out.push(
        `${key}: oracle says ${want ? '403 (plaintext, the sidecar enforces' : 'no denial for lack of identity by'} AuthorizationPolicy ${id}${want ? ')' : ''}, the engine ${got.has(id) ? 'reports it' : 'does not list this caller'}\n  oracle: ${e.trace.join('; ') || 'no plaintext connection to a sidecar the policy selects'}`,
      );
    }
  }
  const oracle = unenforcedPolicies(s);
  const reported = new Set(findings.filter(unenforcedFinding).map(policyOf));
  for (const ap of s.authorizationPolicies ?? []) {
    const id = `${ap.namespace}/${ap.name}`;
    if (oracle.undecided.includes(id)) continue;
    const want = oracle.unenforced.includes(id);
    if (want !== reported.has(id))
      out.push(
        `AuthorizationPolicy ${id}: oracle says ${want ? 'nothing enforces it (every workload it selects runs without a sidecar)' : 'it is enforced, or selects nothing'}, the engine ${reported.has(id) ? 'reports it as not enforced' : 'does not'}`,
      );
  }
  return out;
}
