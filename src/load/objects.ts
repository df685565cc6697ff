// Which document is the object. Kubernetes identifies an object by group, kind, namespace and name: several
// documents with one identity are one object in the cluster (the last one applied), and a partial document — a
// kustomize patch — is no object at all. The analysis reads one document per identity, never a partial or broken
// one in place of a complete one.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Finding } from '../types.js';
import { fileFinding } from './parsed-file.js';
import { describeResource, type Resource } from './resource.js';

/** File names kustomize reads as a kustomization. */
const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_NAMES.has(path.posix.basename(file));
}

/**
 * The files a kustomization names as patches (`patches`, `patchesStrategicMerge`, `patchesJson6902`), as display
 * paths beside the kustomization's own. Inline patches and remote ones name no file. A kustomization that does not
 * parse names nothing here (its own syntax error is reported where it is read).
 */
export function kustomizationPatchFiles(file: string, text: string): string[] {
  let value: unknown;
  try {
    value = parseYaml(text, { logLevel: 'silent', uniqueKeys: false });
  } catch {
    return [];
  }
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const dir = path.posix.dirname(file);
  const out: string[] = [];
  const add = (ref: unknown) => {
    // A strategic-merge entry may be an inline patch (several lines) rather than a file name.
    if (typeof ref !== 'string' || ref.includes('\n') || /^[a-z]+:\/\//i.test(ref)) return;
    out.push(path.posix.normalize(dir === '.' ? ref : `${dir}/${ref}`));
  };
  for (const field of ['patches', 'patchesStrategicMerge', 'patchesJson6902']) {
    const list = record[field];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (typeof entry === 'string') add(entry);
      else if (typeof entry === 'object' && entry !== null) add((entry as Record<string, unknown>).path);
    }
  }
  return out;
}

/** Kinds whose objects must carry a pod template: without one, the document can only be a patch. */
const TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

/** Kinds whose apps/v1 objects always carry spec.selector. */
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * What a workload document lacks that every object of its kind has (pod template, containers, an image per
 * container), or undefined when it is complete. Such a document is what a kustomize patch looks like; the API
 * server would refuse it on its own.
 */
function missingForKind(r: Pick<Resource, 'kind' | 'value'>): string | undefined {
  const podPath = Object.hasOwn(TEMPLATE_PATH, r.kind) ? TEMPLATE_PATH[r.kind] : undefined;
  if (!podPath) return undefined;
  // Only what is absent makes a patch; a field of the wrong type is a broken manifest (invalid-resource says so).
  let node: unknown = r.value;
  for (const [i, key] of podPath.entries()) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
    if (node === undefined || node === null) return podPath.slice(0, i + 1).join('.');
  }
  if (typeof node !== 'object' || Array.isArray(node)) return undefined;
  const containers = (node as Record<string, unknown>).containers;
  const at = `${podPath.join('.')}.containers`;
  if (containers === undefined || containers === null) return at;
  if (!Array.isArray(containers)) return undefined;
  // A container without an image is what a patch of one container looks like; in a document that also has its
  // selector it is more likely a broken manifest, and stays one.
  const spec = (r.value as Record<string, unknown>).spec as Record<string, unknown>;
  if (!SELECTOR_KINDS.has(r.kind) || (spec.selector !== undefined && spec.selector !== null))
    return undefined;
  for (const c of containers) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) continue;
    if ((c as Record<string, unknown>).image === undefined) return `${at}[].image`;
  }
  return undefined;
}

/** Group, kind, namespace and name: one identity is one object in the cluster. */
function identityOf(r: Resource): string {
  return `${r.group}\0${r.kind}\0${r.namespace ?? ''}\0${r.name}`;
}

export interface ObjectSelection {
  /** One document per identity, partial documents left out: what the analysis reads. */
  resources: Resource[];
  /** Documents with the identity of a used one that the analysis does not read (still schema-checked). */
  shadowed: Resource[];
  /** Partial documents (kustomize patches): not resources, not checked. */
  patches: number;
  diagnostics: Finding[];
}

/**
 * Choose the document the analysis reads for each identity, and leave patches out. Input order is kept. Among
 * several documents with one identity the last complete one without schema errors is used, as `kubectl apply -f`
 * over the same inputs (files in path order) leaves the last one in the cluster; an invalid document never masks a
 * valid one.
 */
export function selectObjects(
  all: Resource[],
  patchFiles: ReadonlySet<string>,
  isValid: (r: Resource) => boolean = () => true,
): ObjectSelection {
  const out: ObjectSelection = { resources: [], shadowed: [], patches: 0, diagnostics: [] };
  const patchesByFile = new Map<string, { first: Resource; count: number; why: string }>();
  const candidates: Resource[] = [];
  for (const r of all) {
    const listed = patchFiles.has(r.file);
    const missing = listed ? undefined : missingForKind(r);
    if (!listed && missing === undefined) {
      candidates.push(r);
      continue;
    }
    out.patches++;
    const seen = patchesByFile.get(r.file);
    if (seen) seen.count++;
    else
      patchesByFile.set(r.file, {
        first: r,
        count: 1,
        why: listed
          ? 'a kustomization in the inputs lists this file as a patch'
          : `it has no \`${missing}\`, which every ${r.kind} has`,
      });
  }
  for (const { first, count, why } of patchesByFile.values()) {
    const span = first.span([]);
    out.diagnostics.push(
      fileFinding(
        'input-error',
        first.file,
        span,
        `${count === 1 ? `${describeResource(first)} is` : `${count} documents here, from ${describeResource(first)} on, are`} a partial object, as a kustomize patch is (${why}), so mtls-lint did not read ${count === 1 ? 'it as a resource' : 'them as resources'}. To check what the cluster gets, lint the rendered output: \`kustomize build DIR | mtls-lint -\`.`,
        'kustomize-patch',
        'info',
      ),
    );
  }

  const byIdentity = new Map<string, Resource[]>();
  for (const r of candidates) {
    if (r.name === '') continue; // generateName: every apply makes a new object
    const key = identityOf(r);
    const list = byIdentity.get(key);
    if (list) list.push(r);
    else byIdentity.set(key, [r]);
  }
  const unused = new Set<Resource>();
  // One finding per set of places: three copies of a file of twelve objects are one thing to fix, not twelve.
  const groups = new Map<string, Duplicate[]>();
  for (const list of byIdentity.values()) {
    if (list.length < 2) continue;
    const valid = list.filter(isValid);
    const pool = valid.length ? valid : list;
    const used = pool[pool.length - 1]!;
    const others = list.filter((r) => r !== used);
    for (const r of others) unused.add(r);
    const key = `${list.map((r) => r.file).join('\0')}\0${used.file}`;
    const group = groups.get(key);
    const dup = { used, others, invalidOthers: valid.length > 0 && valid.length < list.length };
    if (group) group.push(dup);
    else groups.set(key, [dup]);
  }
  for (const group of groups.values()) out.diagnostics.push(duplicateFinding(group));
  for (const r of candidates) (unused.has(r) ? out.shadowed : out.resources).push(r);
  return out;
}

function place(r: Resource): string {
  return `${r.file}:${r.span([]).line}`;
}

interface Duplicate {
  used: Resource;
  others: Resource[];
  invalidOthers: boolean;
}

/** Objects named in one duplicate-resource message; the rest are counted. */
const LISTED = 5;

function duplicateFinding(group: Duplicate[]): Finding {
  const [first] = group as [Duplicate];
  const at = first.others[first.others.length - 1]!;
  const invalidOthers = group.some((d) => d.invalidOthers);
  const how = invalidOthers
    ? 'the others have schema errors (see invalid-resource) and the API server would refuse them; a document with errors never replaces a valid one'
    : 'it comes last in input order (paths as given, directories in name order), as `kubectl apply -f` over these inputs leaves the last one applied in the cluster';
  const span = at.span(['metadata', 'name']);
  const related = [first.used, ...first.others.filter((o) => o !== at)].map((r) => {
    const s = r.span(['metadata', 'name']);
    return {
      file: r.file,
      line: s.line,
      column: s.column,
      message: r === first.used ? `the ${r.kind} the analysis used` : `another ${r.kind} with this identity`,
    };
  });
  const names = group.map((d) => describeResource(d.used));
  const listed =
    names.slice(0, LISTED).join(', ') + (names.length > LISTED ? ` and ${names.length - LISTED} more` : '');
  const what =
    group.length === 1
      ? `${first.others.length + 1} documents define ${describeResource(first.used)} (${first.used.group || 'core'} group), which is one object in a cluster: ${[...first.others, first.used].map(place).join(', ')}. mtls-lint analysed the one at ${place(first.used)}`
      : `${group.length} objects are each defined ${first.others.length + 1} times, in ${[...new Set([...first.others, first.used].map((r) => r.file))].join(', ')}: ${listed}. One object per identity (group, kind, namespace, name) is what a cluster holds; mtls-lint analysed the ones in ${first.used.file} (${describeResource(first.used)} at ${place(first.used)})`;
  // Documents without metadata.namespace take it from `kubectl apply -n`: applied to different namespaces they are
  // different objects (demo steps per namespace), so the collision is only certain when one of them names it.
  const implicit = group.every((d) =>
    [d.used, ...d.others].every((r) => r.namespace !== undefined && !r.namespaceExplicit),
  );
  const implicitNote = implicit
    ? ` None of them sets metadata.namespace: if they are applied to different namespaces (\`kubectl apply -n\`) they are different objects, and linting each with its own --namespace checks them all.`
    : '';
  const finding: Finding = {
    rule: 'duplicate-resource',
    severity: implicit ? 'info' : 'warning',
    message: `${what}: ${how}. Which definition the cluster holds depends on which is applied last.${implicitNote} Fix: keep one definition per object (put environments or demo steps in their own directories and lint each), or lint the rendered output.`,
    file: at.file,
    ...span,
    key: `duplicate-resource|${first.used.id}|${first.used.group}`,
    resource: at.ref(),
    related,
  };
  if (at.source) finding.source = at.source;
  return finding;
}

const API_VERSION_KEY = /(?:^|[{,\s-])["']?apiVersion["']?[ \t]*:/m;
// A Kubernetes kind is CamelCase (`kind: Deployment`); a lower-case one is someone else's (VS Code tasks'
// `"kind": "build"`). Anything else (a broken `kind: [`, a value on the next line) may still be a manifest.
const KIND_KEY = /(?:^|[{,\s-])["']?kind["']?[ \t]*:(?![ \t]*["']?[a-z])/m;

/**
 * A file with YAML syntax errors that holds nothing that looks like a Kubernetes object (no `apiVersion` and
 * `kind` key anywhere in it, no object read from it) is data or documentation that happens to end in .yaml/.json
 * (JSON-lines, a README snippet with duplicate keys): its syntax errors become info, as kubectl would never be given
 * it. A broken manifest stays an error.
 */
export function quietNonManifest<T extends { resources: unknown[]; diagnostics: Finding[] }>(
  parsed: T,
  text: string,
): T {
  if (parsed.resources.length > 0) return parsed;
  if (!parsed.diagnostics.some((d) => d.rule === 'yaml-syntax' && d.severity !== 'info')) return parsed;
  // Either key is enough to keep the error: a manifest cut short before its apiVersion is still a manifest.
  if (API_VERSION_KEY.test(text) || KIND_KEY.test(text)) return parsed;
  return {
    ...parsed,
    diagnostics: parsed.diagnostics.map((d) =>
      d.rule === 'yaml-syntax' && d.severity !== 'info'
        ? {
            ...d,
            severity: 'info' as const,
            message: `${d.message} Nothing in this file looks like a Kubernetes object (no apiVersion or kind key), so this is reported as info; add the file to \`ignore:\` in .mtls-lint.yaml if it is not a manifest.`,
          }
        : d,
    ),
  };
}

/** Files named in the templates finding; the rest are counted. */
const LISTED_TEMPLATES = 10;

/**
 * One info for the whole run listing the unrendered templates that were skipped (Helm chart templates, Jinja or
 * envsubst files): they are counted in the summary, and this says which and why, so that no policy is skipped
 * unseen.
 */
export function templatesFinding(templates: { file: string; line: number; reason: string }[]): Finding {
  const byFile = new Map<string, { line: number; reason: string; count: number }>();
  for (const t of templates) {
    const seen = byFile.get(t.file);
    if (seen) seen.count++;
    else byFile.set(t.file, { line: t.line, reason: t.reason, count: 1 });
  }
  const entries = [...byFile.entries()];
  const listed = entries
    .slice(0, LISTED_TEMPLATES)
    .map(([file, t]) => `${file}:${t.line}${t.count > 1 ? ` (${t.count} documents)` : ''}: ${t.reason}`)
    .join('; ');
  const more =
    entries.length > LISTED_TEMPLATES ? `; and ${entries.length - LISTED_TEMPLATES} more files` : '';
  const [file, first] = entries[0]!;
  return fileFinding(
    'input-error',
    file,
    { line: first.line, column: 1, endLine: first.line, endColumn: 1 },
    `${templates.length} document${templates.length === 1 ? ' is an unrendered template' : 's are unrendered templates'} and ${templates.length === 1 ? 'was' : 'were'} skipped: ${listed}${more}. They become manifests only when rendered; to check them, lint the rendered output (\`helm template … | mtls-lint -\`, or the output of your templating step).`,
    'unrendered-templates',
    'info',
  );
}
