import { escapeTemplateSyntax, heredocTemplate, quotedTemplate, soleInterpolation } from './template';

/**
 * Terraform JSON configuration (`cdk.tf.json`) written as HCL native syntax
 * (`cdk.tf`), laid out the way `terraform fmt` leaves it.
 *
 * The JSON is the tested output of the synth; this only changes its syntax.
 * What JSON cannot say is whether an object is a nested block or an
 * attribute of object type (a map, a nested attribute): Terraform's own
 * blocks (lifecycle, validation, ...) are known here, provider schemas come
 * from `HclSchema`. Values follow the JSON syntax rules: most strings are
 * templates, some are literal (variable defaults, descriptions, the
 * `terraform` block), some are references or type expressions.
 */

/** Which keys of a provider, resource or data source body are nested blocks. */
export interface HclSchema {
  /** `path`: kind (`resource`, `data`, `provider`), type, then nested block names, e.g. resource/aws_lb_listener/default_action/redirect. */
  isBlock(path: readonly string[]): boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** How a JSON string is read: a template, literal text, or an expression's source (references, types). */
type Mode = 'template' | 'literal' | 'source';

interface Line {
  readonly indent: number;
  readonly text: string;
}

/** A rendered value: the text after `=`, and the lines that follow it (their indent absolute). */
interface Rendered {
  readonly first: string;
  readonly more: readonly Line[];
  /** One line, or a heredoc: `terraform fmt` aligns its `=` with the neighbouring attributes'. */
  readonly aligned: boolean;
}

type Item =
  { readonly kind: 'attribute'; readonly key: string; readonly value: Rendered } | { readonly kind: 'block'; readonly lines: readonly Line[] };

const INDENT = '  ';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A list this short, of single-line items, stays on one line. */
const ONE_LINE_LIST_WIDTH = 100;

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const asBlocks = (value: Json, where: string): JsonObject[] => {
  const blocks = Array.isArray(value) ? value : [value];
  if (!blocks.every(isObject)) throw new Error(`${where}: a block must be an object, got ${JSON.stringify(value).slice(0, 80)}`);
  return blocks;
};
const single = (text: string): Rendered => ({ first: text, more: [], aligned: true });

function renderString(text: string, mode: Mode, allowHeredoc: boolean): Rendered {
  if (mode === 'source') {
    const source = soleInterpolation(text) ?? text;
    if (source.includes('\n')) throw new Error(`an expression on several lines is not supported: ${source.slice(0, 80)}`);
    return single(source);
  }
  if (mode === 'template') {
    const expression = soleInterpolation(text);
    // A template that is one interpolation is that expression's value: `terraform fmt` writes it unquoted.
    if (expression !== undefined) return renderString(expression, 'source', allowHeredoc);
  }
  const template = mode === 'literal' ? escapeTemplateSyntax(text) : text;
  const heredoc = allowHeredoc ? heredocTemplate(template) : undefined;
  if (!heredoc) return single(quotedTemplate(template));
  // Heredoc content and closing marker are not indented: the content is the string itself.
  return { first: heredoc.open, more: [...heredoc.lines, heredoc.close].map((text) => ({ indent: 0, text })), aligned: true };
}

function renderValue(value: Json, mode: Mode, indent: number, allowHeredoc = true): Rendered {
  if (value === null) return single('null');
  if (typeof value === 'boolean' || typeof value === 'number') return single(JSON.stringify(value));
  if (typeof value === 'string') return renderString(value, mode, allowHeredoc);
  if (Array.isArray(value)) return renderList(value, mode, indent);
  return renderObject(value, mode, indent);
}

function renderList(values: Json[], mode: Mode, indent: number): Rendered {
  if (values.length === 0) return single('[]');
  const items = values.map((v) => renderValue(v, mode, indent + 1, false));
  const oneLine = `[${items.map((i) => i.first).join(', ')}]`;
  if (items.every((i) => i.more.length === 0) && values.every((v) => !isObject(v) && !Array.isArray(v)) && oneLine.length <= ONE_LINE_LIST_WIDTH) {
    return single(oneLine);
  }
  const more: Line[] = [];
  for (const item of items) {
    const lines = [{ indent: indent + 1, text: item.first }, ...item.more];
    lines[lines.length - 1] = { ...lines[lines.length - 1], text: `${lines[lines.length - 1].text},` };
    more.push(...lines);
  }
  more.push({ indent, text: ']' });
  return { first: '[', more, aligned: false };
}

function objectKey(key: string, mode: Mode): string {
  if (IDENTIFIER.test(key)) return key;
  return quotedTemplate(mode === 'literal' ? escapeTemplateSyntax(key) : key);
}

function renderObject(object: JsonObject, mode: Mode, indent: number): Rendered {
  const entries = Object.entries(object);
  if (entries.length === 0) return single('{}');
  const items: Item[] = entries.map(([key, value]) => ({
    kind: 'attribute',
    key: objectKey(key, mode),
    value: renderValue(value, mode, indent + 1),
  }));
  return { first: '{', more: [...bodyLines(items, indent + 1), { indent, text: '}' }], aligned: false };
}

/**
 * The lines of a body (or object constructor) at `indent`, as `terraform fmt`
 * lays them out: consecutive one-line attributes have their `=` aligned,
 * each block is preceded by a blank line.
 */
function bodyLines(items: readonly Item[], indent: number): Line[] {
  const lines: Line[] = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i];
    if (item.kind === 'block') {
      if (lines.length > 0) lines.push({ indent: 0, text: '' });
      lines.push(...item.lines);
      i += 1;
      continue;
    }
    if (lines.length > 0 && items[i - 1]?.kind === 'block') lines.push({ indent: 0, text: '' });
    // A chain of aligned attributes: `=` one column after the longest key.
    let end = i;
    while (end < items.length && items[end].kind === 'attribute' && (items[end] as Extract<Item, { kind: 'attribute' }>).value.aligned) end += 1;
    if (end === i) {
      lines.push({ indent, text: `${item.key} = ${item.value.first}` }, ...item.value.more);
      i += 1;
      continue;
    }
    const chain = items.slice(i, end) as Extract<Item, { kind: 'attribute' }>[];
    const width = Math.max(...chain.map((a) => a.key.length));
    for (const a of chain) lines.push({ indent, text: `${a.key.padEnd(width)} = ${a.value.first}` }, ...a.value.more);
    i = end;
  }
  return lines;
}

function block(header: string, items: readonly Item[], indent: number, comment?: string): Item {
  const lines: Line[] = [];
  if (comment) lines.push({ indent, text: `# ${comment}` });
  if (items.length === 0) {
    lines.push({ indent, text: `${header} {}` });
  } else {
    lines.push({ indent, text: `${header} {` }, ...bodyLines(items, indent + 1), { indent, text: '}' });
  }
  return { kind: 'block', lines };
}

const attribute = (key: string, value: Json, mode: Mode, indent: number): Item => ({
  kind: 'attribute',
  key,
  value: renderValue(value, mode, indent),
});

/** `where`'s construct path, from cdktf's `//` metadata, for a comment above the block. */
function constructPath(body: JsonObject): string | undefined {
  const meta = body['//'];
  const path = isObject(meta) && isObject(meta.metadata) ? meta.metadata.path : undefined;
  return typeof path === 'string' ? path : undefined;
}

/** Terraform's condition blocks (precondition, postcondition, validation). */
function conditionBlocks(type: string, value: Json, indent: number, where: string): Item[] {
  return asBlocks(value, `${where}.${type}`).map((c) =>
    block(
      type,
      Object.entries(c).map(([key, v]) => attribute(key, v, 'template', indent + 1)),
      indent,
    ),
  );
}

/** A lifecycle block of a resource, data source or removed block. */
function lifecycleBlock(value: Json, indent: number, where: string): Item {
  const [body] = asBlocks(value, `${where}.lifecycle`);
  const items: Item[] = [];
  for (const [key, v] of Object.entries(body)) {
    if (key === 'precondition' || key === 'postcondition') items.push(...conditionBlocks(key, v, indent + 1, where));
    else if (key === 'ignore_changes' || key === 'replace_triggered_by') items.push(attribute(key, v, 'source', indent + 1));
    else if (key === 'create_before_destroy' || key === 'prevent_destroy' || key === 'destroy') items.push(attribute(key, v, 'literal', indent + 1));
    else throw new Error(`${where}.lifecycle: unsupported argument "${key}"`);
  }
  return block('lifecycle', order(items), indent);
}

/** Attributes first, then blocks, each in their order. */
function order(items: Item[]): Item[] {
  return [...items.filter((i) => i.kind === 'attribute'), ...items.filter((i) => i.kind === 'block')];
}

const META_SOURCE = new Set(['provider', 'depends_on']);
const FIRST_META = new Set(['count', 'for_each', 'provider']);
const UNSUPPORTED = new Set(['dynamic', 'provisioner', 'connection']);

/** The body of a provider, resource or data source: provider schema plus Terraform's meta-arguments. */
function schemaBody(body: JsonObject, path: readonly string[], schema: HclSchema, indent: number, topLevel: boolean): Item[] {
  const where = path.join('.');
  const attributes: Item[] = [];
  const blocks: Item[] = [];
  let lifecycle: Item | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === '//') continue;
    if (topLevel && UNSUPPORTED.has(key)) throw new Error(`${where}: "${key}" is not supported by the HCL output`);
    if (topLevel && key === 'lifecycle') lifecycle = lifecycleBlock(value, indent, where);
    else if (topLevel && META_SOURCE.has(key)) attributes.push(attribute(key, value, 'source', indent));
    // A provider's `alias` is Terraform's meta-argument; a resource's `alias` (aws_route53_record) is the schema's.
    else if (topLevel && path[0] === 'provider' && key === 'alias') attributes.push(attribute(key, value, 'literal', indent));
    else if (schema.isBlock([...path, key])) {
      for (const nested of asBlocks(value, `${where}.${key}`))
        blocks.push(block(key, schemaBody(nested, [...path, key], schema, indent + 1, false), indent));
    } else attributes.push(attribute(key, value, 'template', indent));
  }
  // Meta-arguments where Terraform's style puts them: count, for_each and provider first, depends_on after the
  // arguments, lifecycle last (the sort is stable: arguments keep the JSON's order).
  const rank = (key: string) => (FIRST_META.has(key) ? 0 : key === 'depends_on' ? 2 : 1);
  const byRank = (a: Item, b: Item) => (a.kind === 'attribute' && b.kind === 'attribute' ? rank(a.key) - rank(b.key) : 0);
  return [...attributes.sort(byRank), ...blocks, ...(lifecycle ? [lifecycle] : [])];
}

function terraformBlock(body: JsonObject): Item {
  const items: Item[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === 'required_version') items.push(attribute(key, value, 'literal', 1));
    else if (key === 'required_providers' && isObject(value)) {
      items.push(
        block(
          'required_providers',
          Object.entries(value).map(([name, req]) => attribute(name, req, 'literal', 2)),
          1,
        ),
      );
    } else if (key === 'backend' && isObject(value)) {
      for (const [type, config] of Object.entries(value)) {
        if (!isObject(config)) throw new Error(`terraform.backend.${type}: expected an object`);
        items.push(
          block(
            `backend "${type}"`,
            Object.entries(config).map(([k, v]) => attribute(k, v, 'literal', 2)),
            1,
          ),
        );
      }
    } else throw new Error(`terraform: "${key}" is not supported by the HCL output`);
  }
  return block('terraform', order(items), 0);
}

function variableBlock(name: string, body: JsonObject): Item {
  const items: Item[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === '//') continue;
    if (key === 'validation') items.push(...conditionBlocks('validation', value, 1, `variable.${name}`));
    else if (key === 'type') items.push(attribute(key, value, 'source', 1));
    else if (['default', 'description', 'sensitive', 'nullable', 'ephemeral'].includes(key)) items.push(attribute(key, value, 'literal', 1));
    else throw new Error(`variable.${name}: unsupported argument "${key}"`);
  }
  return block(`variable "${name}"`, order(items), 0);
}

function outputBlock(name: string, body: JsonObject): Item {
  const items: Item[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === '//') continue;
    if (key === 'precondition') items.push(...conditionBlocks(key, value, 1, `output.${name}`));
    else if (key === 'value') items.push(attribute(key, value, 'template', 1));
    else if (key === 'depends_on') items.push(attribute(key, value, 'source', 1));
    else if (['description', 'sensitive', 'ephemeral'].includes(key)) items.push(attribute(key, value, 'literal', 1));
    else throw new Error(`output.${name}: unsupported argument "${key}"`);
  }
  return block(`output "${name}"`, order(items), 0);
}

function removedBlock(body: JsonObject): Item {
  const items: Item[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === 'from') items.push(attribute(key, value, 'source', 1));
    else if (key === 'lifecycle') items.push(lifecycleBlock(value, 1, 'removed'));
    else throw new Error(`removed: unsupported argument "${key}"`);
  }
  return block('removed', order(items), 0);
}

/** A check block: its scoped data sources, then its assertions (Terraform 1.5+). */
function checkBlock(name: string, body: JsonObject, schema: HclSchema): Item {
  const unknown = Object.keys(body).filter((key) => key !== 'data' && key !== 'assert');
  if (unknown.length > 0) throw new Error(`check.${name}: unsupported argument "${unknown[0]}"`);
  // The data source first, as the assertions read it (the JSON has its keys sorted).
  const items: Item[] = [
    ...(body.data === undefined ? [] : typedBlocks('data', body.data, schema, 1)),
    ...(body.assert === undefined ? [] : conditionBlocks('assert', body.assert, 1, `check.${name}`)),
  ];
  return block(`check "${name}"`, items, 0);
}

function typedBlocks(kind: 'resource' | 'data', byType: Json, schema: HclSchema, indent = 0): Item[] {
  if (!isObject(byType)) throw new Error(`${kind}: expected an object`);
  const items: Item[] = [];
  for (const [type, byName] of Object.entries(byType)) {
    if (!isObject(byName)) throw new Error(`${kind}.${type}: expected an object`);
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) throw new Error(`${kind}.${type}.${name}: expected an object`);
      items.push(block(`${kind} "${type}" "${name}"`, schemaBody(body, [kind, type], schema, indent + 1, true), indent, constructPath(body)));
    }
  }
  return items;
}

/** Top-level blocks in the order Terraform's style guide lists them. */
const TOP_LEVEL = ['terraform', 'provider', 'variable', 'locals', 'data', 'resource', 'removed', 'check', 'output'];

/** A synthesized stack's Terraform JSON as HCL native syntax, formatted as `terraform fmt` would. */
export function terraformJsonToHcl(json: Readonly<Record<string, unknown>>, schema: HclSchema): string {
  const doc = json as JsonObject;
  const unknown = Object.keys(doc).filter((key) => key !== '//' && !TOP_LEVEL.includes(key));
  if (unknown.length > 0) throw new Error(`not supported by the HCL output: ${unknown.join(', ')}`);
  const items: Item[] = [];
  for (const key of TOP_LEVEL) {
    const value = doc[key];
    if (value === undefined) continue;
    if (key === 'terraform' && isObject(value)) items.push(terraformBlock(value));
    else if (key === 'provider' && isObject(value)) {
      for (const [name, configs] of Object.entries(value)) {
        for (const config of asBlocks(configs, `provider.${name}`))
          items.push(block(`provider "${name}"`, schemaBody(config, ['provider', name], schema, 1, true), 0));
      }
    } else if (key === 'variable' && isObject(value)) {
      for (const [name, body] of Object.entries(value)) items.push(variableBlock(name, asBlocks(body, `variable.${name}`)[0]));
    } else if (key === 'locals' && isObject(value)) {
      items.push(
        block(
          'locals',
          Object.entries(value).map(([name, v]) => attribute(name, v, 'template', 1)),
          0,
        ),
      );
    } else if (key === 'data' || key === 'resource') items.push(...typedBlocks(key, value as Json, schema));
    else if (key === 'removed') items.push(...asBlocks(value as Json, 'removed').map(removedBlock));
    else if (key === 'check' && isObject(value)) {
      for (const [name, body] of Object.entries(value)) items.push(checkBlock(name, asBlocks(body, `check.${name}`)[0], schema));
    } else if (key === 'output' && isObject(value)) {
      for (const [name, body] of Object.entries(value)) items.push(outputBlock(name, asBlocks(body, `output.${name}`)[0]));
    } else throw new Error(`${key}: unexpected shape`);
  }
  const lines = bodyLines(items, 0);
  return `${lines.map((line) => (line.text === '' ? '' : `${INDENT.repeat(line.indent)}${line.text}`)).join('\n')}\n`;
}
