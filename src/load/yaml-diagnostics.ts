// One YAML document as kubectl would read it, and what to tell the user when it would not: yaml's syntax errors worded
// for a person (where the problem opens, whether go-yaml is more lenient), and the tree checks of yaml-tree.ts as
// findings. A document that passes is handed to object recognition with its positions.
import { visit, type Document, type Node, type YAMLError } from 'yaml';
import { collectResources, type DocContext } from './object-recognition.js';
import { errorText, fileFinding, lineText, type ParsedFileData } from './parsed-file.js';
import { buildPositionTree, type PositionTree } from './positions.js';
import {
  GO_TEMPLATE,
  HELM_SOURCE,
  ENVSUBST_STRUCTURAL,
  PERCENT_PLACEHOLDER,
  STRUCTURAL_TEMPLATE,
  skipTemplate,
  templateStyle,
} from './templates.js';
import { analyzeTree, expandedProblem, lsPsInScalar, refusedEscape } from './yaml-tree.js';

/**
 * A document's values after aliases and `<<` merges are expanded may hold at most this many nodes per node
 * written in the source (plus EXPANSION_SLACK): a few large anchors referenced many times are a memory bomb
 * that yaml's alias count alone does not see.
 */
const EXPANSION_FACTOR = 10;
const EXPANSION_SLACK = 10_000;

export function checkDocument(
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
    // yaml may end a broken document early (inside a template action), so look at the whole part kubectl reads.
    const partText = chunk.slice(doc.range[0]);
    if (
      (GO_TEMPLATE.test(partText) && STRUCTURAL_TEMPLATE.test(partText)) ||
      PERCENT_PLACEHOLDER.test(partText) ||
      ENVSUBST_STRUCTURAL.test(partText)
    ) {
      skipTemplate(
        out,
        out.lines,
        locator.base + doc.range[0],
        `${templateStyle(partText)} (YAML only after rendering)`,
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
