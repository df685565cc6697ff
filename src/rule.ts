// The rule framework: what a rule module in rules/ exports, and what it gets to look at.
// A rule declares the inputs it needs; the engine loads, validates, models and reports (istioctl-analyzer style).
import type { LoadedInputs, Resource } from './load/index.js';
import type { MeshModel } from './mesh/model.js';
import type { Graph } from './graph/graph.js';
import type { EdgeRef, FieldPath, Finding, RelatedLocation, Severity } from './types.js';
import type { ResolvedOptions } from './options.js';

/** The pipeline's stages, each built on the one before (the engine's order). */
export const RULE_INPUTS = ['inputs', 'schema', 'mesh', 'graph'] as const;
export type RuleInput = (typeof RULE_INPUTS)[number];

export interface RuleMeta {
  /** Public contract: never rename. */
  id: string;
  defaultSeverity: Severity;
  /** One line, shown in the README table and in SARIF shortDescription. */
  summary: string;
  /** Markdown: what it catches, why it matters, a failing and a fixed example, options, related codes. */
  docs: string;
  /** istioctl analyze / Kiali codes that cover related ground. */
  relatedCodes?: string[];
  /** GitHub code scanning security-severity (0.0–10.0) for rules that flag a security weakness. */
  securitySeverity?: string;
  /**
   * The stages the rule reads: one means that stage and those below it (a 'graph' rule may read the mesh model and the
   * inputs too). The engine refuses a read beyond them, so the declaration is what the rule does.
   */
  needs: RuleInput[];
}

export interface ReportDescriptor {
  message: string;
  /** The resource the finding points at (and whose `mtls-lint.io/ignore` annotation can suppress it). */
  resource?: Resource;
  /** Field of `resource` to point at; defaults to the resource's start. */
  path?: FieldPath;
  /** Point at the key of the last path segment (unknown fields, misplaced keys). */
  atKey?: boolean;
  /** Where the finding is when it has no resource (a file-level problem). */
  location?: Pick<Finding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'>;
  severity?: Severity;
  edges?: EdgeRef[];
  /** Edges past the list's cap (Finding.edgesOmitted). */
  edgesOmitted?: number;
  related?: RelatedLocation[];
  relatedOmitted?: number;
  /** Identity beyond rule+resource+path, so that two findings on one field stay distinct (e.g. the edge). */
  keyDetail?: string;
  transition?: Finding['transition'];
}

export interface RuleContext {
  readonly options: ResolvedOptions;
  readonly inputs: LoadedInputs;
  /** Findings of the schema pass (invalid-resource); computed once by the engine. */
  readonly schemaFindings: readonly Finding[];
  /** The mesh model (built on first use). */
  readonly mesh: MeshModel;
  /** Client → service edges with outcomes (built on first use). */
  readonly graph: Graph;
  /**
   * False when the findings are only compared, never shown (PR mode's base): rules then skip making related
   * locations (victimLocations returns none), which cost a tenth of a large mesh's analysis.
   */
  readonly relatedLocations: boolean;
  /**
   * PR mode only: connections the change makes worse that no other finding reports, as findings for the
   * connection-downgrade rule to report (src/diff/transitions.ts compares the base's and the head's graphs).
   */
  readonly transitions?: readonly ReportDescriptor[];
  report(descriptor: ReportDescriptor): void;
  /** Pass a finding made elsewhere (loader, schema) through unchanged but for severity overrides. */
  emit(finding: Finding): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** A related location pointing at a resource's field, with a message. */
export function relatedAt(resource: Resource, path: FieldPath, message: string): RelatedLocation {
  const span = resource.span(path);
  return { file: resource.file, line: span.line, column: span.column, message };
}
