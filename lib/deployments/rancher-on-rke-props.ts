import type { IExistingSubnet, IExistingVpc } from '../network/existing-vpc';
import type { AwsDeploymentProps } from './props';

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
  /** Seconds between RDS Enhanced Monitoring samples; 0 is off. @default 0 */
  readonly monitoringInterval?: 0 | 1 | 5 | 10 | 15 | 30 | 60;
  /** Publish the engine's logs to CloudWatch Logs. @default false */
  readonly logExports?: boolean;
  /** RDS IAM database authentication (K3s keeps its password). @default false */
  readonly iamAuthentication?: boolean;
  /** The database's port (1150-65535). @default the engine's (5432, 3306) */
  readonly port?: number;
}

/** Scheduled etcd snapshots to S3 (RKE2). */
export interface EtcdSnapshotsProps {
  /** Five-field cron expression. @default '0 *\/6 * * *' */
  readonly scheduleCron?: string;
  /** Snapshots kept per server. @default 28 */
  readonly retention?: number;
  /** Let `destroy` delete the bucket with its snapshots. @default false */
  readonly forceDestroyBucket?: boolean;
  /** S3 server access logs of the bucket, into a log bucket of its own. @default false */
  readonly accessLogging?: boolean;
  /** S3 event notifications (snapshots written, deleted) to an SNS topic. @default false */
  readonly eventNotifications?: boolean;
  /** Object Lock on, without a default retention; irreversible. @default false */
  readonly objectLock?: boolean;
}

/** What answers Rancher's name, and how it is protected. */
export interface LoadBalancerProps {
  /**
   * A TCP NLB, or (`dns`) health-checked Route53 multivalue records, one per
   * node's Elastic IP, with no load balancer. `dns` needs public nodes and a
   * TLS mode that ends in the cluster. @default 'nlb'
   */
  readonly type?: 'nlb' | 'dns';
  /** AWS deletion protection and `prevent_destroy` on the NLB and the ALB. @default true */
  readonly deletionProtection?: boolean;
  /**
   * `false`: no Route53 record for the hostname; `/ping` is probed at the NLB with the hostname as Host (TLS not
   * verified there: the certificate names the hostname), and something else points the name at it (a failover's
   * standby). Needs the NLB, TLS in the cluster, a Route53 name and no first login. @default true
   */
  readonly hostnameRecord?: boolean;
}

/**
 * A VPC and subnets the deployment uses instead of creating a network, in EC2's terms (`ExistingVpc.fromId`,
 * `ExistingSubnet.fromIds`, or objects of yours with `vpcId` and `subnetId`). Every id must be a literal, and every
 * list a list written out: the plan-time checks (each subnet in the VPC, their zones and routes, the servers' fixed
 * addresses) read them before anything is created, and the servers are counted at synth, one per node subnet. A
 * Terraform reference (a VPC created in the same apply) is refused at synth; create the network in a stack applied
 * before, and pass its ids.
 */
export interface ExistingRkeNetworkProps {
  /** The VPC (`ExistingVpc.fromId`). */
  readonly vpc: IExistingVpc;
  /** Public subnets (0.0.0.0/0 to an internet gateway), one per zone, covering every server's zone: the load balancers. */
  readonly loadBalancerSubnets: readonly IExistingSubnet[];
  /** The servers' subnets, server-0 in the first, each in a zone of its own; private with egress, or public with public addresses on launch. */
  readonly nodeSubnets: readonly IExistingSubnet[];
  /** k3s only (then required): the RDS datastore's subnets, in at least two zones. */
  readonly datastoreSubnets?: readonly IExistingSubnet[];
  /** Host number of each server's fixed address in its subnet; must be free there. @default 10 */
  readonly nodeHostNumber?: number;
}

/**
 * RancherOnRke's props: the deployment's (AwsDeploymentProps) and the server cluster Rancher runs on, side by side
 * (a settings file nests the latter under `rkeHa:`; the loader un-nests them).
 */
export interface RancherOnRkeProps extends AwsDeploymentProps {
  /** @default 3 with rke2, 2 with k3s */
  readonly nodeCount?: 1 | 2 | 3;
  /** Let one apply remove more than one server (below etcd quorum); rke2 only. @default false */
  readonly allowQuorumLoss?: boolean;
  /** @default 'rke2' */
  readonly distribution?: 'rke2' | 'k3s';
  /** k3s only: the RDS database K3s keeps its state in. @default a PostgreSQL `db.t4g.medium`, Multi-AZ */
  readonly datastore?: DatastoreProps;
  /**
   * Rancher's "small" tier or larger (4 vCPU / 16 GiB), a type of lib/config/instance-types.ts's table, of the
   * servers' `architecture`; may be a Terraform reference (the rke-ha stack passes its `instance_type` variable),
   * which is not checked. @default 'm6i.xlarge'
   */
  readonly instanceType?: string;
  /** Allow an `instanceType` below 4 vCPU / 16 GiB, for a trial. @default false */
  readonly allowSmallInstanceType?: boolean;
  /** @default 100 */
  readonly rootVolumeGb?: number;
  /** The VPC range (a literal: node addresses are carved from it); not with `existingNetwork`. @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** Nodes in private subnets behind NAT; not with `existingNetwork`. @default false */
  readonly privateNodes?: boolean;
  /** With `privateNodes`; not with `existingNetwork`. @default 'per-zone' */
  readonly natGateways?: 'per-zone' | 'single';
  /**
   * IPv4 and IPv6: IPv6 blocks on the VPC and subnets (required of an existing network), dual-stack load balancers
   * and AAAA records, an IPv6 address per server, dual-stack pods and services. Set when the cluster is created; a
   * running deployment refuses the change. Not with `loadBalancer.type: 'dns'`, a wildcard name or closed egress
   * without a proxy. @default false
   */
  readonly dualStack?: boolean;
  /** What answers Rancher's name. @default a TCP NLB with deletion protection */
  readonly loadBalancer?: LoadBalancerProps;
  /** Use this VPC and these subnets instead of creating a network. @default a network of its own (vpcCidr) */
  readonly existingNetwork?: ExistingRkeNetworkProps;
  /** Pin an exact AMI, of the `operatingSystem` family. @default the newest image of `operatingSystem` and `architecture` at the first deploy, then kept */
  readonly amiId?: string;
  /**
   * The servers' CPU architecture (arm64: Graviton, experimental in Rancher): the image, and the release installed.
   * Required with `amiId` when `instanceType` is a Terraform reference. @default 'x86_64'; with `amiId`, the `instanceType`'s
   */
  readonly architecture?: 'x86_64' | 'arm64';
  /** The servers' operating system (the RHEL family with SELinux enforcing); with `amiId`, that image's family. @default 'ubuntu-24.04' */
  readonly operatingSystem?: 'ubuntu-24.04' | 'rhel-9' | 'rocky-9';
  /** An existing EC2 key pair; SSH stays closed without one. */
  readonly sshKeyName?: string;
  /**
   * ingress-nginx (rke2 only) was retired upstream in March 2026. A running deployment keeps the controller it was
   * created with (the guard refuses a switch, but from ingress-nginx to traefik through `ingressMigration`).
   * @default 'traefik'; with rke2 and `rancher.tls.mode` `rancher` or `external`, 'ingress-nginx'
   */
  readonly ingressController?: 'ingress-nginx' | 'traefik';
  /**
   * The step of a running RKE2 deployment's move from ingress-nginx to Traefik, with `ingressController: 'traefik'`:
   * `beside` (both controllers, Traefik on host ports 8000/8443), `moved` (the NLB's 80/443 forwarded to them), `done`
   * (ingress-nginx out; stays set). Each an apply, `beside` and `done` then a roll of the servers (docs/day-2.md, "Off
   * ingress-nginx"). Never on a new deployment.
   * @default none
   */
  readonly ingressMigration?: 'beside' | 'moved' | 'done';
  /**
   * `cis`: RKE2's CIS hardening profile, with the etcd account, the kernel parameters and Pod Security
   * `restricted` outside the namespaces Rancher needs exempted (docs/security.md, "CIS profile"). rke2 only.
   * @default none
   */
  readonly profile?: 'cis';
  /** rke2 only: scheduled etcd snapshots to an S3 bucket of the deployment's. @default every 6 hours, 28 kept */
  readonly etcdSnapshots?: EtcdSnapshotsProps;
  /**
   * A cold standby's data in a second region (docs/standby.md): Rancher's backup bucket and the etcd snapshot bucket
   * replicate to buckets there, under a KMS key of that region, with an alarm when replication fails or lags (with
   * `alarms`). Nothing else runs there. @default no standby
   */
  readonly standby?: StandbyProps;
}

/** The standby region of RancherOnRke's buckets. */
export interface StandbyProps {
  /** A region of the deployment's partition other than its own. @default no standby */
  readonly region?: string;
}
