// Declared callers (config `callers:`) that name nothing in the inputs: a typo in the host, or a client that is not
// there. Silently dropped, such a caller takes the finding it was written for with it (or lowers it to a possible
// caller's warning), so each one is reported at its line of the config file.
import { readFileSync } from 'node:fs';
import { parseDocument, type Node } from 'yaml';
import { displayPath } from '../load/files.js';
import { buildPositionTree, lineStarts, locate, spanAt } from '../load/positions.js';
import type { MeshModel } from '../mesh/model.js';
import { editDistance } from '../mesh/util.js';
import type { ResolvedOptions } from '../options.js';
import type { Finding } from '../types.js';
import { parseTarget } from './callers.js';
import { resolveCallHost } from './pod-hosts.js';

export interface UnresolvedCaller {
  index: number;
  field: 'from' | 'to';
  message: string;
}

/** Config callers whose `to` is no Service of the inputs, or whose `from` is no workload of the inputs. */
export function unresolvedConfigCallers(mesh: MeshModel, options: ResolvedOptions): UnresolvedCaller[] {
  const callers = options.config.callers ?? [];
  // Config given in code (the API, tests) has no line to point at; graph's `unresolved` still lists these.
  if (!callers.length || !options.configFile) return [];
  const workloads = new Set(mesh.workloads.map((w) => `${w.namespace}/${w.name}`));
  const out: UnresolvedCaller[] = [];
  callers.forEach((c, index) => {
    const from = c.from.includes('/') ? c.from : `${options.namespace}/${c.from}`;
    const ns = from.split('/', 1)[0]!;
    const ref = parseTarget(c.to);
    const service = ref ? resolveCallHost(mesh, ref.host, ns)?.service : undefined;
    if (!service) {
      const near = ref ? nearestService(mesh, ref.host, ns) : undefined;
      out.push({
        index,
        field: 'to',
        message: `config callers[${index}] (${c.from} → ${c.to}): ${JSON.stringify(c.to)} is not a Service in the inputs${near ? ` (did you mean ${near}?)` : ''}, so this declared call is dropped and no finding about it can be made. Fix: name the Service as svc.namespace[:port].`,
      });
    } else if (!workloads.has(from)) {
      out.push({
        index,
        field: 'from',
        message: `config callers[${index}] (${c.from} → ${c.to}): no workload ${from} is in the inputs, so mtls-lint cannot tell whether it has a sidecar and treats it as a client it knows nothing about. Fix the name (namespace/workload) if it is a typo; if the client runs outside these manifests, add its namespace to \`namespaces:\` so its sidecar is known.`,
      });
    }
  });
  return out;
}

/** A Service whose host differs from `host` only by a small typo, as svc.namespace. */
function nearestService(mesh: MeshModel, host: string, fromNamespace: string): string | undefined {
  const wanted = host.includes('.') ? host.split('.').slice(0, 2).join('.') : `${host}.${fromNamespace}`;
  let best: { name: string; d: number } | undefined;
  for (const s of mesh.services) {
    const name = `${s.name}.${s.namespace}`;
    const d = editDistance(wanted, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

/** Where `callers[index].field` is in the config file, as a finding's location (the file's start if unreadable). */
export function configLocation(
  options: ResolvedOptions,
  index: number,
  field: 'from' | 'to',
): Pick<Finding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> {
  const file = options.configFile ? displayPath(options.cwd, options.configFile) : '.mtls-lint.yaml';
  const start = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  if (!options.configFile) return start;
  try {
    const text = readFileSync(options.configFile, 'utf8').replace(/^\ufeff/, '');
    const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'silent' });
    if (!doc.contents) return start;
    const tree = buildPositionTree(doc.contents as Node, doc, text, 0);
    return { file, ...spanAt(lineStarts(text), ...locate(tree, ['callers', index, field])) };
  } catch {
    return start;
  }
}
