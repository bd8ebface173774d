import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { DeploymentAlarms } from '../lib/alarms/deployment-alarms';

/** The stack outputs of a deployment's alarm topics: `alarm_topic`, and `alarm_topic_us_east_1` when the Route53 alarms have their own. */
export function alarmOutputs(stack: TerraformStack, alarms: DeploymentAlarms | undefined): void {
  if (!alarms) return;
  new TerraformOutput(stack, 'alarm_topic', {
    value: alarms.topic.arn,
    description: 'SNS topic the CloudWatch alarms notify: subscribe to it (alarms.email does it by e-mail)',
  });
  if (alarms.route53Topic && alarms.route53Topic !== alarms.topic) {
    new TerraformOutput(stack, 'alarm_topic_us_east_1', {
      value: alarms.route53Topic.arn,
      description: 'SNS topic in us-east-1 the Route53 health-check alarms notify (their metrics exist only there): subscribe to it too',
    });
  }
}
