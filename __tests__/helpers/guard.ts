import { templateParts } from '../../lib/synth/template';
import { dataValues, type NetworkFacts } from './plan-checks';
import { resources, type TerraformJson } from './synth';
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
export function refusals(before: TerraformJson, after: TerraformJson, network?: NetworkFacts): string[] {
  return refusalsEach([[before, after, network]])[0];
}

/** refusals() of several changes, with one terraform run for all their preconditions. */
export function refusalsEach(changes: readonly (readonly [before: TerraformJson, after: TerraformJson, network?: NetworkFacts])[]): string[][] {
  const outcomes = evaluateEach(changes.map(([before, after, network]) => outcomesExpression(before, after, network))) as (
    (string | null)[] | undefined
  )[];
  return outcomes.map((messages) => (messages ?? []).filter((message): message is string => message !== null));
}

/**
 * The guard's preconditions for a change as one expression: a tuple with, per
 * precondition, null where it holds and its rendered message where it fails.
 * Undefined when `after` has no guard.
 */
function outcomesExpression(before: TerraformJson, after: TerraformJson, network?: NetworkFacts): string | undefined {
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
