/**
 * A VPC that exists, by its id (EC2's `VpcId`), as the constructs that deploy into one take it
 * (`RancherOnRke`'s and `RancherOnDocker`'s `existingNetwork.vpc`). `ExistingVpc.fromId` makes one; any object with
 * the id satisfies it (a network construct of yours that exposes `vpcId`). The id must be a literal: the plan-time
 * checks read the VPC and its subnets before anything is created, so a VPC created in the same apply (a Terraform
 * reference) cannot be checked and is refused at synth.
 */
export interface IExistingVpc {
  /** `vpc-` and 8 or 17 hex digits; a literal. */
  readonly vpcId: string;
}

/** A subnet that exists, by its id (EC2's `SubnetId`); a literal, as IExistingVpc's id. */
export interface IExistingSubnet {
  /** `subnet-` and 8 or 17 hex digits; a literal. */
  readonly subnetId: string;
}

/** Existing VPCs by id. */
export abstract class ExistingVpc {
  /** The VPC of this id (a literal: it is read at plan time, before anything is created). */
  static fromId(vpcId: string): IExistingVpc {
    return { vpcId };
  }
}

/** Existing subnets by id. */
export abstract class ExistingSubnet {
  /** The subnet of this id (a literal). */
  static fromId(subnetId: string): IExistingSubnet {
    return { subnetId };
  }

  /** The subnets of these ids, in their order (literals; the order is the servers' for node subnets). */
  static fromIds(subnetIds: readonly string[]): IExistingSubnet[] {
    return subnetIds.map((subnetId) => ExistingSubnet.fromId(subnetId));
  }
}
