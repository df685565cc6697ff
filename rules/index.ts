// Every rule, in the order they run and are listed. A new rule is one new module here plus its tests.
import type { Rule } from '../src/rule.js';
import yamlSyntax from './yaml-syntax.js';
import inputError from './input-error.js';
import invalidResource from './invalid-resource.js';
import invalidSuppression from './invalid-suppression.js';

export const RULES: readonly Rule[] = [yamlSyntax, inputError, invalidResource, invalidSuppression];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.meta.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
