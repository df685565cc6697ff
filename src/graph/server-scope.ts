// Which servers a PR-mode base analysis recomputes (diff/change-scope.ts computes the scope; graph/build.ts and
// engine.ts reuse the head's edges of every other server).
import type { Service, StandInService } from '../mesh/model.js';
import { hostMatches, serviceFqdn } from '../mesh/util.js';

/**
 * The servers (Services and stand-ins) whose edges may differ: those in `namespaces`, and those whose host one of
 * `hosts` (DestinationRule hosts, wildcards included) matches. Every other server's edges are the same.
 */
export interface ServerScope {
  /** With the root namespace among them, every server (diff/change-scope.ts reachesAllServers). */
  namespaces: ReadonlySet<string>;
  hosts: readonly string[];
}

/** Whether the change may reach a server: a Service, or a stand-in for other services of a namespace. */
export function reachesServer(scope: ServerScope, server: Service | StandInService): boolean {
  if (scope.namespaces.has(server.namespace)) return true;
  // The host DestinationRules are matched against, a stand-in's too (mesh/build.ts hostOf).
  const host =
    'entry' in server && server.entry ? server.entry.host : serviceFqdn(server.name, server.namespace);
  return scope.hosts.some((pattern) => hostMatches(pattern, host));
}
