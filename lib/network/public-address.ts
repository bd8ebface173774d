import { Eip } from '@cdktn/provider-aws/lib/eip';
import { EipAssociation } from '@cdktn/provider-aws/lib/eip-association';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** The Elastic IP's name and the instance it goes to. */
export interface PublicAddressProps {
  /** The Elastic IP's Name tag. */
  readonly name: string;
  /** The instance to associate the address with; or later, with `associate` (when the instance needs the address first). */
  readonly instanceId?: string;
  /** The VPC's internet gateway: an Elastic IP can only be associated once it is attached. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An Elastic IP and its association with an instance, as two resources: a
 * replaced instance gets the same address back, so DNS never changes. The
 * address exists before the instance, so the instance may be told its own
 * public name (a wildcard DNS name embeds the address).
 */
export class PublicAddress extends Construct {
  /** The Elastic IP. */
  readonly eip: Eip;
  private associated?: EipAssociation;

  constructor(scope: Construct, id: string, props: PublicAddressProps) {
    super(scope, id);
    this.eip = new Eip(this, 'eip', { domain: 'vpc', tags: { Name: props.name }, dependsOn: props.dependsOn });
    if (props.instanceId !== undefined) this.associate(props.instanceId);
  }

  /** Associates the address with the instance (once). */
  associate(instanceId: string): EipAssociation {
    if (this.associated) throw new Error(`${this.node.path} is associated already`);
    this.associated = new EipAssociation(this, 'association', { allocationId: this.eip.allocationId, instanceId });
    return this.associated;
  }

  /** The association; throws before `associate`. */
  get association(): EipAssociation {
    if (!this.associated) throw new Error(`${this.node.path} is not associated with an instance yet (associate)`);
    return this.associated;
  }

  /** The public IPv4 address. */
  get ip(): string {
    return this.eip.publicIp;
  }
}
