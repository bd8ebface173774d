import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktn/provider-aws/lib/vpc-security-group-egress-rule';
import type { VpcSecurityGroupIngressRule } from '@cdktn/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import {
  allowAllEgress,
  allowAllEgressTo,
  allowAllEgressToEach,
  allowIngress,
  replaceableSecurityGroup,
} from '../network/private/security-group-rules';
import type { Peer } from '../network/peer';
import type { PortRule } from '../network/port-rule';
import { RKE2_SERVER_PORTS, SSH_PORT } from './private/ports';

/** The nodes' security group: the VPC, the cluster's ports, and how far egress reaches. */
export interface NodeSecurityGroupProps {
  /** The VPC of the group. */
  readonly vpcId: string;
  /** Prefix of the group's name. */
  readonly name: string;
  /** Node-to-node ports. @default RKE2_SERVER_PORTS */
  readonly clusterPorts?: readonly PortRule[];
  /** The VPC's range: egress to it stays open when `egressOnlyTo` closes the rest. With `egressOnlyTo`, this or `vpcCidrs`. */
  readonly vpcCidr?: string;
  /** The ranges inside an existing VPC the nodes reach (a Terraform list, ExistingNetwork.directCidrs), instead of `vpcCidr`. */
  readonly vpcCidrs?: string[];
  /**
   * `proxy.egressOnlyTo`: when non-empty, egress goes only to the VPC and
   * these networks (all traffic to each) instead of anywhere.
   * @default [] (egress open)
   */
  readonly egressOnlyTo?: readonly string[];
  /**
   * Dual-stack nodes: open egress goes to ::/0 as well (`egress-all-ipv6`),
   * and SSH takes IPv6 admin networks. Closed egress (`egressOnlyTo`, IPv4
   * networks) stays closed to IPv6. @default false
   */
  readonly ipv6?: boolean;
}

/** Construct id of the egress rule to a network: `egress-203-0-113-0-24` for 203.0.113.0/24. */
export const egressRuleId = (cidr: string) => `egress-${cidr.replace(/[./]/g, '-')}`;

/**
 * The server nodes' group: the cluster port table between members of the
 * group, nothing from outside until a caller opens it with `allowFrom`.
 * Egress is open (one rule to 0.0.0.0/0) unless `egressOnlyTo` lists
 * networks: then one rule to the VPC (`egress-vpc`; one per range of an
 * existing VPC) and one per network.
 */
export class NodeSecurityGroup extends Construct {
  /** The security group. */
  readonly securityGroup: SecurityGroup;
  /**
   * Every egress rule of the group, those added later included: Terraform
   * strips a new group's default allow-all rule, so a node booting before
   * these exist reaches nothing (SSM, its peers, the installer).
   */
  readonly egress: VpcSecurityGroupEgressRule[] = [];
  /** Dual-stack (`ipv6`). */
  readonly ipv6: boolean;

  constructor(scope: Construct, id: string, props: NodeSecurityGroupProps) {
    super(scope, id);
    this.securityGroup = replaceableSecurityGroup(this, 'group', { name: props.name, description: 'Rancher server nodes', vpcId: props.vpcId });
    const self: Peer = { securityGroupId: this.securityGroup.id };
    (props.clusterPorts ?? RKE2_SERVER_PORTS).forEach((rule) => this.allowFrom(`cluster-${rule.protocol}-${rule.from}`, rule, self));
    const onlyTo = [...new Set(props.egressOnlyTo ?? [])];
    this.ipv6 = props.ipv6 ?? false;
    if (onlyTo.length === 0) {
      this.egress.push(allowAllEgress(this, 'egress-all', this.securityGroup.id));
      if (this.ipv6) this.egress.push(allowAllEgressTo(this, 'egress-all-ipv6', this.securityGroup.id, '::/0', 'Outbound to anywhere (IPv6)'));
    } else {
      if (props.vpcCidrs) {
        // One rule per range (for_each); a range also listed in egressOnlyTo gets only its rule below.
        this.egress.push(allowAllEgressToEach(this, 'egress-vpc', this.securityGroup.id, props.vpcCidrs, onlyTo, 'Outbound inside the VPC'));
      } else if (props.vpcCidr) {
        this.egress.push(allowAllEgressTo(this, 'egress-vpc', this.securityGroup.id, props.vpcCidr, 'Outbound inside the VPC'));
      } else {
        throw new Error('NodeSecurityGroup: egressOnlyTo needs vpcCidr or vpcCidrs (egress inside the VPC stays open)');
      }
      // A listed network equal to the VPC would be a duplicate rule, which AWS refuses.
      for (const cidr of onlyTo.filter((c) => c !== props.vpcCidr)) {
        this.egress.push(
          allowAllEgressTo(this, egressRuleId(cidr), this.securityGroup.id, cidr, 'Outbound to an allowed network (proxy.egressOnlyTo)'),
        );
      }
    }
  }

  /** The security group's id. */
  get id(): string {
    return this.securityGroup.id;
  }

  /** Opens `rule`'s ports to `peer` (one ingress rule, construct id `id`). */
  allowFrom(id: string, rule: PortRule, peer: Peer): VpcSecurityGroupIngressRule {
    return allowIngress(this, id, this.securityGroup.id, rule, peer);
  }

  /**
   * HTTPS to an AWS-managed prefix list (the S3 gateway endpoint's): with
   * `egressOnlyTo`, S3 is outside the VPC's range and the listed networks, and
   * the gateway routes it by its public addresses.
   */
  allowHttpsToPrefixList(id: string, prefixListId: string, description: string): VpcSecurityGroupEgressRule {
    const rule = new VpcSecurityGroupEgressRule(this, id, {
      securityGroupId: this.securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      prefixListId,
      description,
    });
    this.egress.push(rule);
    return rule;
  }

  /** Opens SSH to the admin networks (a Terraform list; both families on a dual-stack group). */
  allowSsh(adminCidrs: string[]): void {
    this.allowFrom(
      'ssh-admin',
      { protocol: 'tcp', from: SSH_PORT, to: SSH_PORT, description: 'SSH from admin networks' },
      { cidrList: adminCidrs, ...(this.ipv6 ? { bothFamilies: true } : {}) },
    );
  }
}
