import { Eip } from '@cdktn/provider-aws/lib/eip';
import { Lb } from '@cdktn/provider-aws/lib/lb';
import { LbListener } from '@cdktn/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktn/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktn/provider-aws/lib/lb-target-group-attachment';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { requireAwsNames } from '../config/resource-names';
import type { Peer } from '../network/peer';
import { allowEgress, allowIngress, replaceableSecurityGroup } from '../network/private/security-group-rules';
import type { PortRule } from '../network/port-rule';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';

/** One TCP port the balancer forwards, and who may connect to it. */
export interface ForwardedPort {
  /** Listener and target port. */
  readonly port: number;
  /** What the port serves, in its security group rules' descriptions (`Kubernetes API from admin networks`). */
  readonly description: string;
  /** Who may connect to the listener. */
  readonly from: Peer;
  /** Who else, over IPv6, on a dual-stack balancer (rule `ingress-<port>-ipv6`), e.g. `::/0` beside `0.0.0.0/0`. @default nobody */
  readonly ipv6From?: Peer;
  /**
   * Seconds an idle TCP flow stays open (60-6000). @default AWS's 350 s.
   * Long-lived websockets (Rancher's UI, kubectl exec/logs, agent tunnels) need more.
   */
  readonly idleTimeoutSeconds?: number;
  /** The targets' port the listener forwards to. @default port */
  readonly targetPort?: number;
  /**
   * Target ports with a target group of their own that no listener forwards to yet (or any more): registered and
   * health-checked, so the listener can move to one (or back) by changing its action alone. @default none
   */
  readonly standbyTargetPorts?: readonly number[];
}

/** A TCP network load balancer's name, place, ports and targets. */
export interface NetworkLoadBalancerProps {
  /** Load balancer name (at most 32 characters); target groups append the port. */
  readonly name: string;
  /** The VPC of the subnets and the target groups. */
  readonly vpcId: string;
  /** Public subnets, one per zone the targets are in. */
  readonly subnetIds: string[];
  /** TCP ports forwarded unchanged to the targets. */
  readonly ports: readonly ForwardedPort[];
  /** Security group of the targets; the balancer may reach it only on `ports`. */
  readonly targetSecurityGroupId: string;
  /** The VPC's internet access (PublicNetwork.internetAccess): an internet-facing balancer needs it first. */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * One Elastic IP per subnet (`eip-<index of the subnet>`), on the balancer's
   * subnet mappings: addresses that outlive a replaced balancer. Switching an
   * existing balancer between plain subnets and mappings replaces it (AWS
   * provider: a changed mapping forces a new NLB). @default false
   */
  readonly elasticIps?: boolean;
  /**
   * AWS deletion protection, and `prevent_destroy`: a plan that would delete or
   * replace the balancer is refused before anything is touched, instead of a
   * destroy failing at the balancer after the servers are gone. Turn it off
   * and apply before a destroy. @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * `dualstack`: clients reach the balancer over IPv4 and IPv6 (the subnets
   * need IPv6 blocks and a ::/0 route); it still reaches the instance targets
   * over IPv4, translating IPv6 connections (the targets then see the
   * balancer's address). AWS changes it in place. @default 'ipv4'
   */
  readonly ipAddressType?: 'ipv4' | 'dualstack';
}

/**
 * An internet-facing NLB in TCP mode (the only NLB mode Rancher supports),
 * cross-zone, with its own security group so targets admit traffic from the
 * balancer instead of from the world.
 */
export class NetworkLoadBalancer extends Construct {
  /** The load balancer. */
  readonly lb: Lb;
  /** The Elastic IPs on the balancer's subnet mappings, by subnet index (`elasticIps` only; else empty). */
  readonly elasticIps: readonly Eip[];
  /** The balancer's own security group (NLBs take one): who may connect, and to which targets. */
  readonly securityGroup: SecurityGroup;
  /** By listener port, the target group the listener forwards to. */
  readonly targetGroups: ReadonlyMap<number, LbTargetGroup>;
  /** Every target port (forwarded to or standing by), each with its target group: the targets must admit the balancer on each. */
  readonly targetPorts: readonly number[];
  /** The balancer's own security group rules, for dependents that must outlive them (cluster access). */
  readonly rules: ITerraformDependable[] = [];
  /** The listeners, for what must wait until the balancer forwards. */
  readonly listeners: LbListener[] = [];

  constructor(scope: Construct, id: string, props: NetworkLoadBalancerProps) {
    super(scope, id);
    requireAwsNames(`NetworkLoadBalancer ${this.node.path}`, [
      ['loadBalancer', props.name],
      ...targetPortsOf(props.ports).map((port) => ['targetGroup', `${props.name}-${port}`] as const),
    ]);

    this.securityGroup = replaceableSecurityGroup(this, 'security-group', {
      name: `${props.name}-lb`,
      description: 'Rancher load balancer',
      vpcId: props.vpcId,
    });

    // Keyed by the subnet's index, so another zone never moves eip-0 (the one a wildcard name embeds). No
    // create_before_destroy on the balancer or anything referring to it: a new balancer cannot take the
    // allocations while the old one holds them.
    this.elasticIps = props.elasticIps
      ? props.subnetIds.map((_, i) => new Eip(this, `eip-${i}`, { domain: 'vpc', tags: { Name: `${props.name}-lb-${i}` } }))
      : [];
    this.lb = new Lb(this, 'lb', {
      name: props.name,
      loadBalancerType: 'network',
      internal: false,
      // Plain subnets unless there are addresses to map: a balancer created with them stays as it is.
      ...(props.elasticIps
        ? { subnetMapping: props.subnetIds.map((subnetId, i) => ({ subnetId, allocationId: this.elasticIps[i].allocationId })) }
        : { subnets: props.subnetIds }),
      securityGroups: [this.securityGroup.id],
      ...(props.ipAddressType === 'dualstack' ? { ipAddressType: 'dualstack' } : {}),
      enableCrossZoneLoadBalancing: true,
      enableDeletionProtection: props.deletionProtection ?? true,
      lifecycle: (props.deletionProtection ?? true) ? { preventDestroy: true } : undefined,
      dependsOn: props.dependsOn,
    });

    const groups = new Map<number, LbTargetGroup>();
    const byTargetPort = new Map<number, LbTargetGroup>();
    // The ids of a port forwarded to itself are those of the port (`tg-443`, `egress-443`): a balancer whose listener
    // moves to another target port keeps the first group as long as it stands by.
    const targetGroup = (port: number, description: string) => {
      const rule: PortRule = { protocol: 'tcp', from: port, to: port, description };
      this.rules.push(allowEgress(this, `egress-${port}`, this.securityGroup.id, rule, { securityGroupId: props.targetSecurityGroupId }));
      const group = new LbTargetGroup(this, `tg-${port}`, {
        name: `${props.name}-${port}`,
        port,
        protocol: 'TCP',
        targetType: 'instance',
        vpcId: props.vpcId,
        // Short drain: nodes are few and long-lived; a replaced node should leave quickly.
        deregistrationDelay: '30',
        healthCheck: { protocol: 'TCP', port: 'traffic-port', interval: 10, healthyThreshold: 3, unhealthyThreshold: 3 },
        tags: { Name: `${props.name}-${port}` },
      });
      byTargetPort.set(port, group);
      return group;
    };
    for (const forwarded of props.ports) {
      const rule: PortRule = { protocol: 'tcp', from: forwarded.port, to: forwarded.port, description: forwarded.description };
      this.rules.push(
        allowIngress(this, `ingress-${forwarded.port}`, this.securityGroup.id, rule, forwarded.from),
        ...(forwarded.ipv6From ? [allowIngress(this, `ingress-${forwarded.port}-ipv6`, this.securityGroup.id, rule, forwarded.ipv6From)] : []),
      );
      const targetPort = forwarded.targetPort ?? forwarded.port;
      // In port order, whichever is forwarded to: moving the listener changes its action alone.
      const created = [...new Set([targetPort, ...(forwarded.standbyTargetPorts ?? [])])]
        .sort((a, b) => a - b)
        .map((port) => [port, targetGroup(port, forwarded.description)] as const);
      const group = created.find(([port]) => port === targetPort)![1];
      const listener = new LbListener(this, `listener-${forwarded.port}`, {
        loadBalancerArn: this.lb.arn,
        port: forwarded.port,
        protocol: 'TCP',
        tcpIdleTimeoutSeconds: forwarded.idleTimeoutSeconds,
        defaultAction: [{ type: 'forward', targetGroupArn: group.arn }],
      });
      this.listeners.push(listener);
      this.listenerMap.set(forwarded.port, listener);
      groups.set(forwarded.port, group);
    }
    this.targetGroups = groups;
    this.targetPorts = [...byTargetPort.keys()];
    this.allTargetGroups = byTargetPort;
  }

  private readonly allTargetGroups: ReadonlyMap<number, LbTargetGroup>;
  private readonly listenerMap = new Map<number, LbListener>();

  /** The listener of `port`. Throws for a port the balancer does not listen on. */
  listenerOf(port: number): LbListener {
    const listener = this.listenerMap.get(port);
    if (!listener)
      throw new Error(`NetworkLoadBalancer ${this.node.path} listens on no port ${port} (it listens on ${[...this.listenerMap.keys()].join(', ')})`);
    return listener;
  }

  /** Registers an instance in every target group (forwarded to or standing by), each on its own port. */
  addInstanceTarget(id: string, instanceId: string): LbTargetGroupAttachment[] {
    return [...this.allTargetGroups].map(
      ([port, group]) => new LbTargetGroupAttachment(this, `${id}-${port}`, { targetGroupArn: group.arn, targetId: instanceId, port }),
    );
  }

  /**
   * The targets of the port's target group that fail its TCP health check (the most in a minute). Throws for a
   * port the balancer does not forward.
   */
  metricUnhealthyHostCount(port: number, options: MetricOptions = {}): Metric {
    const group = this.targetGroups.get(port);
    if (!group)
      throw new Error(`NetworkLoadBalancer ${this.node.path} forwards no port ${port} (it forwards ${[...this.targetGroups.keys()].join(', ')})`);
    return metricWith(
      {
        namespace: 'AWS/NetworkELB',
        metricName: 'UnHealthyHostCount',
        dimensions: { TargetGroup: group.arnSuffix, LoadBalancer: this.lb.arnSuffix },
        statistic: 'Maximum',
        period: 60,
      },
      options,
    );
  }

  /** The balancer's DNS name, for an alias record. */
  get dnsName(): string {
    return this.lb.dnsName;
  }

  /** The balancer's canonical hosted zone id, for an alias record. */
  get zoneId(): string {
    return this.lb.zoneId;
  }
}

/** Every target port of `ports`: the forwarded ones and those standing by, without repeats. */
function targetPortsOf(ports: readonly ForwardedPort[]): number[] {
  return [...new Set(ports.flatMap((p) => [...(p.standbyTargetPorts ?? []), p.targetPort ?? p.port]))];
}
