import { Eip } from '@cdktf/provider-aws/lib/eip';
import { EipAssociation } from '@cdktf/provider-aws/lib/eip-association';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface PublicAddressProps {
  readonly name: string;
  readonly instanceId: string;
  /** The VPC's internet gateway: an Elastic IP can only be associated once it is attached. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An Elastic IP and its association with an instance, as two resources: a
 * replaced instance gets the same address back, so DNS never changes.
 */
export class PublicAddress extends Construct {
  readonly eip: Eip;
  readonly association: EipAssociation;

  constructor(scope: Construct, id: string, props: PublicAddressProps) {
    super(scope, id);
    this.eip = new Eip(this, 'eip', { domain: 'vpc', tags: { Name: props.name }, dependsOn: props.dependsOn });
    this.association = new EipAssociation(this, 'association', { allocationId: this.eip.allocationId, instanceId: props.instanceId });
  }

  get ip(): string {
    return this.eip.publicIp;
  }
}
