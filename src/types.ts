// Types shared by every stage of the pipeline (load → model → graph → rules → report).
// The JSON output contract is built from these; field names here are public (see README "JSON").

export type Severity = 'error' | 'warning' | 'info';
export type SeverityOrOff = Severity | 'off';

export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** A 1-based source range. endColumn is exclusive, as in ESLint and SARIF. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Path into a resource's JSON value: map keys are strings, sequence indexes numbers. */
export type FieldPath = readonly (string | number)[];

export interface ResourceRef {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
}

export interface RelatedLocation {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type CallerKind = 'declared' | 'observed' | 'inferred' | 'possible';

export interface EdgeRef {
  client: { namespace: string; workload: string; kind: string };
  server: { namespace: string; service: string; port: number };
  caller: CallerKind;
  /** PR mode: this connection's state in the base and the head, when the change made it worse. */
  transition?: { from: string; to: string };
}

export interface Finding extends Span {
  rule: string;
  severity: Severity;
  message: string;
  /** Path relative to the working directory (the repository root in the action), forward slashes. */
  file: string;
  resource?: ResourceRef;
  edges?: EdgeRef[];
  /** How many more edges the finding has than `edges` lists (the list is capped); absent when none. */
  edgesOmitted?: number;
  related?: RelatedLocation[];
  /** How many more related locations there are than `related` lists; absent when none. */
  relatedOmitted?: number;
  /** PR mode: true when the base did not have this finding. */
  new?: boolean;
  /** PR mode: the edge's state in the base and head, for transitions. */
  transition?: { from: string; to: string };
  /** Present when an inline annotation or config suppressed the finding (only shown with --show-suppressed). */
  suppressed?: { reason: string; by: string };
  /** Stable identity used to match findings across base and head, and for SARIF fingerprints. Not line-based. */
  key: string;
  /** Helm `# Source:` template that produced the resource, when known. */
  source?: string;
  /** Config `meshes:`: the name of the mesh (input set) the finding is about; absent without `meshes:`. */
  mesh?: string;
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  files: number;
  resources: number;
  /** YAML documents that are not Kubernetes objects (values files, workflows, templates) and were skipped. */
  skipped: number;
  suppressed: number;
  newErrors?: number;
  newWarnings?: number;
  /**
   * PR mode against a git ref: manifests in the head that git does not track (generated or ignored files), left out
   * of the comparison; `--untracked compare` compares them against nothing instead. Absent when there are none.
   */
  notCompared?: string[];
}
