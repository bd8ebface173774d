import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { Construct } from 'constructs';

/** An alarm's own settings; where it notifies is the topic's. */
export type NotifyingAlarmProps = Omit<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions' | 'insufficientDataActions'> & {
  /** The topic told when the alarm fires and when it is OK again. */
  readonly topicArn: string;
};

/**
 * A CloudWatch alarm that notifies one topic on ALARM and on OK, so a
 * subscriber also hears when it is over. INSUFFICIENT_DATA notifies nobody:
 * each alarm says itself whether missing data breaches.
 */
export function notifyingAlarm(scope: Construct, id: string, props: NotifyingAlarmProps): CloudwatchMetricAlarm {
  const { topicArn, ...alarm } = props;
  return new CloudwatchMetricAlarm(scope, id, { ...alarm, alarmActions: [topicArn], okActions: [topicArn] });
}
