import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { ALB_IDLE_TIMEOUT_SECONDS, ALB_SSL_POLICY, ApplicationLoadBalancer } from '../../../lib/loadbalancer/application-load-balancer';
import { only, ref, resources, synthConstruct } from '../../helpers/synth';
import { NAME, TARGETS, CERTIFICATE, synth } from './application-load-balancer.setup';

describe('ApplicationLoadBalancer', () => {
  const { json, alb } = synth();
  const [lbName, balancer] = only(json, 'aws_lb');
  const [sgName, sg] = only(json, 'aws_security_group');
  const [tgName, targetGroup] = only(json, 'aws_lb_target_group');
  const albGroup = ref('aws_security_group', sgName, 'id');
  const listeners = Object.values(resources(json, 'aws_lb_listener'));
  const listener = (port: number) => {
    const found = listeners.filter((l) => l.port === port);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));

  it('creates exactly the balancer, its group, rules, listeners, target group and attachments', () => {
    expect(Object.keys(json.resource).sort()).toEqual([
      'aws_lb',
      'aws_lb_listener',
      'aws_lb_target_group',
      'aws_lb_target_group_attachment',
      'aws_security_group',
      'aws_vpc_security_group_egress_rule',
      'aws_vpc_security_group_ingress_rule',
    ]);
  });

  it('is an internet-facing application load balancer with its own security group', () => {
    expect(balancer).toMatchObject({
      name: `${NAME}-alb`,
      load_balancer_type: 'application',
      internal: false,
      subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
      security_groups: [albGroup],
    });
    expect(sg).toMatchObject({
      name_prefix: `${NAME}-alb-`,
      vpc_id: 'vpc-0123',
      tags: { Name: `${NAME}-alb` },
      lifecycle: { create_before_destroy: true },
    });
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it('has deletion protection and prevent_destroy by default (FSBP ELB.6)', () => {
    expect(balancer).toMatchObject({ enable_deletion_protection: true, lifecycle: { prevent_destroy: true } });
  });

  it('keeps websockets open for an hour and drops invalid headers', () => {
    expect(ALB_IDLE_TIMEOUT_SECONDS).toBe(3600);
    expect(balancer.idle_timeout).toBe(3600);
    expect(balancer.drop_invalid_header_fields).toBe(true);
  });

  it('admits 80 and 443 from anywhere, nothing else', () => {
    expect(ingress).toHaveLength(2);
    expect(ingress.map((r) => r.from_port).sort((a, b) => a - b)).toEqual([80, 443]);
    for (const rule of ingress) {
      expect(rule).toEqual({
        '//': expect.anything(),
        security_group_id: albGroup,
        cidr_ipv4: '0.0.0.0/0',
        ip_protocol: 'tcp',
        from_port: rule.from_port,
        to_port: rule.from_port,
        description: expect.any(String),
      });
    }
  });

  it('may reach only the target security group, on HTTP 80', () => {
    expect(egress).toEqual([
      {
        '//': expect.anything(),
        security_group_id: albGroup,
        referenced_security_group_id: TARGETS,
        ip_protocol: 'tcp',
        from_port: 80,
        to_port: 80,
        description: expect.any(String),
      },
    ]);
  });

  it('serves HTTPS on 443 with the TLS 1.2/1.3 policy and the certificate, forwarding to the targets', () => {
    expect(ALB_SSL_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    expect(listener(443)).toMatchObject({
      load_balancer_arn: ref('aws_lb', lbName, 'arn'),
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: CERTIFICATE,
      default_action: [{ type: 'forward', target_group_arn: ref('aws_lb_target_group', tgName, 'arn') }],
    });
  });

  it('redirects HTTP on 80 to HTTPS 443 with a 301', () => {
    const http = listener(80);
    expect(http).toMatchObject({
      load_balancer_arn: ref('aws_lb', lbName, 'arn'),
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(http).not.toHaveProperty('certificate_arn');
    expect(http).not.toHaveProperty('ssl_policy');
    expect(listeners).toHaveLength(2);
  });

  it('forwards plain HTTP to port 80 of the instances, health-checked over HTTP', () => {
    expect(targetGroup).toMatchObject({
      name: `${NAME}-alb-http`,
      port: 80,
      protocol: 'HTTP',
      target_type: 'instance',
      vpc_id: 'vpc-0123',
      deregistration_delay: '30',
      health_check: { protocol: 'HTTP', path: '/healthz', port: 'traffic-port', matcher: '200-404' },
    });
    expect(targetGroup.health_check.interval).toBeLessThanOrEqual(30);
  });

  it('addInstanceTarget registers an instance on port 80 of the target group', () => {
    const attachments = Object.values(resources(json, 'aws_lb_target_group_attachment'));
    expect(attachments).toHaveLength(2);
    expect(attachments.map((a) => a.target_id).sort()).toEqual(['i-0000', 'i-1111']);
    for (const a of attachments) expect(a).toMatchObject({ target_group_arn: ref('aws_lb_target_group', tgName, 'arn'), port: 80 });
  });

  it('keeps every AWS name within 32 characters', () => {
    expect(balancer.name.length).toBeLessThanOrEqual(32);
    expect(targetGroup.name.length).toBeLessThanOrEqual(32);
  });

  it('exposes the alias target', () => {
    expect(json.output?.dns_name.value).toBe(ref('aws_lb', lbName, 'dns_name'));
    expect(json.output?.zone_id.value).toBe(ref('aws_lb', lbName, 'zone_id'));
    expect(alb.lb).toBeDefined();
    expect(alb.securityGroup).toBeDefined();
    expect(alb.targetGroup).toBeDefined();
    expect(alb.listeners.map((l) => l.node.id)).toEqual(['listener-443', 'listener-80']);
  });

  it("takes another health check for a target that is not an ingress controller (Rancher's /ping over plain HTTP)", () => {
    const ping = synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      new ApplicationLoadBalancer(stack, 'alb', {
        name: 'rancher-docker',
        vpcId: 'vpc-0123',
        subnetIds: ['subnet-a', 'subnet-b'],
        certificateArn: CERTIFICATE,
        targetSecurityGroupId: TARGETS,
        healthCheck: { path: '/ping', matcher: '200' },
      });
    }).json;
    const [, group] = only(ping, 'aws_lb_target_group');
    expect(group.health_check).toEqual({
      protocol: 'HTTP',
      path: '/ping',
      port: 'traffic-port',
      matcher: '200',
      interval: 10,
      healthy_threshold: 3,
      unhealthy_threshold: 3,
    });
    expect(group.port).toBe(80);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('ApplicationLoadBalancer with a target port standing by (a move off ingress-nginx)', () => {
  const of = (props: { targetPort?: number; standbyTargetPorts?: number[] }) =>
    synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      const alb = new ApplicationLoadBalancer(stack, 'alb', {
        name: NAME,
        vpcId: 'vpc-0123',
        subnetIds: ['subnet-a', 'subnet-b'],
        certificateArn: CERTIFICATE,
        targetSecurityGroupId: TARGETS,
        ...props,
      });
      alb.addInstanceTarget('server-0', 'i-0000');
    }).json;
  const groupsOf = (json: any) =>
    Object.fromEntries(Object.entries(resources(json, 'aws_lb_target_group')).map(([n, g]) => [n.replace(/_[0-9A-F]{8}$/, ''), g]));
  const forwardsTo = (json: any) => Object.values(resources(json, 'aws_lb_listener')).find((l) => l.port === 443).default_action[0].target_group_arn;

  it('beside: a second group on the side port, registered and health-checked alike, with its own rule; the listener forwards to 80', () => {
    const json = of({ standbyTargetPorts: [8000] });
    const groups = groupsOf(json);
    expect(Object.keys(groups).sort()).toEqual(['alb_tg-http', 'alb_tg-http-8000']);
    expect(groups['alb_tg-http-8000']).toMatchObject({
      name: `${NAME}-alb-8000`,
      port: 8000,
      protocol: 'HTTP',
      health_check: groups['alb_tg-http'].health_check,
    });
    expect(groups['alb_tg-http-8000'].name.length).toBeLessThanOrEqual(32);
    expect(forwardsTo(json)).toMatch(/aws_lb_target_group\.alb_tg-http_[0-9A-F]{8}\.arn/);
    const attachments = Object.entries(resources(json, 'aws_lb_target_group_attachment')).map(([n, a]) => [n.replace(/_[0-9A-F]{8}$/, ''), a.port]);
    expect(attachments.sort()).toEqual([
      ['alb_server-0', 80],
      ['alb_server-0-8000', 8000],
    ]);
    const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule')).map((r) => [r.from_port, r.referenced_security_group_id]);
    expect(egress.sort((a, b) => a[0] - b[0])).toEqual([
      [80, TARGETS],
      [8000, TARGETS],
    ]);
  });

  it('moved: the listener forwards to the side port, 80 stands by; done: the side port alone, 80 gone', () => {
    expect(forwardsTo(of({ targetPort: 8000, standbyTargetPorts: [80] }))).toMatch(/aws_lb_target_group\.alb_tg-http-8000_[0-9A-F]{8}\.arn/);
    const done = of({ targetPort: 8000 });
    expect(Object.keys(groupsOf(done))).toEqual(['alb_tg-http-8000']);
    expect(Object.values(resources(done, 'aws_lb_target_group_attachment')).map((a) => a.port)).toEqual([8000]);
  });

  it('keeps the ids and names of the first port, so a balancer without a move is unchanged', () => {
    expect(of({})).toEqual(of({ targetPort: 80 }));
    expect(Object.keys(groupsOf(of({})))).toEqual(['alb_tg-http']);
  });
});
