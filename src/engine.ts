// The pipeline, and nothing else: load → validate → model → graph → rules → findings.
import { loadInputs, type LoadedInputs, type ParseCache, type Resource } from './load/index.js';
import { hasSchemaErrors, validateResources } from './schema/validate.js';
import { buildMeshModel } from './mesh/build.js';
import { buildGraph } from './graph/build.js';
import { RULES } from '../rules/index.js';
import { applySuppressions } from './suppress.js';
import { RULE_INPUTS, type Rule, type RuleContext, type ReportDescriptor, type RuleInput } from './rule.js';
import type { MeshModel } from './mesh/model.js';
import type { ServerScope } from './graph/server-scope.js';
import type { Graph } from './graph/graph.js';
import type { ResolvedOptions } from './options.js';
import { SEVERITY_RANK, type Finding, type Severity, type Summary } from './types.js';

export interface LintResult {
  findings: Finding[];
  /** Findings silenced by an annotation or config; listed only with --show-suppressed. */
  suppressed: Finding[];
  summary: Summary;
  inputs: LoadedInputs;
  /** Built only if a rule (or the caller) asked for it. */
  mesh(): MeshModel;
  graph(): Graph;
}

export interface LintHooks {
  /** Read standard input for the path "-". */
  stdin?: () => Promise<Uint8Array>;
  cache?: ParseCache;
  /** Already loaded inputs (PR mode loads the base from git). */
  inputs?: LoadedInputs;
}

/** Which of several documents of one identity the analysis reads: a valid one before an invalid one. */
export const passesSchema = (r: Resource): boolean => !hasSchemaErrors(r);

export async function lint(options: ResolvedOptions, hooks: LintHooks = {}): Promise<LintResult> {
  const inputs =
    hooks.inputs ??
    (await loadInputs({
      paths: options.paths,
      cwd: options.cwd,
      namespace: options.namespace,
      ignore: options.config.ignore ?? [],
      configFile: options.configFile,
      limits: options.limits,
      stdin: hooks.stdin,
      cache: hooks.cache,
      isValid: passesSchema,
    }));
  return analyze(inputs, options);
}

export interface AnalyzeHow {
  /**
   * The findings are only compared, never shown (PR mode's base): they are made without related locations, which
   * cost a tenth of a large mesh's analysis and a third of its findings' memory.
   */
  forComparison?: boolean;
  /**
   * The head's analysis, and the servers beyond which these inputs do not differ from its inputs in effect
   * (diff/change-scope.ts): its workloads, services and the edges of other servers are taken as they are.
   */
  reuse?: { from: LintResult; scope: ServerScope };
}

/** Run every enabled rule over loaded inputs. Synchronous and pure: the same inputs give the same findings. */
export function analyze(
  inputs: LoadedInputs,
  options: ResolvedOptions,
  rules: readonly Rule[] = RULES,
  how: AnalyzeHow = {},
): LintResult {
  // Documents shadowed by another with their identity (load/objects.ts) are checked too, but only what the analysis
  // reads decides what the model leaves out: an invalid duplicate must not hide the valid one.
  const shadowed = inputs.shadowed ?? [];
  const schema = validateResources(shadowed.length ? [...inputs.resources, ...shadowed] : inputs.resources);
  const invalid = shadowed.length ? validateResources(inputs.resources).invalid : schema.invalid;
  let mesh: MeshModel | undefined;
  let graph: Graph | undefined;
  const reuse = how.reuse;
  const getMesh = () => (mesh ??= buildMeshModel(inputs.resources, options, invalid, reuse?.from.mesh()));
  const getGraph = () =>
    (graph ??= buildGraph(getMesh(), options, reuse && { graph: reuse.from.graph(), scope: reuse.scope }));

  const raw = checkRules(rules, options, {
    inputs,
    schemaFindings: () => schema.findings,
    mesh: getMesh,
    graph: getGraph,
    forComparison: how.forComparison ?? false,
  });

  const { kept, suppressed } = applySuppressions(dedupe(raw), inputs.resources, options);
  kept.sort(compareFindings);
  suppressed.sort(compareFindings);
  return {
    findings: kept,
    suppressed,
    summary: summarize(kept, suppressed.length, inputs),
    inputs,
    mesh: getMesh,
    graph: getGraph,
  };
}

interface RuleFacts extends Pick<RuleContext, 'inputs' | 'transitions'> {
  schemaFindings(): readonly Finding[];
  mesh(): MeshModel;
  graph(): Graph;
  forComparison: boolean;
}

/** Each enabled rule's findings, in the order reported, with the configured severity. */
function checkRules(rules: readonly Rule[], options: ResolvedOptions, facts: RuleFacts): Finding[] {
  const raw: Finding[] = [];
  for (const rule of rules) {
    const configured = options.config.rules?.[rule.meta.id];
    if (configured === 'off') continue;
    const override: Severity | undefined = configured;
    const push = (found: Finding) => {
      const f = facts.forComparison ? withoutRelated(found) : found;
      // A configured severity replaces the rule's own choice, including "one lower for possible callers".
      raw.push(override ? { ...f, severity: override } : f);
    };
    const deepest = Math.max(-1, ...rule.meta.needs.map((n) => RULE_INPUTS.indexOf(n)));
    const declared = (stage: RuleInput) => {
      if (RULE_INPUTS.indexOf(stage) > deepest)
        throw new RuleContractError(
          `rule ${rule.meta.id} reads the ${stage} stage, which its meta.needs does not declare`,
        );
    };
    const context: RuleContext = {
      options,
      get inputs() {
        declared('inputs');
        return facts.inputs;
      },
      get schemaFindings() {
        declared('schema');
        return facts.schemaFindings();
      },
      get mesh() {
        declared('mesh');
        return facts.mesh();
      },
      get graph() {
        declared('graph');
        return facts.graph();
      },
      relatedLocations: !facts.forComparison,
      report: (d) => push(toFinding(rule, d)),
      emit: (f) => push(f),
    };
    if (facts.transitions) Object.assign(context, { transitions: facts.transitions });
    // With forComparison, rules that list victims skip making their locations (relatedLocations), and a finding
    // from another rule loses them in push.
    try {
      rule.check(context);
    } catch (error) {
      // One rule's bug must not cost the user the other rules' findings; DEBUG=1 keeps the stack trace, and a rule
      // that breaks the framework's contract is a bug for its author, not a finding.
      if (process.env.DEBUG || error instanceof RuleContractError) throw error;
      raw.push(ruleFailure(rule, error));
    }
  }
  return raw;
}

/**
 * Run rules once more over a finished analysis, with what only the caller knows: PR mode hands the
 * connection-downgrade rule the transitions between base and head. Findings get the configured severity and the
 * suppressions, in the order the rules report them.
 */
export function checkWith(
  result: LintResult,
  options: ResolvedOptions,
  rules: readonly Rule[],
  transitions: readonly ReportDescriptor[],
): { kept: Finding[]; suppressed: Finding[] } {
  const raw = checkRules(rules, options, {
    inputs: result.inputs,
    schemaFindings: () => validateResources(result.inputs.resources).findings,
    mesh: result.mesh,
    graph: result.graph,
    forComparison: false,
    transitions,
  });
  return applySuppressions(raw, result.inputs.resources, options);
}

/** A rule read a stage its meta.needs does not declare. */
class RuleContractError extends Error {}

/** The finding that stands for a rule that threw: its findings on these inputs are incomplete. */
function ruleFailure(rule: Rule, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    rule: rule.meta.id,
    severity: 'error',
    message: `mtls-lint's rule ${rule.meta.id} failed on these inputs (internal error: ${reason}), so its findings are incomplete; the other rules ran. Please report it with the output of DEBUG=1 mtls-lint …, and turn the rule off meanwhile if it blocks you (rules: {${rule.meta.id}: off} in .mtls-lint.yaml).`,
    file: '',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    key: `${rule.meta.id}|internal-error`,
  };
}

function toFinding(rule: Rule, d: ReportDescriptor): Finding {
  const span = d.resource
    ? d.resource.span(d.path ?? [], { key: d.atKey })
    : d.location
      ? {
          line: d.location.line,
          column: d.location.column,
          endLine: d.location.endLine,
          endColumn: d.location.endColumn,
        }
      : { line: 1, column: 1, endLine: 1, endColumn: 1 };
  const file = d.resource?.file ?? d.location?.file ?? '';
  const where = d.resource ? `${d.resource.id}|${(d.path ?? []).join('.')}` : `${file}`;
  const finding: Finding = {
    rule: rule.meta.id,
    severity: d.severity ?? rule.meta.defaultSeverity,
    message: d.message,
    file,
    ...span,
    key: `${rule.meta.id}|${where}${d.keyDetail ? `|${d.keyDetail}` : ''}`,
  };
  if (d.resource) {
    finding.resource = d.resource.ref();
    if (d.resource.source) finding.source = d.resource.source;
  }
  if (d.edges?.length) finding.edges = d.edges;
  if (d.edgesOmitted) finding.edgesOmitted = d.edgesOmitted;
  if (d.related?.length) finding.related = d.related;
  if (d.relatedOmitted) finding.relatedOmitted = d.relatedOmitted;
  if (d.transition) finding.transition = d.transition;
  return finding;
}

function withoutRelated(f: Finding): Finding {
  if (!f.related) return f;
  const copy = { ...f };
  delete copy.related;
  delete copy.relatedOmitted;
  return copy;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.file}|${f.key}|${f.line}|${f.column}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

export function summarize(findings: Finding[], suppressed: number, inputs: LoadedInputs): Summary {
  const s: Summary = {
    errors: 0,
    warnings: 0,
    infos: 0,
    files: inputs.files.length,
    resources: inputs.resources.length,
    skipped: inputs.skipped,
    suppressed,
  };
  for (const f of findings) {
    if (f.severity === 'error') s.errors++;
    else if (f.severity === 'warning') s.warnings++;
    else s.infos++;
  }
  return s;
}

/** True when a finding should fail the run under --fail-on. */
export function failsThreshold(f: Finding, failOn: ResolvedOptions['failOn']): boolean {
  return failOn !== 'never' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn];
}
