import type { CommonDeploymentProps, PublicNameProps } from './props';

/** The K3s external datastore (RDS). */
export interface DatastoreProps {
  /** @default 'postgres' */
  readonly engine?: 'postgres' | 'mysql';
  /** @default 'db.t4g.medium' */
  readonly instanceClass?: string;
  /** @default 50 */
  readonly allocatedStorageGb?: number;
  /** @default true */
  readonly multiAz?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** RDS deletion protection and Terraform `prevent_destroy`. @default true */
  readonly deletionProtection?: boolean;
}

/** Scheduled etcd snapshots to S3 (RKE2). */
export interface EtcdSnapshotsProps {
  /** Five-field cron expression. @default '0 *\/6 * * *' */
  readonly scheduleCron?: string;
  /** Snapshots kept per server. @default 28 */
  readonly retention?: number;
  /** Let `destroy` delete the bucket with its snapshots. @default false */
  readonly forceDestroyBucket?: boolean;
}

/** The server cluster Rancher runs on. */
export interface RkeHaProps {
  /** @default 3 with rke2, 2 with k3s */
  readonly nodeCount?: 1 | 2 | 3;
  /** Let one apply remove more than one server (below etcd quorum); rke2 only. @default false */
  readonly allowQuorumLoss?: boolean;
  /** @default 'rke2' */
  readonly distribution?: 'rke2' | 'k3s';
  readonly datastore?: DatastoreProps;
  /** Rancher's "small" tier. @default 'm6i.xlarge' */
  readonly instanceType?: string;
  /** @default 100 */
  readonly rootVolumeGb?: number;
  /** The VPC range (a literal: node addresses are carved from it). @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** Nodes in private subnets behind NAT. @default false */
  readonly privateNodes?: boolean;
  /** @default 'per-zone' */
  readonly natGateways?: 'per-zone' | 'single';
  /**
   * What answers Rancher's name: a TCP NLB, or (`dns`) health-checked Route53
   * multivalue records, one per node's Elastic IP, with no load balancer.
   * `dns` needs public nodes and a TLS mode that ends in the cluster. @default 'nlb'
   */
  readonly loadBalancer?: 'nlb' | 'dns';
  /** Pin an exact AMI. @default the newest Canonical Ubuntu 24.04 at the first deploy, then kept */
  readonly amiId?: string;
  /** An existing EC2 key pair; SSH stays closed without one. */
  readonly sshKeyName?: string;
  /** @default 'ingress-nginx' with rke2, 'traefik' with k3s */
  readonly ingressController?: 'ingress-nginx' | 'traefik';
  readonly etcdSnapshots?: EtcdSnapshotsProps;
}

export interface RancherOnRkeProps extends CommonDeploymentProps, PublicNameProps {
  /** Networks allowed to reach the Kubernetes API (and SSH); may be a Terraform reference. */
  readonly adminCidrs: readonly string[];
  readonly rkeHa?: RkeHaProps;
}
