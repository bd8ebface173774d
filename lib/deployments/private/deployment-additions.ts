import type { DeploymentAlarms } from '../../alarms/deployment-alarms';

/**
 * The deployment's alarms, for its `addAlarm`; with `alarms.enabled: false` there is no topic to notify, and the
 * call is refused naming the setting rather than making an alarm nobody hears.
 */
export function requireAlarms(label: string, alarms: DeploymentAlarms | undefined): DeploymentAlarms {
  if (alarms) return alarms;
  throw new Error(
    `${label}: addAlarm needs the deployment's alarm topic, and alarms.enabled is false: turn alarms on, or make the alarm with an AlarmTopic of your own (rancher-ha-aws/alarms)`,
  );
}
