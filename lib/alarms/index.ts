export { AlarmTopic, type AlarmTopicProps } from './alarm-topic';
export { DeploymentAlarms, type DeploymentAlarmsProps } from './deployment-alarms';
export { ObjectFreshness, type ObjectFreshnessProps } from './object-freshness';
