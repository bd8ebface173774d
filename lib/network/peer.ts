/** The other side of a security group rule: a security group, one CIDR block (IPv4, or IPv6 written with colons), or a list of them. */
export type Peer =
  | { readonly securityGroupId: string }
  | { readonly cidr: string }
  /**
   * A list only known to Terraform (a variable): one rule per element. With
   * `bothFamilies` an element may be an IPv6 block too (a dual-stack
   * deployment's admin networks): each rule takes it as what it is; without it, every element is an IPv4 block.
   */
  | { readonly cidrList: string[]; readonly bothFamilies?: boolean };
