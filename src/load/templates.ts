// Unrendered templates: documents that are Helm/Go, Jinja/Ansible, envsubst or ERB templates are not objects. They are
// skipped, counted and listed with the templating they show (objects.ts makes one finding of the list).
import type { ParsedFileData } from './parsed-file.js';

export const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;
/** Template actions of Go/Helm, Jinja/Ansible and Mustache (`{{ … }}`), and Jinja statements (`{% … %}`). */
export const GO_TEMPLATE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/;
/** A template action where YAML sees structure: at a line start or as a value (`key: {{ … }}`, `- {{ … }}`). */
export const STRUCTURAL_TEMPLATE = /(?:^[ \t]*|[:-][ \t]+)\{[{%]/m;
/**
 * A placeholder no Kubernetes name or namespace can hold: `{{ x }}` (Helm, Jinja, Ansible), `{% … %}`, `${VAR}` and
 * `$VAR` (envsubst, shell), `<%= x %>` (ERB), `<name>`. Such a document is an unrendered template, not an object.
 */
export const PLACEHOLDER = /\{\{|\{%|\$\{|\$[A-Za-z_]|<%|<[A-Za-z_-]+>|%[A-Za-z_]\w*%/;
/**
 * A `%NAME%` placeholder where YAML expects a value (`image: %APP_IMAGE%:1.0`, `- %SSO_HOST%`), which scripts
 * substitute (sed) before applying: YAML cannot read it (`%` starts a directive), so the document is a template.
 */
export const PERCENT_PLACEHOLDER = /(?:^[ \t]*-[ \t]+|:[ \t]+)%[A-Za-z_]\w*%/m;
/** An envsubst `${VAR}` standing where YAML expects structure: alone on a line (a list substituted in), or a value. */
export const ENVSUBST_STRUCTURAL = /(?:^[ \t]*(?:-[ \t]+)?|:[ \t]+)\$\{[A-Za-z_]\w*\}[ \t]*$/m;

export function templateStyle(text: string): string {
  return /\$\{|\$[A-Za-z_]/.test(text) && !/\{\{/.test(text)
    ? 'an envsubst/shell placeholder'
    : /<%/.test(text)
      ? 'an ERB placeholder'
      : /\{\{|\{%/.test(text)
        ? 'a Go/Helm or Jinja/Ansible template'
        : /%[A-Za-z_]\w*%/.test(text)
          ? 'a %NAME% placeholder (substituted by a script before applying)'
          : 'a placeholder';
}

/** Count a skipped template document and say where it is and why (the loader lists them in one finding). */
export function skipTemplate(out: ParsedFileData, lines: Int32Array, offset: number, reason: string): void {
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
