import type { IExistingSubnet, IExistingVpc } from '../network/existing-vpc';
import type { AwsDeploymentProps, RancherProps } from './props';

/**
 * The VPC and public subnet of an existing network, in EC2's terms (`ExistingVpc.fromId`, `ExistingSubnet.fromId`,
 * or objects of yours with `vpcId` and `subnetId`). Literal ids: the plan-time checks read them before anything is
 * created; a Terraform reference is refused at synth.
 */
export interface ExistingDockerNetworkProps {
  /** The VPC (`ExistingVpc.fromId`). */
  readonly vpc: IExistingVpc;
  /** A public subnet (0.0.0.0/0 to an internet gateway). */
  readonly subnet: IExistingSubnet;
  /** Host number of the host's fixed address in the subnet; must be free there. @default 10 */
  readonly hostNumber?: number;
}

/**
 * RancherOnDocker's props: the deployment's (AwsDeploymentProps) and the host of Rancher's Docker install, side by
 * side (a settings file nests the latter under `docker:`; the loader un-nests them).
 */
export interface RancherOnDockerProps extends AwsDeploymentProps {
  /**
   * What the Docker install takes of the Rancher settings: the API audit log, the first-login bootstrap, the accepted
   * agent changes, and `repository` (`prime` states a Prime release; the versions rule reads it). The Helm chart's
   * `replicas` and `tls` have no meaning here (the container's certificate is `tls`, below): TypeScript refuses them,
   * and so does the construct when plain JavaScript gives them.
   */
  readonly rancher?: Pick<RancherProps, 'repository' | 'auditLog' | 'bootstrap' | 'acceptAgentChange'>;
  /**
   * Rancher's Docker sizing (at least 1 vCPU / 4 GiB; 2 vCPU / 8 GiB serves 15 clusters), a type of
   * lib/config/instance-types.ts's table, of the host's `architecture`; may be a Terraform reference
   * (the docker stack passes its `instance_type` variable), which is not checked. @default 'm6i.large'
   */
  readonly instanceType?: string;
  /** Allow an `instanceType` below 1 vCPU / 4 GiB, for a trial. @default false */
  readonly allowSmallInstanceType?: boolean;
  /** @default 30 */
  readonly rootVolumeGb?: number;
  /** The VPC range; not with `existingNetwork`. @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** Use this VPC and public subnet instead of creating a network. @default a network of its own (vpcCidr) */
  readonly existingNetwork?: ExistingDockerNetworkProps;
  /** @default the newest Canonical Ubuntu 24.04 at the first deploy, then kept */
  readonly amiId?: string;
  /** The host's CPU architecture (arm64: Graviton, experimental in Rancher). @default 'x86_64'; with `amiId`, unchecked unless set */
  readonly architecture?: 'x86_64' | 'arm64';
  /** An existing EC2 key pair; SSH stays closed without one. */
  readonly sshKeyName?: string;
  /** The EBS volume at /var/lib/rancher: Rancher's data, kept when the instance is replaced. */
  readonly dataVolume?: {
    /** @default 50 */
    readonly sizeGb?: number;
    /** @default true */
    readonly finalSnapshot?: boolean;
    /** Create the volume from this snapshot (a restore). */
    readonly restoreSnapshotId?: string;
    /** Scheduled EBS snapshots of the volume (Data Lifecycle Manager): Rancher's backups here. @default daily at 03:00 UTC, 7 kept */
    readonly snapshots?: {
      /** @default 24 */
      readonly intervalHours?: 1 | 2 | 3 | 4 | 6 | 8 | 12 | 24;
      /** UTC start time. @default '03:00' */
      readonly time?: string;
      /** @default 7 */
      readonly retention?: number;
    };
  };
  /** The certificate the container serves (the Docker install docs' choices), or the load balancer in front of it. */
  readonly tls?: {
    /**
     * Where TLS ends: in the container, or (`external`) at an ALB with an ACM
     * certificate that forwards plain HTTP to the container's port 80; the
     * issuer then says where ACM's certificate comes from (`acme`: ACM issues
     * it; `rancher` is refused). @default 'rancher'
     */
    readonly mode?: 'rancher' | 'external';
    /** @default 'rancher' */
    readonly issuer?: 'rancher' | 'blank' | 'ca' | 'acme';
    /** `blank` only. @default false */
    readonly privateCA?: boolean;
  };
}
