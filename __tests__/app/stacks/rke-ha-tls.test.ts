import { describeRootModules } from '../../helpers/root-module';
import { PEM_BLOCK } from '../../helpers/secrets';
import { blockDifference, dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { RKE_HA_TLS_VARIANTS as VARIANTS, RKE_HA_STACK } from '../../helpers/variants';
import { synthesizeVariants, release } from './rke-ha-tls.setup';

const synthesized = synthesizeVariants();

describeRootModules(
  'rke-ha TLS',
  Object.entries(synthesized).map(([name, synth]) => ({ name, stack: RKE_HA_STACK, ...synth })),
);

/** The TLS secrets (the backup operator's secrets, rancher-backups_*, are checked in __tests__/app/stacks/backups.test.ts). */
const tlsSecretEntries = (json: TerraformJson) =>
  Object.entries(resources(json, 'kubernetes_secret_v1')).filter(([name]) => !name.startsWith('rancher-backups_'));
const secrets = (json: TerraformJson) => tlsSecretEntries(json).map(([, secret]) => secret);
const secretNamed = (json: TerraformJson, name: string) => secrets(json).find((s) => s.metadata.name === name);
const lbs = (json: TerraformJson) => Object.values(resources(json, 'aws_lb'));
const listenerPorts = (json: TerraformJson) =>
  Object.values(resources(json, 'aws_lb_listener'))
    .map((l) => l.port)
    .sort((a, b) => a - b);
const ping = (json: TerraformJson) => Object.values(dataSources(json, 'http')).find((d) => String(d.url).endsWith('/ping'));
const worldPorts = (json: TerraformJson) =>
  Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'))
    .filter((r) => r.cidr_ipv4 === '0.0.0.0/0')
    .map((r) => r.from_port)
    .sort((a, b) => a - b);
const variables = (json: TerraformJson) =>
  Object.keys(json.variable ?? {})
    .filter((v) => v.startsWith('tls_'))
    .sort();

describe.each(Object.keys(VARIANTS))('rke-ha TLS %s: common guarantees', (name) => {
  const { json, text } = synthesized[name];

  it('holds no certificate, key or password literal', () => {
    // A PEM block is a BEGIN line followed by base64; the variables' validation mentions only the marker.
    expect(text).not.toMatch(PEM_BLOCK);
    for (const secret of secrets(json)) {
      for (const value of Object.values(secret.data as Record<string, string>)) expect(value).toMatch(/^\$\{var\.tls_[a-z_]+_pem\}$/);
    }
    for (const [, v] of Object.entries(json.variable ?? {}).filter(([k]) => k.startsWith('tls_'))) {
      expect(v).toMatchObject({ sensitive: true, nullable: false });
      expect(v.default).toBeUndefined();
    }
  });

  it('ends the deploy on /ping answering pong', () => {
    expect(ping(json).lifecycle.postcondition[0].condition).toContain('"pong"');
  });

  it('orders Rancher after cert-manager (when installed) and after every TLS secret', () => {
    const rancher = release(json, 'rancher');
    const certManagerName = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'cert-manager')?.[0];
    if (certManagerName) expect(rancher.depends_on).toContain(`helm_release.${certManagerName}`);
    for (const [secretName] of tlsSecretEntries(json)) {
      expect(rancher.depends_on).toContain(`kubernetes_secret_v1.${secretName}`);
    }
  });

  // The whole default stack is rke-ha.test.ts's snapshot; here only what this TLS choice makes different from the
  // default pair, so a change that reaches every variant is reviewed once, not eleven times.
  it('matches its snapshot: what differs from ingress+rancher', () => {
    expect(blockDifference(synthesized[BASELINE].json, json)).toMatchSnapshot();
  });
});

/** The default pair, whose whole stack is snapshotted in rke-ha.test.ts. */
const BASELINE = 'ingress+rancher';

it('the TLS snapshots see what a choice changes: ingress+blank differs from the default pair in its secret and chart values', () => {
  const difference = Object.keys(blockDifference(synthesized[BASELINE].json, synthesized['ingress+blank'].json).blocks);
  for (const kind of ['resource.kubernetes_secret_v1.', 'resource.helm_release.', 'variable.'])
    expect(difference.some((address) => address.startsWith(kind))).toBe(true);
  expect(blockDifference(synthesized[BASELINE].json, synthesized[BASELINE].json).blocks).toEqual({});
});

describe('rke-ha TLS: TLS at the ingress', () => {
  it('ingress+rancher: cert-manager, Rancher CA, no secret, no user material', () => {
    const { json } = synthesized['ingress+rancher'];
    expect(release(json, 'cert-manager')).toBeDefined();
    expect(secrets(json)).toEqual([]);
    expect(variables(json)).toEqual([]);
    expect(Object.keys(dataSources(json, 'kubernetes_secret_v1'))).toHaveLength(1);
  });

  it('ingress+blank: tls-rancher-ingress from the user cert and key, no cert-manager, public roots', () => {
    const { json } = synthesized['ingress+blank'];
    expect(release(json, 'cert-manager')).toBeUndefined();
    expect(secretNamed(json, 'tls-rancher-ingress')).toMatchObject({
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '${var.tls_certificate_pem}', 'tls.key': '${var.tls_private_key_pem}' },
    });
    expect(secretNamed(json, 'tls-rancher-ingress').metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.[^}]+\.metadata\[0\]\.name\}$/);
    expect(secretNamed(json, 'tls-ca')).toBeUndefined();
    expect(variables(json)).toEqual(['tls_certificate_pem', 'tls_private_key_pem']);
    expect(ping(json).ca_cert_pem).toBeUndefined();
    expect(ping(json).insecure).toBeUndefined();
  });

  it('ingress+blank+privateCA: also tls-ca with cacerts.pem, probe trusts the user CA', () => {
    const { json } = synthesized['ingress+blank+privateCA'];
    expect(secretNamed(json, 'tls-ca')).toMatchObject({ type: 'Opaque', data: { 'cacerts.pem': '${var.tls_ca_certificate_pem}' } });
    expect(variables(json)).toEqual(['tls_ca_certificate_pem', 'tls_certificate_pem', 'tls_private_key_pem']);
    expect(ping(json).ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
  });

  it('ingress+ca: CA keypair secret for the cert-manager issuer and tls-ca', () => {
    const { json } = synthesized['ingress+ca'];
    expect(release(json, 'cert-manager')).toBeDefined();
    expect(secretNamed(json, 'rancher-ca-issuer-keypair')).toMatchObject({
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '${var.tls_ca_certificate_pem}', 'tls.key': '${var.tls_ca_private_key_pem}' },
    });
    expect(secretNamed(json, 'tls-ca').data).toEqual({ 'cacerts.pem': '${var.tls_ca_certificate_pem}' });
    expect(secretNamed(json, 'tls-rancher-ingress')).toBeUndefined();
    expect(variables(json)).toEqual(['tls_ca_certificate_pem', 'tls_ca_private_key_pem']);
    expect(ping(json).ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
    expect(Object.keys(resources(json, 'kubernetes_manifest'))).toEqual([]);
  });

  it('ingress+acme: port 80 open to the world for HTTP-01, public roots; staging is not verifiable', () => {
    const { json } = synthesized['ingress+acme'];
    expect(release(json, 'cert-manager')).toBeDefined();
    expect(worldPorts(json)).toEqual([80, 443]);
    expect(ping(json).ca_cert_pem).toBeUndefined();
    expect(ping(synthesized['ingress+acme staging'].json).insecure).toBe(true);
  });

  it('keeps the NLB in front of 80/443/6443 and no ALB', () => {
    for (const name of ['ingress+rancher', 'ingress+blank', 'ingress+ca', 'ingress+acme', 'rancher+rancher']) {
      const { json } = synthesized[name];
      expect(lbs(json).map((lb) => lb.load_balancer_type)).toEqual(['network']);
      expect(listenerPorts(json)).toEqual([80, 443, 6443]);
    }
  });
});

describe('rke-ha TLS: TLS at the load balancer (external)', () => {
  const names = ['external+blank', 'external+ca', 'external+acme'];

  it.each(names)('%s: an ALB takes 80/443 and the NLB keeps only the API', (name) => {
    const { json } = synthesized[name];
    const types = lbs(json)
      .map((lb) => lb.load_balancer_type)
      .sort();
    expect(types).toEqual(['application', 'network']);
    expect(listenerPorts(json)).toEqual([80, 443, 6443]);
    const listeners = Object.values(resources(json, 'aws_lb_listener'));
    const https = listeners.find((l) => l.port === 443);
    expect(https).toMatchObject({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(listeners.find((l) => l.port === 80).default_action[0]).toMatchObject({
      type: 'redirect',
      redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' },
    });
    expect(listeners.find((l) => l.port === 6443).protocol).toBe('TCP');
    const alb = Object.entries(resources(json, 'aws_lb')).find(([, lb]) => lb.load_balancer_type === 'application')!;
    expect(alb[1].idle_timeout).toBe(3600);
    const [, record] = Object.entries(resources(json, 'aws_route53_record')).find(([, r]) => r.type === 'A')!;
    expect(record.alias.name).toBe(`\${aws_lb.${alb[0]}.dns_name}`);
  });

  it.each(names)('%s: nodes admit 80 from the ALB and 6443 from the NLB, nothing on 443', (name) => {
    const { json } = synthesized[name];
    const groups = resources(json, 'aws_security_group');
    const nodeGroup = Object.keys(groups).find((n) => n.startsWith('node-security-group'))!;
    const albGroup = Object.keys(groups).find((n) => n.startsWith('application-load-balancer'))!;
    const nlbGroup = Object.keys(groups).find((n) => n.startsWith('load-balancer'))!;
    const fromOutside = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) =>
        r.security_group_id === `\${aws_security_group.${nodeGroup}.id}` &&
        r.referenced_security_group_id !== `\${aws_security_group.${nodeGroup}.id}`,
    );
    expect(fromOutside.map((r) => [r.from_port, r.referenced_security_group_id]).sort()).toEqual([
      [6443, `\${aws_security_group.${nlbGroup}.id}`],
      [80, `\${aws_security_group.${albGroup}.id}`],
    ]);
    expect(worldPorts(json)).toEqual([80, 443]);
  });

  it.each(names)("%s: chart runs with tls=external and Traefik trusts forwarded headers from the ALB's subnets only", (name) => {
    const { json } = synthesized[name];
    const values = release(json, 'rancher').values[0];
    expect(values).toContain('"tls" = "external"');
    expect(values).toContain('"ingressClassName" = "traefik"');
    // Traefik's values alone: no HelmChartConfig for an ingress-nginx the servers do not run.
    expect([...values.matchAll(/"kind" = "HelmChartConfig", "metadata" = \{"name" = "([a-z0-9-]+)"/g)].map((m) => m[1])).toEqual(['rke2-traefik']);
    const albSubnets = (Object.values(resources(json, 'aws_lb')).find((lb) => lb.load_balancer_type === 'application')!.subnets as string[]).map(
      (ref) => resources(json, 'aws_subnet')[/^\$\{aws_subnet\.([^.]+)\.id\}$/.exec(ref)![1]].cidr_block,
    );
    expect(albSubnets).toHaveLength(3);
    // The values as the module holds them: YAML inside an HCL string, its line breaks escaped.
    expect(values).toContain(`forwardedHeaders:\\n      trustedIPs:\\n${albSubnets.map((cidr) => `        - ${cidr}\\n`).join('')}`);
    expect(values).not.toMatch(/0\.0\.0\.0\/0|insecure/);
    // Longer than the ALB keeps an idle connection (3600 s).
    expect(values).toContain("idleTimeout: '3660s'");
    expect(release(json, 'cert-manager')).toBeUndefined();
  });

  it('external+blank: imports the user certificate into ACM with a hostname check', () => {
    const { json } = synthesized['external+blank'];
    const [, cert] = Object.entries(resources(json, 'aws_acm_certificate'))[0];
    expect(cert.private_key).toBe('${var.tls_private_key_pem}');
    expect(cert.certificate_body).toMatch(/^\$\{local\.[^}]+\[0\]\}$/);
    expect(cert.lifecycle.postcondition[0].condition).toContain('var.rancher_hostname');
    expect(variables(json)).toEqual(['tls_certificate_pem', 'tls_private_key_pem']);
  });

  it('external+ca: signs a certificate for the hostname with the user CA and imports it; tls-ca for privateCA', () => {
    const { json } = synthesized['external+ca'];
    const [, signed] = Object.entries(resources(json, 'tls_locally_signed_cert')).find(([n]) => n.startsWith('certificate'))!;
    expect(signed).toMatchObject({ ca_cert_pem: '${var.tls_ca_certificate_pem}', ca_private_key_pem: '${var.tls_ca_private_key_pem}' });
    expect(signed.allowed_uses).toContain('server_auth');
    const [, cert] = Object.entries(resources(json, 'aws_acm_certificate'))[0];
    expect(cert.certificate_chain).toBe('${var.tls_ca_certificate_pem}');
    expect(secretNamed(json, 'tls-ca').data).toEqual({ 'cacerts.pem': '${var.tls_ca_certificate_pem}' });
    expect(release(json, 'rancher').values[0]).toContain('"privateCA" = true');
    expect(ping(json).ca_cert_pem).toBe('${var.tls_ca_certificate_pem}');
  });

  it('external+acme: ACM certificate validated through the same hosted zone, no user material', () => {
    const { json } = synthesized['external+acme'];
    const [certName, cert] = Object.entries(resources(json, 'aws_acm_certificate'))[0];
    expect(cert).toMatchObject({ domain_name: '${var.rancher_hostname}', validation_method: 'DNS' });
    const [validationName] = Object.keys(resources(json, 'aws_acm_certificate_validation'));
    const https = Object.values(resources(json, 'aws_lb_listener')).find((l) => l.port === 443);
    expect(https.certificate_arn).toBe(`\${aws_acm_certificate_validation.${validationName}.certificate_arn}`);
    const validationRecord = Object.values(resources(json, 'aws_route53_record')).find((r) => r.for_each);
    expect(validationRecord.for_each).toContain(`aws_acm_certificate.${certName}.domain_validation_options`);
    const zone = Object.keys(dataSources(json, 'aws_route53_zone'))[0];
    expect(validationRecord.zone_id).toBe(`\${data.aws_route53_zone.${zone}.zone_id}`);
    expect(variables(json)).toEqual([]);
    expect(ping(json).ca_cert_pem).toBeUndefined();
  });
});

describe('rke-ha TLS: re-encryption to the Rancher pods (mode rancher)', () => {
  it('sends HTTPS from the ingress to Rancher (servicePort 443) and keeps the front certificate choice', () => {
    expect(release(synthesized['rancher+rancher'].json, 'rancher').values[0]).toContain('"servicePort" = 443');
    const acme = release(synthesized['rancher+acme'].json, 'rancher').values[0];
    expect(acme).toContain('"servicePort" = 443');
    expect(acme).toContain('"source" = "letsEncrypt"');
  });

  it.each(['rancher+rancher', 'rancher+acme'])(
    "%s: on Traefik, whose chart renders the ServersTransport the Rancher Service's annotation names",
    (name) => {
      const values = release(synthesized[name].json, 'rancher').values[0];
      expect(values).toContain('"ingressClassName" = "traefik"');
      expect(values).toContain(
        '"service" = {"annotations" = {"traefik.ingress.kubernetes.io/service.serverstransport" = "cattle-system-rancher@kubernetescrd"}}',
      );
      expect(values).toContain('kind: ServersTransport');
      expect(values).not.toContain('nginx.ingress.kubernetes.io');
    },
  );

  it("verifies Rancher's listener where its CA is readable (issuer rancher), else does not (as ingress-nginx did)", () => {
    const rancherCa = release(synthesized['rancher+rancher'].json, 'rancher').values[0];
    expect(rancherCa).toContain('serverName: rancher.cattle-system');
    expect(rancherCa).toContain('- secret: tls-rancher-ingress');
    expect(rancherCa).not.toContain('insecureSkipVerify');
    const acme = release(synthesized['rancher+acme'].json, 'rancher').values[0];
    expect(acme).toContain('insecureSkipVerify: true');
  });

  it('the other modes have no transport of their own and leave the Service alone', () => {
    for (const name of Object.keys(VARIANTS).filter((n) => !n.startsWith('rancher+'))) {
      const values = release(synthesized[name].json, 'rancher').values[0];
      expect([name, values.includes('ServersTransport'), values.includes('"service" =')]).toEqual([name, false, false]);
    }
  });
});
