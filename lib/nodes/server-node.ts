import { Instance } from '@cdktf/provider-aws/lib/instance';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface ServerNodeProps {
  readonly name: string;
  readonly amiId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  /** Fixed private address, so peers can find each other without a lookup. */
  readonly privateIp: string;
  readonly securityGroupIds: string[];
  readonly instanceProfileName: string;
  readonly userData: string;
  /** Root volume size in GiB. */
  readonly rootVolumeGb: number;
  /** EC2 key pair for SSH; none by default (use SSM Session Manager). */
  readonly keyName?: string;
  /** What must exist before the first boot (parameters, IAM policies the bootstrap uses). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One EC2 server: IMDSv2 only with a hop limit of 1 (pods cannot borrow the
 * node's credentials), encrypted gp3 root volume, no SSH key unless asked.
 *
 * The image, user data and instance type are read once, at creation. Later
 * changes are ignored so that a new AMI, a template edit or a resize never
 * replaces or restarts the etcd members all at once; roll nodes one at a time
 * with `terraform apply -replace` (README, "Day 2").
 */
export class ServerNode extends Construct {
  readonly instance: Instance;

  constructor(scope: Construct, id: string, props: ServerNodeProps) {
    super(scope, id);
    this.instance = new Instance(this, 'instance', {
      ami: props.amiId,
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      privateIp: props.privateIp,
      vpcSecurityGroupIds: props.securityGroupIds,
      iamInstanceProfile: props.instanceProfileName,
      keyName: props.keyName,
      userData: props.userData,
      userDataReplaceOnChange: false,
      monitoring: false,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      rootBlockDevice: {
        volumeType: 'gp3',
        volumeSize: props.rootVolumeGb,
        encrypted: true,
        deleteOnTermination: true,
      },
      tags: { Name: props.name },
      volumeTags: { Name: props.name },
      lifecycle: { ignoreChanges: ['ami', 'user_data', 'instance_type'] },
      dependsOn: props.dependsOn,
    });
  }

  get id(): string {
    return this.instance.id;
  }
}
