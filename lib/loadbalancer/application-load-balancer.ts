import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { requireAwsNames } from '../config/resource-names';
import { allowEgress, allowIngress, replaceableSecurityGroup } from '../network/private/security-group-rules';
import type { PortRule } from '../network/port-rule';
import { RANCHER_PUBLIC_PORTS } from '../nodes/private/ports';

/** TLS 1.2 and 1.3 only, forward-secret ciphers. */
export const ALB_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
/** Rancher's UI, kubectl shells and agents keep websockets open; the default 60 s cuts them. */
export const ALB_IDLE_TIMEOUT_SECONDS = 3600;

/** How the balancer tells a serving target: an HTTP GET on the target's port. */
export interface AlbHealthCheck {
  readonly path: string;
  /** HTTP status codes that count as healthy, e.g. `200` or `200-399`. */
  readonly matcher: string;
}

/** Any answer of the ingress controller's default server proves it serves (it answers 404 for unknown hosts). */
export const INGRESS_HEALTH_CHECK: AlbHealthCheck = { path: '/healthz', matcher: '200-404' };

export interface ApplicationLoadBalancerProps {
  /** Name prefix; the balancer is `<name>-alb` (at most 32 characters). */
  readonly name: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  /** ACM certificate served on 443. */
  readonly certificateArn: string;
  /** Security group of the targets; the balancer may reach them only on HTTP 80. */
  readonly targetSecurityGroupId: string;
  /** The targets' health check on port 80. @default INGRESS_HEALTH_CHECK (`/healthz`, 200-404) */
  readonly healthCheck?: AlbHealthCheck;
  /** The VPC's internet access (PublicNetwork.internetAccess): an internet-facing balancer needs it first. */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * AWS deletion protection, and `prevent_destroy`: a plan that would delete or
   * replace the balancer is refused before anything is touched, instead of a
   * destroy failing at the balancer after the servers are gone. Turn it off
   * and apply before a destroy. @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * `dualstack`: clients reach it over IPv4 and IPv6 (80 and 443 from ::/0
   * as well); it forwards to the instance targets over IPv4. AWS changes it
   * in place. @default 'ipv4'
   */
  readonly ipAddressType?: 'ipv4' | 'dualstack';
}

const HTTP_TO_TARGETS: PortRule = { protocol: 'tcp', from: 80, to: 80, description: 'HTTP to the ingress controller' };

/**
 * TLS ends here (the Rancher docs' `external` mode): an internet-facing ALB
 * serving the ACM certificate on 443, redirecting 80 to 443, and forwarding
 * plain HTTP with X-Forwarded-* headers to the ingress controller on every
 * node. The ingress controller must trust those headers.
 */
export class ApplicationLoadBalancer extends Construct {
  readonly lb: Lb;
  readonly securityGroup: SecurityGroup;
  readonly targetGroup: LbTargetGroup;
  /** HTTPS 443 (forward) and HTTP 80 (redirect): what a probe through the balancer waits for besides its targets. */
  readonly listeners: LbListener[];
  /** The balancer's own security group rules (in from the internet, out to the targets): what a probe through it needs too. */
  readonly rules: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    requireAwsNames(`ApplicationLoadBalancer ${this.node.path}`, [
      ['loadBalancer', `${props.name}-alb`],
      ['targetGroup', `${props.name}-alb-http`],
    ]);
    const dualStack = props.ipAddressType === 'dualstack';
    this.securityGroup = replaceableSecurityGroup(this, 'security-group', {
      name: `${props.name}-alb`,
      description: 'Rancher load balancer (TLS at the load balancer)',
      vpcId: props.vpcId,
    });
    for (const rule of RANCHER_PUBLIC_PORTS) {
      this.rules.push(allowIngress(this, `ingress-${rule.from}`, this.securityGroup.id, rule, { cidr: '0.0.0.0/0' }));
      if (dualStack) this.rules.push(allowIngress(this, `ingress-${rule.from}-ipv6`, this.securityGroup.id, rule, { cidr: '::/0' }));
    }
    this.rules.push(allowEgress(this, 'egress-80', this.securityGroup.id, HTTP_TO_TARGETS, { securityGroupId: props.targetSecurityGroupId }));

    this.lb = new Lb(this, 'lb', {
      name: `${props.name}-alb`,
      loadBalancerType: 'application',
      internal: false,
      subnets: props.subnetIds,
      securityGroups: [this.securityGroup.id],
      ...(dualStack ? { ipAddressType: 'dualstack' } : {}),
      idleTimeout: ALB_IDLE_TIMEOUT_SECONDS,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? true,
      lifecycle: (props.deletionProtection ?? true) ? { preventDestroy: true } : undefined,
      dependsOn: props.dependsOn,
    });

    this.targetGroup = new LbTargetGroup(this, 'tg-http', {
      name: `${props.name}-alb-http`,
      port: 80,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        protocol: 'HTTP',
        ...(props.healthCheck ?? INGRESS_HEALTH_CHECK),
        port: 'traffic-port',
        interval: 10,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
      tags: { Name: `${props.name}-alb-http` },
    });

    const https = new LbListener(this, 'listener-443', {
      loadBalancerArn: this.lb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: ALB_SSL_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
    });
    const http = new LbListener(this, 'listener-80', {
      loadBalancerArn: this.lb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    this.listeners = [https, http];
  }

  addInstanceTarget(id: string, instanceId: string): LbTargetGroupAttachment {
    return new LbTargetGroupAttachment(this, id, { targetGroupArn: this.targetGroup.arn, targetId: instanceId, port: 80 });
  }

  get dnsName(): string {
    return this.lb.dnsName;
  }

  get zoneId(): string {
    return this.lb.zoneId;
  }
}
