import type { core } from 'zod';
import type { SettingsProblem } from './errors';

/** What a reader is told of a key its schema does not have at `path` (the settings file and the props say it apart). */
export type UnknownKeyMessage = (path: readonly string[], key: string, mapping: unknown) => string;

/**
 * One zod issue as the problems a person reads (an unknown key each on its own line, with what is allowed, in the
 * words of `unknownKey`).
 */
export function toProblems(issue: core.$ZodIssue, data: unknown, unknownKey: UnknownKeyMessage): SettingsProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const mapping = valueAt(data, path);
    return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: unknownKey(path, key, mapping) }));
  }
  const field = path.length ? path.join('.') : '(top level)';
  // A union issue carries the whole object as input; the discriminator's own value is what was wrong.
  const value = issue.input !== undefined && issue.code !== 'invalid_union' ? issue.input : valueAt(data, path);
  if (value === undefined && issue.code === 'invalid_type') return [{ field, message: `required (${messageOf(issue)})` }];
  return [{ field, message: messageOf(issue), value }];
}

/** How zod's English messages for a value of another type begin. */
const ZOD_TYPE_MESSAGE = 'Invalid input';

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function messageOf(issue: core.$ZodIssue): string {
  // A refused mapping key: the key schema's own message says what is allowed.
  if (issue.code === 'invalid_key') return issue.issues.map((i) => messageOf(i as core.$ZodIssue)).join('; ');
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    return `expected one of ${issue.options
      .filter((v) => v !== undefined)
      .map((v) => JSON.stringify(v))
      .join(', ')}`;
  }
  // zod's own words for a type ("Invalid input: expected string, received number") are replaced by the file's; a
  // schema's own message (a quoted number, a Rancher version given as a number) says more and is kept.
  if (issue.code === 'invalid_type')
    return issue.message.startsWith(ZOD_TYPE_MESSAGE) ? `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}` : issue.message;
  if (issue.code === 'too_small') return `expected at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
  if (issue.code === 'too_big') return `expected at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
  return issue.message;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
