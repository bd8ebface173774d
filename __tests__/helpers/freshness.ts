import { isDeepStrictEqual } from 'node:util';
import { FRESHNESS_QUEUE_RETENTION_SECONDS } from '../../lib/alarms/object-freshness';
import { dataSources, resources, servicePrincipal, type TerraformJson } from './synth';

/**
 * What is wrong with the target of the freshness rule `ruleName` (an `aws_cloudwatch_event_rule` address name):
 * it must have exactly one, an SQS queue encrypted by SQS whose messages expire after a minute, whose policy lets
 * EventBridge send for that rule only. `[]` when it is right.
 */
export function freshnessTargetProblems(json: TerraformJson, ruleName: string): string[] {
  const rule = (attr: string) => `\${aws_cloudwatch_event_rule.${ruleName}.${attr}}`;
  const targets = Object.values(resources(json, 'aws_cloudwatch_event_target')).filter((t) => t.rule === rule('name'));
  if (targets.length !== 1) return [`${targets.length} targets`];
  const queueName = /^\$\{aws_sqs_queue\.([^.]+)\.arn\}$/.exec(String(targets[0].arn))?.[1];
  if (queueName === undefined) return [`the target is not a queue of the stack: ${targets[0].arn}`];
  const problems: string[] = [];
  const queue = resources(json, 'aws_sqs_queue')[queueName];
  if (queue.sqs_managed_sse_enabled !== true) problems.push('the queue is not encrypted by SQS');
  if (queue.message_retention_seconds !== FRESHNESS_QUEUE_RETENTION_SECONDS) problems.push(`messages kept ${queue.message_retention_seconds} s`);
  const policies = Object.values(resources(json, 'aws_sqs_queue_policy')).filter((p) => p.queue_url === `\${aws_sqs_queue.${queueName}.url}`);
  if (policies.length !== 1) return [...problems, `${policies.length} queue policies`];
  const documentName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(policies[0].policy))![1];
  const statements = dataSources(json, 'aws_iam_policy_document')[documentName].statement;
  const expected = [
    {
      sid: 'TheFreshnessRuleSends',
      actions: ['sqs:SendMessage'],
      principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'events')] }],
      resources: [`\${aws_sqs_queue.${queueName}.arn}`],
      condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [rule('arn')] }],
    },
  ];
  if (!isDeepStrictEqual(statements, expected)) problems.push(`the queue policy says ${JSON.stringify(statements)}`);
  if (!(targets[0].depends_on ?? []).some((d: string) => d.startsWith('aws_sqs_queue_policy.')))
    problems.push('the target does not wait for the policy');
  return problems;
}
