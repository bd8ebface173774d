import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { STANDBY_STATE_PARAMETER } from './standby-facts-keys';

export { STANDBY_STATE_PARAMETER };

/** Where the standby deployment's state is kept and how it is found. */
export interface StandbyStateProps {
  /** The deployment's prefix (`<name>-<stack id>`): the bucket's name starts with it. */
  readonly name: string;
  /** The standby region (a literal), for the parameter's description. */
  readonly standbyRegion: string;
  /** The standby region's AWS provider. */
  readonly provider: AwsProvider;
  /** As the copies': `destroy` deletes the bucket with its objects; otherwise `prevent_destroy`. */
  readonly forceDestroy: boolean;
  /** The deployment's SSM path (`/<name>/<stack id>`): `<parameterPath>/standby-state` names the bucket. */
  readonly parameterPath: string;
}

/**
 * The standby deployment's Terraform state, kept in the standby region by production's apply (issue 91 item 6): a
 * bucket there guarded as the copies are (SnapshotBucket: private, TLS only, versioned, SSE, `prevent_destroy` unless
 * forced; a store under `standby`, so a teardown keeps it as it keeps the copies), named in an SSM parameter of that
 * region. The failover's standby uses it as its S3 backend (`use_lockfile`): the deployment that is production after a
 * failover has its state, with its secrets, neither on the machine that ran the failover nor in the lost region, and
 * its bucket exists before the outage (making one needs S3's bucket configuration, a control plane in us-east-1).
 */
export class StandbyState extends Construct {
  /** The state bucket. */
  readonly bucket: SnapshotBucket;
  /** Its name, under a name the settings give (`STANDBY_STATE_PARAMETER`). */
  readonly pointer: SsmParameter;

  constructor(scope: Construct, id: string, props: StandbyStateProps) {
    super(scope, id);
    const { provider } = props;
    this.bucket = new SnapshotBucket(this, 'bucket', { provider, namePrefix: `${props.name}-state-sb-`, forceDestroy: props.forceDestroy });
    this.pointer = new SsmParameter(this, 'pointer', {
      provider,
      name: `${props.parameterPath}${STANDBY_STATE_PARAMETER}`,
      type: 'String',
      value: this.bucket.name,
      description: `The bucket of the Terraform state of ${props.name}'s standby in ${props.standbyRegion} (docs/failover.md)`,
    });
  }
}
