/** The other side of a security group rule: a security group, one CIDR block, or a list of them. */
export type Peer =
  | { readonly securityGroupId: string }
  | { readonly cidr: string }
  /** A list only known to Terraform (a variable): one rule per element. */
  | { readonly cidrList: string[] };
