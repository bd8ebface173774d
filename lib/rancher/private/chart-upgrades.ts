import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { GuardCondition } from '../../common/deployment-guard';
import { GATES_NAMESPACE, type ReadinessGates } from '../../kubernetes/readiness-gates';
import { certManagerUpgradeRules, rancherUpgradeRules } from '../../kubernetes/private/upgrade-rules';
import { VersionRecord } from '../../kubernetes/private/version-record';

/** The record of the chart versions the last successful apply installed (in the gates' namespace). */
export const CHART_RECORD = 'rancher-aws-chart-versions';

export interface ChartVersionsProps {
  readonly gates: ReadinessGates;
  /** The reads wait for it: the cluster exists (see `VersionRecordProps.readAfter`). */
  readonly readAfter: ITerraformDependable[];
  readonly rancher: string;
  /** Only where the stack installs cert-manager. */
  readonly certManager?: string;
}

/**
 * The chart versions each successful apply leaves recorded (construct
 * `chart-versions` in `scope`), read back by the next plan for the chart
 * upgrade rules (`guardChartUpgrades`) and, on rke-ha, the Kubernetes rule on
 * the running Rancher's range. Written once Rancher is upgraded and answers:
 * call `writtenAfter` with those steps.
 */
export function chartVersions(scope: Construct, props: ChartVersionsProps): VersionRecord {
  return new VersionRecord(scope, 'chart-versions', {
    name: CHART_RECORD,
    namespace: props.gates.namespace.metadata.name,
    namespaceName: GATES_NAMESPACE,
    values: { rancher: props.rancher, ...(props.certManager ? { certManager: props.certManager } : {}) },
    writeAfter: [],
    readAfter: props.readAfter,
  });
}

/**
 * The chart upgrade rules as preconditions of the releases that carry the
 * change (checked before they change): Rancher one minor at a time and never
 * down, cert-manager never down. `rancherPreconditions` are the Rancher
 * release's own, kept first.
 */
export function guardChartUpgrades(
  record: VersionRecord,
  versions: { readonly rancher: string; readonly certManager: string },
  releases: { readonly rancher: Release; readonly certManager?: Release; readonly rancherPreconditions?: readonly GuardCondition[] },
): void {
  if (releases.certManager) {
    releases.certManager.lifecycle = {
      precondition: certManagerUpgradeRules({ version: versions.certManager, running: record.recorded('certManager') }),
    };
  }
  releases.rancher.lifecycle = {
    precondition: [
      ...(releases.rancherPreconditions ?? []),
      ...rancherUpgradeRules({ version: versions.rancher, running: record.recorded('rancher') }),
    ],
  };
}
