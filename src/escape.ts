// Text from inputs (file names, resource names, values quoted in messages) on its way to a terminal or a CI log.
// The GitHub runner reads every line a step prints, stdout and stderr, and runs two kinds of workflow commands
// (actions/runner ActionCommand.cs): `::name …::data` when the line starts with `::` after leading white space, and
// the legacy `##[name …]data` anywhere in a line. A file named `x\n::error::…` or a value holding `##[set-output …]`
// must come out as text, and control characters must not move the terminal's cursor.

// C0 except tab and newline, DEL, C1.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|##\[|^[\s\u0085]*::/;

/** Free text on one line: control characters become `?`, line breaks spaces, `##[` is broken up (`#\u0023[`). */
export function oneLine(s: string): string {
  return defuse(s.replace(CONTROLS, '?').replace(/\n/g, ' '));
}

/** The legacy workflow command prefix, anywhere in a line. */
function defuse(s: string): string {
  return s.includes('##[') ? s.replace(/##\[/g, '#\\u0023[') : s;
}

/**
 * A name as it is, or, when it holds control characters, line separators, `##[`, or starts with `::`, as a JSON
 * string (`"a\n::error::b.yaml"`): recognisable, reversible, and never a workflow command, even at a line start.
 */
export function quoteName(s: string): string {
  if (!NEEDS_QUOTES.test(s)) return s;
  return JSON.stringify(s)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/##\[/g, '#\\u0023[');
}

/**
 * `##[` in JSON text (only string values can hold `#`) as `#\u0023[`: the same JSON once parsed, and no legacy
 * workflow command when the report is printed in a CI log.
 */
export function defuseJson(text: string): string {
  return text.includes('##[') ? text.replace(/##\[/g, '#\\u0023[') : text;
}
