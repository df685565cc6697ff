// `mtls-lint convert [paths]`: write PeerAuthentication equivalents of legacy Policies and MeshPolicies.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lint, type LintResult } from '../engine.js';
import { resolveOptions } from '../resolve-options.js';
import {
  checkInputs,
  checkMeshInputs,
  COMMON_OPTIONS,
  EXIT_FINDINGS,
  EXIT_OK,
  meshesWanted,
  noteIstioVersion,
  parse,
  readAll,
  UsageError,
  writeOutput,
  type CliIO,
} from '../cli/common.js';
import { releaseOf } from '../mesh/releases.js';
import { oneLine, quoteName } from '../escape.js';
import { convertMesh, renderPolicy, type ConversionNote, type ConvertedPolicy } from '../mesh/convert.js';

const CONVERT_OPTIONS = {
  namespace: COMMON_OPTIONS.namespace,
  config: COMMON_OPTIONS.config,
  'istio-version': COMMON_OPTIONS['istio-version'],
  help: COMMON_OPTIONS.help,
  'out-dir': { type: 'string' },
} as const;

export const CONVERT_HELP = `Usage: mtls-lint convert [options] [path ...]

Write the PeerAuthentication equivalents of authentication.istio.io/v1alpha1 Policy and MeshPolicy resources
(Istio 1.0–1.5; ignored from 1.6). Targets become selectors (from each Service's selector), service ports become
container (target) ports under portLevelMtls, MeshPolicy "default" becomes a PeerAuthentication in the root
namespace, \`mtls: {}\` / \`mtls:\` become STRICT, and a policy without an mtls peer becomes DISABLE (a legacy
sidecar accepted plaintext only). Include the Services and workloads the Policies target in the inputs.

With config \`meshes:\` and no path arguments, each mesh is converted on its own (a MeshPolicy of one mesh does not
apply to another): stdout has a \`# mesh NAME\` comment before each mesh's policies, --out-dir writes DIR/NAME/….

Where no PeerAuthentication does the same (a Service without selector, two Services with different policies over
the same pods, competing policies without creationTimestamp), it says so on stderr instead of guessing.

Options:
      --out-dir DIR       write one file per source file under DIR (same relative path) instead of stdout
  -n, --namespace NS      namespace for resources without one (default: default)
  -c, --config FILE       config file (mesh.rootNamespace is where MeshPolicy's replacement goes)
      --istio-version X.Y the release to convert for (default: newest; apiVersion security.istio.io/v1 from
                          1.22, v1beta1 for 1.5–1.21)
  -h, --help              this help

Exit codes: 0 everything converted (or nothing to convert); 1 something could not be converted faithfully (see
stderr); 2 usage error.
`;

export async function runConvert(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, CONVERT_OPTIONS);
  if (values.help) {
    io.stdout.write(CONVERT_HELP);
    return EXIT_OK;
  }
  const options = resolveOptions({
    cwd: io.cwd,
    paths: positionals,
    namespace: values.namespace,
    istioVersion: values['istio-version'],
    configPath: values.config,
  });
  noteIstioVersion(options, io);
  const release = releaseOf(options.istioVersion);
  if (!release.has('peer-authentication')) {
    throw new UsageError(
      `PeerAuthentication exists from Istio 1.5; --istio-version ${options.istioVersion.text} has only the legacy API. Convert for 1.5 or later.`,
    );
  }
  const stdin = async () => readAll(io.stdin);
  // Config `meshes:` (and no path arguments): each mesh is converted on its own, as it is linted on its own; a
  // MeshPolicy of one mesh says nothing about another's services. Output is per mesh: a `# mesh NAME` comment on
  // stdout, DIR/NAME/… with --out-dir.
  const meshNames = meshesWanted(options, positionals, undefined);
  const sets: { mesh?: string; result: LintResult }[] = [];
  if (meshNames) {
    const { lintMeshes } = await import('../diff/meshes.js');
    const all = await lintMeshes(options, { names: meshNames, env: io.env, stdin });
    for (const run of all.meshes) {
      checkMeshInputs(run, options);
      sets.push({ mesh: run.name, result: run.result });
    }
  } else {
    const result = await lint(options, { stdin });
    checkInputs(result, options);
    sets.push({ result });
  }

  let converted = 0;
  let unconverted = false;
  const texts: string[] = [];
  for (const { mesh, result } of sets) {
    const c = convertResult(result, release);
    const prefix = mesh === undefined ? '' : `mesh ${JSON.stringify(mesh)}: `;
    for (const n of c.notes) io.stderr.write(`mtls-lint convert: ${prefix}${noteText(n)}\n`);
    unconverted ||= c.notes.some((n) => n.unconverted);
    if (!c.legacy && !c.invalidLegacy) {
      if (mesh !== undefined)
        io.stderr.write(
          `mtls-lint convert: ${prefix}no authentication.istio.io Policy or MeshPolicy; nothing to convert.\n`,
        );
      continue;
    }
    converted++;
    if (values['out-dir'] !== undefined) {
      const outDir = path.resolve(io.cwd, values['out-dir'], mesh === undefined ? '' : safeRelative(mesh));
      const byFile = new Map<string, ConvertedPolicy[]>();
      for (const p of c.policies) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
      for (const [file, list] of byFile) {
        const target = path.join(outDir, safeRelative(file));
        try {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, list.map(renderPolicy).join('---\n'));
        } catch (err) {
          throw new UsageError(
            `cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          );
        }
        const shown = path.relative(io.cwd, target);
        io.stderr.write(
          `mtls-lint convert: ${prefix}wrote ${quoteName(shown && !shown.startsWith('..') ? shown : target)} (${list.length} PeerAuthentication${list.length === 1 ? '' : 's'})\n`,
        );
      }
    } else if (c.policies.length) {
      const body = c.policies.map(renderPolicy).join('---\n');
      texts.push(mesh === undefined ? body : `# mesh ${oneLine(mesh)}\n${body}`);
    }
  }
  if (!converted && sets.length === 1 && sets[0]!.mesh === undefined) {
    io.stderr.write(
      'mtls-lint convert: no authentication.istio.io Policy or MeshPolicy in the inputs; nothing to convert.\n',
    );
    return EXIT_OK;
  }
  if (texts.length) await writeOutput(texts.join('---\n'), undefined, io);
  return unconverted ? EXIT_FINDINGS : EXIT_OK;
}

/** One input set's conversion, with notes for legacy resources the model could not read. */
function convertResult(
  result: LintResult,
  release: ReturnType<typeof releaseOf>,
): { policies: ConvertedPolicy[]; notes: ConversionNote[]; legacy: number; invalidLegacy: boolean } {
  const mesh = result.mesh();
  const conversion = convertMesh(mesh, { targetVersion: release });
  const notes: ConversionNote[] = [...conversion.notes];

  // Legacy resources with schema errors are not in the model: say so rather than skip them silently.
  const modelled = new Set(mesh.resources);
  for (const r of result.inputs.resources) {
    if (
      r.group !== 'authentication.istio.io' ||
      (r.kind !== 'Policy' && r.kind !== 'MeshPolicy') ||
      modelled.has(r)
    )
      continue;
    const problems = result.findings.filter(
      (f) =>
        f.rule === 'invalid-resource' &&
        f.file === r.file &&
        f.resource?.name === r.name &&
        f.resource.kind === r.kind,
    );
    const first = problems[0];
    notes.push({
      resource: r,
      path: ['metadata', 'name'],
      unconverted: true,
      message: `not converted: it is not a valid ${r.kind}${first ? ` (${first.file}:${first.line}: ${first.message.replace(/\.$/, '')})` : ''}. Fix it and convert again.`,
    });
  }
  const invalidLegacy = notes.some((n) => n.resource !== undefined && !modelled.has(n.resource));
  return { policies: conversion.policies, notes, legacy: conversion.legacy.length, invalidLegacy };
}

function noteText(n: ConversionNote): string {
  if (!n.resource) return `note: ${oneLine(n.message)}`;
  const r = n.resource;
  const span = r.span(n.path ?? []);
  const name = r.namespace === undefined ? `${r.kind} ${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
  // The line starts with a file name from the inputs; stderr is read for workflow commands too.
  return `${quoteName(r.file)}:${span.line}:${span.column}: ${n.unconverted ? 'not converted' : 'note'}: ${oneLine(`${name}: ${n.message.replace(/^not converted: /, '')}`)}`;
}

/** A display path as a path under --out-dir: no "..", no root, stdin gets a name. */
function safeRelative(file: string): string {
  if (file === '<stdin>' || file === '-') return 'stdin.yaml';
  const parts = file.split(/[\\/]+/).filter((p) => p && p !== '.' && p !== '..' && !/^[A-Za-z]:$/.test(p));
  return parts.length ? parts.join(path.sep) : 'converted.yaml';
}
