import { Lb } from '@cdktn/provider-aws/lib/lb';
import { LbListener } from '@cdktn/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktn/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktn/provider-aws/lib/lb-target-group-attachment';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
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
/**
 * How long a target keeps an idle keep-alive connection from the balancer open: longer than the balancer does. The ELB
 * guide ("Connection idle timeout" of Application Load Balancers) asks targets for more than the balancer's idle
 * timeout: a target that closes first can close a connection the balancer is sending a request on, which it answers 502.
 */
export const ALB_TARGET_KEEP_ALIVE_SECONDS = ALB_IDLE_TIMEOUT_SECONDS + 60;

/** How the balancer tells a serving target: an HTTP GET on the target's port. */
export interface AlbHealthCheck {
  /** The path of the GET. */
  readonly path: string;
  /** HTTP status codes that count as healthy, e.g. `200` or `200-399`. */
  readonly matcher: string;
}

/** Any answer of the ingress controller's default server proves it serves (it answers 404 for unknown hosts). */
export const INGRESS_HEALTH_CHECK: AlbHealthCheck = { path: '/healthz', matcher: '200-404' };

/** An ALB's name, place, certificate and targets: TLS ends here, HTTP goes on to the targets. */
export interface ApplicationLoadBalancerProps {
  /** Name prefix; the balancer is `<name>-alb` (at most 32 characters). */
  readonly name: string;
  /** The VPC of the subnets and the target groups. */
  readonly vpcId: string;
  /** Public subnets in at least two zones (an ALB needs two). */
  readonly subnetIds: string[];
  /** ACM certificate served on 443. */
  readonly certificateArn: string;
  /** Security group of the targets; the balancer may reach them only on its target ports (HTTP). */
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
  /** The targets' HTTP port the HTTPS listener forwards to. @default 80 */
  readonly targetPort?: number;
  /**
   * Target ports with a target group of their own that the listener does not forward to (yet, or any more): registered
   * and health-checked, so the listener can move to one (or back) by changing its action alone. @default none
   */
  readonly standbyTargetPorts?: readonly number[];
}

/** The target port whose group and rules keep the ids the balancer always had (`tg-http`, `egress-80`). */
const FIRST_TARGET_PORT = 80;

/**
 * TLS ends here (the Rancher docs' `external` mode): an internet-facing ALB
 * serving the ACM certificate on 443, redirecting 80 to 443, and forwarding
 * plain HTTP with X-Forwarded-* headers to the ingress controller on every
 * node. The ingress controller must trust those headers.
 */
export class ApplicationLoadBalancer extends Construct {
  /** The load balancer. */
  readonly lb: Lb;
  /** The balancer's security group: 80/443 in, the target ports out. */
  readonly securityGroup: SecurityGroup;
  /** The target group the HTTPS listener forwards to. */
  readonly targetGroup: LbTargetGroup;
  /** Every target port (forwarded to or standing by), each with its target group: the targets must admit the balancer on each. */
  readonly targetPorts: readonly number[];
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
    const targetPort = props.targetPort ?? FIRST_TARGET_PORT;
    this.targetPorts = [...new Set([targetPort, ...(props.standbyTargetPorts ?? [])])].sort((a, b) => a - b);
    const suffix = (port: number) => (port === FIRST_TARGET_PORT ? '' : `-${port}`);
    requireAwsNames(
      `ApplicationLoadBalancer ${this.node.path}`,
      this.targetPorts.filter((port) => port !== FIRST_TARGET_PORT).map((port) => ['targetGroup', `${props.name}-alb-${port}`] as const),
    );
    for (const port of this.targetPorts) {
      const toTargets: PortRule = { protocol: 'tcp', from: port, to: port, description: 'HTTP to the ingress controller' };
      this.rules.push(allowEgress(this, `egress-${port}`, this.securityGroup.id, toTargets, { securityGroupId: props.targetSecurityGroupId }));
    }
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

    const groups = new Map<number, LbTargetGroup>();
    for (const port of this.targetPorts) {
      const name = port === FIRST_TARGET_PORT ? `${props.name}-alb-http` : `${props.name}-alb-${port}`;
      const group = new LbTargetGroup(this, `tg-http${suffix(port)}`, {
        name,
        port,
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
        tags: { Name: name },
      });
      groups.set(port, group);
    }
    this.targetGroup = groups.get(targetPort)!;
    this.allTargetGroups = groups;

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

  private readonly allTargetGroups: ReadonlyMap<number, LbTargetGroup>;

  /** Registers an instance in every target group (forwarded to or standing by), each on its own port (`id`, `id-<port>`). */
  addInstanceTarget(id: string, instanceId: string): LbTargetGroupAttachment[] {
    return [...this.allTargetGroups].map(
      ([port, group]) =>
        new LbTargetGroupAttachment(this, port === FIRST_TARGET_PORT ? id : `${id}-${port}`, {
          targetGroupArn: group.arn,
          targetId: instanceId,
          port,
        }),
    );
  }

  /** The HTTPS listener, whose action forwards to `targetGroup`. */
  get httpsListener(): LbListener {
    return this.listeners[0];
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
