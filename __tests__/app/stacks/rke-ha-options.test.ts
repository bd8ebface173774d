import type { SettingsInput } from '../../../app/config/settings-schema';
import { parse } from 'yaml';
import { repositoryCharts } from '../../helpers/gates';
import { expectSecretsByReference } from '../../helpers/secrets';
import { dependencyClosure, resources, settings, userDataOf, type TerraformJson } from '../../helpers/synth';
import { renderTemplate } from '../../helpers/validators';
import { AIR_GAP, EXAMPLE_DOMAIN, REGISTRY_LOGIN_SSM, synthSettings, variantSettings, RKE_HA_STACK } from '../../helpers/variants';
import { rancherChartValues } from '../../../lib/rancher/chart-values';
import { tlsSchema } from '../../../lib/config/tls-schema';

function synth(input: SettingsInput) {
  return synthSettings(RKE_HA_STACK, input).json;
}

/**
 * Settings rke-ha-day2.test.ts synthesizes as a day-2 change, spelled as it spells them (the Route53 name
 * EXAMPLE_DOMAIN) where what a test reads does not depend on the name: the same settings, one synth in a run.
 */
const asDay2 = (input: SettingsInput): SettingsInput => ({ ...EXAMPLE_DOMAIN, ...input });

/** The servers, each with its plain-text user data (from ServerNode's local) as `user_data`, for reading. */
const instances = (json: TerraformJson): Record<string, any> =>
  Object.fromEntries(Object.entries(resources(json, 'aws_instance')).map(([name, i]) => [name, { ...i, user_data: userDataOf(json, i) }]));
/** The variant with a proxy, closed egress, an air gap with mirrors and the audit log on the hosts (hostPath). */
const AUDIT_LOG_VARIANT = 'rke-ha proxy, closed egress, air gap, audit log';
const withoutUserData = ({ user_data: _ignored, ...rest }: Record<string, unknown>) => rest;

describe('rke-ha options: a single node that grows to three', () => {
  const one = synth({ rkeHa: { nodeCount: 1 } });
  // Three servers: the HA count, as a file that leaves nodeCount out (the defaults, which most files synthesize).
  const three = synth({});

  it('starts with one server that may initialize, with no peer to wait for', () => {
    const [[, server]] = Object.entries(instances(one));
    expect(Object.keys(instances(one))).toHaveLength(1);
    expect(server.user_data).toContain('NODE_ROLE="init"');
    expect(server.user_data).toContain('PEER_IPS=""');
    expect(Object.keys(resources(one, 'aws_lb_target_group_attachment'))).toHaveLength(3);
  });

  it("keeps the first server's identity when growing: same address, same settings, so Terraform updates nothing on it", () => {
    const [firstName] = Object.keys(instances(one));
    expect(Object.keys(instances(three))).toContain(firstName);
    expect(withoutUserData(instances(three)[firstName])).toEqual(withoutUserData(instances(one)[firstName]));
    // Its user data does change (new peers), which the node ignores after creation.
    expect(instances(three)[firstName].user_data).not.toBe(instances(one)[firstName].user_data);
    expect(instances(three)[firstName].lifecycle.ignore_changes).toEqual(expect.arrayContaining(['user_data', 'user_data_base64']));
  });

  it('adds two servers that only join, and keeps every other resource of the single-node install', () => {
    const added = Object.entries(instances(three)).filter(([name]) => !(name in instances(one)));
    expect(added.map(([, i]) => /NODE_ROLE="(\w+)"/.exec(i.user_data)![1])).toEqual(['join', 'join']);
    for (const [type, byName] of Object.entries(one.resource)) {
      for (const name of Object.keys(byName)) expect(Object.keys(three.resource[type] ?? {})).toContain(name);
    }
  });

  it('rejects a node count etcd cannot use', () => {
    expect(() => settings({ rkeHa: { nodeCount: 2 } })).toThrow(/rkeHa\.nodeCount: expected 1 or 3/);
  });
});

describe('rke-ha options: private node subnets', () => {
  const json = synth(asDay2({ rkeHa: { privateNodes: true } }));
  const subnets = resources(json, 'aws_subnet');
  const privateSubnets = Object.entries(subnets).filter(([name]) => name.startsWith('private-subnets'));

  it('puts the nodes in private subnets without public addresses, one per zone', () => {
    expect(privateSubnets.map(([, s]) => s.cidr_block)).toEqual(['10.0.128.0/20', '10.0.144.0/20', '10.0.160.0/20']);
    privateSubnets.forEach(([, s]) => expect(s.map_public_ip_on_launch).toBe(false));
    for (const instance of Object.values(instances(json))) expect(instance.associate_public_ip_address).toBe(false);
    // In the public subnets (which map no address on their own) the nodes ask for one: their only way out.
    for (const instance of Object.values(instances(synth({})))) expect(instance.associate_public_ip_address).toBe(true);
    const nodeSubnets = Object.values(instances(json)).map((i) => /aws_subnet\.([^.]+)\.id/.exec(i.subnet_id)![1]);
    expect(nodeSubnets).toEqual(privateSubnets.map(([name]) => name));
    expect(Object.values(instances(json)).map((i) => i.private_ip)).toEqual(['10.0.128.10', '10.0.144.10', '10.0.160.10']);
  });

  it('keeps the load balancer in the public subnets', () => {
    const [lb] = Object.values(resources(json, 'aws_lb'));
    const publicNames = Object.keys(subnets).filter((n) => n.startsWith('network_public'));
    expect(lb.subnets).toEqual(publicNames.map((n) => `\${aws_subnet.${n}.id}`));
  });

  it('routes each private subnet through the NAT gateway of its zone, or one NAT when asked', () => {
    const gateways = Object.keys(resources(json, 'aws_nat_gateway'));
    expect(gateways).toHaveLength(3);
    const routes = Object.values(resources(json, 'aws_route')).filter((r) => r.nat_gateway_id);
    expect(routes.map((r) => r.nat_gateway_id)).toEqual(gateways.map((g) => `\${aws_nat_gateway.${g}.id}`));
    const single = synth({ rkeHa: { privateNodes: true, natGateways: 'single' } });
    expect(Object.keys(resources(single, 'aws_nat_gateway'))).toHaveLength(1);
  });
});

describe('rke-ha options: VPC flow logs and endpoints', () => {
  const json = synth({ vpc: { flowLogs: { destination: 'cloudwatch', retentionDays: 30 }, endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages'] } });
  const [vpcName] = Object.keys(resources(json, 'aws_vpc'));
  const endpoint = (j: TerraformJson, service: string) =>
    Object.values(resources(j, 'aws_vpc_endpoint')).find((e) => String(e.service_name).endsWith(`.${service}`));
  const publicSubnets = (j: TerraformJson) => Object.keys(resources(j, 'aws_subnet')).filter((n) => n.startsWith('network_public'));
  const routeTables = (j: TerraformJson, prefix: string) =>
    Object.keys(resources(j, 'aws_route_table'))
      .filter((n) => n.startsWith(prefix))
      .map((n) => `\${aws_route_table.${n}.id}`);

  it('logs the VPC to CloudWatch Logs, kept for the given days', () => {
    const [flowLog] = Object.values(resources(json, 'aws_flow_log'));
    expect(flowLog).toMatchObject({ vpc_id: `\${aws_vpc.${vpcName}.id}`, traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(Object.values(resources(json, 'aws_cloudwatch_log_group'))[0]).toMatchObject({
      name: '/aws/vpc-flow-logs/rancher-rke-ha',
      retention_in_days: 30,
    });
  });

  it('puts the interface endpoints in the three public subnets, and S3 routes in the route tables of the nodes', () => {
    expect(endpoint(json, 'ssm').subnet_ids).toEqual(publicSubnets(json).map((n) => `\${aws_subnet.${n}.id}`));
    expect(endpoint(json, 's3').route_table_ids).toEqual(routeTables(json, 'network_public'));
    // Private nodes: their own route tables too (the public one stays: the load balancers' subnets).
    const privateNodes = synth({ rkeHa: { privateNodes: true }, vpc: { endpoints: ['s3'] } });
    expect(endpoint(privateNodes, 's3').route_table_ids).toEqual([
      ...routeTables(privateNodes, 'network_public'),
      ...routeTables(privateNodes, 'private-subnets'),
    ]);
  });

  it('creates nothing of the kind by default, and keeps a flow log bucket unless forceDestroyBucket', () => {
    const defaults = synth({});
    for (const type of ['aws_flow_log', 'aws_vpc_endpoint', 'aws_cloudwatch_log_group']) expect(resources(defaults, type)).toEqual({});
    const toS3 = synth(asDay2({ vpc: { flowLogs: { destination: 's3' } } }));
    const logBucket = Object.values(resources(toS3, 'aws_s3_bucket')).find((b) => b.bucket_prefix === 'rancher-rke-ha-flow-logs-');
    expect(logBucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
  });
});

describe('rke-ha options: API audit log', () => {
  const values = (json: TerraformJson) => Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0];
  /** The chart's auditLog values from the settings' section, as the stack hands it to rancherChartValues. */
  const chartAuditLog = (section: Record<string, unknown>) =>
    rancherChartValues({
      hostname: 'rancher.example.com',
      replicas: 3,
      ingressClassName: 'traefik',
      tls: tlsSchema.parse({}),
      auditLog: settings({ rancher: { auditLog: section } }).rancher.auditLog,
    }).auditLog;

  it('is off by default', () => {
    expect(values(synth({}))).not.toContain('auditLog');
  });

  // The settings reach the release through the stack: the variant with the log on the hosts (synthesized by every
  // file that reads the variants). What each setting becomes is rancherChartValues' own, on its input.
  it('sets the chart auditLog level, destination and rotation', () => {
    expect(values(synth(variantSettings(AUDIT_LOG_VARIANT)))).toContain(
      '"auditLog" = {"enabled" = true, "level" = 0, "destination" = "hostPath", "hostPath" = "/var/log/rancher/audit/", "maxAge" = 1, "maxBackup" = 1, "maxSize" = 100}',
    );
    expect(chartAuditLog({ enabled: true, level: 2, destination: 'hostPath', maxAgeDays: 7, maxBackups: 5, maxSizeMb: 50 })).toEqual({
      enabled: true,
      level: 2,
      destination: 'hostPath',
      hostPath: '/var/log/rancher/audit/',
      maxAge: 7,
      maxBackup: 5,
      maxSize: 50,
    });
    expect(chartAuditLog({ enabled: true })).toEqual({ enabled: true, level: 0, destination: 'sidecar', maxAge: 1, maxBackup: 1, maxSize: 100 });
    expect(chartAuditLog({ level: 3 })).toBeUndefined();
  });
});

describe('rke-ha options: HTTP proxy', () => {
  const json = synth({ proxy: { http: 'http://proxy.internal:3128', noProxy: ['.corp.example'] } });
  const userData = Object.values(instances(json)).map((i) => i.user_data as string);
  const files = (text: string) =>
    parse(renderTemplate(text, (e) => `value-of-${e.replace(/[^a-z0-9]+/gi, '-')}`)).write_files as { path: string; content: string }[];
  const releases = Object.values(resources(json, 'helm_release'));

  it('gives RKE2 (and containerd) the proxy in /etc/default/rke2-server, and the bootstrap exports it for the installer', () => {
    for (const text of userData) {
      const written = files(text);
      const service = written.find((f) => f.path === '/etc/default/rke2-server')!.content;
      expect(service).toContain('HTTP_PROXY="http://proxy.internal:3128"');
      expect(service).toContain('HTTPS_PROXY="http://proxy.internal:3128"');
      const noProxy = /NO_PROXY="([^"]*)"/.exec(service)![1].split(',');
      expect(noProxy).toEqual(
        expect.arrayContaining([
          '10.0.0.0/16',
          '10.42.0.0/16',
          '10.43.0.0/16',
          '169.254.169.254',
          '.svc',
          '.cluster.local',
          '.corp.example',
          'value-of-var-rancher-hostname',
        ]),
      );
      expect(written.find((f) => f.path === '/etc/rancher/bootstrap.env')!.content).toContain('HTTPS_PROXY="http://proxy.internal:3128"');
    }
  });

  it("sets the Rancher chart proxy and noProxy, and cert-manager's", () => {
    const rancher = releases.find((r) => r.chart === 'rancher').values[0];
    expect(rancher).toContain('"proxy" = "http://proxy.internal:3128"');
    expect(rancher).toMatch(/"noProxy" = "localhost,127\.0\.0\.1,.*10\.42\.0\.0\/16.*\$\{var\.rancher_hostname\}.*\.corp\.example"/);
    const certManager = releases.find((r) => r.chart === 'cert-manager');
    expect(certManager.values[0]).toContain('"http_proxy" = "http://proxy.internal:3128"');
    expect(certManager.values[0]).toContain('"no_proxy" = "localhost,');
  });

  it('changes nothing without a proxy', () => {
    const plain = synth({});
    Object.values(instances(plain)).forEach((i) => {
      expect(i.user_data).not.toContain('/etc/default/rke2-server');
      expect(i.user_data).not.toMatch(/PROXY="/);
    });
    expect(Object.values(resources(plain, 'helm_release')).find((r) => r.chart === 'cert-manager').values).toBeUndefined();
  });
});

describe('rke-ha options: air gap', () => {
  const json = synth({ airGap: AIR_GAP });
  const [first] = Object.values(instances(json));
  const written = parse(renderTemplate(first.user_data, (e) => `value-of-${e.replace(/[^a-z0-9]+/gi, '-')}`)).write_files as {
    path: string;
    content: string;
  }[];
  const releases = Object.values(resources(json, 'helm_release'));

  it('points RKE2 at the private registry and its mirrors, and the installer at the mirror', () => {
    expect(parse(written.find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content)['system-default-registry']).toBe('registry.internal:5000');
    expect(parse(written.find((f) => f.path === '/etc/rancher/rke2/registries.yaml')!.content)).toEqual({
      mirrors: { 'docker.io': { endpoint: ['https://registry.internal:5000'] }, 'quay.io': { endpoint: ['https://registry.internal:5000/quay'] } },
    });
    expect(written.find((f) => f.path === '/etc/rancher/bootstrap.env')!.content).toContain(
      'RKE2_INSTALL_URL="https://mirror.internal/rke2/install.sh"',
    );
  });

  it('installs both charts from the mirrored repositories, Rancher with the registry and bundled system charts', () => {
    expect(releases.find((r) => r.chart === 'cert-manager').repository).toBe('https://charts.internal/jetstack');
    const rancher = releases.find((r) => r.chart === 'rancher');
    expect(rancher.repository).toBe('https://charts.internal/rancher');
    expect(rancher.values[0]).toContain('"systemDefaultRegistry" = "registry.internal:5000"');
    expect(rancher.values[0]).toContain('"useBundledSystemChart" = true');
  });

  it('writes no registries.yaml and no registry setting by default', () => {
    const [plain] = Object.values(instances(synth({})));
    expect(plain.user_data).not.toContain('registries.yaml');
    expect(plain.user_data).not.toContain('system-default-registry');
  });
});

describe('rke-ha options: a private registry login (airGap.registryCredentials)', () => {
  const input: SettingsInput = { airGap: { ...AIR_GAP, registryCredentials: REGISTRY_LOGIN_SSM } };
  const { json, text } = synthSettings(RKE_HA_STACK, input);
  const files = (j: TerraformJson, k3s = false) =>
    Object.values(instances(j)).map(
      (server) =>
        parse(renderTemplate(server.user_data, (e) => `value-of-${e.replace(/[^a-z0-9]+/gi, '-')}`)).write_files as {
          path: string;
          permissions: string;
          content: string;
        }[],
    )[k3s ? 1 : 0];
  const written = files(json);
  const file = (path: string) => written.find((f) => f.path === path);

  it('writes no registries.yaml from user data: the login script writes it on the server, from the mirrors and the login', () => {
    expect(file('/etc/rancher/rke2/registries.yaml')).toBeUndefined();
    expect(parse(file('/etc/rancher/rke2/registries-mirrors.yaml')!.content)).toEqual({
      mirrors: { 'docker.io': { endpoint: ['https://registry.internal:5000'] }, 'quay.io': { endpoint: ['https://registry.internal:5000/quay'] } },
    });
    expect(file('/etc/rancher/rke2/registries-mirrors.yaml')!.permissions).toBe('0600');
    expect(file('/usr/local/sbin/rancher-aws-registry-credentials')!.permissions).toBe('0700');
  });

  it('runs the login script first in every bootstrap run and before every start of rke2-server', () => {
    for (const unit of ['rancher-aws-bootstrap', 'rke2-server']) {
      expect(file(`/etc/systemd/system/${unit}.service.d/rancher-aws-registry.conf`)!.content).toBe(
        '[Service]\nExecStartPre=/usr/local/sbin/rancher-aws-registry-credentials rke2\n',
      );
    }
    expect(file('/etc/rancher/bootstrap.env')!.content).toContain(
      'REGISTRY_HOST="registry.internal:5000"\nREGISTRY_STORE="ssm"\nREGISTRY_SECRET="/rancher/registry-login"\n',
    );
  });

  it('grants the node role that one parameter, and its key only through SSM for that parameter', () => {
    const policies = Object.values(json.data!.aws_iam_policy_document as Record<string, any>);
    const login = policies.flatMap((p) => p.statement ?? []).filter((st: any) => st.sid?.startsWith('RegistryCredentials'));
    expect(login.map((st: any) => [st.sid, st.actions, st.resources[0].replace(/\$\{[^}]+\}/g, '*')])).toEqual([
      ['RegistryCredentials', ['ssm:GetParameter'], 'arn:*:ssm:*:*:parameter/rancher/registry-login'],
      ['RegistryCredentialsKey', ['kms:Decrypt'], 'arn:*:kms:*:*:key/*'],
    ]);
  });

  it('holds no login and no secret literal: only where to read it', () => {
    expectSecretsByReference(json, text);
    // No configuration file written from user data holds a login (the scripts name the fields they read).
    const configs = written.filter((f) => /\.(yaml|env|conf)$/.test(f.path));
    expect(configs.map((f) => f.path)).toContain('/etc/rancher/rke2/registries-mirrors.yaml');
    expect(configs.filter((f) => /\bauth\b|username|password/.test(f.content)).map((f) => f.path)).toEqual([]);
  });

  it('K3s: the same files under /etc/rancher/k3s and a drop-in beside the datastore endpoint one', () => {
    const k3s = files(synth({ ...input, rkeHa: { distribution: 'k3s' } }), true);
    expect(k3s.find((f) => f.path === '/etc/rancher/k3s/registries.yaml')).toBeUndefined();
    expect(k3s.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        '/etc/rancher/k3s/registries-mirrors.yaml',
        '/etc/systemd/system/k3s.service.d/rancher-aws-registry.conf',
        '/etc/systemd/system/k3s.service.d/rancher-aws.conf',
        '/etc/systemd/system/rancher-aws-bootstrap.service.d/rancher-aws-registry.conf',
      ]),
    );
  });

  it('leaves the default user data and role as they were: no login script, no drop-in, no registry statement', () => {
    const plain = synthSettings(RKE_HA_STACK, {}).text;
    expect(plain).not.toContain('rancher-aws-registry');
    expect(plain).not.toContain('RegistryCredentials');
  });
});

describe('rke-ha options: K3s with an external datastore', () => {
  const json = synth({ rkeHa: { distribution: 'k3s' } });
  const servers = Object.values(instances(json));
  const [dbName, db] = Object.entries(resources(json, 'aws_db_instance'))[0];
  const groups = resources(json, 'aws_security_group');
  const nodeGroup = Object.keys(groups).find((n) => n.startsWith('node-security-group'))!;
  const dbGroup = Object.keys(groups).find((n) => n.startsWith('datastore'))!;

  it('keeps the cluster state in an encrypted, private, multi-AZ RDS PostgreSQL reachable only from the servers', () => {
    expect(db).toMatchObject({
      engine: 'postgres',
      storage_encrypted: true,
      publicly_accessible: false,
      multi_az: true,
      skip_final_snapshot: false,
      backup_retention_period: 7,
    });
    expect(db.password).toMatch(/^\$\{random_password\.datastore_password_[^}]+\.result\}$/);
    const rules = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) => r.security_group_id === `\${aws_security_group.${dbGroup}.id}`,
    );
    expect(rules.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[5432, `\${aws_security_group.${nodeGroup}.id}`]]);
  });

  it('puts the datastore in isolated subnets: no route out of the VPC', () => {
    const dbSubnets = Object.entries(resources(json, 'aws_subnet')).filter(([n]) => n.startsWith('database-subnets'));
    expect(dbSubnets.map(([, s]) => s.cidr_block)).toEqual(['10.0.192.0/20', '10.0.208.0/20', '10.0.224.0/20']);
    expect(Object.keys(resources(json, 'aws_nat_gateway'))).toEqual([]);
    const defaultRoutes = Object.values(resources(json, 'aws_route')).filter((r) => r.destination_cidr_block === '0.0.0.0/0');
    expect(defaultRoutes).toHaveLength(1);
    expect(defaultRoutes[0].gateway_id).toMatch(/aws_internet_gateway/);
  });

  it('hands the servers the connection string (with the password) through a SecureString, never user data', () => {
    const [, param] = Object.entries(resources(json, 'aws_ssm_parameter')).find(([n]) => n.includes('datastore-endpoint'))!;
    expect(param.type).toBe('SecureString');
    expect(param.value).toBe(
      `'postgres://k3s:\${${'random_password.datastore_password_'}${/datastore_password_([^.}]+)/.exec(db.password)![1]}.result}@\${aws_db_instance.${dbName}.endpoint}/k3s?sslmode=require'`,
    );
    servers.forEach((s) => expect(s.user_data).not.toContain('postgres://'));
  });

  it("opens the K3s port table between servers, not RKE2's etcd ports", () => {
    const selfRules = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) =>
        r.security_group_id === `\${aws_security_group.${nodeGroup}.id}` &&
        r.referenced_security_group_id === `\${aws_security_group.${nodeGroup}.id}`,
    );
    expect(selfRules.map((r) => `${r.ip_protocol}/${r.from_port}`).sort()).toEqual([
      'tcp/10250',
      'tcp/30000',
      'tcp/6443',
      'udp/51820',
      'udp/51821',
      'udp/8472',
    ]);
  });

  it("uses K3s' Traefik for the Rancher ingress, needs no snapshot bucket, and keeps the Helm releases", () => {
    expect(repositoryCharts(json)).toEqual(['cert-manager', 'rancher', 'rancher-backup', 'rancher-backup-crd']);
    expect(Object.values(resources(json, 'helm_release')).find((r) => r.chart === 'rancher').values[0]).toContain('"ingressClassName" = "traefik"');
    // Rancher's backups and the servers' boot documents have buckets of their own with K3s too; there is no etcd snapshot bucket.
    expect(Object.keys(resources(json, 'aws_s3_bucket'))).toEqual([
      expect.stringMatching(/^boot-documents_bucket_/),
      expect.stringMatching(/^rancher-backups_bucket_/),
    ]);
    expect(Object.keys(json.output!)).toContain('datastore_address');
    expect(Object.keys(json.output!)).not.toContain('etcd_snapshot_bucket');
  });

  it('supports MySQL too', () => {
    const mysql = synth({ rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } });
    const [, param] = Object.entries(resources(mysql, 'aws_ssm_parameter')).find(([n]) => n.includes('datastore-endpoint'))!;
    expect(param.value).toMatch(/^'mysql:\/\/k3s:\$\{[^}]+\}@tcp\(\$\{aws_db_instance\.[^}]+\.endpoint\}\)\/k3s\?tls=skip-verify'$/);
    expect(Object.values(resources(mysql, 'aws_db_instance'))[0]).toMatchObject({ engine: 'mysql', port: 3306 });
  });

  it('refuses what K3s cannot do here, naming the field', () => {
    expect(() => settings({ rkeHa: { distribution: 'k3s', ingressController: 'ingress-nginx' } })).toThrow(
      /rkeHa\.ingressController: K3s brings Traefik/,
    );
    expect(() => settings({ rkeHa: { nodeCount: 2 } })).toThrow(/rkeHa\.nodeCount: expected 1 or 3 with rke2/);
    expect(() => settings({ rkeHa: { distribution: 'k3s' }, rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toThrow(
      /rancher\.tls\.mode: .*ServiceLB hides from Traefik/,
    );
  });
});

describe('rke-ha options: egress closed except to the proxy', () => {
  const json = synth({ proxy: { http: 'http://10.9.0.5:3128', egressOnlyTo: ['10.9.0.0/24'] } });
  const groups = resources(json, 'aws_security_group');
  const nodeGroup = Object.keys(groups).find((n) => n.startsWith('node-security-group'))!;
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule')).filter(
    (r) => r.security_group_id === `\${aws_security_group.${nodeGroup}.id}`,
  );

  it('lets the nodes reach only the VPC and the proxy network', () => {
    expect(egress.map((r) => [r.ip_protocol, r.cidr_ipv4]).sort()).toEqual([
      ['-1', '10.0.0.0/16'],
      ['-1', '10.9.0.0/24'],
    ]);
  });

  it("sends Rancher's own name through the proxy then (it resolves to public load balancer addresses)", () => {
    const [server] = Object.values(instances(json));
    const noProxy = /NO_PROXY="([^"]*)"/.exec(server.user_data)![1];
    expect(noProxy).not.toContain('rancher_hostname');
  });
});

describe('rke-ha options: egress closed without a proxy (mirrors inside the allowed networks)', () => {
  const input: SettingsInput = { proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: AIR_GAP };
  const json = synth(input);
  const nodeGroup = Object.keys(resources(json, 'aws_security_group')).find((n) => n.startsWith('node-security-group'))!;
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule')).filter(
    (r) => r.security_group_id === `\${aws_security_group.${nodeGroup}.id}`,
  );
  const services = (j: TerraformJson) =>
    Object.values(resources(j, 'aws_vpc_endpoint'))
      .map((e) => [String(e.service_name).split('.').pop(), e.vpc_endpoint_type])
      .sort();

  it('adds the endpoints the nodes need to boot and be reached: SSM, Session Manager, the agent channel, S3 for snapshots, STS for the backup credentials', () => {
    expect(services(json)).toEqual([
      ['ec2messages', 'Interface'],
      ['s3', 'Gateway'],
      ['ssm', 'Interface'],
      ['ssmmessages', 'Interface'],
      ['sts', 'Interface'],
    ]);
  });

  it('lets the nodes reach the VPC (where the interface endpoints are), the listed networks, and S3 through the gateway', () => {
    const [s3] = Object.values(resources(json, 'aws_vpc_endpoint')).filter((e) => e.vpc_endpoint_type === 'Gateway');
    expect(s3).toBeDefined();
    const [s3Name] = Object.entries(resources(json, 'aws_vpc_endpoint')).find(([, e]) => e.vpc_endpoint_type === 'Gateway')!;
    expect(egress.map((r) => [r.ip_protocol, r.cidr_ipv4 ?? r.prefix_list_id, r.from_port ?? null]).sort()).toEqual([
      ['-1', '10.0.0.0/16', null],
      ['-1', '10.9.0.0/24', null],
      ['tcp', `\${aws_vpc_endpoint.${s3Name}.prefix_list_id}`, 443],
    ]);
  });

  it('boots no server before its egress rules and the endpoints exist (a new group has no egress at all)', () => {
    const needed = [
      ...Object.keys(resources(json, 'aws_vpc_endpoint')).map((n) => `aws_vpc_endpoint.${n}`),
      ...Object.entries(resources(json, 'aws_vpc_security_group_egress_rule'))
        .filter(([, r]) => r.security_group_id === `\${aws_security_group.${nodeGroup}.id}`)
        .map(([n]) => `aws_vpc_security_group_egress_rule.${n}`),
    ];
    expect(needed).toHaveLength(8);
    const servers = Object.keys(resources(json, 'aws_instance')).map((n) => `aws_instance.${n}`);
    expect(servers).toHaveLength(3);
    for (const server of servers) expect(needed.filter((a) => !dependencyClosure(json, server).has(a))).toEqual([]);
    // With egress open, its one rule.
    const open = synth({});
    const [all] = Object.keys(resources(open, 'aws_vpc_security_group_egress_rule')).filter((n) => n.startsWith('node-security-group_egress-all'));
    expect(
      dependencyClosure(open, `aws_instance.${Object.keys(resources(open, 'aws_instance'))[0]}`).has(`aws_vpc_security_group_egress_rule.${all}`),
    ).toBe(true);
  });

  it('adds nothing with a proxy (it carries SSM and S3), and the S3 rule whenever closed egress meets a configured S3 gateway', () => {
    expect(services(synth({ proxy: { http: 'http://10.9.0.5:3128', egressOnlyTo: ['10.9.0.0/24'] } }))).toEqual([]);
    const withGateway = synth({ proxy: { http: 'http://10.9.0.5:3128', egressOnlyTo: ['10.9.0.0/24'] }, vpc: { endpoints: ['s3'] } });
    expect(Object.values(resources(withGateway, 'aws_vpc_security_group_egress_rule')).filter((r) => r.prefix_list_id)).toHaveLength(1);
    // Open egress needs no rule for it.
    expect(
      Object.values(resources(synth({ vpc: { endpoints: ['s3'] } }), 'aws_vpc_security_group_egress_rule')).filter((r) => r.prefix_list_id),
    ).toEqual([]);
  });

  it('is refused without the mirrors, naming proxy.egressOnlyTo', () => {
    expect(() => settings({ proxy: { egressOnlyTo: ['10.9.0.0/24'] } })).toThrow(
      /proxy\.egressOnlyTo: closes the nodes' egress .* set airGap\.installerUrl/,
    );
  });
});

describe('rke-ha options: no secret literal in any variant', () => {
  // The options by the variants that turn them on (synthesized by every file that reads the variants): K3s on either
  // database, one private node, a proxy with closed egress, an air gap with mirrors, the audit log on the hosts.
  const variants = [
    'rke-ha k3s on PostgreSQL',
    'rke-ha k3s on MySQL',
    'rke-ha single private node, SSH, site, admin CIDRs, S3 backend, eu-west-1, alarm e-mail',
    AUDIT_LOG_VARIANT,
  ];

  it.each(variants)('%s', (name) => {
    const { json, text } = synthSettings(RKE_HA_STACK, variantSettings(name));
    expectSecretsByReference(json, text);
  });
});
