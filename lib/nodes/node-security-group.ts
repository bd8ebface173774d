import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { allowAllEgress, allowIngress, type Peer } from '../network/security-group-rules';
import { RKE2_SERVER_PORTS, SSH_PORT, type PortRule } from './ports';

export interface NodeSecurityGroupProps {
  readonly vpcId: string;
  readonly name: string;
  /** Node-to-node ports. @default RKE2_SERVER_PORTS */
  readonly clusterPorts?: readonly PortRule[];
}

/**
 * The server nodes' group: the cluster port table between members of the
 * group, nothing from outside until a caller opens it with `allowFrom`.
 */
export class NodeSecurityGroup extends Construct {
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NodeSecurityGroupProps) {
    super(scope, id);
    this.securityGroup = new SecurityGroup(this, 'group', {
      namePrefix: `${props.name}-`,
      description: 'Rancher server nodes',
      vpcId: props.vpcId,
      tags: { Name: props.name },
      // Replacing a group that instances use needs the new one first.
      lifecycle: { createBeforeDestroy: true },
    });
    const self: Peer = { securityGroupId: this.securityGroup.id };
    (props.clusterPorts ?? RKE2_SERVER_PORTS).forEach((rule) => this.allowFrom(`cluster-${rule.protocol}-${rule.from}`, rule, self));
    allowAllEgress(this, 'egress-all', this.securityGroup.id);
  }

  get id(): string {
    return this.securityGroup.id;
  }

  allowFrom(id: string, rule: PortRule, peer: Peer): void {
    allowIngress(this, id, this.securityGroup.id, rule, peer);
  }

  allowSsh(adminCidrs: string[]): void {
    this.allowFrom('ssh-admin', { protocol: 'tcp', from: SSH_PORT, to: SSH_PORT, description: 'SSH from admin networks' }, { cidrList: adminCidrs });
  }
}
