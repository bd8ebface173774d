import { resources, type TerraformJson } from './synth';
import { evaluate, expressionOf } from './terraform';

/**
 * The plan-time refusals of DeploymentGuard for a change from `before` to
 * `after`, evaluated by terraform: each record's `output` is what `before`
 * recorded (a record new in `after` is created in that plan, so its check
 * passes), and the servers that exist are those of `before`. Returns the
 * rendered error messages of the preconditions that fail; empty when the plan
 * may go ahead.
 */
export function refusals(before: TerraformJson, after: TerraformJson): string[] {
  const data = resources(after, 'terraform_data');
  const guard = Object.values(data).find((d) => d.lifecycle?.precondition);
  if (!guard) return [];
  const recorded = (name: string) => (resources(before, 'terraform_data')[name] ?? data[name]).input as string;
  const existingServers = Object.keys(resources(before, 'aws_instance')).filter((n) => /^server-\d+_/.test(n)).length;
  const substitute = (text: string) =>
    text
      .replace(/terraform_data\.([A-Za-z0-9_-]+)\.output/g, (_, name: string) => JSON.stringify(recorded(name)))
      .replace(/data\.aws_instances\.[A-Za-z0-9_-]+\.ids/g, JSON.stringify(Array.from({ length: existingServers }, (_, i) => `i-${i}`)));
  const preconditions: { condition: string; error_message: string }[] = guard.lifecycle.precondition;
  // One terraform run: each condition, and its message only where it fails (a conditional evaluates one branch).
  const outcomes = evaluate(`[${preconditions.map((p) => `(${substitute(expressionOf(p.condition))}) ? null : ${substitute(JSON.stringify(p.error_message))}`).join(', ')}]`) as (string | null)[];
  return outcomes.filter((message): message is string => message !== null);
}
