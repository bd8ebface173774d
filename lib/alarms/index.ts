export { AlarmTopic, type AlarmTopicProps, type AlarmOptions, type AlarmPlacement, type AlarmComparison, type MissingData } from './alarm-topic';
export { DeploymentAlarms, type DeploymentAlarmsProps, type ScheduledWriter } from './deployment-alarms';
export { ObjectFreshness, type ObjectFreshnessProps } from './object-freshness';
