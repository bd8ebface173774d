/** The other side of a security group rule: a security group, one CIDR block (IPv4, or IPv6 written with colons), or a list of them. */
export type Peer =
  | {
      /** A security group's id: its members. */
      readonly securityGroupId: string;
    }
  | {
      /** One block; may be a Terraform reference. */
      readonly cidr: string;
    }
  /**
   * A list only known to Terraform (a variable): one rule per element. With
   * `bothFamilies` an element may be an IPv6 block too (a dual-stack
   * deployment's admin networks): each rule takes it as what it is; without it, every element is an IPv4 block.
   */
  | {
      /** The blocks, a Terraform list. */
      readonly cidrList: string[];
      /** Elements may be IPv6 blocks too. */
      readonly bothFamilies?: boolean;
    };
