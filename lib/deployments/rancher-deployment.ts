import type { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import type { AlarmOptions } from '../alarms/alarm-topic';
import type { DeploymentAlarms } from '../alarms/deployment-alarms';
import { requireAlarms } from './private/deployment-additions';

/**
 * What every Rancher deployment is, whatever runs it (RancherOnRke, RancherOnExistingCluster, RancherOnDocker):
 * Rancher's address and first-login secrets, the deployment's alarms, and growth by `addAlarm`. A function that takes
 * any of the three takes this.
 */
export abstract class RancherDeployment extends Construct {
  /** `https://<hostname>`, known once Rancher answered /ping. */
  abstract readonly url: string;
  /** The bootstrap password the chart or container starts with (sensitive). */
  abstract readonly bootstrapPassword: string;
  /** With the first-login bootstrap: admin's password (sensitive). */
  abstract readonly adminPassword?: string;
  /** With the first-login bootstrap: an API token of admin's (sensitive). */
  abstract readonly adminToken?: string;
  /** The deployment's alarms and their topic; none with `alarms.enabled: false`. */
  abstract readonly alarms?: DeploymentAlarms;

  /**
   * An alarm on `options.metric` (a metric of this deployment's pieces, or any other), named `<name>-<stack id>-<id>`
   * unless it says, notifying the deployment's alarm topic (the one of the metric's region) on ALARM and on OK,
   * created once Rancher answered. Refused with `alarms.enabled: false`.
   */
  addAlarm(id: string, options: AlarmOptions): CloudwatchMetricAlarm {
    return requireAlarms(`${this.constructor.name} ${this.node.path}`, this.alarms).addAlarm(id, options);
  }
}
