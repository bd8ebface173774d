import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformJson } from './synth';

/**
 * A synthesized module moved onto Terraform's built-in provider, so Terraform core can apply and plan it here
 * (no provider reaches these machines): every provider resource becomes a `terraform_data` whose `input` is its
 * configuration plus stand-in values for the computed attributes the module reads, and every data source a
 * `terraform_remote_state` over a local state file holding stand-in attributes. What it keeps is what decides
 * whether a second plan is empty in Terraform core: every expression (references rewritten), `count`,
 * `for_each`, `depends_on`, `ignore_changes` (on the attributes inside `input`), `replace_triggered_by`,
 * `create_before_destroy`, the module's own `terraform_data` resources untouched (their preconditions
 * included), outputs, and every `check` block with its assertions and its scoped data source (still
 * scoped: Terraform plans a check-scoped data source as a Read on every plan, as it does with the real one).
 *
 * What it cannot show: a provider's own decisions (replacement rules, values the provider normalizes, drift the
 * provider reads back: a `terraform_data` never reads anything back), real computed values (a stand-in is the same
 * string at every plan), and the data sources' read order (a `terraform_remote_state` is always read during
 * the plan, never deferred). Preconditions and postconditions of provider resources, data sources and outputs
 * are left out: they test values, which here are stand-ins (plan-checks.ts evaluates them on facts).
 */
export interface BuiltinModule {
  /** The module's JSON (main.tf.json). */
  readonly module: Record<string, any>;
  /** State files of the data sources' stand-ins, by file name (relative to the module's folder). */
  readonly standIns: Record<string, unknown>;
}

const META = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', '//']);

/** `aws_instance` + `server-0_instance_ABC` → `aws_instance__server-0_instance_ABC`. */
const builtinName = (type: string, name: string) => `${type}__${name}`;

/**
 * `json` on the built-in provider; `known` gives stand-ins for attributes whose value the module compares with
 * its settings (`rancher2_bootstrap.url`: the server-url Rancher answers with), by `type.attribute`, and for a data
 * source's by `data.type.attribute` (`data.http.response_body`: the address checkip answers with).
 */
export function builtinModule(json: TerraformJson, known: Record<string, unknown> = {}): BuiltinModule {
  const source = json as Record<string, any>;
  const resources: Record<string, Record<string, any>> = source.resource ?? {};
  const data: Record<string, Record<string, any>> = source.data ?? {};
  const checks: Record<string, any> = source.check ?? {};
  const managed = new Map<string, Set<string>>();
  for (const [type, byName] of Object.entries(resources)) if (type !== 'terraform_data') managed.set(type, new Set(Object.keys(byName)));
  const read = new Map<string, Set<string>>();
  for (const [type, byName] of Object.entries(data)) read.set(type, new Set(Object.keys(byName)));
  for (const check of Object.values(checks))
    for (const [type, byName] of Object.entries<Record<string, unknown>>(check.data ?? {}))
      for (const name of Object.keys(byName)) (read.get(type) ?? read.set(type, new Set()).get(type)!).add(name);

  const NAME = '[A-Za-z_][A-Za-z0-9_-]*';
  const reference = new RegExp(`(?<![\\w.-])(data\\.)?(${NAME})\\.(${NAME})(\\[[^\\]]*\\])?(?![\\w-])`, 'g');
  /** Computed attributes each resource is read for, and the attribute paths each data source is read for. */
  const readAttributes = new Map<string, Set<string>>();
  const dataPaths = new Map<string, string[]>();
  const rewrite = (text: string): string =>
    text.replace(reference, (whole, isData: string | undefined, type: string, name: string, index: string | undefined, offset: number) => {
      const rest = text.slice(offset + whole.length);
      if (isData) {
        if (!read.get(type)?.has(name)) return whole;
        const path = /^(?:\[\*\])?((?:\.[A-Za-z0-9_]+|\[[^\]]*\])*)/.exec(rest)![1];
        const key = builtinName(type, name);
        dataPaths.set(key, [...(dataPaths.get(key) ?? []), path]);
        return `data.terraform_remote_state.${key}${index ?? ''}.outputs`;
      }
      if (!managed.get(type)?.has(name)) return whole;
      const [, attribute, indexed] = /^(?:\[\*\])?\.([A-Za-z0-9_]+)(\[\d)?/.exec(rest) ?? [];
      const key = builtinName(type, name);
      if (attribute) (readAttributes.get(key) ?? readAttributes.set(key, new Set()).get(key)!).add(indexed ? `${attribute}[` : attribute);
      return `terraform_data.${key}${index ?? ''}.output`;
    });
  const deep = (value: unknown): any =>
    typeof value === 'string'
      ? rewrite(value)
      : Array.isArray(value)
        ? value.map(deep)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v)]))
          : value;
  /** An address in depends_on or replace_triggered_by: the object, not its output. */
  const address = (text: string) => deep(text).replace(/\.outputs?$/, '');

  const lifecycle = (given: Record<string, any> | undefined, argumentsInInput: boolean) => {
    if (!given) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(given)) {
      if (key === 'precondition' || key === 'postcondition') continue;
      if (key === 'ignore_changes' && argumentsInInput)
        out[key] = value === 'all' ? 'all' : (value as string[]).map((a) => (a === 'all' ? a : `input[${JSON.stringify(a)}]`));
      else if (key === 'replace_triggered_by') out[key] = (value as string[]).map(address);
      else out[key] = deep(value);
    }
    return out;
  };

  const translatedResources: Record<string, any> = {};
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, block] of Object.entries<Record<string, any>>(byName)) {
      if (type === 'terraform_data') {
        translatedResources[name] = {
          ...deep(block),
          ...(block.depends_on ? { depends_on: block.depends_on.map(address) } : {}),
          ...(block.lifecycle ? { lifecycle: { ...deep(block.lifecycle), ...lifecycle(block.lifecycle, false) } } : {}),
        };
        if (block.lifecycle?.precondition) translatedResources[name].lifecycle.precondition = deep(block.lifecycle.precondition);
        if (block.lifecycle?.postcondition) translatedResources[name].lifecycle.postcondition = deep(block.lifecycle.postcondition);
        continue;
      }
      const configuration = Object.fromEntries(Object.entries(block).filter(([key]) => !META.has(key)));
      translatedResources[builtinName(type, name)] = {
        input: deep(configuration),
        ...(block.count !== undefined ? { count: deep(block.count) } : {}),
        ...(block.for_each !== undefined ? { for_each: deep(block.for_each) } : {}),
        ...(block.depends_on ? { depends_on: block.depends_on.map(address) } : {}),
        ...(block.lifecycle ? { lifecycle: lifecycle(block.lifecycle, true) } : {}),
      };
    }
  }
  const module: Record<string, any> = {};
  if (source.variable) module.variable = source.variable;
  if (source.locals) module.locals = deep(source.locals);
  if (source.output)
    module.output = Object.fromEntries(
      Object.entries<Record<string, any>>(source.output).map(([name, output]) => {
        const { precondition: _dropped, ...rest } = output;
        return [name, { ...deep(rest), ...(output.depends_on ? { depends_on: output.depends_on.map(address) } : {}) }];
      }),
    );
  const remoteState = (type: string, name: string, block: Record<string, any>) => ({
    backend: 'local',
    config: { path: `stand-ins/${builtinName(type, name)}.tfstate` },
    ...(block.count !== undefined ? { count: deep(block.count) } : {}),
    ...(block.for_each !== undefined ? { for_each: deep(block.for_each) } : {}),
    ...(block.depends_on ? { depends_on: block.depends_on.map(address) } : {}),
  });
  const translatedData: Record<string, any> = {};
  for (const [type, byName] of Object.entries(data))
    for (const [name, block] of Object.entries<Record<string, any>>(byName)) translatedData[builtinName(type, name)] = remoteState(type, name, block);
  if (Object.keys(translatedData).length) module.data = { terraform_remote_state: translatedData };
  if (source.check)
    module.check = Object.fromEntries(
      Object.entries<Record<string, any>>(checks).map(([name, check]) => {
        const scoped: Record<string, any> = {};
        for (const [type, byName] of Object.entries<Record<string, any>>(check.data ?? {}))
          for (const [dataName, block] of Object.entries<Record<string, any>>(byName))
            scoped[builtinName(type, dataName)] = remoteState(type, dataName, block);
        return [name, { ...(Object.keys(scoped).length ? { data: { terraform_remote_state: scoped } } : {}), assert: deep(check.assert) }];
      }),
    );
  // The references are all known now: the computed attributes each resource is read for, as stand-ins.
  for (const [key, attributes] of readAttributes) {
    const block = translatedResources[key];
    for (const read of attributes) {
      const attribute = read.replace(/\[$/, '');
      const type = key.slice(0, key.indexOf('__'));
      if (!(attribute in block.input))
        block.input[attribute] = `${type}.${attribute}` in known ? known[`${type}.${attribute}`] : standIn(attribute, key);
      // A nested block read by index (`metadata[0].name`): the provider's schema makes it a list, cdktf writes one as an object.
      else if (read.endsWith('[') && !Array.isArray(block.input[attribute])) block.input[attribute] = [block.input[attribute]];
    }
  }
  module.resource = { terraform_data: translatedResources };
  if (source.moved) throw new Error('builtinModule: moved blocks are not translated');
  const standIns: Record<string, unknown> = {};
  for (const [type, names] of read)
    for (const name of names) {
      const key = builtinName(type, name);
      const outputs: Record<string, any> = {};
      // A data source's attribute given in `known` as `data.<type>[<name prefix>].<attribute>` (one data source of the
      // type) or `data.<type>.<attribute>` (checkip's answer), else a stand-in.
      const own = Object.keys(known).find((k) => k.startsWith(`data.${type}[`) && name.startsWith(k.slice(`data.${type}[`.length, k.indexOf(']'))));
      const value = (attribute: string) =>
        own && `${own.slice(0, own.indexOf(']') + 1)}.${attribute}` in known
          ? known[`${own.slice(0, own.indexOf(']') + 1)}.${attribute}`]
          : `data.${type}.${attribute}` in known
            ? known[`data.${type}.${attribute}`]
            : standIn(attribute, key);
      for (const path of dataPaths.get(key) ?? []) place(outputs, path, key, value);
      standIns[`stand-ins/${key}.tfstate`] = {
        version: 4,
        terraform_version: '1.11.4',
        serial: 1,
        lineage: `stand-in-${key}`,
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: ctyType(v) }])),
        resources: [],
      };
    }
  return { module, standIns };
}

/** Writes the module, its stand-ins and `values` as terraform.tfvars.json into `dir`. */
export function writeBuiltinModule(dir: string, translated: BuiltinModule, values: Record<string, string>): void {
  mkdirSync(join(dir, 'stand-ins'), { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(translated.module, null, 2));
  for (const [file, state] of Object.entries(translated.standIns)) writeFileSync(join(dir, file), JSON.stringify(state));
  writeFileSync(join(dir, 'terraform.tfvars.json'), JSON.stringify(values));
}

/** A value of the shape an attribute path reads (`.a[0].b`, `["key"]`), placed into `into`. */
function place(into: Record<string, any>, path: string, key: string, value: (attribute: string) => unknown): void {
  const steps = [...path.matchAll(/\.([A-Za-z0-9_]+)|\[([^\]]*)\]/g)].map((m) => (m[1] !== undefined ? { attr: m[1] } : { index: m[2] }));
  if (steps.length === 0 || !('attr' in steps[0])) return;
  let node: any = into;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const leafName = 'attr' in step ? step.attr! : steps[i - 1] && 'attr' in steps[i - 1] ? steps[i - 1].attr! : key;
    const next = steps[i + 1];
    const fresh = () => (last ? value(leafName) : next && 'index' in next && !/^\\?"/.test(next.index!) ? [] : {});
    if ('attr' in step) {
      if (node[step.attr!] === undefined || (last && typeof node[step.attr!] !== 'object')) node[step.attr!] = fresh();
      node = node[step.attr!];
    } else if (!/^\\?"/.test(step.index!)) {
      // A number, or an expression (`length(x) - 1`): a list of one element answers both.
      const at = /^\d+$/.test(step.index!) ? Number(step.index) : 0;
      if (!Array.isArray(node)) return;
      while (node.length <= at) node.push(last ? value(leafName) : {});
      node = node[at];
    } else {
      const mapKey = JSON.parse(step.index!.replace(/\\"/g, '"'));
      if (node[mapKey] === undefined) node[mapKey] = fresh();
      node = node[mapKey];
    }
  });
}

/** A stand-in value for an attribute, by its name: the form the module's functions expect of it. */
function standIn(attribute: string, key: string): unknown {
  const fixed: Record<string, unknown> = {
    names: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    ids: [],
    nodes: [],
    partition: 'aws',
    dns_suffix: 'amazonaws.com',
    region: 'us-east-1',
    account_id: '123456789012',
    zone_id: 'Z0123456789ABCDEFGHIJ',
    json: '{"Version":"2012-10-17","Statement":[]}',
    validity_end_time: '2036-01-01T00:00:00Z',
    not_after: '2036-01-01T00:00:00Z',
    // The tls provider's default.
    early_renewal_hours: 0,
    // The AWS provider stores an instance without a key pair as "" (what ServerNode.staleAttributes compares with).
    key_name: '',
  };
  // The parameters a path holds: none until the servers report (aws_ssm_parameters_by_path).
  if (key.startsWith('aws_ssm_parameters_by_path__') && ['names', 'values', 'arns', 'types'].includes(attribute)) return [];
  if (attribute in fixed) return fixed[attribute];
  if (attribute === 'arn' || attribute.endsWith('_arn')) return `arn:aws:stand-in:us-east-1:123456789012:${key}`;
  return `stand-in-${key}-${attribute}`;
}

/** The cty type of a JSON value, as a state file's outputs declare it. */
function ctyType(value: unknown): unknown {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(ctyType)];
  return ['object', Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, ctyType(v)]))];
}
