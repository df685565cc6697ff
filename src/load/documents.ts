// Splitting a file into documents as kubectl does, before any YAML parser runs: apimachinery's YAMLReader splits at
// lines that start with `---` (a JSON stream is read as JSON values one after another), and a linear pre-scan
// estimates each document's nesting so that absurdly deep input never reaches a recursive parser.
import { errorText } from './parsed-file.js';

export const JSON_START = /^\s*\{/;

/**
 * A text that starts with `{` read as apimachinery's YAMLOrJSONDecoder reads it: Go's json.Decoder over the whole
 * stream, one JSON value after another with or without whitespace between (`{…}{…}`, JSON lines), each value one
 * object. The values as segments (nesting estimated as for YAML), or where and why the stream stops being JSON.
 */
export function readJsonStream(
  text: string,
  maxDepth: number,
): { values: Segment[] } | { problem: { start: number; at: number; message: string } } {
  const values: Segment[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    while (pos < n && /\s/.test(text[pos]!)) pos++;
    if (pos >= n) break;
    const start = pos;
    let end = pos;
    let deepAt: number | undefined;
    const c = text[pos];
    if (c === '{' || c === '[') {
      let depth = 0;
      for (; end < n; end++) {
        const d = text[end];
        if (d === '"') {
          for (end++; end < n && text[end] !== '"'; end++) if (text[end] === '\\') end++;
        } else if (d === '{' || d === '[') {
          depth++;
          if (depth > maxDepth && deepAt === undefined) deepAt = end;
        } else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      end++;
    } else while (end < n && !/[\s{[]/.test(text[end]!)) end++;
    {
      try {
        JSON.parse(text.slice(start, end));
      } catch (err) {
        // V8 says where: "… in JSON at position N"; without it the value ended early.
        const at = /at position (\d+)/.exec(errorText(err))?.[1];
        const message = errorText(err)
          .replace(/ in JSON at position \d+.*$/, '')
          .replace(/^Unexpected end of JSON input$/, 'the value is not closed');
        return {
          problem: { start, at: at === undefined ? Math.min(end, n) - 1 : start + Number(at), message },
        };
      }
    }
    values.push({ start, end, content: true, ...(deepAt === undefined ? {} : { deepAt }) });
    pos = end;
  }
  return { values };
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
