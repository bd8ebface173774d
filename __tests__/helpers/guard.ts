import { recordId } from '../../lib/common/deployment-guard';
import { templateParts } from '../../lib/synth/template';
import { dataValues, type NetworkFacts } from './plan-checks';
import { resources, type TerraformJson, userDataOf } from './synth';
import { evaluate, evaluateEach, expressionOf } from './terraform';

/** The plan's time in these models (plantimestamp()). */
// The day, not the instant: the same expressions across the workers of a run share their terraform console result.
const NOW = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);

/** A variable's value in these models: its default, or for a variable without one (given at plan time) a stand-in. */
const valueOf = (json: TerraformJson, name: string): string => (json.variable?.[name]?.default as string | undefined) ?? `(no value given: ${name})`;

/** The servers of a module: `aws_instance` resources named server-<n>. */
const serverInstances = (json: TerraformJson) => Object.entries(resources(json, 'aws_instance')).filter(([n]) => /^server-\d+_/.test(n));

/**
 * The plan-time refusals of DeploymentGuard for a change from `before` to
 * `after`, evaluated by terraform: each record's `output` is what `before`
 * recorded (a record new in `after` is created in that plan, so its check
 * passes), and the servers that exist are those of `before`. Returns the
 * rendered error messages of the preconditions that fail; empty when the plan
 * may go ahead.
 *
 * With an existing network, `network` gives the facts the data sources would
 * read (the same for both modules); the running servers' addresses are then
 * those `before` gave them, evaluated on those facts.
 */
export function refusals(before: TerraformJson, after: TerraformJson, network?: NetworkFacts, history?: History): string[] {
  return refusalsEach([[before, after, network, history]])[0];
}

/**
 * What the applies and rolls before `before` left in the state, where `before`'s own module cannot say it.
 * `running`: for the records a server keeps until it is replaced (ServerNode.runningRecord), by record id
 * (`ingress-controllers`), the value per server (server-0 first). A record `before` already has needs its value here
 * (which servers were rolled since is not in the modules); one new in `after` is written in this plan, from the
 * servers of `before`: its value where the server's user data is unchanged, else "held". `recorded`: by setting
 * (`rkeHa.ingressController`), what the guard's record holds when the deployment was created with another value than
 * `before` gives (a record is written once).
 */
export interface History {
  readonly running?: Readonly<Record<string, readonly string[]>>;
  readonly recorded?: Readonly<Record<string, string>>;
}

/** refusals() of several changes, with one terraform run for all their preconditions. */
export function refusalsEach(
  changes: readonly (readonly [before: TerraformJson, after: TerraformJson, network?: NetworkFacts, history?: History])[],
): string[][] {
  const outcomes = evaluateEach(changes.map(([before, after, network, history]) => outcomesExpression(before, after, network, history))) as (
    (string | null)[] | undefined
  )[];
  return outcomes.map((messages) => (messages ?? []).filter((message): message is string => message !== null));
}

/**
 * The guard's preconditions for a change as one expression: a tuple with, per
 * precondition, null where it holds and its rendered message where it fails.
 * Undefined when `after` has no guard.
 */
function outcomesExpression(before: TerraformJson, after: TerraformJson, network?: NetworkFacts, history?: History): string | undefined {
  const data = resources(after, 'terraform_data');
  const guard = Object.values(data).find((d) => d.lifecycle?.precondition);
  if (!guard) return undefined;
  // A record of a variable's value (the hostname) holds what the variable's default was in its module.
  const variables = (json: TerraformJson, text: string) => text.replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (_, name: string) => valueOf(json, name));
  // A record of a CA's end (pki lifetimes) holds one ten years from the CA's creation: a deployment made now.
  const caEnd = (text: string) =>
    /^\$\{tls_self_signed_cert\.[^}]+\.validity_end_time\}$/.test(text) ? new Date(NOW.getTime() + 87_600 * 3_600_000).toISOString() : text;
  // A record's value as an expression: a literal, or an expression of the variables of the module that recorded it
  // (the CA's hash).
  const recorded = (name: string) => {
    const server = /^server-(\d+)_([a-z-]+)_[0-9A-F]{8}$/.exec(name);
    if (server) return JSON.stringify(runningRecord(before, after, name, Number(server[1]), history?.running?.[server[2]]));
    const setting = Object.keys(history?.recorded ?? {}).find((k) => name.startsWith(`deployment-guard_${recordId(k)}`));
    if (setting) return JSON.stringify(history!.recorded![setting]);
    const source = resources(before, 'terraform_data')[name] ? before : after;
    const text = caEnd(variables(source, resources(source, 'terraform_data')[name].input));
    if (!/^\$\{[\s\S]*\}$/.test(text)) return JSON.stringify(text);
    return `(${expressionOf(text).replace(/\bvar\.([A-Za-z0-9_-]+)/g, (_, v: string) => JSON.stringify(valueOf(source, v)))})`;
  };
  const existingServers = serverInstances(before).length;
  // The docker stack's applied record (lib/docker/private/applied-record.ts): what `before`'s apply wrote under
  // `<path>/applied/`, as the plan's top-level read of that path returns it.
  const applied = Object.values(resources(before, 'aws_ssm_parameter')).filter((p) => /\/applied\/[^/]+$/.test(String(p.name)));
  let substitute = (text: string) =>
    text
      .replace(/terraform_data\.([A-Za-z0-9_-]+)\.(output|input)/g, (_, name: string) => recorded(name))
      .replace(/data\.aws_lb_listener\.([A-Za-z0-9_-]+)\.default_action\[0\]\.target_group_arn/g, (_, name: string) =>
        JSON.stringify(listenerForwarded(before, after, name)),
      )
      .replace(/aws_lb_target_group\.([A-Za-z0-9_-]+)\.arn/g, (_, name: string) => JSON.stringify(`arn:${name}`))
      .replace(/data\.kubernetes_config_map_v1\.([A-Za-z0-9_-]+)\.data/g, (_, name: string) => JSON.stringify(configMapWritten(before, after, name)))
      .replace(/plantimestamp\(\)/g, JSON.stringify(NOW.toISOString()))
      .replace(/data\.aws_instances\.[A-Za-z0-9_-]+\.ids/g, JSON.stringify(Array.from({ length: existingServers }, (_, i) => `i-${i}`)))
      .replace(/data\.aws_ssm_parameters_by_path\.[A-Za-z0-9_-]+\.(names|values)/g, (_, field: string) =>
        JSON.stringify(applied.map((p) => String(field === 'names' ? p.name : p.value))),
      )
      .replace(/\bvar\.([A-Za-z0-9_-]+)/g, (_, name: string) => JSON.stringify(valueOf(after, name)));
  if (network) {
    // Where the servers of `before` run: their addresses, evaluated on the facts.
    const beforeValues = dataValues(before, network);
    const addresses = serverInstances(before).map(([, instance]) => {
      const ip = String(instance.private_ip);
      return ip.startsWith('${')
        ? expressionOf(ip).replace(/data\.[a-z0-9_]+\.[A-Za-z0-9_-]+/g, (ref) => beforeValues.get(ref)!)
        : JSON.stringify(ip);
    });
    const running = addresses.length ? (evaluate(`[${addresses.join(', ')}]`) as string[]) : [];
    const values = dataValues(after, { ...network, servers: { ids: running.map((_, i) => `i-${i}`), private_ips: running } });
    const plain = substitute;
    substitute = (text) => plain(text).replace(/data\.[a-z0-9_]+\.[A-Za-z0-9_-]+/g, (ref) => values.get(ref) ?? ref);
  }
  const preconditions: { condition: string; error_message: string }[] = guard.lifecycle.precondition;
  // Each condition, and its message only where it fails (a conditional evaluates one branch).
  return `[${preconditions.map((p) => `(${substitute(expressionOf(p.condition))}) ? null : ${templateExpression(p.error_message, substitute)}`).join(', ')}]`;
}

/**
 * A Terraform template string (as in JSON) as an expression of native syntax: its literal parts as strings, each
 * interpolation as its expression (after `substitute`), joined. Quotes inside an interpolation (a format string)
 * stay quotes, which a JSON-escaped copy of the whole template would not.
 */
function templateExpression(template: string, substitute: (text: string) => string): string {
  const parts = templateParts(template).map((part) =>
    part.kind === 'literal' ? JSON.stringify(part.text) : `tostring(${substitute(expressionOf(part.text))})`,
  );
  return `join("", [${parts.join(', ')}])`;
}

/** The value a server's running record holds in the plan from `before` to `after` (RunningServers). */
function runningRecord(before: TerraformJson, after: TerraformJson, name: string, server: number, given?: readonly string[]): string {
  if (given) return given[server];
  if (resources(before, 'terraform_data')[name]) throw new Error(`${name} exists before the change: say what the servers run (RunningServers)`);
  const value = /\? "([^"]*)" : "held"\}$/.exec(String(resources(after, 'terraform_data')[name].input))?.[1];
  if (value === undefined) throw new Error(`${name} is not a running record (ServerNode.runningRecord)`);
  const userData = (json: TerraformJson) => {
    const instance = serverInstances(json).find(([n]) => n.startsWith(`server-${server}_`));
    return instance ? userDataOf(json, instance[1]) : undefined;
  };
  const was = userData(before);
  // A server this plan creates is created with the user data it then runs.
  return was === undefined || was === userData(after) ? value : 'held';
}

/**
 * What the plan reads from a ConfigMap the deployment writes (VersionRecord: the versions the last apply recorded
 * running): the data `before` wrote into the map of that name.
 */
function configMapWritten(before: TerraformJson, after: TerraformJson, dataName: string): Record<string, string> {
  const name =
    after.data?.kubernetes_config_map_v1?.[dataName]?.metadata?.[0]?.name ?? after.data?.kubernetes_config_map_v1?.[dataName]?.metadata?.name;
  const written = Object.values(resources(before, 'kubernetes_config_map_v1')).find((m) => (m.metadata?.[0]?.name ?? m.metadata?.name) === name);
  return (written?.data as Record<string, string> | undefined) ?? {};
}

/**
 * What a data source reading one of the balancer's listeners finds while planning: the target group `before`
 * configured that listener to forward to (`arn:<its name>`, as target groups' ARNs are substituted).
 */
function listenerForwarded(before: TerraformJson, after: TerraformJson, dataName: string): string {
  const read = after.data?.aws_lb_listener?.[dataName] as { arn: string } | undefined;
  const listenerName = /aws_lb_listener\.([A-Za-z0-9_-]+)\.arn/.exec(
    String(after.locals?.[/local\.([A-Za-z0-9_-]+)/.exec(String(read?.arn))?.[1] ?? '']),
  )?.[1];
  const listener = listenerName ? resources(before, 'aws_lb_listener')[listenerName] : undefined;
  const group = /aws_lb_target_group\.([A-Za-z0-9_-]+)\.arn/.exec(String(listener?.default_action?.[0]?.target_group_arn))?.[1];
  if (!group) throw new Error(`${dataName}: no listener of before's to read`);
  return `arn:${group}`;
}
