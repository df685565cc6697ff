import { lint } from '../engine.js';
import { formatGraph, formatMeshGraphs, GRAPH_FORMATS, type GraphFormat } from '../report/graph.js';
import { resolveOptions } from '../resolve-options.js';
import {
  checkInputs,
  checkMeshInputs,
  meshesWanted,
  COMMON_OPTIONS,
  EXIT_OK,
  noteIstioVersion,
  parse,
  readAll,
  readTraffic,
  TRAFFIC_HELP,
  TRAFFIC_OPTIONS,
  trafficInputs,
  UsageError,
  writeOutput,
  type CliIO,
} from './common.js';

const GRAPH_HELP = `Usage: mtls-lint graph [options] [path ...]

Print every known client → service:port connection with what the client sends, what the server accepts and the
outcome (mtls, plaintext, broken).

Options:
  -f, --format FORMAT     table|json|mermaid|dot (default: table)
      --possible          also show possible callers (any workload in the inputs) and stand-ins
  -o, --output-file FILE  write to FILE
  -n, --namespace NS      namespace for resources without one (default: default)
  -c, --config FILE       config file
      --istio-version X.Y Istio semantics to apply
      --mesh NAME         only this mesh of the config's meshes: (repeatable; default: all); in json each edge
                          names its mesh
${TRAFFIC_HELP}
`;

export async function runGraph(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    ...TRAFFIC_OPTIONS,
    possible: { type: 'boolean' },
    mesh: { type: 'string', multiple: true },
  });
  if (values.help) {
    io.stdout.write(GRAPH_HELP);
    return EXIT_OK;
  }
  const format = (values.format ?? 'table') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format))
    throw new UsageError(`--format ${JSON.stringify(format)} must be one of ${GRAPH_FORMATS.join(', ')}`);
  const options = resolveOptions({
    cwd: io.cwd,
    paths: positionals,
    namespace: values.namespace,
    istioVersion: values['istio-version'],
    configPath: values.config,
    ...trafficInputs(values),
  });
  noteIstioVersion(options, io);
  await readTraffic(options, io);
  const stdin = async () => readAll(io.stdin, options.limits.maxFileSize + 1);
  const meshes = meshesWanted(options, positionals, values.mesh);
  if (meshes) {
    const { lintMeshes } = await import('../diff/meshes.js');
    const all = await lintMeshes(options, { names: meshes, env: io.env, stdin });
    for (const run of all.meshes) checkMeshInputs(run, options);
    const graphs = all.meshes.map((m) => ({ mesh: m.name, graph: m.result.graph() }));
    await writeOutput(formatMeshGraphs(graphs, format, values.possible ?? false), values['output-file'], io);
    return EXIT_OK;
  }
  const result = await lint(options, { stdin });
  checkInputs(result, options);
  await writeOutput(formatGraph(result.graph(), format, values.possible ?? false), values['output-file'], io);
  return EXIT_OK;
}
