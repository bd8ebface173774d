import { join } from 'node:path';
import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { compressedUpperBound } from '../../../lib/nodes/server-node';
import { plannedChange } from '../../helpers/replacement';
import { PEM_BLOCK } from '../../helpers/secrets';
import {
  blockDifference,
  dataSources,
  dependencyClosure,
  expressionsReferring,
  only,
  readJson,
  resources,
  servicePrincipal,
  type TerraformJson,
  userDataOf,
} from '../../helpers/synth';
import { synthSettings, variantSettings, DOCKER_STACK } from '../../helpers/variants';
import { type CloudConfigFile, cloudConfigFiles, placeholderValue, renderTemplate } from '../../helpers/validators';
import { DOCKER_RUN_BASE_ARGS as BASE_ARGS, DOCKER_RUN_BEHIND_ALB_ARGS as ALB_ARGS, sslMount as mount } from '../../lib/docker/support';

function synth(input: SettingsInput | Record<string, unknown> = {}) {
  return synthSettings(DOCKER_STACK, input);
}

const addr = (type: string, name: string) => `${type}.${name}`;
/**
 * The boot parameters (the host reads them at boot): every SSM parameter but the record of what the last apply left
 * running (`/applied/`, written after Rancher answered: lib/docker/private/applied-record.ts) and the host's K3s
 * certificate report (`/k3s-certificate-end/`, the host's to write).
 */
const bootParameters = (json: TerraformJson): [string, any][] =>
  Object.entries(resources(json, 'aws_ssm_parameter')).filter(([, p]) => !/\/(applied|k3s-certificate-end)\//.test(String(p.name)));

/** The host instance, with its plain-text user data (from ServerNode's local) as `user_data`, for reading. */
function host(json: TerraformJson): [string, any] {
  const [name, instance] = only(json, 'aws_instance');
  return [name, { ...instance, user_data: userDataOf(json, instance) }];
}
const tls = (issuer: string, privateCA = false) => ({ docker: { tls: { issuer, privateCA } } });

const validated = new WeakMap<TerraformJson, CloudConfigFile[]>();
/**
 * The user data as Terraform renders it, each `${expr}` replaced by a readable
 * stand-in, read once per synthesized stack (docker.tools.test.ts runs cloud-init, yamllint and shellcheck on it).
 */
function renderedFiles(json: TerraformJson): CloudConfigFile[] {
  let files = validated.get(json);
  if (!files) {
    const [, instance] = host(json);
    files = cloudConfigFiles(renderTemplate(instance.user_data, placeholderValue));
    validated.set(json, files);
  }
  return files;
}
const file = (files: CloudConfigFile[], path: string) => files.find((f) => f.path === path)!;
const runArgs = (json: TerraformJson) => file(renderedFiles(json), '/etc/rancher-aws/rancher-run.args').content.trimEnd().split('\n');
const ingress = (json: TerraformJson) => Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
const portKey = (r: { ip_protocol: string; from_port: number; to_port: number }) => `${r.ip_protocol}/${r.from_port}-${r.to_port}`;

const IMAGE = `rancher/rancher:v${DEFAULT_VERSIONS.rancher}`;

const { json, text } = synth();

describe('docker stack: one host', () => {
  const [instanceName, instance] = host(json);

  it('runs one instance sized for the Docker install (2 vCPU / 8 GiB), IMDSv2 only, encrypted, no SSH key', () => {
    expect(instance.instance_type).toBe('${var.instance_type}');
    expect(json.variable!.instance_type.default).toBe('m6i.large');
    expect(instance.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'disabled',
    });
    expect(instance.root_block_device).toMatchObject({
      encrypted: true,
      volume_type: 'gp3',
      volume_size: 30,
      tags: { Name: 'rancher-docker-server' },
    });
    expect(instance.key_name).toBeUndefined();
  });

  it('reaches a shell through SSM: the instance profile allows Session Manager, without AmazonSSMManagedInstanceCore', () => {
    const attachments = Object.values(resources(json, 'aws_iam_role_policy_attachment'));
    expect(attachments.some((a) => String(a.policy_arn).endsWith('/AmazonSSMManagedInstanceCore'))).toBe(false);
    const nodePolicy = Object.values(dataSources(json, 'aws_iam_policy_document')).find((d) =>
      String(d['//'].metadata.path).endsWith('/node-role/policy'),
    );
    expect(nodePolicy.statement.map((st: any) => st.sid)).toContain('SessionManager');
    expect(instance.iam_instance_profile).toMatch(/^\$\{aws_iam_instance_profile\.node-role_profile_[^}]+\.name\}$/);
  });

  it('sits in a single public subnet of its own VPC, at a fixed address, with a public address from launch on', () => {
    expect(Object.keys(resources(json, 'aws_subnet'))).toHaveLength(1);
    // The subnet maps none on its own (FSBP EC2.15); the host needs egress before its Elastic IP is associated.
    expect(only(json, 'aws_subnet')[1].map_public_ip_on_launch).toBe(false);
    expect(instance.associate_public_ip_address).toBe(true);
    const [, vpc] = only(json, 'aws_vpc');
    expect(vpc.cidr_block).toBe('10.0.0.0/16');
    expect(instance.private_ip).toBe('10.0.0.10');
  });

  it('is replaced (data kept) when its user data changes, but not for a newer AMI', () => {
    expect(instance.user_data_replace_on_change).toBe(true);
    expect(instance.lifecycle.ignore_changes).toEqual(['ami']);
  });

  it('does not use volume_tags, which the AWS provider would apply to the attached data volume too', () => {
    expect(instance).not.toHaveProperty('volume_tags');
  });

  it('boots only after its parameters and IAM grants exist', () => {
    const params = bootParameters(json).map(([n]) => addr('aws_ssm_parameter', n));
    expect(instance.depends_on).toEqual(expect.arrayContaining(params));
    expect(instance.depends_on.some((d: string) => d.startsWith('aws_iam_role_policy.'))).toBe(true);
    expect(instanceName).toMatch(/^server_instance_/);
  });
});

describe('docker stack: the data volume survives the instance', () => {
  const [volumeName, volume] = only(json, 'aws_ebs_volume');
  const [, attachment] = only(json, 'aws_volume_attachment');
  const [instanceName] = host(json);
  const [, subnet] = only(json, 'aws_subnet');
  const [subnetName] = only(json, 'aws_subnet');

  it('is its own encrypted gp3 volume in the subnet zone, with a final snapshot on destroy', () => {
    expect(volume).toMatchObject({ type: 'gp3', size: 50, encrypted: true, final_snapshot: true });
    expect(volume.availability_zone).toBe(`\${aws_subnet.${subnetName}.availability_zone}`);
    expect(subnet.availability_zone).toMatch(/aws_availability_zones/);
  });

  it('does not reference the instance, so replacing the instance never replaces it', () => {
    expect(JSON.stringify(volume)).not.toContain('aws_instance');
    expect(volume.lifecycle).toBeUndefined();
  });

  it('is not prevent_destroy: destroy must still work', () => {
    expect(text).not.toContain('prevent_destroy');
  });

  it('is attached by a separate resource that names both, stopping the instance before detaching', () => {
    expect(attachment).toMatchObject({
      volume_id: `\${aws_ebs_volume.${volumeName}.id}`,
      instance_id: `\${aws_instance.${instanceName}.id}`,
      device_name: '/dev/sdf',
      stop_instance_before_detaching: true,
    });
  });

  it('is found at boot by its volume id (the NVMe serial), which the user data carries', () => {
    const env = file(renderedFiles(json), '/etc/rancher-aws/docker.env').content;
    expect(env).toContain(`DATA_VOLUME_ID="value-of-aws-ebs-volume-${volumeName.replace(/_/g, '-')}-id"`);
  });

  it('is snapshotted by a DLM policy that targets its tag, with a role DLM can assume', () => {
    const [, policy] = only(json, 'aws_dlm_lifecycle_policy');
    expect(volume.tags).toEqual({ Name: 'rancher-docker-data', 'rancher-aws:snapshots': 'rancher-docker' });
    expect(policy.state).toBe('ENABLED');
    expect(policy.policy_details).toMatchObject({ resource_types: ['VOLUME'], target_tags: { 'rancher-aws:snapshots': 'rancher-docker' } });
    expect(policy.policy_details.schedule[0]).toMatchObject({
      create_rule: { interval: 24, interval_unit: 'HOURS', times: ['03:00'] },
      retain_rule: { count: 7 },
      copy_tags: true,
    });
    const roleName = /aws_iam_role\.([^.]+)\.arn/.exec(policy.execution_role_arn)![1];
    const role = resources(json, 'aws_iam_role')[roleName];
    const trustName = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(role.assume_role_policy)![1];
    const trust = dataSources(json, 'aws_iam_policy_document')[trustName];
    expect(trust.statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'dlm')] }] },
    ]);
    const managed = Object.values(resources(json, 'aws_iam_role_policy_attachment')).find((a) => a.role === `\${aws_iam_role.${roleName}.name}`);
    expect(managed.policy_arn).toMatch(/:iam::aws:policy\/service-role\/AWSDataLifecycleManagerServiceRole$/);
  });

  it('restores from a snapshot when asked (a new volume, and a new instance through its user data)', () => {
    const restored = synth({ docker: { dataVolume: { restoreSnapshotId: 'snap-0123456789abcdef0', sizeGb: 80, finalSnapshot: false } } }).json;
    const [, v] = only(restored, 'aws_ebs_volume');
    expect(v).toMatchObject({ snapshot_id: 'snap-0123456789abcdef0', size: 80, final_snapshot: false });
  });
});

describe('docker stack: cloud-init', () => {
  const files = renderedFiles(json);

  it('passes cloud-init schema, yamllint and shellcheck, and runs the bootstrap once', () => {
    const [, instance] = host(json);
    expect(parse(instance.user_data).runcmd).toEqual([['/usr/local/sbin/rancher-docker-bootstrap.sh']]);
  });

  it('ships the shared boot helpers, sourced by the bootstrap script', () => {
    expect(file(files, '/usr/local/lib/rancher-aws/boot-lib.sh').content).toContain('ssm_get()');
    expect(file(files, '/usr/local/sbin/rancher-docker-bootstrap.sh').content).toContain('. /usr/local/lib/rancher-aws/boot-lib.sh');
  });

  it('pins the image and runs the documented docker run (rancher issuer: nothing mounted but the data)', () => {
    expect(runArgs(json)).toEqual([...BASE_ARGS, IMAGE]);
    expect(file(files, '/etc/rancher-aws/docker.env').content).toContain(`RANCHER_IMAGE="${IMAGE}"`);
  });

  it('keeps Docker from starting before the data volume is mounted', () => {
    expect(file(files, '/etc/systemd/system/docker.service.d/rancher-aws.conf').content).toContain('RequiresMountsFor=/var/lib/rancher');
  });

  it('carries no secret: no key, certificate or password in user data; the password comes from SSM', () => {
    const [, instance] = host(json);
    expect(instance.user_data).not.toMatch(/-----BEGIN [A-Z ]+-----/);
    expect(instance.user_data).not.toMatch(/random_password|CATTLE_BOOTSTRAP_PASSWORD=[^\n]/);
    expect(file(files, '/usr/local/sbin/rancher-docker-bootstrap.sh').content).toContain(
      'fetch_to bootstrap-password "$SECRETS_ENV" CATTLE_BOOTSTRAP_PASSWORD=',
    );
  });

  it('stays under the 16 KiB EC2 user data limit', () => {
    const [, instance] = host(json);
    // Sent gzip-compressed (user_data_base64): under EC2's 16 KiB with 4 KiB to spare (the servers' budget too),
    // references counted at their largest.
    expect(compressedUpperBound(instance.user_data)).toBeLessThan(12 * 1024);
  });
});

describe('docker stack: certificate choices', () => {
  const cases = {
    rancher: synth(tls('rancher')).json,
    'blank (public CA)': synth(tls('blank')).json,
    'blank (private CA)': synth(tls('blank', true)).json,
    ca: synth(tls('ca')).json,
    acme: synth({ ...tls('acme'), hostname: 'rancher.acme.io', hostedZone: 'acme.io' }).json,
  };

  it.each([
    ['rancher', [...BASE_ARGS, IMAGE]],
    ['blank (public CA)', [...BASE_ARGS, mount('cert'), mount('key'), IMAGE, '--no-cacerts']],
    ['blank (private CA)', [...BASE_ARGS, mount('cert'), mount('key'), mount('cacerts'), IMAGE]],
    ['ca', [...BASE_ARGS, mount('cert'), mount('key'), mount('cacerts'), IMAGE]],
    ['acme', [...BASE_ARGS, IMAGE, '--acme-domain', 'value-of-var-rancher-hostname']],
  ] as const)('%s: renders the docker run arguments of the Docker install docs', (name, expected) => {
    expect(runArgs(cases[name])).toEqual(expected);
  });

  it.each([
    ['rancher', []],
    ['blank (public CA)', ['tls_certificate_pem', 'tls_private_key_pem']],
    ['blank (private CA)', ['tls_ca_certificate_pem', 'tls_certificate_pem', 'tls_private_key_pem']],
    ['ca', ['tls_ca_certificate_pem', 'tls_ca_private_key_pem']],
    ['acme', []],
  ] as const)('%s: declares exactly the sensitive certificate variables it needs', (name, expected) => {
    const variables = cases[name].variable ?? {};
    const tlsVars = Object.keys(variables)
      .filter((v) => v.startsWith('tls_'))
      .sort();
    expect(tlsVars).toEqual(expected);
    tlsVars.forEach((v) => expect(variables[v]).toMatchObject({ sensitive: true, type: 'string' }));
    tlsVars.forEach((v) => expect(variables[v].default).toBeUndefined());
  });

  it.each([
    ['rancher', { 'bootstrap-password': 'random_password' }],
    ['blank (public CA)', { 'bootstrap-password': 'random_password', 'tls-cert': 'var.tls_certificate_pem', 'tls-key': 'var.tls_private_key_pem' }],
    [
      'blank (private CA)',
      {
        'bootstrap-password': 'random_password',
        'tls-cert': 'var.tls_certificate_pem',
        'tls-key': 'var.tls_private_key_pem',
        'tls-cacerts': 'var.tls_ca_certificate_pem',
      },
    ],
    [
      'ca',
      {
        'bootstrap-password': 'random_password',
        'tls-cert': 'tls_locally_signed_cert',
        'tls-key': 'tls_private_key',
        'tls-cacerts': 'var.tls_ca_certificate_pem',
      },
    ],
    ['acme', { 'bootstrap-password': 'random_password' }],
  ] as const)('%s: hands the password and certificate files to the node as SSM SecureString references', (name, expected) => {
    const params = bootParameters(cases[name]).map(([, p]) => p);
    const byName = Object.fromEntries(params.map((p) => [p.name.replace('/rancher/docker/', ''), p]));
    expect(Object.keys(byName).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, source] of Object.entries(expected)) {
      expect(byName[key].type).toBe('SecureString');
      expect(byName[key].value).toMatch(new RegExp(`^\\$\\{${source.replace('.', '\\.')}[.}]`));
      // A certificate chain can outgrow a standard parameter (4 KB): SSM then uses the advanced tier.
      expect(byName[key].tier).toBe('Intelligent-Tiering');
    }
    const files = renderedFiles(cases[name]);
    const wanted = Object.keys(expected)
      .filter((k) => k.startsWith('tls-'))
      .map((k) => k.slice(4));
    expect(file(files, '/etc/rancher-aws/docker.env').content).toContain(`TLS_FILES="${wanted.join(' ')}"`);
  });

  it.each([
    ['rancher', ['tcp/443-443']],
    ['blank (public CA)', ['tcp/443-443']],
    ['blank (private CA)', ['tcp/443-443']],
    ['ca', ['tcp/443-443']],
    ['acme', ['tcp/443-443', 'tcp/80-80']],
  ] as const)('%s: opens %j to the world and nothing else', (name, expected) => {
    const rules = ingress(cases[name]);
    expect(rules.map(portKey).sort()).toEqual([...expected]);
    rules.forEach((r) => expect(r.cidr_ipv4).toBe('0.0.0.0/0'));
  });

  it('ca: signs a certificate for the hostname with the user CA (tls provider), renewed before it expires', () => {
    const json = cases.ca;
    const [, request] = only(json, 'tls_cert_request');
    const [certName, cert] = only(json, 'tls_locally_signed_cert');
    const [keyName] = only(json, 'tls_private_key');
    expect(request.dns_names).toEqual(['${var.rancher_hostname}']);
    expect(request.private_key_pem).toBe(`\${tls_private_key.${keyName}.private_key_pem}`);
    expect(cert).toMatchObject({
      ca_cert_pem: '${var.tls_ca_certificate_pem}',
      ca_private_key_pem: '${var.tls_ca_private_key_pem}',
      allowed_uses: expect.arrayContaining(['server_auth']),
      early_renewal_hours: 720,
    });
    // A re-issued certificate changes the user data, so a new host picks it up.
    const env = file(renderedFiles(json), '/etc/rancher-aws/docker.env').content;
    expect(env).toContain(`CERTIFICATE_SHA256="value-of-sha256-tls-locally-signed-cert-${certName.replace(/_/g, '-')}-cert-pem-"`);
  });

  it('blank: a new certificate changes the user data through a non-secret digest', () => {
    const [, instance] = host(cases['blank (public CA)']);
    expect(instance.user_data).toContain('CERTIFICATE_SHA256="${nonsensitive(sha256(var.tls_certificate_pem))}"');
  });

  describe('readiness gate', () => {
    const probes = (j: TerraformJson) => dataSources(j, 'http');
    const ping = (j: TerraformJson) => Object.entries(probes(j)).find(([, d]) => String(d.url).endsWith('/ping'))!;

    it.each([
      ['blank (private CA)', '${var.tls_ca_certificate_pem}'],
      ['ca', '${var.tls_ca_certificate_pem}'],
    ] as const)('%s: verifies /ping against the CA material', (name, ca) => {
      const [, p] = ping(cases[name]);
      expect(p.ca_cert_pem).toBe(ca);
      expect(p.insecure).toBeUndefined();
    });

    it.each(['acme', 'blank (public CA)'] as const)('%s: verifies /ping against the system roots', (name) => {
      const [, p] = ping(cases[name]);
      expect(p.ca_cert_pem).toBeUndefined();
      expect(p.insecure).toBeUndefined();
      expect(Object.values(probes(cases[name])).some((d) => String(d.url).endsWith('/cacerts'))).toBe(false);
    });

    it("rancher: reads Rancher's CA from /cacerts first (insecure, trust on first use), then verifies /ping against it", () => {
      const all = probes(cases.rancher);
      const [cacertsName, cacerts] = Object.entries(all).find(([, d]) => String(d.url).endsWith('/cacerts'))!;
      const [, p] = ping(cases.rancher);
      expect(cacerts).toMatchObject({ url: 'https://${var.rancher_hostname}/cacerts', insecure: true });
      expect(cacerts.lifecycle.postcondition[0].condition).toContain('BEGIN CERTIFICATE');
      expect(p.ca_cert_pem).toBe(`\${data.http.${cacertsName}.response_body}`);
      expect(p.insecure).toBeUndefined();
    });

    it.each(Object.keys(cases))('%s: waits for the host, volume, address and record, then requires "pong"', (name) => {
      const j = cases[name as keyof typeof cases];
      const [pingName, p] = ping(j);
      expect(p.url).toBe('https://${var.rancher_hostname}/ping');
      expect(p.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^aws_volume_attachment\./),
          expect.stringMatching(/^aws_eip_association\./),
          expect.stringMatching(/^aws_route53_record\./),
        ]),
      );
      // Within timeouts.pingMinutes (15); after Rancher's own /cacerts answered, /ping gets two more minutes.
      expect(p.retry).toEqual({ attempts: name === 'rancher' ? 5 : 44, min_delay_ms: 10000, max_delay_ms: 10000 });
      expect(p.lifecycle.postcondition[0].condition).toBe('${self.status_code == 200 && trimspace(self.response_body) == "pong"}');
      expect(j.output!.rancher_url.value).toBe(`\${trimsuffix(data.http.${pingName}.url, "/ping")}`);
    });
  });

  it.each(Object.keys(cases))('%s: holds no private key, certificate or password literal', (name) => {
    const j = cases[name as keyof typeof cases];
    const body = JSON.stringify(j);
    expect(body).not.toMatch(/-----BEGIN [A-Z ]+-----/);
    for (const [, p] of bootParameters(j)) expect(p.value).toMatch(/^\$\{[a-z_]+\./);
    for (const [, instance] of [host(j)]) expect(instance.user_data).not.toMatch(/tls_private_key|private_key_pem|random_password/);
  });
});

describe('docker stack: behind an ALB (docker.tls.mode external)', () => {
  const external = (issuer: string, privateCA = false) => synth({ docker: { tls: { mode: 'external', issuer, privateCA } } }).json;
  const cases = {
    'acme (ACM issues)': external('acme'),
    'blank (imported)': external('blank'),
    'blank + privateCA (imported)': external('blank', true),
    'ca (signed, imported)': external('ca'),
  };
  type Case = keyof typeof cases;
  const names = Object.keys(cases) as Case[];
  const j = cases['acme (ACM issues)'];
  const [lbName, lb] = only(j, 'aws_lb');
  const [albGroupName] = Object.entries(resources(j, 'aws_security_group')).find(([n]) => n.startsWith('load-balancer_'))!;
  const [hostGroupName] = Object.entries(resources(j, 'aws_security_group')).find(([n]) => n.startsWith('security-group_'))!;
  const [instanceName] = host(j);

  it('adds a second public subnet in another zone for the ALB only; the host stays in the first', () => {
    const subnets = resources(j, 'aws_subnet');
    expect(Object.keys(subnets).sort()).toEqual([expect.stringMatching(/^network_public-0_/), expect.stringMatching(/^network_public-1_/)]);
    const [first] = Object.keys(subnets).sort();
    expect(host(j)[1].subnet_id).toBe(`\${aws_subnet.${first}.id}`);
    expect(lb).toMatchObject({ load_balancer_type: 'application', internal: false, name: 'rancher-docker-alb' });
    expect(lb.subnets).toEqual(
      Object.keys(subnets)
        .sort()
        .map((n) => `\${aws_subnet.${n}.id}`),
    );
  });

  it.each(names)("%s: the host opens only 80, only to the ALB's group; nothing to the world", (name) => {
    const rules = ingress(cases[name]).filter((r) => r.security_group_id === `\${aws_security_group.${hostGroupName}.id}`);
    expect(rules).toEqual([
      expect.objectContaining({ from_port: 80, to_port: 80, referenced_security_group_id: `\${aws_security_group.${albGroupName}.id}` }),
    ]);
    const world = ingress(cases[name]).filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(world.every((r) => r.security_group_id === `\${aws_security_group.${albGroupName}.id}`)).toBe(true);
  });

  it('forwards HTTP to port 80 of the host, health-checked on /ping (200) over plain HTTP', () => {
    const [groupName, group] = only(j, 'aws_lb_target_group');
    expect(group).toMatchObject({
      port: 80,
      protocol: 'HTTP',
      target_type: 'instance',
      health_check: { protocol: 'HTTP', path: '/ping', matcher: '200', port: 'traffic-port' },
    });
    const [, attachment] = only(j, 'aws_lb_target_group_attachment');
    expect(attachment).toEqual(
      expect.objectContaining({
        target_group_arn: `\${aws_lb_target_group.${groupName}.arn}`,
        target_id: `\${aws_instance.${instanceName}.id}`,
        port: 80,
      }),
    );
  });

  it.each([
    ['acme (ACM issues)', /^\$\{aws_acm_certificate_validation\.[^.]+\.certificate_arn\}$/],
    ['blank (imported)', /^\$\{aws_acm_certificate\.[^.]+\.arn\}$/],
    ['blank + privateCA (imported)', /^\$\{aws_acm_certificate\.[^.]+\.arn\}$/],
    ['ca (signed, imported)', /^\$\{aws_acm_certificate\.[^.]+\.arn\}$/],
  ] as const)('%s: serves the ACM certificate on 443 and redirects 80', (name, arn) => {
    const listeners = Object.values(resources(cases[name], 'aws_lb_listener'));
    const https = listeners.find((l) => l.port === 443);
    expect(https).toMatchObject({ protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect(https.certificate_arn).toMatch(arn);
    expect(listeners.find((l) => l.port === 80).default_action[0]).toMatchObject({ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443' } });
  });

  it('acme: ACM validates through DNS in the zone; the record keeps its own lookup of the zone', () => {
    const [, certificate] = only(j, 'aws_acm_certificate');
    expect(certificate).toMatchObject({ domain_name: '${var.rancher_hostname}', validation_method: 'DNS' });
    const records = resources(j, 'aws_route53_record');
    const validation = Object.values(records).find((r) => r.for_each);
    expect(validation.zone_id).toBe('${data.aws_route53_zone.certificate-zone.zone_id}');
    expect(dataSources(j, 'aws_route53_zone')['certificate-zone']).toMatchObject({ name: '${var.route53_zone_name}', private_zone: false });
  });

  it("points the hostname's record (the A record's address) at the ALB as an alias", () => {
    const [recordName] = only(json, 'aws_route53_record');
    for (const name of names) {
      const record = resources(cases[name], 'aws_route53_record')[recordName];
      expect(record).toMatchObject({
        name: '${var.rancher_hostname}',
        type: 'A',
        alias: { name: `\${aws_lb.${lbName}.dns_name}`, zone_id: `\${aws_lb.${lbName}.zone_id}`, evaluate_target_health: true },
      });
      expect(record).not.toHaveProperty('records');
      expect(record.zone_id).toBe(only(json, 'aws_route53_record')[1].zone_id);
    }
  });

  it.each([
    ['acme (ACM issues)', [...ALB_ARGS, IMAGE, '--no-cacerts'], true],
    ['blank (imported)', [...ALB_ARGS, IMAGE, '--no-cacerts'], true],
    ['blank + privateCA (imported)', [...ALB_ARGS, mount('cacerts'), IMAGE], false],
    ['ca (signed, imported)', [...ALB_ARGS, mount('cacerts'), IMAGE], false],
  ] as const)('%s: runs the container on 80 as the external load balancer docs say', (name, args, systemStore) => {
    expect(runArgs(cases[name])).toEqual(args);
    const env = file(renderedFiles(cases[name]), '/etc/rancher-aws/rancher.env').content;
    expect(env.includes('CATTLE_AGENT_TLS_MODE=system-store')).toBe(systemStore);
  });

  it.each([
    ['acme (ACM issues)', ['bootstrap-password']],
    ['blank (imported)', ['bootstrap-password']],
    ['blank + privateCA (imported)', ['bootstrap-password', 'tls-cacerts']],
    ['ca (signed, imported)', ['bootstrap-password', 'tls-cacerts']],
  ] as const)('%s: hands the host only the password and a private CA', (name, params) => {
    expect(
      bootParameters(cases[name])
        .map(([, p]) => p.name.replace('/rancher/docker/', ''))
        .sort(),
    ).toEqual(params);
  });

  describe('readiness gate', () => {
    const ping = (c: TerraformJson) => Object.entries(dataSources(c, 'http')).find(([, d]) => String(d.url).endsWith('/ping'))!;

    it.each(names)('%s: /ping through the record, after the registration, the listeners and the rule that lets the ALB in', (name) => {
      const c = cases[name];
      const [, p] = ping(c);
      expect(p.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^aws_volume_attachment\./),
          expect.stringMatching(/^aws_route53_record\.dns_record_/),
          expect.stringMatching(/^aws_lb_target_group_attachment\./),
          expect.stringMatching(/^aws_lb_listener\.load-balancer_listener-443_/),
          expect.stringMatching(/^aws_vpc_security_group_ingress_rule\.security-group_from-alb-80_/),
        ]),
      );
      expect(Object.values(dataSources(c, 'http')).some((d) => String(d.url).endsWith('/cacerts'))).toBe(false);
    });

    it.each([
      ['acme (ACM issues)', undefined],
      ['blank (imported)', undefined],
      ['blank + privateCA (imported)', '${var.tls_ca_certificate_pem}'],
      ['ca (signed, imported)', '${var.tls_ca_certificate_pem}'],
    ] as const)('%s: verifies the certificate against %s (undefined: the system roots)', (name, ca) => {
      expect(ping(cases[name])[1].ca_cert_pem).toBe(ca);
    });
  });

  it("outputs the ALB, and keeps the Elastic IP as the host's address", () => {
    expect(j.output!.load_balancer_dns_name.value).toBe(`\${aws_lb.${lbName}.dns_name}`);
    expect(j.output!.public_ip.value).toMatch(/^\$\{aws_eip\.[^}]+\.public_ip\}$/);
    expect(json.output).not.toHaveProperty('load_balancer_dns_name');
  });

  it.each(names)('%s: holds no private key, certificate or password literal', (name) => {
    const c = cases[name];
    // A PEM header followed by base64 (the import's regexall pattern names the header alone).
    expect(JSON.stringify(c)).not.toMatch(PEM_BLOCK);
    for (const [, p] of bootParameters(c)) expect(p.value).toMatch(/^\$\{[a-z_]+\./);
    expect(host(c)[1].user_data).not.toMatch(/tls_private_key|private_key_pem|random_password/);
  });
});

describe('docker stack: address and DNS', () => {
  const [eipName, eip] = only(json, 'aws_eip');
  const [, association] = only(json, 'aws_eip_association');
  const [, record] = only(json, 'aws_route53_record');
  const [instanceName] = host(json);

  it('gives the host an Elastic IP through a separate association (kept across instance replacement)', () => {
    expect(eip.domain).toBe('vpc');
    expect(eip.depends_on).toEqual([expect.stringMatching(/^aws_internet_gateway\./)]);
    expect(association).toEqual(
      expect.objectContaining({ allocation_id: `\${aws_eip.${eipName}.allocation_id}`, instance_id: `\${aws_instance.${instanceName}.id}` }),
    );
  });

  it('points a plain A record for the hostname at the Elastic IP, in the zone found by name', () => {
    expect(record).toMatchObject({ name: '${var.rancher_hostname}', type: 'A', records: [`\${aws_eip.${eipName}.public_ip}`], ttl: 300 });
    expect(record).not.toHaveProperty('alias');
    const [zoneName, zone] = Object.entries(dataSources(json, 'aws_route53_zone'))[0];
    expect(zone).toMatchObject({ name: '${var.route53_zone_name}', private_zone: false });
    expect(record.zone_id).toBe(`\${data.aws_route53_zone.${zoneName}.zone_id}`);
  });
});

describe('docker stack: security group', () => {
  const egress = (j: TerraformJson) => Object.values(resources(j, 'aws_vpc_security_group_egress_rule'));

  it('opens only 443 to the world, with no cluster ports and open egress', () => {
    expect(ingress(json).map(portKey)).toEqual(['tcp/443-443']);
    expect(egress(json)).toEqual([expect.objectContaining({ ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0' })]);
  });

  it('closes egress except to the VPC and the networks of proxy.egressOnlyTo', () => {
    const closed = synth({
      docker: { vpcCidr: '10.20.0.0/16' },
      proxy: { http: 'http://10.99.0.5:3128', egressOnlyTo: ['10.99.0.0/24', '192.0.2.0/24'] },
    }).json;
    const [groupName] = only(closed, 'aws_security_group');
    const rules = egress(closed);
    expect(rules.map((r) => r.cidr_ipv4).sort()).toEqual(['10.20.0.0/16', '10.99.0.0/24', '192.0.2.0/24']);
    for (const r of rules) expect(r).toMatchObject({ ip_protocol: '-1', security_group_id: `\${aws_security_group.${groupName}.id}` });
    expect(rules.some((r) => r.cidr_ipv4 === '0.0.0.0/0')).toBe(false);
    // The ingress side does not change.
    expect(ingress(closed).map(portKey)).toEqual(['tcp/443-443']);
  });

  it('opens SSH only with a key pair, and then only from the admin CIDRs', () => {
    const withSsh = synth({ docker: { sshKeyName: 'ops' } }).json;
    const ssh = ingress(withSsh).filter((r) => r.from_port === 22);
    expect(ssh).toHaveLength(1);
    expect(ssh[0].for_each).toMatch(/local\.admin_cidrs_effective/);
    expect(ssh[0].cidr_ipv4).toBe('${each.value}');
    expect(host(withSsh)[1].key_name).toBe('ops');
  });
});

describe('docker stack: the shared audit log, proxy and air-gap settings', () => {
  const configured = synth({
    rancher: { auditLog: { enabled: true, level: 2, destination: 'hostPath', maxAgeDays: 10, maxBackups: 3, maxSizeMb: 50 } },
    proxy: { http: 'http://proxy.internal:3128', noProxy: ['.corp.example'] },
    airGap: {
      systemDefaultRegistry: 'registry.internal:5000',
      useBundledSystemChart: true,
      registryMirrors: { 'docker.io': ['https://mirror.internal'] },
    },
  }).json;
  const files = renderedFiles(configured);
  const containerEnv = file(files, '/etc/rancher-aws/rancher.env').content;
  const noProxy = 'localhost,127.0.0.1,0.0.0.0,169.254.169.254,.svc,.cluster.local,10.0.0.0/16,10.42.0.0/16,10.43.0.0/16,.corp.example';
  const registryImage = `registry.internal:5000/${IMAGE}`;

  it('enables the API audit log in the container from rancher.auditLog and keeps its files on the host', () => {
    expect(containerEnv).toContain('AUDIT_LOG_ENABLED=true\nAUDIT_LEVEL=2\nAUDIT_LOG_MAXAGE=10\nAUDIT_LOG_MAXBACKUP=3\nAUDIT_LOG_MAXSIZE=50\n');
    expect(runArgs(configured)).toContain('--volume=/var/log/rancher/auditlog:/var/log/auditlog');
  });

  it('sets the proxy for the container, the Docker daemon, apt and the bootstrap (https defaults to http), keeping the VPC, K3s networks and metadata direct', () => {
    expect(containerEnv).toContain(`HTTP_PROXY=http://proxy.internal:3128\nHTTPS_PROXY=http://proxy.internal:3128\nNO_PROXY=${noProxy}\n`);
    expect(file(files, '/etc/systemd/system/docker.service.d/rancher-aws.conf').content).toContain(`Environment="NO_PROXY=${noProxy}"`);
    expect(file(files, '/etc/rancher-aws/docker.env').content).toContain(`HTTPS_PROXY="http://proxy.internal:3128"\nNO_PROXY="${noProxy}"`);
    const [, instance] = host(configured);
    expect(parse(instance.user_data).apt).toEqual({ http_proxy: 'http://proxy.internal:3128', https_proxy: 'http://proxy.internal:3128' });
    // A proxy alone leaves egress open; proxy.egressOnlyTo closes it.
    expect(Object.values(resources(configured, 'aws_vpc_security_group_egress_rule'))).toEqual([expect.objectContaining({ cidr_ipv4: '0.0.0.0/0' })]);
  });

  it("pulls the image from airGap.systemDefaultRegistry and sets the Docker air-gap install's variables", () => {
    expect(runArgs(configured)).toContain(registryImage);
    expect(runArgs(configured)).not.toContain(IMAGE);
    expect(file(files, '/etc/rancher-aws/docker.env').content).toContain(`RANCHER_IMAGE="${registryImage}"`);
    expect(containerEnv).toContain('CATTLE_SYSTEM_DEFAULT_REGISTRY=registry.internal:5000\nCATTLE_SYSTEM_CATALOG=bundled\n');
  });

  it('gives the Docker daemon the docker.io mirrors', () => {
    expect(JSON.parse(file(files, '/etc/docker/daemon.json').content)).toEqual({ 'registry-mirrors': ['https://mirror.internal'] });
  });

  it('sets none of them by default', () => {
    const plain = renderedFiles(json);
    expect(file(plain, '/etc/rancher-aws/rancher.env').content).not.toMatch(/AUDIT|PROXY|CATTLE/);
    expect(runArgs(json).some((a) => a.includes('auditlog'))).toBe(false);
    expect(file(plain, '/etc/docker/daemon.json')).toBeUndefined();
    expect(parse(host(json)[1].user_data).apt).toBeUndefined();
  });
});

describe('docker stack: outputs and portability', () => {
  it('outputs the URL, the password (sensitive), the public IP, the data volume and the instance', () => {
    const out = json.output!;
    expect(Object.keys(out).sort()).toEqual([
      'alarm_topic',
      'data_volume_id',
      'instance_id',
      'public_ip',
      'rancher_admin_password',
      'rancher_admin_token',
      'rancher_bootstrap_password',
      'rancher_url',
    ]);
    expect(out.rancher_bootstrap_password).toMatchObject({ sensitive: true, value: '${random_password.bootstrap-password.result}' });
    expect(out.public_ip.value).toMatch(/^\$\{aws_eip\.[^}]+\.public_ip\}$/);
    expect(out.data_volume_id.value).toMatch(/^\$\{aws_ebs_volume\.[^}]+\.id\}$/);
    for (const name of ['rancher_url', 'public_ip', 'data_volume_id', 'instance_id']) expect(out[name].sensitive).toBeUndefined();
  });

  it('generates the bootstrap password instead of writing one', () => {
    const [, password] = only(json, 'random_password');
    expect(password).toMatchObject({ length: 32, special: false });
  });

  it('has no absolute path and an explicit local backend relative to the stack directory', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.docker.tfstate' } });
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/"(\/root|\/home|\/tmp|\/work)\//);
  });

  it('uses the S3 backend with encryption and a lock file when configured', () => {
    const s3 = synth({ backend: { type: 's3', bucket: 'acme-tf-state' } }).json;
    expect(s3.terraform.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'rancher/docker.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
    });
  });

  it('exposes environment-specific values as Terraform variables with settings defaults', () => {
    const withValues = synth({
      hostname: 'rancher.acme.io',
      hostedZone: 'acme.io',
      adminCidrs: ['10.8.0.0/24'],
      docker: { sshKeyName: 'ops' },
    }).json;
    expect(withValues.variable!.rancher_hostname.default).toBe('rancher.acme.io');
    expect(withValues.variable!.route53_zone_name.default).toBe('acme.io');
    expect(withValues.variable!.admin_cidrs.default).toEqual(['10.8.0.0/24']);
  });

  it("declares admin_cidrs, and looks up the deployer's address, only when SSH opens an admin port", () => {
    const withoutSsh = synth({ adminCidrs: ['10.8.0.0/24'] }).json;
    expect(Object.keys(withoutSsh.variable!).sort()).toEqual([
      'deployer_arns',
      'instance_type',
      'rancher_hostname',
      'read_deployer_session',
      'route53_zone_name',
    ]);
    expect(Object.keys(dataSources(withoutSsh, 'http')).filter((name) => name.includes('deployer'))).toEqual([]);
    const withSsh = synth({ docker: { sshKeyName: 'ops' } }).json;
    expect(withSsh.variable!.admin_cidrs).toBeDefined();
    expect(Object.keys(dataSources(withSsh, 'http'))).toContain('deployer_ip');
  });

  it('pins an explicit AMI without a lookup, through the record', () => {
    const pinned = synth({ docker: { amiId: 'ami-0123456789abcdef0' } }).json;
    expect(dataSources(pinned, 'aws_ami')).toEqual({});
    const [recordName, record] = only(pinned, 'terraform_data', (name) => name.startsWith('ami_recorded-image_'));
    expect([record.input, record.triggers_replace]).toEqual(['ami-0123456789abcdef0', 'ami-0123456789abcdef0']);
    expect(host(pinned)[1].ami).toBe(`\${terraform_data.${recordName}.output}`);
  });

  it('launches the recorded image: a host replaced for its user data gets it, not whatever Canonical published since', () => {
    const [lookup] = Object.keys(dataSources(json, 'aws_ami'));
    const [recordName, record] = only(json, 'terraform_data', (name) => name.startsWith('ami_recorded-image_'));
    expect(record.lifecycle).toEqual({ ignore_changes: ['input'] });
    expect(expressionsReferring(json, `data.aws_ami.${lookup}`)).toEqual([`resource.terraform_data.${recordName}.input`]);
    expect(expressionsReferring(json, `terraform_data.${recordName}`)).toEqual([`resource.aws_instance.${host(json)[0]}.ami`]);
  });
});

describe('docker stack: snapshots', () => {
  it('matches the reviewed synthesized Terraform (rancher issuer)', () => {
    expect(json).toMatchSnapshot();
  });

  // One whole-stack snapshot per stack (above); a variant's is what it changes, block by block.
  it('matches the reviewed synthesized Terraform (ca issuer, audit log, proxy with closed egress, air gap, SSH): what differs from the default', () => {
    const full = synth({
      docker: { tls: { issuer: 'ca' }, sshKeyName: 'ops' },
      rancher: { auditLog: { enabled: true } },
      proxy: { https: 'http://proxy.internal:3128', egressOnlyTo: ['10.99.0.0/24'] },
      airGap: {
        systemDefaultRegistry: 'registry.internal:5000',
        useBundledSystemChart: true,
        registryMirrors: { 'docker.io': ['https://mirror.internal'] },
      },
    }).json;
    expect(blockDifference(json, full)).toMatchSnapshot();
  });
});

describe('docker stack: VPC options', () => {
  const withOptions = synth({ vpc: { flowLogs: { destination: 's3' }, endpoints: ['ssm', 'ssmmessages', 'ec2messages'] } }).json;

  it('puts interface endpoints in its one subnet, and lets destroy delete a flow log bucket (nothing here is prevent_destroy)', () => {
    const [subnetName] = Object.keys(resources(withOptions, 'aws_subnet'));
    for (const e of Object.values(resources(withOptions, 'aws_vpc_endpoint'))) expect(e.subnet_ids).toEqual([`\${aws_subnet.${subnetName}.id}`]);
    const logBucket = Object.values(resources(withOptions, 'aws_s3_bucket')).find((b) => b.bucket_prefix === 'rancher-docker-flow-logs-');
    expect(logBucket).toMatchObject({ force_destroy: true });
    expect(logBucket).not.toHaveProperty('lifecycle');
  });
});

describe('docker stack: egress closed without a proxy', () => {
  it('gets the SSM, Session Manager and S3 endpoints, and may reach S3 through the gateway', () => {
    const closed = synth({
      proxy: { egressOnlyTo: ['10.99.0.0/24'] },
      airGap: {
        systemDefaultRegistry: 'registry.internal:5000',
        installerUrl: 'https://mirror.internal/install.sh',
        registryMirrors: { 'quay.io': ['https://registry.internal:5000/quay'] },
      },
    }).json;
    expect(
      Object.values(resources(closed, 'aws_vpc_endpoint'))
        .map((e) => String(e.service_name).split('.').pop())
        .sort(),
    ).toEqual(['ec2messages', 's3', 'ssm', 'ssmmessages']);
    expect(Object.values(resources(closed, 'aws_vpc_security_group_egress_rule')).filter((r) => r.prefix_list_id)).toHaveLength(1);
    // The host boots only once it can reach them.
    const needed = ['aws_vpc_endpoint', 'aws_vpc_security_group_egress_rule'].flatMap((type) =>
      Object.keys(resources(closed, type)).map((n) => `${type}.${n}`),
    );
    const closure = dependencyClosure(closed, `aws_instance.${only(closed, 'aws_instance')[0]}`);
    expect(needed.filter((a) => !closure.has(a) && !a.includes('_endpoints_'))).toEqual([]);
    expect(needed.filter((a) => a.startsWith('aws_vpc_endpoint.') && !closure.has(a))).toEqual([]);
  });
});

describe('docker stack: day 2', () => {
  /** What 0.2.0 synthesized for these settings (its AWS resources and locals; see rke-ha-day2.test.ts). */
  const SITE = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
  const release = readJson(join(__dirname, '..', '..', 'fixtures', 'release-0.2.0', 'docker.json')) as TerraformJson;

  it('a host made with 0.2.0 is replaced once by this version (its scripts changed: the upgrade snapshot), keeping its data volume and address', () => {
    const change = plannedChange(release, synth(SITE).json);
    // The new host snapshots the volume before it starts Rancher on it: an older host left no record of its image
    // (docker-bootstrap.tools.test.ts, "takes one of data an older bootstrap left").
    expect(change.replaced.filter((a) => /^aws_(instance|ebs_volume|eip|vpc|subnet)\./.test(a))).toEqual([
      `aws_instance.${only(release, 'aws_instance')[0]}`,
    ]);
    expect(change.destroyed.filter((a) => /^aws_(instance|ebs_volume|eip)\./.test(a))).toEqual([]);
  });

  // The defaults, then the variant with flow logs and every endpoint the nodes use (both synthesized by every file
  // that reads the variants).
  it('turning on flow logs and VPC endpoints replaces neither the host nor its data volume', () => {
    const change = plannedChange(synth().json, synth(variantSettings('docker flow logs and VPC endpoints')).json);
    expect([...change.replaced, ...change.destroyed]).toEqual([]);
  });

  it('(the model) sees a public address the host did not have as a replacement: the explicit one matches what its subnet gave', () => {
    const [name] = only(release, 'aws_instance');
    const subnet = Object.keys(resources(release, 'aws_subnet'))[0];
    const unmapped = {
      ...release,
      resource: { ...release.resource, aws_subnet: { [subnet]: { ...resources(release, 'aws_subnet')[subnet], map_public_ip_on_launch: false } } },
    };
    expect(plannedChange(unmapped, synth(SITE).json).replaced).toContain(`aws_instance.${name}`);
  });
});
