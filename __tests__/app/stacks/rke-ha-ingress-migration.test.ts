import type { SettingsInput } from '../../../app/config/settings-schema';
import { plannedChange } from '../../helpers/replacement';
import { blockDifference, resources, type TerraformJson, userDataOf } from '../../helpers/synth';
import { synth, NGINX, WILDCARD, with_ } from './rke-ha-day2.setup';

/**
 * The synthesized pairs of a move off ingress-nginx (rkeHa.ingressMigration, docs/ingress-migration.md "Off ingress-nginx"):
 * exactly which blocks each step changes. The guard that orders the steps is evaluated by terraform in
 * rke-ha-ingress-migration.tools.test.ts.
 */
const step = (s?: string): SettingsInput => (s ? with_(NGINX, { rkeHa: { ingressController: 'traefik', ingressMigration: s } }) : NGINX);
const [NONE, BESIDE, MOVED, DONE] = [undefined, 'beside', 'moved', 'done'].map((s) => synth(step(s)));

/** The changed blocks, by address without the hash; a removed one marked. */
const changed = (before: TerraformJson, after: TerraformJson) => {
  const blocks = blockDifference(before, after).blocks;
  return Object.keys(blocks)
    .map((a) => a.replace(/_[0-9A-F]{8}$/, '') + (blocks[a] === null ? ' (removed)' : ''))
    .sort();
};
const servers = [0, 1, 2];
const sided = (prefix: string, ports: number[]) => ports.map((p) => `${prefix}-${p}`);
const controllersOf = (json: TerraformJson) =>
  Object.entries(resources(json, 'aws_instance'))
    .filter(([name]) => name.startsWith('server-'))
    .map(([, instance]) => /ingress-controller:\n((?: {8}- [a-z-]+\n)+)/.exec(userDataOf(json, instance))![1].match(/[a-z-]+(?=\n)/g));
const rancherValues = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0] as string;
const listenerTargets = (json: TerraformJson) =>
  Object.fromEntries(
    Object.entries(resources(json, 'aws_lb_listener')).map(([, l]) => [
      l.port,
      /aws_lb_target_group\.load-balancer_tg-(\d+)_/.exec(l.default_action[0].target_group_arn)![1],
    ]),
  );

describe('rke-ha off ingress-nginx: what each step changes', () => {
  it("beside: the servers' held user data lists both controllers, Traefik gets its side ports and the bridge Ingress, the balancer target groups on the side ports stand by", () => {
    expect(changed(NONE, BESIDE)).toEqual(
      [
        // Reads waiting for the new rules (Terraform defers them to the apply, as for any change of the API path).
        'data.http.api-readiness_readyz',
        'data.kubernetes_secret_v1.rancher-readiness_rancher-ca',
        'locals',
        ...sided('resource.aws_lb_target_group.load-balancer_tg', [8000, 8443]),
        ...servers.flatMap((i) => sided(`resource.aws_lb_target_group_attachment.load-balancer_server-${i}`, [8000, 8443])),
        ...sided('resource.aws_vpc_security_group_egress_rule.load-balancer_egress', [8000, 8443]),
        ...sided('resource.aws_vpc_security_group_ingress_rule.node-security-group_from-lb', [8000, 8443]),
        'resource.helm_release.rancher_release',
        'resource.terraform_data.deployment-guard',
        // Its input only, which the record ignores: it keeps "ingress-nginx".
        'resource.terraform_data.deployment-guard_record-rkeHa-ingressController',
        ...servers.map((i) => `resource.terraform_data.server-${i}_ingress-controllers`),
      ].sort(),
    );
    expect(plannedChange(NONE, BESIDE)).toEqual({ replaced: [], destroyed: [] });
    expect(controllersOf(NONE)).toEqual(servers.map(() => ['ingress-nginx']));
    expect(controllersOf(BESIDE)).toEqual(servers.map(() => ['ingress-nginx', 'traefik']));
    // The listeners still forward to ingress-nginx.
    expect(listenerTargets(BESIDE)).toEqual({ 80: '80', 443: '443', 6443: '6443' });
    const values = rancherValues(BESIDE);
    expect(values).toContain('"ingressClassName" = "nginx"');
    expect(values).toContain('hostPort: 8000');
    expect(values).toContain('hostPort: 8443');
    expect(values).toMatch(
      /"kind" = "Ingress", "metadata" = \{"name" = "rancher-traefik".*"ingressClassName" = "traefik", "tls" = \[\{"hosts" = \[var.rancher_hostname\], "secretName" = "tls-rancher-ingress"\}\]/,
    );
    for (const record of servers.map(
      (i) => Object.entries(resources(BESIDE, 'terraform_data')).find(([n]) => n.startsWith(`server-${i}_ingress-controllers`))![1],
    )) {
      expect(record.input).toMatch(
        /^\$\{\(aws_instance\.server-\d_instance_[0-9A-F]{8}\.user_data_base64 == base64gzip\(local\.server-\d_loader_[0-9A-F]{8}\)\) \? "ingress-nginx,traefik" : "held"\}$/,
      );
      expect(record.lifecycle.ignore_changes).toEqual(['input']);
    }
  });

  it("moved: only the listeners' actions (and the alarms on their targets), and the guard", () => {
    expect(changed(BESIDE, MOVED)).toEqual([
      'resource.aws_cloudwatch_metric_alarm.alarms_unhealthy-targets-443',
      'resource.aws_cloudwatch_metric_alarm.alarms_unhealthy-targets-80',
      'resource.aws_lb_listener.load-balancer_listener-443',
      'resource.aws_lb_listener.load-balancer_listener-80',
      'resource.terraform_data.deployment-guard',
    ]);
    expect(listenerTargets(MOVED)).toEqual({ 80: '8000', 443: '8443', 6443: '6443' });
    expect(plannedChange(BESIDE, MOVED)).toEqual({ replaced: [], destroyed: [] });
  });

  it("done: the servers' user data lists Traefik alone, Rancher's ingress is Traefik's, the first target groups go", () => {
    expect(changed(MOVED, DONE)).toEqual(
      [
        // What each listener forwards to now, read while planning: the guard takes done only after moved.
        'data.aws_lb_listener.ingress-migration-listener-443',
        'data.aws_lb_listener.ingress-migration-listener-80',
        'data.http.api-readiness_readyz',
        'data.kubernetes_secret_v1.rancher-readiness_rancher-ca',
        'locals',
        ...sided('resource.aws_lb_target_group.load-balancer_tg', [443, 80]).map((a) => `${a} (removed)`),
        ...servers.flatMap((i) => sided(`resource.aws_lb_target_group_attachment.load-balancer_server-${i}`, [443, 80]).map((a) => `${a} (removed)`)),
        ...sided('resource.aws_vpc_security_group_egress_rule.load-balancer_egress', [443, 80]).map((a) => `${a} (removed)`),
        ...sided('resource.aws_vpc_security_group_ingress_rule.node-security-group_from-lb', [443, 80]).map((a) => `${a} (removed)`),
        'resource.helm_release.rancher_release',
        // Checks Traefik's admission now (a gate is replaced when what it checks changes).
        'resource.helm_release.readiness-gates_ingress-ready',
        'resource.terraform_data.deployment-guard',
        ...servers.map((i) => `resource.terraform_data.server-${i}_ingress-controllers`),
      ].sort(),
    );
    expect(controllersOf(DONE)).toEqual(servers.map(() => ['traefik']));
    expect(listenerTargets(DONE)).toEqual({ 80: '8000', 443: '8443', 6443: '6443' });
    // Read through a local, not the listener itself: a data source naming a managed resource with a change pending is
    // read only at apply time.
    for (const read of Object.values(DONE.data!.aws_lb_listener as Record<string, { arn: string }>))
      expect(read.arn).toMatch(/^\$\{local\.ingress-migration-listener-\d+-arn\}$/);
    const values = rancherValues(DONE);
    expect(values).toContain('"ingressClassName" = "traefik"');
    expect(values).not.toContain('nginx.ingress.kubernetes.io');
    expect(values).not.toContain('rancher-traefik');
    // Traefik keeps its side ports behind the balancer's 80 and 443.
    expect(values).toContain('hostPort: 8443');
    const change = plannedChange(MOVED, DONE);
    expect(change.replaced).toEqual([expect.stringMatching(/^helm_release\.readiness-gates_ingress-ready_/)]);
    expect(
      change.destroyed.filter((d) => !/^aws_(lb_target_group|lb_target_group_attachment|vpc_security_group_(egress|ingress)_rule)\./.test(d)),
    ).toEqual([]);
  });
});

describe('rke-ha off ingress-nginx: the steps in other layouts', () => {
  const withNginx = (change: Record<string, any>): SettingsInput =>
    with_(NGINX, { ...change, rkeHa: { ingressController: 'ingress-nginx', ...change.rkeHa } });
  // The servers each layout has (one in the one-server layout, three otherwise), written out rather than read from a
  // synth of the layout before the migration: each step's own servers are counted against it, and its records too.
  it.each([
    ['dual stack', withNginx({ rkeHa: { dualStack: true } }), 3],
    ['no domain (wildcard)', with_(WILDCARD, { rkeHa: { ingressController: 'ingress-nginx' } }), 3],
    ['private nodes, SSH, CIS profile', withNginx({ rkeHa: { privateNodes: true, sshKeyName: 'ops', profile: 'cis' } }), 3],
    ["Let's Encrypt", withNginx({ rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } }), 3],
    ['one server', withNginx({ rkeHa: { nodeCount: 1 } }), 1],
  ] as const)("%s: each step synthesizes, the listeners and the servers' records as in the default layout", (_name, base, servers) => {
    const of = (s: string) => synth(with_(base, { rkeHa: { ...base.rkeHa, ingressController: 'traefik', ingressMigration: s } }));
    for (const [s, targets] of [
      ['beside', { 80: '80', 443: '443', 6443: '6443' }],
      ['moved', { 80: '8000', 443: '8443', 6443: '6443' }],
      ['done', { 80: '8000', 443: '8443', 6443: '6443' }],
    ] as const) {
      const json = of(s);
      expect(listenerTargets(json)).toEqual(targets);
      expect(Object.keys(resources(json, 'aws_instance')).filter((n) => n.startsWith('server-'))).toHaveLength(servers);
      expect(Object.keys(resources(json, 'terraform_data')).filter((n) => n.includes('_ingress-controllers_'))).toHaveLength(servers);
    }
  });
});

describe('rke-ha off ingress-nginx with TLS at the ALB (rancher.tls.mode external)', () => {
  const EXTERNAL = with_(NGINX, { rancher: { tls: { mode: 'external', issuer: 'acme' } } });
  const ext = (s?: string) => synth(s ? with_(EXTERNAL, { rkeHa: { ingressController: 'traefik', ingressMigration: s } }) : EXTERNAL);
  const [E_NONE, E_BESIDE, E_MOVED, E_DONE] = [undefined, 'beside', 'moved', 'done'].map(ext);
  /** What the ALB's HTTPS listener forwards to: its target group's port (the first group is port 80's, `tg-http`). */
  const albForwards = (json: TerraformJson) => {
    const https = Object.entries(resources(json, 'aws_lb_listener')).find(([n]) => n.startsWith('application-load-balancer_listener-443'))![1];
    const port = /aws_lb_target_group\.application-load-balancer_tg-http(?:-(\d+))?_/.exec(https.default_action[0].target_group_arn)!;
    return Number(port[1] ?? 80);
  };

  it("beside: both controllers on the servers, a standby ALB group on Traefik's side port 8000; the HTTPS listener still on 80", () => {
    expect(changed(E_NONE, E_BESIDE)).toEqual(
      [
        // The final /ping goes through the ALB and waits for its rules and targets (the API path, the NLB's, is as it was).
        'data.http.rancher-readiness_ping',
        'locals',
        'resource.aws_lb_target_group.application-load-balancer_tg-http-8000',
        ...servers.map((i) => `resource.aws_lb_target_group_attachment.application-load-balancer_server-${i}-8000`),
        'resource.aws_vpc_security_group_egress_rule.application-load-balancer_egress-8000',
        'resource.aws_vpc_security_group_ingress_rule.node-security-group_from-alb-8000',
        'resource.helm_release.rancher_release',
        'resource.terraform_data.deployment-guard',
        'resource.terraform_data.deployment-guard_record-rkeHa-ingressController',
        ...servers.map((i) => `resource.terraform_data.server-${i}_ingress-controllers`),
      ].sort(),
    );
    expect(plannedChange(E_NONE, E_BESIDE)).toEqual({ replaced: [], destroyed: [] });
    expect(controllersOf(E_BESIDE)).toEqual(servers.map(() => ['ingress-nginx', 'traefik']));
    expect(albForwards(E_BESIDE)).toBe(80);
    const values = rancherValues(E_BESIDE);
    // ingress-nginx still serves (and trusts the ALB's headers); Traefik beside it on 8000 trusts them too.
    expect(values).toContain('"ingressClassName" = "nginx"');
    expect(values).toContain('use-forwarded-headers');
    expect(values).toContain('hostPort: 8000');
    expect(values).toContain('trustedIPs:');
    // The bridge as the chart's Ingress with tls=external: no tls, Rancher's port 80.
    expect(values).toMatch(/"name" = "rancher-traefik".*"spec" = \{"ingressClassName" = "traefik", "rules" = .*"number" = 80/);
    expect(values).not.toMatch(/"name" = "rancher-traefik"[^\]]*"secretName"/);
  });

  it("moved: only the ALB's HTTPS listener (to 8000) and the guard", () => {
    expect(changed(E_BESIDE, E_MOVED)).toEqual([
      'resource.aws_lb_listener.application-load-balancer_listener-443',
      'resource.terraform_data.deployment-guard',
    ]);
    expect(albForwards(E_MOVED)).toBe(8000);
    expect(plannedChange(E_BESIDE, E_MOVED)).toEqual({ replaced: [], destroyed: [] });
  });

  it('done: Traefik alone, the port-80 group goes, and the guard reads what the HTTPS listener forwards to', () => {
    expect(changed(E_MOVED, E_DONE)).toEqual(
      [
        'data.aws_lb_listener.ingress-migration-listener-443',
        'data.http.rancher-readiness_ping',
        'locals',
        'resource.aws_lb_target_group.application-load-balancer_tg-http (removed)',
        ...servers.map((i) => `resource.aws_lb_target_group_attachment.application-load-balancer_server-${i} (removed)`),
        'resource.aws_vpc_security_group_egress_rule.application-load-balancer_egress-80 (removed)',
        'resource.aws_vpc_security_group_ingress_rule.node-security-group_from-alb-80 (removed)',
        'resource.helm_release.rancher_release',
        'resource.helm_release.readiness-gates_ingress-ready',
        'resource.terraform_data.deployment-guard',
        ...servers.map((i) => `resource.terraform_data.server-${i}_ingress-controllers`),
      ].sort(),
    );
    expect(controllersOf(E_DONE)).toEqual(servers.map(() => ['traefik']));
    expect(albForwards(E_DONE)).toBe(8000);
    const values = rancherValues(E_DONE);
    expect(values).toContain('"ingressClassName" = "traefik"');
    expect(values).not.toContain('use-forwarded-headers');
    expect(values).not.toContain('rancher-traefik');
    expect(values).toContain('hostPort: 8000');
    const change = plannedChange(E_MOVED, E_DONE);
    expect(change.replaced).toEqual([expect.stringMatching(/^helm_release\.readiness-gates_ingress-ready_/)]);
    expect(
      change.destroyed.filter((d) => !/^aws_(lb_target_group|lb_target_group_attachment|vpc_security_group_(egress|ingress)_rule)\./.test(d)),
    ).toEqual([]);
    const guard = JSON.stringify(resources(E_DONE, 'terraform_data'));
    expect(guard).toContain('data.aws_lb_listener.ingress-migration-listener-443');
    expect(guard).not.toContain('ingress-migration-listener-80');
  });

  it('a new deployment with TLS at the ALB runs Traefik on 80 behind it, no side ports', () => {
    const fresh = synth({ ...EXTERNAL, rkeHa: {} });
    expect(controllersOf(fresh)).toEqual(servers.map(() => ['traefik']));
    expect(albForwards(fresh)).toBe(80);
    expect(rancherValues(fresh)).not.toContain('hostPort');
  });
});

describe('rke-ha off ingress-nginx with re-encryption (rancher.tls.mode rancher)', () => {
  const REENCRYPT = with_(NGINX, { rancher: { tls: { mode: 'rancher' } } });
  const re = (s: string) => synth(with_(REENCRYPT, { rkeHa: { ingressController: 'traefik', ingressMigration: s } }));

  it("each step moves the NLB as in the default mode; the bridge names Rancher's port 443 and the Service its transport", () => {
    for (const [s, targets] of [
      ['beside', { 80: '80', 443: '443', 6443: '6443' }],
      ['moved', { 80: '8000', 443: '8443', 6443: '6443' }],
      ['done', { 80: '8000', 443: '8443', 6443: '6443' }],
    ] as const) {
      const json = re(s);
      expect(listenerTargets(json)).toEqual(targets);
      const values = rancherValues(json);
      expect(values).toContain('"servicePort" = 443');
      expect(values).toContain('"traefik.ingress.kubernetes.io/service.serverstransport" = "cattle-system-rancher@kubernetescrd"');
      expect(values).toContain('kind: ServersTransport');
      if (s !== 'done') expect(values).toMatch(/"name" = "rancher-traefik".*"tls" = \[\{.*"secretName" = "tls-rancher-ingress".*"number" = 443/);
    }
    expect(rancherValues(synth(REENCRYPT))).not.toContain('ServersTransport');
  });

  it('beside changes what it changes in the default mode, and nothing else', () => {
    const none = synth(REENCRYPT);
    const beside = re('beside');
    expect(changed(none, beside)).toEqual(changed(NONE, BESIDE));
    expect(plannedChange(none, beside)).toEqual({ replaced: [], destroyed: [] });
  });
});
