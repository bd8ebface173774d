import type { Aws } from './aws';
import { managed, readDeploymentRecord } from './module-folder';
import { serversOf } from './servers';
import { Terraform } from './terraform';
import { standbyCopyOf, type StandbyCopy } from './standby';

/** What the drill, the failover and the failback need to know of production: read, never changed. */
export interface ProductionDeployment {
  /** The synthesized module folder of production. */
  readonly dir: string;
  /** The `name` setting, as the deployment guard recorded it. */
  readonly name: string;
  readonly region: string;
  /** `https://<hostname>`: what Rancher's `server-url` setting names after a restore of its backup. */
  readonly url: string | undefined;
  /** Rancher's backups (the `rancher_backup_bucket` output); undefined for a stack without them (docker). */
  readonly backupBucket: string | undefined;
  /** The standby's copy of the backup bucket and its key (`standby.region`): read by a drill with `--standby` only. */
  readonly backupCopy?: StandbyCopy;
  /** The etcd snapshots (rke-ha with RKE2): read by a drill with `--etcd` only. */
  readonly etcdSnapshotBucket: string | undefined;
  /** The EncryptionConfiguration of the backups (sensitive output); undefined when backups were never on. */
  readonly backupEncryptionConfig: string | undefined;
  /** The cluster token (sensitive output `join_token`): a restore of an etcd snapshot needs it (`--etcd`). */
  readonly joinToken: string | undefined;
  /** The distribution of an rke-ha deployment, as its record has it. */
  readonly distribution: string | undefined;
  /** k8s-ha: where its record leads (the `ingress_target` output, or `dns_target` before it). */
  readonly ingressTarget?: string;
  /**
   * Where the hostname's record leads, asked directly (the failover's probes of the primary): rke-ha's load balancer
   * (its `load_balancer_dns_name` output, or its `aws_lb`'s DNS name), k8s-ha's ingress target.
   */
  readonly loadBalancer?: string;
  /** The private addresses of production's servers: each the name of one of its Nodes. */
  readonly serverAddresses: readonly string[];
}

/** The commands that read production, and why each needs a deployment there. */
export type ProductionReader = 'drill' | 'failover' | 'failback';
const NEEDS_PRODUCTION: Readonly<Record<ProductionReader, string>> = {
  drill: 'the drill restores the backup of a deployment that exists',
  failover: "the failover stands up a deployment's standby from its backups, and needs that deployment's state",
  failback: 'the failback restores production into its own state, which must hold it',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Production's name, region, buckets and backup key, from its Terraform state (`terraform state pull`: no
 * refresh, no lock, no write): the name and region from the deployment's record (cli/shared/module-folder.ts), the
 * buckets, URL and key from the stack's outputs, the standby's copy from the backup bucket's replication. The one
 * place the drill, the failover and the failback look them up; `command` is the one running, which its messages name.
 */
export async function productionDeployment(dir: string, command: ProductionReader): Promise<ProductionDeployment> {
  const state = await new Terraform(dir).pull();
  if (!state.resources.some((r) => r.mode === 'managed'))
    throw new Error(`${dir} holds no deployment (its state is empty): ${NEEDS_PRODUCTION[command]}. Name production's module (its stack, or --dir).`);
  // The deployment's record (issue 33.1): its name and region whatever the construct's id.
  const deployment = readDeploymentRecord(state);
  const { name, region } = deployment;
  if (!name || !region)
    throw new Error(
      `The name or region of the deployment in ${dir} is not in its state (no deployment record or guard record): apply it once with this version first.`,
    );
  const output = (key: string) => text(state.outputs[key]?.value);
  return {
    dir,
    name,
    region,
    url: output('rancher_url'),
    backupBucket: output('rancher_backup_bucket'),
    backupCopy: standbyCopyOf(state, output('rancher_backup_bucket')),
    etcdSnapshotBucket: output('etcd_snapshot_bucket'),
    backupEncryptionConfig: output('rancher_backup_encryption_config'),
    joinToken: output('join_token'),
    distribution: deployment.distribution,
    ingressTarget: output('ingress_target') ?? output('dns_target'),
    loadBalancer:
      output('load_balancer_dns_name') ?? text(managed(state, 'aws_lb')[0]?.attributes.dns_name) ?? output('ingress_target') ?? output('dns_target'),
    serverAddresses: serversOf(state, deployment).map((s) => s.privateIp),
  };
}

/**
 * The newest object under `prefix` of one of production's buckets (by LastModified) whose name after the prefix
 * `accept`s: a listing through the SDK, every page of it (ListObjectsV2 answers at most 1,000 keys a page, and a
 * bucket of backups kept for months holds more), read only. Undefined when there is none.
 */
export async function newestObject(
  aws: Aws,
  bucket: string,
  prefix: string,
  accept: (name: string) => boolean,
): Promise<{ key: string; name: string; lastModified: string; bytes: number } | undefined> {
  const { side, clients } = await aws.sdk();
  const files = (await side.listObjects(clients, bucket, prefix)).filter((o) => o.lastModified !== undefined && accept(o.key.slice(prefix.length)));
  const newest = files.sort((a, b) => b.lastModified!.getTime() - a.lastModified!.getTime())[0];
  return newest && { key: newest.key, name: newest.key.slice(prefix.length), lastModified: newest.lastModified!.toISOString(), bytes: newest.size };
}
