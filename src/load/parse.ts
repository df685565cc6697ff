import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node,
  type Scalar,
  type YAMLError,
} from 'yaml';
import type { Finding, Span } from '../types.js';
import { buildPositionTree, isMergeKey, lineStarts, locate, spanAt, type PositionTree } from './positions.js';
import { parseSimpleDocument } from './simple-yaml.js';
import {
  KUBE_YAML_OPTIONS,
  hasGoOnlyBreaks,
  normalizeBreaks,
  plainJsonKey,
  separatorOffsets,
} from './kube-yaml.js';
import {
  CLUSTER_SCOPED_KINDS,
  SourceLocator,
  apiGroupVersion,
  hydrateResource,
  type Resource,
  type ResourceData,
} from './resource.js';

export interface ParseLimits {
  /** Documents per file; the rest of the file is reported and not checked. */
  maxDocuments: number;
  /** Aliases resolved per document (the yaml package's weighted count; guards against "billion laughs"). */
  maxAliasCount: number;
  /** Nesting depth of collections; deeper documents are refused before the recursive parts of the parser run. */
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxDocuments: 20_000, maxAliasCount: 100, maxDepth: 200 };

/**
 * A document's values after aliases and `<<` merges are expanded may hold at most this many nodes per node
 * written in the source (plus EXPANSION_SLACK): a few large anchors referenced many times are a memory bomb
 * that yaml's alias count alone does not see.
 */
const EXPANSION_FACTOR = 10;
const EXPANSION_SLACK = 10_000;

export interface ParsedFile {
  resources: Resource[];
  diagnostics: Finding[];
  /** Documents that were not Kubernetes objects (values files, workflows, Chart.yaml, templates). */
  skipped: number;
  /** Documents seen, Kubernetes or not. */
  documents: number;
  /** Skipped documents that are unrendered templates: where each starts and which templating it shows. */
  templates?: SkippedTemplate[];
}

interface SkippedTemplate {
  line: number;
  reason: string;
}

/** A parsed file as plain data (what a worker thread posts back): resources with position trees, not closures. */
export interface ParsedFileData extends Omit<ParsedFile, 'resources'> {
  resources: ResourceData[];
  /** Where each line of the file starts: the resources' spans need it, not the text. */
  lines: Int32Array;
}

/** The resources of a parsed file, able to say where their fields are. */
export function hydrateParsed(data: ParsedFileData): ParsedFile {
  return {
    resources: data.resources.map((r) => hydrateResource(r, data.lines)),
    diagnostics: data.diagnostics,
    skipped: data.skipped,
    documents: data.documents,
    ...(data.templates ? { templates: data.templates } : {}),
  };
}

/** Findings raised while reading input: they carry no resource, only a place in a file. */
export function fileFinding(
  rule: string,
  file: string,
  span: Span,
  message: string,
  keyDetail: string,
  severity: Finding['severity'] = 'error',
): Finding {
  return { rule, severity, message, file, ...span, key: `${rule}|${file}|${keyDetail}` };
}

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;
/** Template actions of Go/Helm, Jinja/Ansible and Mustache (`{{ … }}`), and Jinja statements (`{% … %}`). */
const GO_TEMPLATE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/;
/** A template action where YAML sees structure: at a line start or as a value (`key: {{ … }}`, `- {{ … }}`). */
const STRUCTURAL_TEMPLATE = /(?:^[ \t]*|[:-][ \t]+)\{[{%]/m;
/**
 * A placeholder no Kubernetes name or namespace can hold: `{{ x }}` (Helm, Jinja, Ansible), `{% … %}`, `${VAR}` and
 * `$VAR` (envsubst, shell), `<%= x %>` (ERB), `<name>`. Such a document is an unrendered template, not an object.
 */
const PLACEHOLDER = /\{\{|\{%|\$\{|\$[A-Za-z_]|<%|<[A-Za-z_-]+>/;

function templateStyle(text: string): string {
  return /\$\{|\$[A-Za-z_]/.test(text) && !/\{\{/.test(text)
    ? 'an envsubst/shell placeholder'
    : /<%/.test(text)
      ? 'an ERB placeholder'
      : /\{\{|\{%/.test(text)
        ? 'a Go/Helm or Jinja/Ansible template'
        : 'a placeholder';
}

/** Count a skipped template document and say where it is and why (the loader lists them in one finding). */
function skipTemplate(out: ParsedFileData, lines: Int32Array, offset: number, reason: string): void {
  out.skipped++;
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  (out.templates ??= []).push({ line: lo + 1, reason });
}

/**
 * Parse one file's text into resources. Never throws: every problem becomes a finding at the parser's position,
 * and the documents that parsed are still returned.
 *
 * Each YAML document (the text between `---` lines) is parsed on its own, so that an unclosed quote or bracket
 * cannot swallow the documents after it, and a pre-scan refuses absurdly nested documents before yaml's
 * recursive composer sees them (a 2 MB file of `[` takes yaml 6 s and 1.2 GB; 16 MB exhausts the heap).
 */
export function parseManifestText(
  text: string,
  file: string,
  defaultNamespace: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParsedFile {
  return hydrateParsed(parseManifestData(text, file, defaultNamespace, limits));
}

/** parseManifestText as plain data (structured-clone safe), for worker threads. */
export function parseManifestData(
  text: string,
  file: string,
  defaultNamespace: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParsedFileData {
  // A byte order mark at the start of the file or of a concatenated file's first line is not content.
  if (text.includes('\ufeff')) text = text.replace(/^\ufeff/gm, '');
  const out: ParsedFileData = {
    resources: [],
    diagnostics: [],
    skipped: 0,
    documents: 0,
    lines: lineStarts(text),
  };
  // (An unrendered template, `{{- if … }}`, is left to the template handling below.)
  const notJson = JSON_START.test(text) && !GO_TEMPLATE.test(text) ? jsonStreamProblem(text) : undefined;
  if (notJson) {
    // apimachinery's YAMLOrJSONDecoder reads a stream that starts with `{` as JSON, never as YAML.
    out.diagnostics.push(
      fileFinding(
        'yaml-syntax',
        file,
        new SourceLocator(text, out.lines).spanOf(notJson.at, notJson.at + 1),
        `This file starts with \`{\`, so kubectl reads it as JSON, and it is not JSON (${notJson.message}): \`kubectl apply -f\` fails on it and applies nothing from it. mtls-lint did not check it. Write it as JSON (quoted keys and strings), or start it with a \`---\` line to make it YAML.`,
        'not-json',
      ),
    );
    return out;
  }
  // One pass over the file for go-yaml's extra line breaks; the common file has none and skips the rest.
  const goBreaksInFile = hasGoOnlyBreaks(text);
  const hidden = goBreaksInFile ? text.search(/[\u0085\u2028\u2029]/) : -1;
  if (hidden >= 0) {
    const name = {
      0x85: 'NEL (U+0085)',
      0x2028: 'LINE SEPARATOR (U+2028)',
      0x2029: 'PARAGRAPH SEPARATOR (U+2029)',
    }[text.charCodeAt(hidden)];
    out.diagnostics.push(
      fileFinding(
        'yaml-syntax',
        file,
        new SourceLocator(text, out.lines).spanOf(hidden, hidden + 1),
        `This file breaks lines with ${name}: kubectl (YAML 1.1) reads it as a line break, and mtls-lint does too, but editors, diff views and YAML 1.2 tools may show one line (a comment line can hide the object after it from review). Use plain line breaks.`,
        'hidden-line-break',
        'info',
      ),
    );
  }
  try {
    parseInto(text, file, defaultNamespace, limits, out, goBreaksInFile);
  } catch (err) {
    // Defensive: a bug here must cost one file, not the run.
    out.diagnostics.push(
      fileFinding(
        'yaml-syntax',
        file,
        FIRST_LINE,
        `File could not be read as YAML: ${errorText(err)}.`,
        'parse-crash',
      ),
    );
  }
  return out;
}

const FIRST_LINE: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };
const JSON_START = /^\s*\{/;

/**
 * Whether a text that starts with `{` is a stream of JSON values, as Go's json.Decoder reads one (values one after
 * another, whitespace between): where and why not, if it is not.
 */
function jsonStreamProblem(text: string): { at: number; message: string } | undefined {
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    while (pos < n && /\s/.test(text[pos]!)) pos++;
    if (pos >= n) return undefined;
    const start = pos;
    let end = pos;
    const c = text[pos];
    if (c === '{' || c === '[') {
      let depth = 0;
      for (; end < n; end++) {
        const d = text[end];
        if (d === '"') {
          for (end++; end < n && text[end] !== '"'; end++) if (text[end] === '\\') end++;
        } else if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      end++;
    } else while (end < n && !/[\s{[]/.test(text[end]!)) end++;
    try {
      JSON.parse(text.slice(start, end));
    } catch (err) {
      return { at: start, message: errorText(err) };
    }
    pos = end;
  }
  return undefined;
}

function parseInto(
  text: string,
  file: string,
  defaultNamespace: string,
  limits: ParseLimits,
  out: ParsedFileData,
  goBreaksInFile: boolean,
): void {
  const fileLocator = new SourceLocator(text, out.lines);
  const segments = scanSegments(text, limits.maxDepth);

  for (const segment of segments) {
    if (segment.stop) {
      // kubectl apply stops reading the file here (cli-runtime's StreamVisitor returns the decoder's error): what
      // it decoded before is applied, nothing after.
      const at = segment.start;
      const { kind, line } = segment.stop;
      const why =
        kind === 'separator'
          ? `\`${line}\` is not a document separator for kubectl: a line that starts with \`---\` may only have spaces or a comment after it ("invalid Yaml document separator"). kubectl stops reading the file here, and the document just above this line is lost too`
          : `kubectl cannot read the directive \`${line}\`: it splits files at \`---\` lines, which leaves the directive alone in a document go-yaml refuses ("did not find expected <document start>"${/^%YAML\s+1\.[02-9]/.test(line) ? `; go-yaml also reads only YAML 1.1` : ''}). kubectl stops reading the file here`;
      out.diagnostics.push(
        fileFinding(
          'yaml-syntax',
          file,
          fileLocator.spanOf(at, at + Math.max(1, Math.min(line.length, 3))),
          `${why}: none of the documents from here to the end of the file are applied, and mtls-lint did not check them either. ${kind === 'separator' ? 'Put the content on the next line.' : 'Delete the directive line.'}`,
          `kubectl-stops|${kind}|${line}`,
        ),
      );
      return;
    }
    if (segment.deepAt !== undefined) {
      if (out.documents >= limits.maxDocuments)
        return tooManyDocuments(out, file, fileLocator, segment.start, limits);
      out.documents++;
      out.diagnostics.push(
        fileFinding(
          'input-error',
          file,
          fileLocator.spanOf(segment.deepAt, segment.deepAt + 1),
          `YAML nested deeper than ${limits.maxDepth} levels (limits.maxDepth); this document was not checked. No Kubernetes object nests that deep: is the file generated or hostile?`,
          `max-depth|${lineText(text, segment.deepAt)}`,
        ),
      );
      continue;
    }
    if (!segment.content) continue;
    let chunk = text.slice(segment.start, segment.end);
    // go-yaml also breaks lines at a lone CR, NEL, LS and PS (kubectl's split at `---` lines only sees LF).
    const goBreaks = goBreaksInFile && hasGoOnlyBreaks(chunk);
    if (goBreaks) chunk = normalizeBreaks(chunk);
    const locator = new SourceLocator(text, out.lines, segment.start);
    // Most documents are plain YAML that the simple reader reads exactly and ~10x faster; the rest go to yaml.
    const simple =
      out.documents < limits.maxDocuments &&
      !(goBreaks && /[\u2028\u2029]/.test(text.slice(segment.start, segment.end)))
        ? parseSimpleDocument(chunk, segment.start, limits.maxDepth)
        : undefined;
    if (simple) {
      out.documents++;
      const helmSource = HELM_SOURCE.exec(text.slice(segment.start, simple.rootStart))?.[1];
      const { positions } = simple;
      const context = {
        file,
        text,
        locator,
        defaultNamespace,
        limits,
        helmSource,
        hasTemplate: false,
        positions,
      };
      collectResources(simple.value, [], out, context);
      continue;
    }
    const all = parseAllDocuments(chunk, KUBE_YAML_OPTIONS);
    if (!Array.isArray(all)) continue; // only comments or blank
    // kubectl decodes only the first YAML document between two `---` lines (sigs.k8s.io/yaml reads one).
    const docs = all.slice(0, 1);
    const ignored = all.slice(1).find((d) => d.contents !== null || d.errors.length > 0);
    if (ignored) {
      const at = ignored.contents?.range?.[0] ?? ignored.range[0];
      const f = fileFinding(
        'yaml-syntax',
        file,
        locator.spanOf(at, at + 1),
        `kubectl never applies this: it splits a file only at lines that start with \`---\` and reads the first YAML document of each part, and this one follows a document end (\`...\`${goBreaks ? ', or a line break only YAML 1.1 readers see' : ''}) without a \`---\` line. mtls-lint ignores it too. If it should be applied, start it with a \`---\` line.`,
        `ignored-document|${lineText(chunk, at)}`,
        'warning',
      );
      out.diagnostics.push(f);
    }
    const lsPs = goBreaks ? separatorOffsets(text.slice(segment.start, segment.end)) : [];
    let previousEnd = 0;
    for (const doc of docs) {
      if (out.documents >= limits.maxDocuments) {
        return tooManyDocuments(out, file, fileLocator, segment.start + doc.range[0], limits);
      }
      out.documents++;
      try {
        checkDocument(
          doc,
          chunk,
          previousEnd,
          { file, text, locator, defaultNamespace, limits, helmSource: undefined, lsPs },
          out,
        );
      } catch (err) {
        out.diagnostics.push(
          fileFinding(
            'yaml-syntax',
            file,
            locator.spanOf(doc.range[0], doc.range[0] + 1),
            `YAML document could not be read: ${errorText(err)}. It was not checked.`,
            `crash|${errorText(err)}`,
          ),
        );
      }
      previousEnd = doc.range[2];
    }
  }
}

function tooManyDocuments(
  out: ParsedFileData,
  file: string,
  locator: SourceLocator,
  offset: number,
  limits: ParseLimits,
) {
  out.diagnostics.push(
    fileFinding(
      'input-error',
      file,
      locator.spanOf(offset, offset + 1),
      `More than ${limits.maxDocuments} YAML documents in one file (limits.maxDocuments); the rest of the file from here was not checked. Split it, or raise limits.maxDocuments in .mtls-lint.yaml.`,
      'max-documents',
    ),
  );
}

interface DocContext {
  file: string;
  /** The whole file's text (positions), and the document's chunk of it. */
  text: string;
  locator: SourceLocator;
  defaultNamespace: string;
  limits: ParseLimits;
  helmSource: string | undefined;
  /** Offsets (in the chunk) of LS and PS characters, which go-yaml keeps inside multi-line values. */
  lsPs?: number[];
}

function checkDocument(
  doc: Document.Parsed,
  chunk: string,
  previousEnd: number,
  ctx: DocContext,
  out: ParsedFileData,
): void {
  const { file, locator, limits } = ctx;
  const root = doc.contents as Node | null;
  const docText = chunk.slice(doc.range[0], doc.range[2]);
  // Helm's `# Source: chart/templates/x.yaml` comment sits between `---` and the document's first node.
  ctx.helmSource = HELM_SOURCE.exec(chunk.slice(previousEnd, root?.range?.[0] ?? doc.range[2]))?.[1];
  const hasTemplate = GO_TEMPLATE.test(docText);
  const finding = (rule: string, start: number, end: number, message: string, keyDetail: string) => {
    const f = fileFinding(rule, file, locator.spanOf(start, Math.max(end, start + 1)), message, keyDetail);
    if (ctx.helmSource) f.source = ctx.helmSource;
    out.diagnostics.push(f);
  };

  if (doc.errors.length > 0) {
    // An unrendered Helm/Go template is not a manifest: skip it quietly, as a values file is.
    if (hasTemplate && STRUCTURAL_TEMPLATE.test(docText)) {
      skipTemplate(
        out,
        out.lines,
        locator.base + doc.range[0],
        `${templateStyle(docText)} (YAML only after rendering)`,
      );
      return;
    }
    const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
    if (exhausted) {
      finding(
        'input-error',
        exhausted.pos[0],
        exhausted.pos[0] + 1,
        `YAML nested too deeply for the parser (limits.maxDepth is ${limits.maxDepth}); this document was not checked.`,
        `max-depth|${lineText(chunk, exhausted.pos[0])}`,
      );
      return;
    }
    const first = doc.errors[0]!;
    const more = doc.errors.length - 1;
    // yaml reports an unclosed quote where the document ends; the person needs the line where it opens.
    const opened =
      first.code === 'MISSING_CHAR' && /quote/i.test(first.message)
        ? unclosedQuote(doc, first.pos[0])
        : undefined;
    // An indentation error is found at the line start; the first character of the line is what to look at.
    let at = opened ?? first.pos[0];
    if (opened === undefined && (at === 0 || chunk[at - 1] === '\n')) while (chunk[at] === ' ') at++;
    // go-yaml (kubectl) does not check indentation inside quotes and brackets, where yaml does.
    const lenient =
      LENIENT_CODES.has(first.code) || (first.code === 'MISSING_CHAR' && /quote/i.test(first.message));
    const kubectl = lenient
      ? 'kubectl may still accept this document (its YAML reader, go-yaml, does not check the indentation of lines inside quotes and brackets), but mtls-lint could not read it and did not check it: indent the continuation lines past the key'
      : 'mtls-lint could not read this document and did not check it; kubectl most likely refuses it too';
    finding(
      'yaml-syntax',
      at,
      opened !== undefined || at !== first.pos[0] ? at + 1 : first.pos[1],
      `YAML syntax error: ${syntaxMessage(first)} ${kubectl}${more > 0 ? ` (${more} more error${more === 1 ? '' : 's'} in it, probably caused by this one)` : ''}.`,
      `${first.code}|${lineText(chunk, first.pos[0])}`,
    );
    return;
  }
  if (root === null || root === undefined) return; // empty or comment-only document (Helm renders many)

  const shape = analyzeTree(root, limits.maxDepth);
  if (shape.deepAt !== undefined) {
    finding(
      'input-error',
      shape.deepAt,
      shape.deepAt + 1,
      `YAML nested deeper than ${limits.maxDepth} levels (limits.maxDepth); this document was not checked.`,
      `max-depth|${lineText(chunk, shape.deepAt)}`,
    );
    return;
  }
  if (hasTemplate && shape.templateKey) {
    // `name: {{ .Values.name }}` parses, as a mapping inside a mapping key
    skipTemplate(
      out,
      out.lines,
      locator.base + (root.range?.[0] ?? doc.range[0]),
      `${templateStyle(docText)}`,
    );
    return;
  }
  if (shape.unresolved.length > 0) {
    for (const alias of shape.unresolved) {
      const [start, end] = alias.range!;
      finding(
        'yaml-syntax',
        start,
        end,
        `YAML alias \`*${alias.source}\` has no anchor \`&${alias.source}\` before it; this document was not checked. Define the anchor first, or write the value out.`,
        `unresolved-alias|${alias.source}`,
      );
    }
    return;
  }

  if (shape.badKey) {
    const [start, end] = shape.badKey.range ?? [root.range![0], root.range![0] + 1];
    finding(
      'yaml-syntax',
      start,
      end,
      `kubectl refuses this document: a mapping key that is ${shape.badKeyWhat} cannot become a JSON key (sigs.k8s.io/yaml: "Unsupported map key"). mtls-lint did not check it. Quote the key, or remove it.`,
      `bad-key|${lineText(chunk, start)}`,
    );
    return;
  }
  if (shape.nonJson) {
    const [start, end] = shape.nonJson.range!;
    finding(
      'yaml-syntax',
      start,
      end,
      `kubectl refuses this document: \`${shape.nonJson.source}\` is ${String(shape.nonJson.value).replace('Infinity', 'infinity')} in YAML 1.1, and JSON has no such number ("json: unsupported value"). mtls-lint did not check it. Quote it if it is a string.`,
      `non-json|${lineText(chunk, start)}`,
    );
    return;
  }
  const escape = chunk.includes('\\/') ? refusedEscape(doc, chunk) : undefined;
  if (escape !== undefined) {
    finding(
      'yaml-syntax',
      escape,
      escape + 2,
      `kubectl refuses this document: \`\\/\` is not an escape in its YAML reader (go-yaml: "found unknown escape character"), though YAML 1.2 has it. mtls-lint did not check it. Write \`/\` without the backslash.`,
      `escape|${lineText(chunk, escape)}`,
    );
    return;
  }
  if (ctx.lsPs?.length) {
    const inside = lsPsInScalar(doc, ctx.lsPs);
    if (inside !== undefined) {
      finding(
        'yaml-syntax',
        inside,
        inside + 1,
        `This value goes on over a Unicode line separator (U+2028 or U+2029): kubectl keeps that character in the value where mtls-lint reads a line break, so mtls-lint did not check this document. Replace the character with a real line break.`,
        `ls-ps|${lineText(chunk, inside)}`,
      );
      return;
    }
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    const text = errorText(err);
    const message = /resource exhaustion/i.test(text)
      ? `Refused to expand YAML aliases: more than ${limits.maxAliasCount} alias expansions (limits.maxAliasCount), as in a "billion laughs" document. This document was not checked.`
      : /disabled/i.test(text)
        ? `YAML aliases are disabled (limits.maxAliasCount is 0); this document was not checked.`
        : `YAML could not be read: ${text}. This document was not checked.`;
    finding('yaml-syntax', root.range![0], root.range![0] + 1, message, `tojs|${text}`);
    return;
  }
  if (shape.aliases > 0) {
    const budget = shape.nodes * EXPANSION_FACTOR + EXPANSION_SLACK;
    const problem = expandedProblem(value, budget, limits.maxDepth);
    if (problem) {
      finding(
        'yaml-syntax',
        root.range![0],
        root.range![0] + 1,
        problem === 'depth'
          ? `YAML aliases make this document nest deeper than ${limits.maxDepth} levels (an alias inside its own anchor?); this document was not checked.`
          : `Refused to expand YAML aliases: they grow this document from ${shape.nodes} to more than ${budget} values (a "billion laughs" variant). This document was not checked.`,
        `alias-expansion|${problem}`,
      );
      return;
    }
  }

  if (value === null || value === undefined) return; // `---` then only comments: an empty document

  // Duplicate keys: the document is still checked, with the value mtls-lint's reader keeps (the last).
  for (const dup of shape.duplicates) {
    const [start, end] = dup.key.range!;
    const first = locator.spanOf(dup.first.range![0], dup.first.range![1]);
    finding(
      'yaml-syntax',
      start,
      end,
      `Duplicate key \`${dup.name}\` in one mapping (first at line ${first.line}). Depending on the tool the object is rejected or one of the two values is silently used; mtls-lint reads this last one. Delete one of them.`,
      `duplicate-key|${dup.name}|${lineText(chunk, start)}`,
    );
  }

  // Positions are recorded once per document, and only for documents that hold an object (or a broken one).
  let tree: PositionTree | undefined;
  const positions = () => (tree ??= buildPositionTree(root, doc, ctx.text, locator.base));
  collectResources(value, [], out, { ...ctx, hasTemplate, positions });
}

/**
 * The loader's yaml reading of one chunk (for tests): its documents with the keys go-yaml gives them (`on:` is
 * "true"), as checkDocument reads them.
 */
export function parseKubeChunk(chunk: string, maxDepth = DEFAULT_PARSE_LIMITS.maxDepth): Document.Parsed[] {
  const docs = parseAllDocuments(normalizeBreaks(chunk), KUBE_YAML_OPTIONS);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.contents) analyzeTree(d.contents as Node, maxDepth);
  return docs;
}

/** yaml's errors for what go-yaml reads without complaint: flow collections and quoted scalars less indented. */
const LENIENT_CODES = new Set(['BAD_INDENT', 'MULTILINE_IMPLICIT_KEY']);

/** Start of the quoted scalar that runs into `errorAt` (the last one that starts before it). */
function unclosedQuote(doc: Document.Parsed, errorAt: number): number | undefined {
  let best: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const start = node.range?.[0];
      if (
        start !== undefined &&
        start <= errorAt &&
        (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') &&
        (best === undefined || start > best)
      )
        best = start;
    },
  });
  return best;
}

function syntaxMessage(error: YAMLError): string {
  const base = error.message
    .split('\n')[0]!
    .replace(/\s+at line \d+, column \d+:?$/, '')
    .replace(/[.:]$/, '');
  const hint =
    error.code === 'TAB_AS_INDENT'
      ? ' (YAML indents with spaces only; replace the tab)'
      : error.code === 'BAD_INDENT'
        ? ' (check this line against the lines above it)'
        : error.code === 'MISSING_CHAR' && /quote/i.test(base)
          ? ' (the quote that opens here is never closed)'
          : error.code === 'BLOCK_AS_IMPLICIT_KEY' || error.code === 'MULTILINE_IMPLICIT_KEY'
            ? ' (a missing `:` or wrong indentation on the lines above?)'
            : '';
  return `${base}${hint}.`;
}

interface TreeShape {
  /** Offset (in the chunk) where nesting first exceeds maxDepth. */
  deepAt?: number;
  nodes: number;
  aliases: number;
  duplicates: { name: string; key: Node; first: Node }[];
  /** A mapping key that is a collection written as `{…}`: how YAML reads `{{ .Values.x }}`. */
  templateKey: boolean;
  unresolved: Alias[];
  /** A key go-yaml's value has no JSON key for (null, a collection, an integer over int64), and what it is. */
  badKey?: Node;
  badKeyWhat?: string;
  /** A plain scalar that is NaN or ±infinity for go-yaml: JSON cannot hold it. */
  nonJson?: { range: [number, number, number]; source: string; value: number };
}

/** The first `\/` in a double-quoted scalar: YAML 1.2 has that escape, go-yaml (YAML 1.1) does not. */
function refusedEscape(doc: Document.Parsed, chunk: string): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== 'QUOTE_DOUBLE' || !node.range) return undefined;
      for (let i = node.range[0] + 1; i < node.range[1] - 1; i++) {
        if (chunk.charCodeAt(i) !== 92) continue;
        if (chunk[i + 1] === '/') {
          found = i;
          return visit.BREAK;
        }
        i++; // the escaped character
      }
      return undefined;
    },
  });
  return found;
}

/** The first LS/PS offset inside a scalar that is written over several lines (its value is go-yaml's, not ours). */
function lsPsInScalar(doc: Document.Parsed, offsets: number[]): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const [start, end] = node.range ?? [0, 0];
      const at = offsets.find((o) => o > start && o < end);
      if (at !== undefined) {
        found = at;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** One iterative pass over the AST (no recursion: depth is what is being checked). */
function analyzeTree(root: Node, maxDepth: number): TreeShape {
  const shape: TreeShape = { nodes: 0, aliases: 0, duplicates: [], templateKey: false, unresolved: [] };
  const anchors = new Set<string>();
  const stack: [Node | null | undefined, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node) continue;
    shape.nodes++;
    if (node.anchor) anchors.add(node.anchor);
    if (
      isScalar(node) &&
      typeof node.value === 'number' &&
      !Number.isFinite(node.value) &&
      !shape.nonJson &&
      node.range
    )
      shape.nonJson = { range: node.range, source: node.source ?? String(node.value), value: node.value };
    if (isAlias(node)) {
      shape.aliases++;
      if (!anchors.has(node.source)) shape.unresolved.push(node);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > maxDepth) {
      shape.deepAt = node.range?.[0] ?? 0;
      return shape;
    }
    const children: [Node | null | undefined, number][] = [];
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && typeof key.value !== 'string' && !shape.badKey) goKey(key, shape);
        if (key === null || (isCollection(key) && !shape.badKey && !isTemplateKey(key))) {
          shape.badKey = key ?? node;
          shape.badKeyWhat = key === null ? 'empty' : 'a collection';
        }
        if (isScalar(key)) {
          const name = typeof key.value === 'symbol' ? (key.value.description ?? '') : String(key.value);
          if (isMergeKey(key) && isMerge(pair.value as Node | null)) {
            shape.aliases++; // merges expand like aliases
          } else {
            const first = seen.get(name);
            if (first) shape.duplicates.push({ name, key, first });
            else seen.set(name, key);
          }
        } else if (isCollection(key) && (key as { flow?: boolean }).flow && isMap(key)) {
          shape.templateKey = true;
        }
        children.push([key, depth + 1], [pair.value as Node | null, depth + 1]);
      }
    } else {
      for (const item of node.items) {
        if (isPair(item)) children.push([item.key as Node, depth + 1], [item.value as Node, depth + 1]);
        else children.push([item as Node, depth + 1]);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return shape;
}

function isTemplateKey(key: Node): boolean {
  return isMap(key) && !!(key as { flow?: boolean }).flow;
}

/**
 * A scalar key that is not a string becomes the JSON key sigs.k8s.io/yaml writes (`on:` "true", `1e6:` "1e+06"):
 * the key's value is replaced by that text before toJS, so the value and the positions use it. A null key, or an
 * integer over int64, is a key kubectl refuses.
 */
function goKey(key: Scalar, shape: TreeShape): void {
  if (isMergeKey(key)) return;
  let name: string | undefined;
  if (key.type === 'PLAIN' && key.source !== undefined && !key.tag) name = plainJsonKey(key.source);
  else if (typeof key.value === 'boolean') name = String(key.value);
  else if (typeof key.value === 'number' && Number.isSafeInteger(key.value)) name = String(key.value);
  if (name === undefined) {
    shape.badKey = key;
    shape.badKeyWhat =
      key.value === null
        ? 'null (`~`, `null` or nothing)'
        : `${String(key.source ?? key.value)} (beyond a 64-bit integer)`;
    return;
  }
  key.value = name;
}

function isMerge(value: Node | null): boolean {
  return isAlias(value) || (isSeq(value) && value.items.some((i) => isAlias(i))) || isMap(value);
}

/** Walk the plain value once, within a budget: aliases can make it far bigger, or cyclic, than the source. */
function expandedProblem(value: unknown, budget: number, maxDepth: number): 'size' | 'depth' | undefined {
  let count = 1;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) return 'depth';
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    count += children.length;
    if (count > budget) return 'size';
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes objects

interface CollectContext extends DocContext {
  hasTemplate: boolean;
  positions: () => PositionTree;
}

/** apiVersions to suggest when a document forgot it. */
const SUGGESTED_API_VERSION: Record<string, string> = {
  PeerAuthentication: 'security.istio.io/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  VirtualService: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Sidecar: 'networking.istio.io/v1',
  Policy: 'authentication.istio.io/v1alpha1',
  MeshPolicy: 'authentication.istio.io/v1alpha1',
  Namespace: 'v1',
  Service: 'v1',
  Pod: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/** Kinds of Kubernetes and Istio that a document without apiVersion is still recognised by. */
const KNOWN_KINDS = new Set([
  ...Object.keys(SUGGESTED_API_VERSION),
  ...CLUSTER_SCOPED_KINDS,
  'Secret',
  'Endpoints',
  'EndpointSlice',
  'Ingress',
  'NetworkPolicy',
  'Role',
  'RoleBinding',
  'PersistentVolumeClaim',
  'ReplicationController',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'WorkloadEntry',
  'WorkloadGroup',
  'Telemetry',
  'EnvoyFilter',
  'ProxyConfig',
  'WasmPlugin',
  'PeerAuthentication',
  'IstioOperator',
  'HTTPRoute',
  'GRPCRoute',
  'TCPRoute',
  'TLSRoute',
  'ReferenceGrant',
  'GatewayClass',
  'Rollout',
]);

function isKnownKind(kind: string): boolean {
  return KNOWN_KINDS.has(kind);
}

/** Core `v1`, `group/version` of a known group, or CRD-like: a DNS group with a dot and a Kubernetes version. */
function isKubernetesApiVersion(apiVersion: string): boolean {
  if (apiVersion === 'v1') return true;
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return false;
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (!/^v\d+(?:(?:alpha|beta)\d+)?$/.test(version)) return false;
  return group.includes('.') || KNOWN_GROUPS.has(group);
}

/** Kubernetes API groups without a dot in their name. */
const KNOWN_GROUPS = new Set(['apps', 'batch', 'autoscaling', 'policy', 'extensions']);

/** API groups of files that look like objects but are tool configuration, never applied to a cluster. */
const TOOL_CONFIG_GROUPS = new Set(['kustomize.config.k8s.io', 'config.kubernetes.io']);

/**
 * Decide whether a document (or a List item) is a Kubernetes object:
 * - `kind` and `apiVersion` both non-empty strings: an object (a `List` is unwrapped into its items);
 * - neither: not Kubernetes (values files, workflows, docker-compose…), skipped and counted;
 * - one of them, or either of the wrong type, *with* `metadata` or `spec`: an object with a mistake, reported
 *   as invalid-resource (Kubernetes would reject it, and a policy that is never applied must not pass unseen);
 * - one of them without `metadata`/`spec` (Chart.yaml has `apiVersion: v2`): not Kubernetes, skipped.
 */
function collectResources(
  value: unknown,
  basePath: (string | number)[],
  out: ParsedFileData,
  ctx: CollectContext,
): void {
  if (!isObject(value)) {
    out.skipped++;
    return;
  }
  const { kind, apiVersion } = value;
  const hasKind = kind !== undefined && kind !== null;
  const hasApiVersion = apiVersion !== undefined && apiVersion !== null;
  const wellFormed =
    typeof kind === 'string' && kind !== '' && typeof apiVersion === 'string' && apiVersion !== '';
  if (!wellFormed) {
    const looksLikeObject = isObject(value.metadata) || isObject(value.spec);
    // With only one of the two, the other must say Kubernetes: a known kind (`kind: Eval` of a tool's config is
    // not), or an apiVersion of a known group or CRD-like `group/version`.
    const recognised = hasKind
      ? hasApiVersion || (typeof kind === 'string' && isKnownKind(kind))
      : typeof apiVersion !== 'string' || isKubernetesApiVersion(apiVersion);
    if (
      (!hasKind && !hasApiVersion) ||
      (!looksLikeObject && !(hasKind && hasApiVersion)) ||
      !recognised ||
      ctx.hasTemplate
    ) {
      out.skipped++;
      return;
    }
    reportMalformed(value, basePath, out, ctx);
    return;
  }
  // `name: "{{ .Values.name }}"`, `namespace: "{{ tg_namespace }}"`, `name: ${PROVIDER}-server`: a quoted or
  // plain placeholder where an identity belongs is an unrendered template, whatever the templating.
  const meta = isObject(value.metadata) ? value.metadata : undefined;
  const identity: [string, unknown][] = [
    ['kind', kind],
    ['apiVersion', apiVersion],
    ['metadata.name', meta?.name],
    ['metadata.namespace', meta?.namespace],
  ];
  const placeholder = identity.find(([, v]) => typeof v === 'string' && PLACEHOLDER.test(v));
  if (placeholder) {
    const path = [...basePath, ...placeholder[0].split('.')];
    const [from] = locate(ctx.positions(), path);
    skipTemplate(
      out,
      out.lines,
      from,
      `${templateStyle(placeholder[1] as string)} in ${placeholder[0]}: ${JSON.stringify(placeholder[1]).slice(0, 80)}`,
    );
    return;
  }
  const { group, version } = apiGroupVersion(apiVersion);
  if (TOOL_CONFIG_GROUPS.has(group)) {
    out.skipped++; // kustomization.yaml and friends
    return;
  }
  // `kubectl get -o yaml` output: a List of objects; each item keeps its own positions.
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    const items = Array.isArray(value.items) ? value.items : [];
    items.forEach((item, i) => collectResources(item, [...basePath, 'items', i], out, ctx));
    return;
  }
  const metadata = isObject(value.metadata) ? value.metadata : {};
  // `name: 42` is read as a number; Kubernetes wants a string (the schema check says so), keep it recognisable.
  const name = scalarText(metadata.name);
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
  const explicitNs = scalarText(metadata.namespace) || undefined;
  // As `kubectl apply -n NS` does: an object without metadata.namespace lands in --namespace.
  const namespace = clusterScoped ? undefined : (explicitNs ?? ctx.defaultNamespace);
  const resource: ResourceData = {
    kind,
    apiVersion,
    group,
    version,
    name,
    namespace,
    namespaceExplicit: !clusterScoped && explicitNs !== undefined,
    value,
    file: ctx.file,
    id: `${kind}/${namespace ?? ''}/${name}`,
    tree: ctx.positions(),
    prefix: basePath.slice(),
  };
  if (ctx.helmSource) resource.source = ctx.helmSource;
  out.resources.push(resource);
}

function reportMalformed(
  value: Record<string, unknown>,
  basePath: (string | number)[],
  out: ParsedFileData,
  ctx: CollectContext,
): void {
  const { kind, apiVersion } = value;
  const name = isObject(value.metadata) ? scalarText(value.metadata.name) : '';
  const what =
    typeof kind === 'string' && kind
      ? `This ${kind}${name ? ` (${name})` : ''}`
      : `This object${name ? ` (${name})` : ''}`;
  let field: string;
  let message: string;
  if (kind === undefined || kind === null) {
    field = 'apiVersion';
    message = `${what} has apiVersion ${JSON.stringify(apiVersion)} but no \`kind\`, so Kubernetes rejects it and mtls-lint did not check it. Add the kind (e.g. \`kind: PeerAuthentication\`).`;
  } else if (typeof kind !== 'string' || kind === '') {
    field = 'kind';
    message = `${what}: \`kind\` must be a non-empty string such as PeerAuthentication, not ${JSON.stringify(kind)}; Kubernetes rejects it and mtls-lint did not check it.`;
  } else if (apiVersion === undefined || apiVersion === null) {
    field = 'kind';
    const suggestion = SUGGESTED_API_VERSION[kind];
    message = `${what} has no \`apiVersion\`, so Kubernetes rejects it and mtls-lint did not check it. Add \`apiVersion: ${suggestion ?? 'GROUP/VERSION'}\`${suggestion ? '' : ' (see kubectl api-resources)'}.`;
  } else {
    field = 'apiVersion';
    message = `${what}: \`apiVersion\` must be a string such as security.istio.io/v1, not ${JSON.stringify(apiVersion)}; Kubernetes rejects it and mtls-lint did not check it.`;
  }
  const path = [...basePath, field];
  const f = fileFinding(
    'invalid-resource',
    ctx.file,
    spanAt(out.lines, ...locate(ctx.positions(), path, { key: true })),
    message,
    `malformed-object|${String(kind)}|${name}|${field}`,
  );
  if (ctx.helmSource) f.source = ctx.helmSource;
  out.diagnostics.push(f);
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/\.$/, '') : String(err);
}

/** The trimmed text of the line holding `offset`: a finding identity that survives lines moving. */
function lineText(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text
    .slice(start, end < 0 ? undefined : end)
    .trim()
    .slice(0, 120);
}

// ---------------------------------------------------------------------------------------------------------
// Pre-scan: split into documents and estimate nesting, in one linear pass, before yaml parses anything.

export interface Segment {
  start: number;
  end: number;
  /** Offset where the estimated nesting first goes past maxDepth: the document is refused unparsed. */
  deepAt?: number;
  /** False when the segment holds only markers, blank lines and comments (Helm renders many): not parsed. */
  content: boolean;
  /**
   * Where kubectl stops reading the file: a line that starts with `---` followed by more than spaces or a comment
   * (`--- {a: 1}`, `----`: "invalid Yaml document separator", and the document above it is lost too), or a
   * directive (`%YAML 1.1`: kubectl's split leaves it alone in a chunk, which go-yaml refuses). Such a segment is the
   * last one; `stop` is the line.
   */
  stop?: { kind: 'separator' | 'directive'; line: string };
}

/** What Go's strings.TrimSpace removes (unicode.IsSpace). */
const GO_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * Split a YAML stream at its `---` lines as kubectl does (lines end at LF only; a line that starts with `---` and
 * has more than a comment after it ends the stream, see Segment.badSeparator) and estimate each document's nesting: flow brackets outside quotes and comments, plus block
 * indentation levels and compact `- - -` entries. Block scalars (`|`, `>`) are skipped. The estimate only
 * needs to be close: the exact depth is checked again on the parsed tree.
 */
export function scanSegments(text: string, maxDepth: number): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = { start: 0, end: text.length, content: false };
  let flow = 0;
  let indents: number[] = [];
  let blockScalarParent = -1;
  let quote: '"' | "'" | undefined;
  let directiveRun = -1; // start of consecutive `%YAML`/`%TAG` lines: they belong to the next document
  let directiveAfterContent = false; // …and a document came before them in the same chunk
  const len = text.length;

  const exceed = (at: number) => {
    if (current.deepAt === undefined && indents.length + flow > maxDepth) current.deepAt = at;
  };

  let pos = 0;
  while (pos < len) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = len;
    if (text.startsWith('---', pos)) {
      const rest = text.slice(pos + 3, lineEnd).replace(GO_SPACE, '');
      if (rest !== '' && rest[0] !== '#') {
        // apimachinery's YAMLReader: "invalid Yaml document separator"; the chunk it ends and the rest are lost.
        const stop = { kind: 'separator' as const, line: text.slice(pos, lineEnd).trim().slice(0, 60) };
        segments.push({ start: pos, end: len, content: true, stop });
        return segments;
      }
    }
    const marker = isMarker(text, pos, lineEnd);
    if (marker) {
      if (marker === '---' && directiveRun >= 0) {
        // kubectl splits the directive from its document. After a document in the same chunk go-yaml never reads
        // it (it decodes the first document only); alone in its chunk, go-yaml refuses it and kubectl stops.
        if (!directiveAfterContent) {
          segments.push(directiveStop(directiveRun));
          return segments;
        }
        current.end = directiveRun;
        segments.push(current);
        current = { start: pos, end: len, content: false };
      }
      if (marker === '---') {
        const start = pos;
        if (start > current.start) {
          current.end = start;
          segments.push(current);
          current = { start, end: len, content: false };
        }
      }
      flow = 0;
      indents = [];
      blockScalarParent = -1;
      quote = undefined;
      directiveRun = -1;
      if (!isBlank(text, pos + 3, lineEnd)) current.content = true;
      if (current.deepAt === undefined) scanLine(pos + 3, lineEnd, 0);
      pos = lineEnd + 1;
      continue;
    }
    const hadContent = current.content;
    if (!current.content && !isBlank(text, pos, lineEnd)) current.content = true;
    if (text.charCodeAt(pos) === 37 /* % */ && flow === 0 && !quote && blockScalarParent < 0) {
      if (directiveRun < 0) {
        directiveRun = pos;
        directiveAfterContent = hadContent;
      }
    } else if (!isBlank(text, pos, lineEnd)) directiveRun = -1;
    if (current.deepAt !== undefined) {
      pos = lineEnd + 1;
      continue;
    }
    let i = pos;
    while (i < lineEnd && text.charCodeAt(i) === 32) i++;
    const indent = i - pos;
    if (blockScalarParent >= 0) {
      if (i >= lineEnd || text[i] === '\r' || indent > blockScalarParent) {
        pos = lineEnd + 1;
        continue;
      }
      blockScalarParent = -1;
    }
    if (quote) {
      i = skipQuoted(pos, lineEnd);
      if (quote) {
        pos = lineEnd + 1;
        continue;
      }
      scanLine(i, lineEnd, indent);
    } else if (flow > 0) {
      scanLine(i, lineEnd, indent);
    } else {
      if (i >= lineEnd || text[i] === '#' || text[i] === '\r') {
        pos = lineEnd + 1;
        continue;
      }
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      // Compact nesting on one line: `- - - x`, `? - x`, `- key: value`.
      while (
        (text[i] === '-' || text[i] === '?' || text[i] === ':') &&
        (i + 1 >= lineEnd || text[i + 1] === ' ' || text[i + 1] === '\t' || text[i + 1] === '\r')
      ) {
        i++;
        while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
        if (i < lineEnd && text[i] !== '#' && text[i] !== '\r') indents.push(i - pos);
      }
      exceed(pos + indent);
      scanLine(i, lineEnd, indents[indents.length - 1] ?? indent);
    }
    pos = lineEnd + 1;
  }
  current.end = len;
  // Directives at the end, with no `---` after them.
  if (directiveRun >= 0 && !directiveAfterContent) segments.push(directiveStop(directiveRun));
  else {
    if (directiveRun >= 0) current.end = directiveRun;
    segments.push(current);
  }
  return segments;

  function directiveStop(at: number): Segment {
    const end = text.indexOf('\n', at);
    const line = text
      .slice(at, end < 0 ? len : end)
      .trim()
      .slice(0, 60);
    return { start: at, end: len, content: true, stop: { kind: 'directive', line } };
  }

  /** Flow brackets, quotes, comments and block scalar headers on the rest of a line. */
  function scanLine(from: number, lineEnd: number, parentIndent: number): void {
    let valueStart = true;
    for (let j = from; j < lineEnd; j++) {
      const c = text[j]!;
      if (c === ' ' || c === '\t' || c === '\r') continue;
      if (c === '#' && (j === from || text[j - 1] === ' ' || text[j - 1] === '\t')) return;
      if ((c === '"' || c === "'") && (valueStart || flow > 0)) {
        if (!valueStart && flow > 0 && !/[\s,[{:]/.test(text[j - 1] ?? ' ')) continue; // `it's` in a flow scalar
        quote = c;
        j = skipQuoted(j + 1, lineEnd) - 1;
        if (quote) return;
        valueStart = false;
        continue;
      }
      if (flow > 0) {
        if (c === '[' || c === '{') {
          flow++;
          exceed(j);
          if (current.deepAt !== undefined) return;
          valueStart = true;
        } else if (c === ']' || c === '}') {
          flow--;
          valueStart = false;
        } else if (c === ',' || c === ':') valueStart = true;
        else valueStart = false;
        continue;
      }
      if (valueStart && (c === '[' || c === '{')) {
        flow++;
        exceed(j);
        if (current.deepAt !== undefined) return;
      } else if (valueStart && (c === '|' || c === '>')) {
        blockScalarParent = parentIndent;
        return;
      } else if (valueStart && (c === '&' || c === '!')) {
        while (j + 1 < lineEnd && text[j + 1] !== ' ' && text[j + 1] !== '\t') j++; // anchor or tag: a value follows
      } else if (c === ':' && (j + 1 >= lineEnd || /[ \t\r]/.test(text[j + 1]!))) {
        valueStart = true;
      } else valueStart = false;
    }
  }

  /** Scan a quoted scalar from `from`; returns the offset after the closing quote and clears `quote`. */
  function skipQuoted(from: number, lineEnd: number): number {
    for (let j = from; j < lineEnd; j++) {
      const c = text[j];
      if (quote === '"') {
        if (c === '\\') j++;
        else if (c === '"') {
          quote = undefined;
          return j + 1;
        }
      } else if (c === "'") {
        if (text[j + 1] === "'") j++;
        else {
          quote = undefined;
          return j + 1;
        }
      }
    }
    return lineEnd;
  }
}

/** A line break only go-yaml sees (a lone CR, NEL, LS, PS) in a comment: what follows it is content for kubectl. */
function goBreakIn(text: string, from: number, lineEnd: number): boolean {
  for (let i = from; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if ((c === 13 && i + 1 < lineEnd) || c === 0x85 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function isMarker(text: string, pos: number, lineEnd: number): '---' | '...' | undefined {
  if (lineEnd - pos < 3) return undefined;
  const m = text.startsWith('---', pos) ? '---' : text.startsWith('...', pos) ? '...' : undefined;
  if (!m) return undefined;
  const next = text[pos + 3];
  return next === undefined || next === ' ' || next === '\t' || next === '\r' || next === '\n'
    ? m
    : undefined;
}

function isBlank(text: string, pos: number, lineEnd: number): boolean {
  for (let i = pos; i < lineEnd; i++) {
    const c = text[i];
    if (c === '#') return !goBreakIn(text, i, lineEnd);
    if (c !== ' ' && c !== '\t' && c !== '\r') return false;
  }
  return true;
}
