import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Node, type YAMLError } from 'yaml';
import type { SettingsProblem } from '../../lib/config/errors';

/**
 * YAML text to plain data, refusing what YAML can do but a settings file
 * never needs, each of which has crashed, hung or silently changed a
 * deployment before:
 * - aliases (`*name`): alias bombs, undefined and recursive aliases;
 * - tags other than the core ones (`!!omap`, `!!set`, `!!binary`, custom
 *   `!foo`): they drop or change data on the way to plain values;
 * - duplicate keys: YAML keeps the last one silently (checked here in linear
 *   time; the parser's own check is quadratic);
 * - keys that are not plain strings or are named `__proto__`, nesting deeper
 *   than any setting, strings longer than any setting.
 * Messages give the field and the line, never the text of the file: a file
 * named by mistake (`/proc/self/environ`, a credentials file) must not be
 * echoed into a CI log.
 */

/** Deeper than any setting (docker.dataVolume.snapshots.time is 4). */
export const MAX_DEPTH = 16;
/** Longer than any setting value or key (a certificate path is at most 4096). */
export const MAX_STRING_LENGTH = 4096;
/** Problems collected before the walk stops: enough for the report, bounded for a hostile file. */
const MAX_PROBLEMS = 200;

/** The core tags: they only say what the plain value already is. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** YAML parser error codes in words; the parser's own messages may quote the file. */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'wrong indentation',
  TAB_AS_INDENT: 'a tab used for indentation (use spaces)',
  MISSING_CHAR: 'a closing quote, bracket or separator is missing',
  UNEXPECTED_TOKEN: 'unexpected text',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping where a key belongs (a missing line break or wrong indentation)',
  MULTILINE_IMPLICIT_KEY: 'a key spread over more than one line (a missing ":" or wrong indentation)',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MULTIPLE_DOCS: 'more than one YAML document (---); the settings are one document',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'a plain value starting with a reserved character (quote it)',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection ([...] or {...})',
  BAD_DIRECTIVE: 'an unknown or malformed % directive',
  BAD_ALIAS: 'a malformed alias',
  ALIAS_PROPS: 'an alias with an anchor or tag',
  MULTIPLE_ANCHORS: 'more than one anchor on a value',
  MULTIPLE_TAGS: 'more than one tag on a value',
  BAD_PROP_ORDER: 'an anchor or tag in the wrong place',
  BAD_COLLECTION_TYPE: 'a tag that does not fit the value',
  TAG_RESOLVE_FAILED: 'a tag that does not fit the value',
  NON_STRING_KEY: 'a key that is not a string',
  DUPLICATE_KEY: 'a duplicate key',
  RESOURCE_EXHAUSTION: 'nesting too deep to read',
  IMPOSSIBLE: 'text that cannot be read as YAML',
};

export interface YamlSettings {
  /**
   * The settings read. Also there beside problems when the only ones are tabs in the indentation (the file read with
   * spaces in their place): the reader checks the settings and reports their problems beside the tabs'.
   */
  readonly data?: unknown;
  readonly problems: SettingsProblem[];
}

/** The offset each line starts at. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The line (from 0) of an offset, by binary search over the line starts (linear in the file, not per problem). */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Line and column of an offset. */
function positions(text: string): (offset: number) => string {
  const starts = lineStarts(text);
  return (offset) => {
    const line = lineAt(starts, offset);
    return `line ${line + 1}, column ${offset - starts[line] + 1}`;
  };
}

const fieldOf = (path: readonly string[]) => (path.length ? path.join('.') : '(file)');

const parse = (text: string) =>
  parseDocument(text, { uniqueKeys: false, prettyErrors: false, logLevel: 'error', schema: 'core', merge: false, version: '1.2' });

/** Tab-indented lines mended to find the mistakes besides them: at most this many (each tries three indentations). */
const MAX_TABS_MENDED = 10;

/** The YAML parser's errors as problems: `at` gives line and column of an offset of the text parsed. */
const syntax = (list: readonly YAMLError[], at: (offset: number) => string): SettingsProblem[] =>
  list
    .slice(0, MAX_PROBLEMS)
    .map((e) => ({ field: '(file)', message: `YAML: ${YAML_ERRORS[e.code] ?? e.code.toLowerCase().replace(/_/g, ' ')} at ${at(e.pos[0])}` }));

/** Whether a path names a setting (`['rancher', 'replicas']`): the mended lines are placed where their key is one. */
export type IsSetting = (path: readonly string[]) => boolean;

/**
 * How many keys of a document are out of place: not a setting where they stand (`isSetting`), or given twice in one
 * mapping. Keys inside lists and below a key that is no setting are not judged.
 */
function misplacedKeys(node: unknown, path: readonly string[], isSetting: IsSetting): number {
  if (!isMap(node)) return 0;
  let count = 0;
  const seen = new Set<string>();
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const name = String(pair.key.value);
    const setting = isSetting([...path, name]);
    if (seen.has(name) || !setting) count++;
    seen.add(name);
    // Below a key that is no setting nothing is judged: a file of foreign keys costs one look at each top-level key.
    if (setting) count += misplacedKeys(pair.value, [...path, name], isSetting);
  }
  return count;
}

/**
 * A file whose indentation holds a tab: one problem per tab-indented line, and the file with those lines indented with
 * spaces (`mended`), from which the file's other mistakes are read. The parser, having stopped reading the line's
 * block at the tab, reports each line after it in the block as wrongly indented (ten lines for one tab in
 * rancher.example.yaml's `rancher:`), which are not mistakes of the person's, and reads nothing of the file: its
 * duplicate keys and unknown settings went unreported until the tab was fixed. Each line gets the indentation (of the
 * lines before and after it, one step in, or of a section it is in) that leaves the fewest errors and, of those,
 * the fewest keys out of place (not a setting where they stand, or twice in a mapping): what is wrong in the mended
 * file is what the person got wrong besides the tabs. Past MAX_TABS_MENDED lines, nothing is mended.
 */
function mendTabs(text: string, errors: readonly YAMLError[], isSetting: IsSetting): { readonly tabs: SettingsProblem[]; readonly mended?: string } {
  const lines = text.split('\n');
  const starts = lineStarts(text);
  const tabbed = [...new Set(errors.filter((e) => e.code === 'TAB_AS_INDENT').map((e) => lineAt(starts, e.pos[0])))].filter((l) =>
    /^[ \t]*\t/.test(lines[l]),
  );
  const at = positions(text);
  const tabs: SettingsProblem[] = tabbed.map((l) => ({
    field: '(file)',
    message: `YAML: ${YAML_ERRORS.TAB_AS_INDENT} at ${at(starts[l] + lines[l].indexOf('\t'))}`,
  }));
  if (tabbed.length > MAX_TABS_MENDED) return { tabs: tabs.slice(0, MAX_PROBLEMS) };
  const indent = (line: string) => /^ */.exec(line)![0].length;
  const content = (l: number) => l >= 0 && l < lines.length && /\S/.test(lines[l]) && !/^\s*#/.test(lines[l]) && !/^ *\t/.test(lines[l]);
  const mended = [...lines];
  for (const l of tabbed) {
    let before = l - 1;
    while (before >= 0 && !content(before)) before--;
    let after = l + 1;
    while (after < lines.length && !content(after)) after++;
    // The sections the line before is in, innermost first: a tabbed line may end any of them.
    const enclosing: number[] = [];
    for (let i = before, deepest = before >= 0 ? indent(lines[before]) : 0; i >= 0 && deepest > 0; i--) {
      if (content(i) && indent(lines[i]) < deepest) {
        deepest = indent(lines[i]);
        enclosing.push(deepest);
      }
    }
    const candidates = [
      ...new Set([
        after < lines.length ? indent(lines[after]) : 0,
        before >= 0 ? indent(lines[before]) : 0,
        before >= 0 ? indent(lines[before]) + 2 : 0,
        ...enclosing,
      ]),
    ];
    const body = lines[l].replace(/^[ \t]*/, '');
    let best: { errors: number; misplaced: number; line: string } | undefined;
    for (const n of candidates) {
      const line = `${' '.repeat(n)}${body}`;
      const doc = parse([...mended.slice(0, l), line, ...mended.slice(l + 1)].join('\n'));
      const errors = doc.errors.length;
      const misplaced = errors === 0 ? misplacedKeys(doc.contents, [], isSetting) : Infinity;
      if (best === undefined || errors < best.errors || (errors === best.errors && misplaced < best.misplaced)) best = { errors, misplaced, line };
    }
    mended[l] = best!.line;
  }
  return { tabs, mended: mended.join('\n') };
}

/**
 * The settings of a YAML text, or the problems that keep it from being read. A file whose indentation holds a tab is
 * read with spaces in their place: its problems are the tabs and whatever else is wrong in it, and its data (when
 * nothing else is) goes on to be checked as settings, whose problems the reader reports beside the tabs' (load.ts).
 */
export function readYamlSettings(text: string, isSetting: IsSetting = () => true): YamlSettings {
  const doc = parse(text);
  if (!doc.errors.some((e) => e.code === 'TAB_AS_INDENT')) return readDocument(doc, text);
  const { tabs, mended } = mendTabs(text, doc.errors, isSetting);
  if (mended === undefined) return { problems: tabs };
  // Only indentation changed: the lines are the same, and so the line numbers of what is read.
  const read = readDocument(parse(mended), mended);
  return { ...read, problems: [...tabs, ...read.problems].slice(0, MAX_PROBLEMS) };
}

/** A parsed document's data, or the problems that keep it from being read. */
function readDocument(doc: ReturnType<typeof parse>, text: string): YamlSettings {
  const at = positions(text);
  const problems: SettingsProblem[] = [];
  if (doc.errors.length > 0) return { problems: syntax(doc.errors, at) };

  const add = (path: readonly string[], message: string, node: { range?: readonly number[] | null } | null | undefined) => {
    if (problems.length < MAX_PROBLEMS)
      problems.push({ field: fieldOf(path), message: node?.range ? `${message} (at ${at(node.range[0])})` : message });
  };

  const walk = (node: unknown, path: string[], depth: number): void => {
    if (problems.length >= MAX_PROBLEMS || node === null || node === undefined) return;
    if (isAlias(node)) {
      add(path, `YAML aliases (*${node.source.slice(0, 40)}) are not supported in settings; write the value out`, node);
      return;
    }
    const n = node as Node;
    if (n.tag !== undefined && !CORE_TAGS.has(n.tag)) {
      add(
        path,
        `YAML tag ${n.tag.replace('tag:yaml.org,2002:', '!!').slice(0, 60)} is not supported in settings (it would drop or change data); remove it`,
        n,
      );
      return;
    }
    if (depth > MAX_DEPTH) {
      add(path, `nested deeper than ${MAX_DEPTH} levels; no setting is`, n);
      return;
    }
    if (isScalar(n)) {
      if (typeof n.value === 'string' && n.value.length > MAX_STRING_LENGTH)
        add(path, `a value of ${n.value.length} characters; no setting is longer than ${MAX_STRING_LENGTH}`, n);
      return;
    }
    if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...path, String(i)], depth + 1));
      return;
    }
    if (isMap(n)) {
      const seen = new Map<string, number>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = pair.key;
        if (key !== null && !(isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number' || typeof key.value === 'boolean'))) {
          add(
            path,
            isAlias(key)
              ? 'YAML aliases are not supported in settings, not even as keys'
              : 'a mapping key must be a plain string, not a list, mapping or tagged value',
            key as Node,
          );
          continue;
        }
        const name = key === null ? '' : String(key.value);
        if (name.length > MAX_STRING_LENGTH) {
          add(path, `a key of ${name.length} characters; no setting is longer than ${MAX_STRING_LENGTH}`, key);
          continue;
        }
        if (name === '__proto__') {
          // It would replace the prototype of the mapping it lands in: its settings would be read without being listed.
          add([...path, name], 'a key named __proto__ is not supported', key);
          continue;
        }
        const first = seen.get(name);
        if (first !== undefined) {
          add([...path, name], `duplicate key: YAML would keep only the last one (first at ${at(first)})`, key);
        } else {
          seen.set(name, key?.range?.[0] ?? 0);
        }
        walk(pair.value, [...path, name], depth + 1);
      }
    }
  };
  walk(doc.contents, [], 0);
  if (problems.length === 0 && doc.warnings.length > 0) problems.push(...syntax(doc.warnings, at));
  if (problems.length > 0) return { problems };

  try {
    return { data: doc.toJS({ maxAliasCount: 0 }) as unknown, problems };
  } catch {
    return { problems: [{ field: '(file)', message: 'YAML: the document cannot be turned into settings' }] };
  }
}
