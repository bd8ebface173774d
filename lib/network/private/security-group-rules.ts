import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktn/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktn/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, TerraformIterator } from 'cdktf';
import { Construct } from 'constructs';
import type { PortRule } from '../port-rule';
import { isIpv6Text } from '../../config/cidr';
import type { Peer } from '../peer';

/*
 * One rule resource per (peer, port range), never inline rules: inline rules
 * cannot reference a group that references back (load balancer <-> nodes).
 */

function peerProps(peer: Peer): { referencedSecurityGroupId?: string; cidrIpv4?: string; cidrIpv6?: string } {
  if ('securityGroupId' in peer) return { referencedSecurityGroupId: peer.securityGroupId };
  if ('cidr' in peer) return isIpv6Text(peer.cidr) ? { cidrIpv6: peer.cidr } : { cidrIpv4: peer.cidr };
  return {};
}

function ruleProps(securityGroupId: string, rule: PortRule, peer: Peer) {
  const base = {
    securityGroupId,
    ipProtocol: rule.protocol,
    fromPort: rule.from,
    toPort: rule.to,
    description: rule.description,
  };
  if ('cidrList' in peer) {
    const each = TerraformIterator.fromList(peer.cidrList);
    if (!peer.bothFamilies) return { ...base, forEach: each, cidrIpv4: each.value as string };
    // The family of each element decides its argument; the other stays null (unset).
    return {
      ...base,
      forEach: each,
      cidrIpv4: '${strcontains(each.value, ":") ? null : each.value}',
      cidrIpv6: '${strcontains(each.value, ":") ? each.value : null}',
    };
  }
  return { ...base, ...peerProps(peer) };
}

export function allowIngress(scope: Construct, id: string, securityGroupId: string, rule: PortRule, peer: Peer): VpcSecurityGroupIngressRule {
  return new VpcSecurityGroupIngressRule(scope, id, ruleProps(securityGroupId, rule, peer));
}

export function allowEgress(scope: Construct, id: string, securityGroupId: string, rule: PortRule, peer: Peer): VpcSecurityGroupEgressRule {
  return new VpcSecurityGroupEgressRule(scope, id, ruleProps(securityGroupId, rule, peer));
}

/** All traffic, every protocol, to one network. */
export function allowAllEgressTo(
  scope: Construct,
  id: string,
  securityGroupId: string,
  cidr: string,
  description: string,
): VpcSecurityGroupEgressRule {
  const to = isIpv6Text(cidr) ? { cidrIpv6: cidr } : { cidrIpv4: cidr };
  return new VpcSecurityGroupEgressRule(scope, id, { securityGroupId, ipProtocol: '-1', ...to, description });
}

/**
 * All traffic to each network of a list only Terraform knows (an existing
 * VPC's ranges), one rule per element, leaving out the `except` networks
 * (listed by rules of their own: AWS refuses a duplicate rule).
 */
export function allowAllEgressToEach(
  scope: Construct,
  id: string,
  securityGroupId: string,
  cidrList: string[],
  except: readonly string[],
  description: string,
): VpcSecurityGroupEgressRule {
  const each = TerraformIterator.fromList(except.length ? Fn.tolist(Fn.setsubtract(cidrList, [...except])) : cidrList);
  return new VpcSecurityGroupEgressRule(scope, id, { securityGroupId, ipProtocol: '-1', forEach: each, cidrIpv4: each.value as string, description });
}

/** Unrestricted egress (package mirrors, container registries, S3, SSM, downstream clusters). */
export function allowAllEgress(scope: Construct, id: string, securityGroupId: string): VpcSecurityGroupEgressRule {
  return allowAllEgressTo(scope, id, securityGroupId, '0.0.0.0/0', 'Outbound to anywhere');
}

/**
 * A security group named `<name>-<random>` and tagged `Name=<name>`, replaced
 * create-before-destroy: a group that instances or load balancers use can only
 * be swapped once its successor exists (hence a name prefix, not a fixed name).
 */
export function replaceableSecurityGroup(
  scope: Construct,
  id: string,
  props: { readonly name: string; readonly description: string; readonly vpcId: string },
): SecurityGroup {
  return new SecurityGroup(scope, id, {
    namePrefix: `${props.name}-`,
    description: props.description,
    vpcId: props.vpcId,
    tags: { Name: props.name },
    lifecycle: { createBeforeDestroy: true },
  });
}
