/**
 * The Terraform language features a synthesized module uses, read from its JSON (`cdk.tf.json`) or its HCL
 * (`cdk.tf`), and the explicit list of those OpenTofu accepts, each with the OpenTofu release that first did.
 *
 * The list is the features the stacks use today, not everything OpenTofu has: a feature that appears in the output
 * and is not listed fails the root-module tests, so a new one is looked up in OpenTofu's changelog (and listed with
 * its release) before it ships. Terraform-only features (ephemeral resources and write-only attributes, actions,
 * `import` blocks with `for_each` before OpenTofu 1.7, provider-defined functions, functions Terraform added after
 * the fork such as `templatestring` or `ephemeralasnull`) are not listed, so they fail.
 *
 * Read from OpenTofu's sources (github.com/opentofu/opentofu, tags v1.6.0 to v1.10.0): each release's CHANGELOG.md,
 * and the function table of internal/lang/functions.go at v1.10.0 (the same 119 functions as v1.9.0).
 */

/** The OpenTofu release the synthesized modules are checked against (docs/pipeline.md names it). */
export const OPENTOFU_VERSION = '1.10';

/** Features of the language itself, present since OpenTofu's first release (1.6, forked from Terraform 1.5/1.6). */
const SINCE_FORK = [
  'block terraform',
  'block provider',
  'block resource',
  'block data',
  'block variable',
  'block output',
  'block locals',
  'terraform required_version',
  'terraform required_providers',
  'backend local',
  'backend local path',
  'backend s3',
  'backend s3 bucket',
  'backend s3 key',
  'backend s3 region',
  'backend s3 encrypt',
  'resource count',
  'resource for_each',
  'resource depends_on',
  'resource provider',
  'resource lifecycle',
  'resource lifecycle create_before_destroy',
  'resource lifecycle prevent_destroy',
  'resource lifecycle ignore_changes',
  'resource lifecycle precondition',
  'resource lifecycle postcondition',
  'data depends_on',
  'data provider',
  'data count',
  'data lifecycle',
  'data lifecycle precondition',
  'data lifecycle postcondition',
  // Terraform 1.4's built-in resource, kept by the fork.
  'resource type terraform_data',
  'variable type',
  'variable default',
  'variable description',
  'variable sensitive',
  'variable nullable',
  'variable validation',
  'output value',
  'output description',
  'output sensitive',
  'output precondition',
  // Terraform 1.5's check blocks, with a scoped data source, in OpenTofu from 1.6.
  'block check',
  'check assert',
  'check data',
  'type string',
  'type list',
  'type bool',
] as const;

/** Every feature the stacks use, with the OpenTofu release that first accepts it. */
export const OPENTOFU_FEATURES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SINCE_FORK.map((feature) => [feature, '1.6'])),
  // 1.7.0's changelog: the `removed` block (forgets a resource without destroying it).
  'block removed': '1.7',
  'removed from': '1.7',
  // 1.9.0's changelog: a variable's validation may refer to other variables (and data).
  'variable validation referring to another variable': '1.9',
  // 1.10.0's changelog: `removed` takes `lifecycle` (destroy = false says what the 1.7 block always did), and the
  // s3 backend locks with a lock file in the bucket, without DynamoDB (`use_lockfile`).
  'removed lifecycle': '1.10',
  'removed lifecycle destroy': '1.10',
  'backend s3 use_lockfile': '1.10',
  // The functions the stacks call: every one in OpenTofu 1.10's function table (internal/lang/functions.go).
  ...Object.fromEntries(
    [
      'alltrue',
      'anytrue',
      'base64encode',
      'base64gzip',
      'basename',
      'can',
      'cidrhost',
      'cidrnetmask',
      'cidrsubnet',
      'coalesce',
      'compact',
      'concat',
      'contains',
      'distinct',
      'element',
      'endswith',
      'fileexists',
      'format',
      'join',
      'jsondecode',
      'jsonencode',
      'keys',
      'length',
      'lower',
      'max',
      'md5',
      'min',
      'nonsensitive',
      'one',
      'pathexpand',
      'plantimestamp',
      'pow',
      'range',
      'regex',
      'regexall',
      'replace',
      'setsubtract',
      'sha256',
      'slice',
      'sort',
      'split',
      'startswith',
      'strcontains',
      'substr',
      'sum',
      'timeadd',
      'timecmp',
      'timestamp',
      'tolist',
      'tonumber',
      'toset',
      'trimprefix',
      'trimspace',
      'trimsuffix',
      'try',
      'values',
      'yamldecode',
      'yamlencode',
      'zipmap',
    ].map((name) => [`function ${name}`, '1.6']),
  ),
};

/** The features of `features` that OpenTofu OPENTOFU_VERSION is not known to accept (not in the list, or newer). */
export function outsideOpenTofu(features: Iterable<string>): string[] {
  const [major, minor] = OPENTOFU_VERSION.split('.').map(Number);
  return [...new Set(features)]
    .filter((feature) => {
      const since = OPENTOFU_FEATURES[feature];
      if (since === undefined) return true;
      const [m, n] = since.split('.').map(Number);
      return m > major || (m === major && n > minor);
    })
    .sort();
}

type Json = Record<string, any>;

/** Terraform's own arguments of a resource or data source body (the rest is the provider's schema). */
const META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection', 'dynamic']);

/** The language features a module's JSON (`cdk.tf.json`) uses: its blocks, meta-arguments, functions and types. */
export function jsonFeatures(json: Json): Set<string> {
  const found = new Set<string>();
  const add = (feature: string) => found.add(feature);
  for (const [kind, value] of Object.entries(json)) {
    if (kind === '//') continue; // cdktf's metadata: a comment in Terraform's JSON syntax
    add(`block ${kind}`);
    if (kind === 'terraform') {
      for (const [key, setting] of Object.entries(value as Json)) {
        if (key !== 'backend') {
          add(`terraform ${key}`);
          continue;
        }
        for (const [type, config] of Object.entries(setting as Json)) {
          add(`backend ${type}`);
          for (const attribute of Object.keys(config as Json)) add(`backend ${type} ${attribute}`);
        }
      }
    } else if (kind === 'resource' || kind === 'data') {
      for (const [type, named] of Object.entries(value as Json)) {
        if (type.startsWith('terraform_')) add(`${kind} type ${type}`);
        for (const body of Object.values(named as Json)) bodyFeatures(kind, body as Json, add);
      }
    } else if (kind === 'variable') {
      for (const [name, body] of Object.entries(value as Json)) {
        for (const [key, setting] of Object.entries(body as Json)) {
          add(`variable ${key}`);
          if (key === 'type') typeFeatures(String(setting), add);
          if (key === 'validation') {
            for (const rule of [setting].flat() as Json[]) {
              const others = [...String(rule.condition).matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)].filter((m) => m[1] !== name);
              if (others.length > 0) add('variable validation referring to another variable');
            }
          }
        }
      }
    } else if (kind === 'output') {
      for (const body of Object.values(value as Json)) for (const key of Object.keys(body as Json)) add(`output ${key}`);
    } else if (kind === 'check') {
      for (const body of Object.values(value as Json)) for (const key of Object.keys(body as Json)) add(`check ${key}`);
    } else if (kind === 'removed' || kind === 'import' || kind === 'moved') {
      for (const body of [value].flat() as Json[]) {
        for (const [key, setting] of Object.entries(body)) {
          add(`${kind} ${key}`);
          if (key === 'lifecycle') for (const rule of Object.keys(setting as Json)) add(`${kind} lifecycle ${rule}`);
        }
      }
    }
  }
  for (const call of functionCalls(json)) add(call.includes('::') ? `provider function ${call}` : `function ${call}`);
  return found;
}

function bodyFeatures(kind: string, body: Json, add: (feature: string) => void): void {
  for (const [key, value] of Object.entries(body)) {
    if (META.has(key)) add(`${kind} ${key}`);
    if (key === 'lifecycle') for (const rule of Object.keys(value as Json)) add(`${kind} lifecycle ${rule}`);
    // Terraform 1.11's write-only arguments (`password_wo`, `password_wo_version`): OpenTofu has none.
    if (/_wo(_version)?$/.test(key)) add(`${kind} write-only argument`);
  }
}

/** The type constructors and primitive types of a variable's type constraint (`list(object({a = optional(string)}))`). */
function typeFeatures(type: string, add: (feature: string) => void): void {
  const withoutStrings = type.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  // Attribute names of object types are followed by `=`; type keywords are not.
  for (const m of withoutStrings.matchAll(/\b([A-Za-z_][\w-]*)\b(?!\s*=)/g)) add(`type ${m[1]}`);
}

/**
 * Every function called in the module's expressions: in each string's template interpolations (`${...}`) and
 * directives (`%{...}`), with nested templates in quoted strings inside them, never in literal text (user data
 * carries shell and Python with calls of their own) nor in escapes (`$${`, `%%{`). Provider-defined functions come
 * back as `provider::name::function`.
 */
export function functionCalls(json: unknown): Set<string> {
  const calls = new Set<string>();
  const visit = (value: unknown, key?: string) => {
    if (typeof value === 'string') {
      // A variable's type and a description are not templates.
      if (key !== 'type' && key !== 'description') template(value, 0, undefined, calls);
    } else if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== '//') visit(v, k);
  };
  visit(json);
  return calls;
}

/** Reads template text from `i` to `close` (a quote inside an expression) or the end; returns where it stopped. */
function template(s: string, i: number, close: string | undefined, calls: Set<string>): number {
  while (i < s.length) {
    const c = s[i];
    if (close !== undefined && c === '\\') {
      i += 2;
      continue;
    }
    if (close !== undefined && c === close) return i + 1;
    if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      i += 3; // an escape: literal `${` or `%{`
      continue;
    }
    if ((c === '$' || c === '%') && s[i + 1] === '{') {
      i = expression(s, i + 2, calls);
      continue;
    }
    i++;
  }
  return i;
}

/** Reads an expression from `i` to its closing brace; returns the position after it. */
function expression(s: string, i: number, calls: Set<string>): number {
  let depth = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      i = template(s, i + 1, '"', calls);
      continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (c === '}') {
      if (depth === 0) return i + 1;
      depth--;
    }
    const name = /^[A-Za-z_][\w-]*(?:::[A-Za-z_][\w-]*)*/.exec(s.slice(i, i + 200));
    if (name && (i === 0 || !/[\w.-]/.test(s[i - 1]))) {
      const after = i + name[0].length;
      if (/^\s*\(/.test(s.slice(after, after + 20))) calls.add(name[0]);
      i = after;
      continue;
    }
    i++;
  }
  return i;
}

/** Terraform's own blocks inside a resource, data source, variable, output, check or removed block. */
const LANGUAGE_BLOCKS = new Set(['lifecycle', 'precondition', 'postcondition', 'validation', 'assert', 'dynamic', 'provisioner', 'connection']);

/**
 * The language features of a module's HCL (`cdk.tf`), from its blocks and the attributes of Terraform's own blocks,
 * in the layout `terraform fmt` leaves (one block or argument per line, two spaces a level; heredocs skipped). The
 * expressions are the JSON's, converted (lib/synth/hcl.ts): their functions are read from the JSON.
 */
export function hclFeatures(text: string): Set<string> {
  const found = new Set<string>();
  const add = (feature: string) => found.add(feature);
  const open: string[][] = [];
  let heredoc: string | undefined;
  /** The indent of a multi-line attribute value being skipped (an object, a list, a call), closed at it. */
  let closeAt: number | undefined;
  for (const line of text.split('\n')) {
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const trimmed = line.trim();
    if (closeAt !== undefined) {
      heredoc = /<<-?([A-Za-z_]\w*)$/.exec(line)?.[1];
      if (indent === closeAt && /^[\]})]/.test(trimmed)) closeAt = undefined;
      continue;
    }
    if (trimmed === '}') {
      open.pop();
      continue;
    }
    const parent = open[open.length - 1] ?? [];
    const block = /^ *([A-Za-z_][\w-]*)((?: "[^"]*")*) \{(\})?$/.exec(line);
    const attribute = /^ *([A-Za-z_][\w-]*) *= (.*)$/.exec(line);
    if (block) {
      const path = blockPath(parent, block[1], block[2], add);
      if (block[3] === undefined) open.push(path);
    } else if (attribute) {
      if (open.length > 0) attributeFeature(parent, attribute[1], add);
      heredoc = /<<-?([A-Za-z_]\w*)$/.exec(attribute[2])?.[1];
      if (/[[{(]$/.test(attribute[2])) closeAt = indent;
    }
  }
  return found;
}

/** The block's path for its children (`resource`, `resource lifecycle`, `backend s3`, ...), adding its feature. */
function blockPath(parent: string[], name: string, labels: string, add: (feature: string) => void): string[] {
  if (parent.length === 0) {
    add(`block ${name}`);
    const type = /^ "([^"]*)"/.exec(labels)?.[1];
    if ((name === 'resource' || name === 'data') && type?.startsWith('terraform_')) add(`${name} type ${type}`);
    return [name];
  }
  const [kind] = parent;
  if (kind === 'terraform') {
    if (name === 'backend') {
      const type = /^ "([^"]*)"/.exec(labels)?.[1] ?? '';
      add(`backend ${type}`);
      return ['backend', type];
    }
    add(`terraform ${name}`);
    return ['terraform', name, '(settings)'];
  }
  if (parent.length === 1 && LANGUAGE_BLOCKS.has(name)) {
    add(`${kind} ${name}`);
    return [kind, name];
  }
  if (parent.length === 1 && kind === 'check' && name === 'data') {
    add('check data');
    return [kind, 'data', '(schema)'];
  }
  if (parent.length === 2 && parent[1] === 'lifecycle' && LANGUAGE_BLOCKS.has(name)) {
    add(`${kind} lifecycle ${name}`);
    return [kind, 'lifecycle', name];
  }
  // A block of a provider's schema (or inside one of Terraform's own): no language feature of its own.
  return [...parent, '(schema)'];
}

function attributeFeature(parent: string[], name: string, add: (feature: string) => void): void {
  const [kind] = parent;
  if (parent.includes('(schema)')) return;
  if (kind === 'terraform' && parent.length === 1) add(`terraform ${name}`);
  else if (kind === 'backend') add(`backend ${parent[1]} ${name}`);
  else if (parent.length === 1 && (kind === 'resource' || kind === 'data') && META.has(name)) add(`${kind} ${name}`);
  else if (parent.length === 1 && (kind === 'resource' || kind === 'data') && /_wo(_version)?$/.test(name)) add(`${kind} write-only argument`);
  else if (parent.length === 1 && ['variable', 'output', 'removed', 'import', 'moved'].includes(kind)) add(`${kind} ${name}`);
  else if (parent.length === 2 && parent[1] === 'lifecycle') add(`${kind} lifecycle ${name}`);
}
