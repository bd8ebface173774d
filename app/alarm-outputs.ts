import { TerraformOutput, type TerraformStack } from 'cdktf';
import type { DeploymentAlarms } from '../lib/alarms/deployment-alarms';
import { regionAlias } from '../lib/alarms/us-east-1-provider';

/**
 * The stack outputs of a deployment's alarm topics: `alarm_topic`, and `alarm_topic_us_east_1` when the Route53 alarms
 * have their own (`alarm_topic_cn_northwest_1`, `alarm_topic_us_gov_west_1` in the China and GovCloud partitions), and
 * `alarm_topic_<region>` of a standby's region (its lag alarms) when that is neither.
 */
export function alarmOutputs(stack: TerraformStack, alarms: DeploymentAlarms | undefined): void {
  if (!alarms) return;
  new TerraformOutput(stack, 'alarm_topic', {
    value: alarms.topic.arn,
    description: 'SNS topic the CloudWatch alarms notify: subscribe to it (alarms.email does it by e-mail)',
  });
  if (alarms.route53Topic && alarms.route53Topic !== alarms.topic && alarms.route53Region) {
    const region = alarms.route53Region;
    new TerraformOutput(stack, `alarm_topic_${regionAlias(region)}`, {
      value: alarms.route53Topic.arn,
      description: `SNS topic in ${region} the Route53 health-check alarms notify (their metrics exist only there): subscribe to it too`,
    });
  }
  for (const [region, topic] of alarms.otherRegionTopics) {
    new TerraformOutput(stack, `alarm_topic_${regionAlias(region)}`, {
      value: topic.arn,
      description: `SNS topic in ${region} the standby's replication-lag alarms notify (S3 publishes the lag there only): subscribe to it too`,
    });
  }
}
