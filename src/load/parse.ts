// Reading one file: the per-file driver. It splits the text into documents (documents.ts), reads each with the
// simple reader (simple-yaml.ts) or yaml under go-yaml's rules (yaml-diagnostics.ts, yaml-tree.ts), and hands the
// values to object recognition (object-recognition.ts). Never throws.
import { parseAllDocuments } from 'yaml';
import type { Span } from '../types.js';
import { JSON_START, readJsonStream, scanSegments, type Segment } from './documents.js';
import { KUBE_YAML_OPTIONS, hasGoOnlyBreaks, normalizeBreaks, separatorOffsets } from './kube-yaml.js';
import { collectResources } from './object-recognition.js';
import {
  DEFAULT_PARSE_LIMITS,
  errorText,
  fileFinding,
  hydrateParsed,
  lineText,
  type ParseLimits,
  type ParsedFile,
  type ParsedFileData,
} from './parsed-file.js';
import { lineStarts } from './positions.js';
import { SourceLocator } from './resource.js';
import { parseSimpleDocument } from './simple-yaml.js';
import { GO_TEMPLATE, HELM_SOURCE, STRUCTURAL_TEMPLATE } from './templates.js';
import { checkDocument } from './yaml-diagnostics.js';

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

/** parseManifestText as plain data, before hydrateParsed adds positions. */
function parseManifestData(
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
  const json =
    JSON_START.test(text) && !GO_TEMPLATE.test(text) ? readJsonStream(text, limits.maxDepth) : undefined;
  if (json && 'problem' in json) {
    // apimachinery's YAMLOrJSONDecoder reads a stream that starts with `{` as JSON, never as YAML.
    const { start, at, message } = json.problem;
    const locator = new SourceLocator(text, out.lines);
    const where = locator.spanOf(at, at + 1);
    const first = text.search(/\S/);
    const object =
      start > first ? `, in the object that starts at line ${locator.spanOf(start, start + 1).line}` : '';
    out.diagnostics.push(
      fileFinding(
        'yaml-syntax',
        file,
        where,
        `This file starts with \`{\`, so kubectl reads it as JSON (objects one after another), and it is not JSON at line ${where.line}, column ${where.column}${object}: ${message}. \`kubectl apply -f\` fails on it and applies nothing from it; mtls-lint did not check it. Write it as JSON (quoted keys and strings), or start it with a \`---\` line to make it YAML.`,
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
    // Several JSON values: each is a document (one value is read as the YAML it also is, as before).
    const jsonValues = json && 'values' in json && json.values.length > 1 ? json.values : undefined;
    parseInto(text, file, defaultNamespace, limits, out, goBreaksInFile, jsonValues);
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

function parseInto(
  text: string,
  file: string,
  defaultNamespace: string,
  limits: ParseLimits,
  out: ParsedFileData,
  goBreaksInFile: boolean,
  jsonValues?: Segment[],
): void {
  const fileLocator = new SourceLocator(text, out.lines);
  const segments = jsonValues ?? scanSegments(text, limits.maxDepth);

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
    // `{{` only inside values (a Grafana dashboard's JSON in a ConfigMap) is text, not a template to skip: the simple
    // reader reads it too, which matters where yaml refuses the document and go-yaml does not (quoted lines at any
    // indentation, as in Istio 1.5's install manifest).
    const templatesInScalars =
      chunk.includes('{{') && GO_TEMPLATE.test(chunk) && !STRUCTURAL_TEMPLATE.test(chunk);
    const simple =
      out.documents < limits.maxDocuments &&
      !(goBreaks && /[\u2028\u2029]/.test(text.slice(segment.start, segment.end)))
        ? parseSimpleDocument(chunk, segment.start, limits.maxDepth, templatesInScalars)
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
        hasTemplate: templatesInScalars,
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
    // In an unrendered template the part after `...` is often only its control flow (`{{- end }}`): no document.
    if (ignored && !onlyTemplateDirectives(chunk.slice(ignored.range[0], ignored.range[2]))) {
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

/** Text made of template directives (`{{ … }}`, `{% … %}`), comments and blank lines only. */
function onlyTemplateDirectives(text: string): boolean {
  const rest = text.replace(new RegExp(GO_TEMPLATE.source, 'g'), '').replace(/#.*$/gm, '');
  return rest.trim() === '' && GO_TEMPLATE.test(text);
}
