import type { TerraformJson } from './synth';
import { evaluateEach, expressionOf } from './terraform';

/**
 * The plan-time checks of a synthesized module (data-source postconditions,
 * `terraform_data` preconditions) evaluated by terraform offline, with the
 * data sources' attributes given as facts instead of read from AWS: every
 * `data.<type>.<name>` and `self` is replaced by a literal object, and one
 * `terraform console` run evaluates every condition (and its message only
 * where it fails).
 */

/** A route as `data.aws_route_table` returns it; missing target attributes are "". */
export type Route = { readonly cidr_block: string } & Partial<Record<string, string>>;

export interface NetworkFacts {
  readonly vpc: {
    readonly id: string;
    readonly cidr_block: string;
    readonly enable_dns_support: boolean;
    readonly main_route_table_id: string;
    /** "" without one (the provider's value), needed only by checks of a dual-stack network. */
    readonly ipv6_cidr_block?: string;
  };
  readonly subnets: Readonly<
    Record<
      string,
      {
        readonly vpc_id: string;
        readonly cidr_block: string;
        readonly availability_zone: string;
        readonly map_public_ip_on_launch: boolean;
        readonly ipv6_cidr_block?: string;
      }
    >
  >;
  /** Subnet id → the route table explicitly associated with it (none: the VPC's main table). */
  readonly associations?: Readonly<Record<string, string>>;
  /** Route table id → its routes. */
  readonly routeTables: Readonly<Record<string, readonly Route[]>>;
  /** The deployment's servers that exist (ServerQuorum's lookup). @default none */
  readonly servers?: { readonly ids: readonly string[]; readonly private_ips: readonly string[] };
  /** The deployment's data volumes that exist, by zone (the docker zone rule). @default none */
  readonly volumes?: readonly { readonly id: string; readonly zone: string }[];
}

const TARGETS = [
  'carrier_gateway_id',
  'core_network_arn',
  'destination_prefix_list_id',
  'egress_only_gateway_id',
  'gateway_id',
  'instance_id',
  'ipv6_cidr_block',
  'local_gateway_id',
  'nat_gateway_id',
  'network_interface_id',
  'transit_gateway_id',
  'vpc_endpoint_id',
  'vpc_peering_connection_id',
];
/** A route with every target attribute the provider returns, "" where unset. */
export const fullRoute = (r: Route) => ({ ...Object.fromEntries(TARGETS.map((t) => [t, ''])), ...r });

/** JSON is an HCL expression: objects, lists, strings, numbers, booleans. */
const literal = (value: unknown) => `(${JSON.stringify(value)})`;

const REFERENCE = /data\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)/g;

/** `text` with every data-source reference replaced by its value (an HCL expression). */
function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(REFERENCE, (whole) => {
    const value = values.get(whole);
    if (value === undefined) throw new Error(`no fact for ${whole}`);
    return value;
  });
}

/** The subnet id a `${data.aws_subnet.<name>.<attribute>}` reference names. */
function subnetOf(json: TerraformJson, reference: string): string {
  const name = /data\.aws_subnet\.([A-Za-z0-9_-]+)\./.exec(reference)?.[1];
  const id = name && json.data?.aws_subnet?.[name]?.id;
  if (!id) throw new Error(`not a subnet reference: ${reference}`);
  return id;
}

/** Every data source of the module as an HCL expression of its attributes, from the facts. */
export function dataValues(json: TerraformJson, facts: NetworkFacts): Map<string, string> {
  const values = new Map<string, string>();
  const data = json.data ?? {};
  for (const name of Object.keys(data.aws_vpc ?? {})) values.set(`data.aws_vpc.${name}`, literal(facts.vpc));
  for (const [name, subnet] of Object.entries(data.aws_subnet ?? {})) {
    const fact = facts.subnets[subnet.id];
    if (!fact) throw new Error(`no facts for subnet ${subnet.id}`);
    values.set(`data.aws_subnet.${name}`, literal({ id: subnet.id, ...fact }));
  }
  for (const [name, tables] of Object.entries(data.aws_route_tables ?? {})) {
    const subnetId = subnetOf(json, tables.filter[0].values[0]);
    const explicit = facts.associations?.[subnetId];
    values.set(`data.aws_route_tables.${name}`, literal({ ids: explicit ? [explicit] : [] }));
  }
  for (const name of Object.keys(data.aws_instances ?? {})) {
    values.set(`data.aws_instances.${name}`, literal({ ids: facts.servers?.ids ?? [], private_ips: facts.servers?.private_ips ?? [] }));
  }
  for (const [name, lookup] of Object.entries(data.aws_ebs_volumes ?? {})) {
    const zoneFilter = (lookup.filter as { name: string; values: string[] }[]).find((f) => f.name === 'availability-zone');
    const zone = zoneFilter ? facts.subnets[subnetOf(json, zoneFilter.values[0])].availability_zone : undefined;
    values.set(
      `data.aws_ebs_volumes.${name}`,
      literal({ ids: (facts.volumes ?? []).filter((v) => zone === undefined || v.zone === zone).map((v) => v.id) }),
    );
  }
  // Last: a route table's id is an expression of the lookups above; its routes are those of the table it names.
  const routesById = literal(Object.fromEntries(Object.entries(facts.routeTables).map(([id, routes]) => [id, routes.map(fullRoute)])));
  for (const [name, table] of Object.entries(data.aws_route_table ?? {})) {
    const id = `(${substitute(expressionOf(table.route_table_id), values)})`;
    values.set(`data.aws_route_table.${name}`, `({ route_table_id = ${id}, routes = ${routesById}[${id}] })`);
  }
  return values;
}

export interface FailedCheck {
  /** `data.aws_subnet.<name>` or `terraform_data.<name>`. */
  readonly address: string;
  readonly message: string;
}

/**
 * The checks of the module's network data sources and of the `terraform_data`
 * resources named by `resources` (e.g. the network's checks) that fail on
 * these facts; a record's output (`terraform_data.<name>.output`) is what the
 * module records now (the guard's own evaluation, with earlier records, is
 * guard.ts's refusals()).
 */
export function failedChecks(json: TerraformJson, facts: NetworkFacts, options: CheckOptions = {}): FailedCheck[] {
  return failedChecksEach(json, [facts], options)[0];
}

export interface CheckOptions {
  readonly resources?: (name: string) => boolean;
}

/** failedChecks() of one module on several sets of facts, with one terraform run for all. */
export function failedChecksEach(json: TerraformJson, factsList: readonly NetworkFacts[], options: CheckOptions = {}): FailedCheck[][] {
  const planned = factsList.map((facts) => checksOf(json, facts, options));
  const outcomes = evaluateEach(planned.map((p) => (p.checks.length > 0 ? p.expression : undefined))) as ((string | null)[] | undefined)[];
  return planned.map(({ checks }, i) =>
    checks.flatMap((c, j) => (outcomes[i]?.[j] == null ? [] : [{ address: c.address, message: outcomes[i]![j] as string }])),
  );
}

/** The checks failedChecks() looks at, and one expression for all: per check, null where it holds, its message where not. */
function checksOf(json: TerraformJson, facts: NetworkFacts, options: CheckOptions): { checks: { address: string }[]; expression: string } {
  const values = dataValues(json, facts);
  const checks: { address: string; condition: string; message: string }[] = [];
  for (const [type, byName] of Object.entries(json.data ?? {})) {
    for (const [name, source] of Object.entries(byName)) {
      const address = `data.${type}.${name}`;
      // Only the network's data sources (the facts); the readiness probes and lookups are other tests' business.
      const value = values.get(address);
      if (value === undefined) continue;
      for (const p of source.lifecycle?.postcondition ?? []) {
        const self = (text: string) => text.replace(/\bself\b/g, value);
        checks.push({ address, condition: self(expressionOf(p.condition)), message: self(JSON.stringify(p.error_message)) });
      }
    }
  }
  const include = options.resources ?? (() => false);
  for (const [name, resource] of Object.entries(json.resource?.terraform_data ?? {})) {
    if (!include(name)) continue;
    for (const p of resource.lifecycle?.precondition ?? []) {
      checks.push({ address: `terraform_data.${name}`, condition: expressionOf(p.condition), message: JSON.stringify(p.error_message) });
    }
  }
  const records = (text: string) =>
    text.replace(/terraform_data\.([A-Za-z0-9_-]+)\.output/g, (_, name: string) => JSON.stringify(json.resource?.terraform_data?.[name]?.input));
  const resolve = (text: string) => records(substitute(text, values));
  return { checks, expression: `[${checks.map((c) => `(${resolve(c.condition)}) ? null : ${resolve(c.message)}`).join(', ')}]` };
}
