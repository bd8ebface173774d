import type { Construct } from 'constructs';
import { escapeTemplate } from '../../common/terraform-template';
import { UPGRADE_SNAPSHOT_TAG } from '../data-volume';
import { addCheck } from '../../common/private/check';

export interface UpgradeSnapshotCheckProps {
  /** The `check` block's name (stackLevelName). */
  readonly checkName: string;
  /** The Rancher version the settings ask for. */
  readonly version: string;
  /** The version last applied (AppliedRecord.recorded; "" when none). */
  readonly running: string;
  /** The Name tag the host gives the snapshot (upgradeSnapshotName). */
  readonly snapshotName: string;
  /** The stack output naming the data volume, for the message. */
  readonly volumeOutput: string;
}

/**
 * A `check` whose warning is the plan's line about the snapshot an upgrade takes: while `versions.rancher` differs
 * from the version last applied, every plan names the snapshot the new host takes of the data volume before it
 * starts the new version (docker-bootstrap.sh `snapshot_before_upgrade`), so the person applying knows where the way
 * back is before the host is replaced. Its id is known only once the host took it; the warning says how to find it.
 * Nothing is read inside the block (the record is a top-level data source): a plan with the version unchanged
 * passes and plans no change.
 */
export function upgradeSnapshotCheck(scope: Construct, props: UpgradeSnapshotCheckProps): void {
  const version = escapeTemplate(props.version);
  const name = escapeTemplate(props.snapshotName);
  addCheck(scope, props.checkName, [
    {
      condition: `\${${props.running} == "" || ${props.running} == "${version}"}`,
      errorMessage:
        `versions.rancher changes from "\${${props.running}}" to "${version}": the apply replaces the host, and the new host takes an EBS snapshot of the data volume ` +
        `named "${name}" (tag ${UPGRADE_SNAPSHOT_TAG}) before it starts Rancher ${version} on it; no snapshot, no new Rancher (the apply fails at its readiness check). ` +
        `Find it afterwards: aws ec2 describe-snapshots --owner-ids self --filters Name=tag:Name,Values=${name} (or Name=volume-id,Values=<${props.volumeOutput}>). ` +
        'Going back is a restore from it (docs/docker.md, "Upgrades and the way back").',
    },
  ]);
}
