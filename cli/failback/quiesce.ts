import { Aws } from '../shared/aws';
import type { ClientsOfRegion } from '../shared/aws/clients';
import { backupHoldsMember, caMemberOf } from '../shared/backup-ca';
import type { KubeApi } from '../shared/kube/kube-api';
import { takeOneTimeBackup } from '../shared/one-time-backup';
import { StepFailed } from '../shared/throwaway';
import { readableError } from '../shared/tool-output';
import { standbyClusterOf } from '../shared/standby-cluster';
import { RANCHER_DEPLOYMENT, scaleByHand } from '../shared/standby-rancher';

// The failback's first phase (docs/failover.md, "Failback"): the standby stops writing, then backs up, and that backup
// is the one production restores, so a planned failback loses nothing (RPO 0). Rancher's Deployment on the standby's
// cluster is scaled to 0 (its API, its controllers and their writes stop: the planned outage lasts until production
// answers on the hostname), then a one-time Backup with the scheduled Backup's storage and encryption is taken there
// (cli/shared/one-time-backup.ts) and waited for until its file is in the standby's bucket. The failback's record
// keeps each step before it is taken: a rerun, or a run after a kill, scales nothing already at 0 and adopts the
// Backup of its name instead of creating a second one.

/** What the failback's record keeps of its quiesce (failback.json `quiesce`). */
export interface QuiesceRecord {
  /** The one-time Backup's name: one per failback (quiesceBackupName), adopted on a rerun. */
  readonly backupName: string;
  /** The standby's backup bucket, where the Backup's file lands. */
  readonly bucket: string;
  /** Rancher's replicas before this failback stopped it (recorded before the scale); 'gone': no Deployment. */
  readonly stoppedFrom?: number | 'gone';
  /** The command that starts the standby's Rancher again, as a person runs it (the failure's way back). */
  readonly scaleBack?: string;
  /** The Backup was about to be created: a rerun adopts the one of its name. */
  readonly backupStarted?: true;
}

/** The one-time Backup of the failback begun at `startedAt`: `rancher-aws-failback-<yyyymmddthhmmss>`, a valid object name. */
export function quiesceBackupName(startedAt: string): string {
  return `rancher-aws-failback-${startedAt.replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}`;
}

export interface QuiesceOptions {
  readonly stack: string;
  /** The standby's module folder (its state: the kubeconfig output of rke-ha). */
  readonly module: string;
  /** The failover's folder: the standby's settings (settings.json, k8s-ha's access to its cluster). */
  readonly failoverRoot: string;
  /** The failback's folder (the backup's CA member is looked for there). */
  readonly root: string;
  readonly region: string;
  /** Production's settings (the CA member the backup must hold). */
  readonly settings: Record<string, unknown>;
  /** The standby's encryption configuration: an `.enc` file needs it. */
  readonly standbyConfig: string | undefined;
  readonly clients?: ClientsOfRegion;
  readonly interrupted: () => boolean;
  readonly record: () => QuiesceRecord;
  readonly save: (change: Partial<QuiesceRecord>) => void;
}

/** The backup the failback restores, taken once the standby stopped writing. */
export interface Quiesced {
  readonly backup: { readonly bucket: string; readonly key: string; readonly lastModified: string };
  readonly file: string;
  readonly detail: string;
}

/** The standby's Rancher stopped and its one-time Backup taken (or adopted): the backup the failback restores. */
export async function quiesceStandby(q: QuiesceOptions): Promise<Quiesced> {
  const cluster = await standbyCluster(q);
  const { namespace, name } = RANCHER_DEPLOYMENT;
  const said: string[] = [];
  try {
    const replicas = await cluster.kube.deployments.replicas(namespace, name);
    if (q.record().stoppedFrom === undefined)
      q.save({ stoppedFrom: replicas ?? 'gone', ...(replicas ? { scaleBack: cluster.byHand(replicas) } : {}) });
    if (replicas === undefined) said.push(`no Deployment ${namespace}/${name} on the standby's cluster: nothing writes`);
    else if (replicas === 0) said.push(`Rancher at 0 replicas on the standby's cluster (${namespace}/${name})`);
    else {
      await cluster.kube.deployments.scale(namespace, name, 0);
      said.push(`Rancher scaled from ${replicas} to 0 on the standby's cluster (${namespace}/${name})`);
    }
  } catch (error) {
    if (error instanceof StepFailed) throw error;
    throw new StepFailed(`the standby's Rancher could not be stopped: ${readableError((error as Error).message, 300)}`);
  }
  const { backupName, bucket } = q.record();
  const adopt = q.record().backupStarted === true;
  q.save({ backupStarted: true });
  const aws = new Aws(q.region, q.clients?.(q.region));
  const taken = await takeOneTimeBackup(cluster.kube, aws, { name: backupName, bucket, interrupted: q.interrupted, adopt });
  if (taken.file.endsWith('.enc') && !q.standbyConfig)
    throw new StepFailed(`${taken.file} is encrypted, and the standby's state has no rancher_backup_encryption_config output to decrypt it with`);
  const member = caMemberOf(q.settings);
  if (member && !(await backupHoldsMember(aws, { bucket, key: taken.key }, member.file, q.root)))
    throw new StepFailed(
      `s3://${bucket}/${taken.key} holds no ${member.file} (${member.what}): restored from it, the primary would serve another CA. Check the standby's rancher-resource-set-full ResourceSet`,
    );
  said.push(`${taken.made}: s3://${bucket}/${taken.key}, ${taken.size} bytes`);
  return {
    backup: { bucket, key: taken.key, lastModified: taken.lastModified ?? new Date().toISOString() },
    file: taken.file,
    detail: said.join('; '),
  };
}

/** The standby's cluster for the quiesce: one it cannot reach stops the failback, naming the way on. */
async function standbyCluster(q: QuiesceOptions): Promise<{ kube: KubeApi; byHand: (replicas: number) => string }> {
  const cluster = await standbyClusterOf(q);
  if (cluster === 'variables')
    throw new StepFailed(
      `the standby's cluster is reached through Terraform variables (k8sHa.access.variables), which this command cannot read: stop its Rancher yourself (${scaleByHand(undefined)}) and run the failback again with --no-quiesce, which restores the standby's newest scheduled backup`,
    );
  return cluster;
}

/**
 * What a failback that stopped short of the move leaves, for its result: a hostname that leads to a standby whose
 * Rancher this failback stopped, and the two ways on. Empty when nothing was stopped or the records moved.
 */
export function stoppedStandby(record: { readonly quiesce?: QuiesceRecord; readonly moved: boolean }): string {
  const scaleBack = record.quiesce?.scaleBack;
  if (record.moved || !scaleBack) return '';
  return ` The hostname leads to the standby, whose Rancher this failback stopped: nothing serves until the failback goes on. Run the failback again to continue, or start the standby's Rancher again: ${scaleBack}.`;
}
