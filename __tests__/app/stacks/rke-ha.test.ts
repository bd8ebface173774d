import type { SettingsInput } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { PINS } from '../../../lib/config/pins';
import { RECORDED_SUMS } from '../../../lib/config/release-sums';
import { RKE2_SERVER_PORTS } from '../../../lib/nodes/private/ports';
import { dataSources, expressionsReferring, only, resources, userDataOf, type TerraformJson } from '../../helpers/synth';
import { gates } from '../../helpers/gates';
import { EXAMPLE_DOMAIN, synthSettings, RKE_HA_STACK } from '../../helpers/variants';
import { apiCertificateEndLiterals, CLUSTER_INITIALIZED_MARKER, secretLiterals } from '../../helpers/secrets';

function synth(input: SettingsInput = {}) {
  return synthSettings(RKE_HA_STACK, input);
}

/**
 * Settings rke-ha-day2.test.ts synthesizes as a day-2 change, spelled as it spells them (the Route53 name
 * EXAMPLE_DOMAIN) where what a test reads does not depend on the name: the same settings, one synth in a run.
 */
const asDay2 = (input: SettingsInput): SettingsInput => ({ ...EXAMPLE_DOMAIN, ...input });

const addr = (type: string, name: string) => `${type}.${name}`;
const byName = (json: TerraformJson, type: string) => Object.entries(resources(json, type));

const { json, text } = synth();

describe('rke-ha stack: nodes', () => {
  const instances = byName(json, 'aws_instance');
  const subnets = resources(json, 'aws_subnet');

  it('has three servers in three distinct subnets in three distinct zones', () => {
    expect(instances).toHaveLength(3);
    const subnetRefs = instances.map(([, i]) => i.subnet_id);
    expect(new Set(subnetRefs).size).toBe(3);
    const zones = subnetRefs.map((r: string) => subnets[/aws_subnet\.([^.]+)\.id/.exec(r)![1]].availability_zone);
    expect(new Set(zones).size).toBe(3);
    zones.forEach((zone: string) => expect(zone).toMatch(/^\$\{element\(data\.aws_availability_zones\.[^.]+\.names, [012]\)\}$/));
  });

  it('requires IMDSv2 with hop limit 1 and encrypts every root volume', () => {
    for (const [, i] of instances) {
      expect(i.metadata_options).toEqual({
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      });
      expect(i.root_block_device).toMatchObject({ encrypted: true, volume_type: 'gp3', volume_size: 100 });
      expect(i.instance_type).toBe('${var.instance_type}');
      expect(i.key_name).toBeUndefined();
    }
  });

  it('never replaces the servers for a new AMI or edited user data', () => {
    for (const [, i] of instances) {
      expect(i.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['ami', 'user_data']));
      expect(i.user_data_replace_on_change).toBe(false);
    }
  });

  it('gives the servers fixed addresses inside their subnets, and only server-0 may initialize', () => {
    const ips = instances.map(([, i]) => i.private_ip);
    expect(ips).toEqual(['10.0.0.10', '10.0.16.10', '10.0.32.10']);
    const env = (i: any, name: string) => new RegExp(`${name}="([^"]*)"`).exec(userDataOf(json, i))![1];
    expect(instances.map(([, i]) => env(i, 'NODE_ROLE'))).toEqual(['init', 'join', 'join']);
    // Private-subnet addresses of the same servers, where a move to privateNodes puts them.
    const privateIps = ['10.0.128.10', '10.0.144.10', '10.0.160.10'];
    instances.forEach(([, i], n) => {
      expect(env(i, 'PEER_IPS').split(' ')).toEqual([...ips.filter((_, m) => m !== n), ...privateIps.filter((_, m) => m !== n)]);
      expect(env(i, 'PREVIOUS_SERVER_IPS')).toBe(n === 0 ? '' : `${ips[n - 1]} ${privateIps[n - 1]}`);
    });
  });

  it('boots only after its parameters and IAM grants exist', () => {
    const params = Object.keys(resources(json, 'aws_ssm_parameter'))
      .filter((n) => n.startsWith('boot-parameters'))
      .map((n) => addr('aws_ssm_parameter', n));
    expect(params).toHaveLength(5);
    for (const [, i] of instances) {
      expect(i.depends_on).toEqual(expect.arrayContaining(params));
      expect(i.depends_on.some((d: string) => d.startsWith('aws_iam_role_policy.'))).toBe(true);
    }
  });
});

describe('rke-ha stack: load balancer and DNS', () => {
  const [lbName, lb] = only(json, 'aws_lb');
  const listeners = Object.values(resources(json, 'aws_lb_listener'));
  const groups = resources(json, 'aws_lb_target_group');
  const attachments = Object.values(resources(json, 'aws_lb_target_group_attachment'));
  const instanceRefs = Object.keys(resources(json, 'aws_instance')).map((n) => `\${aws_instance.${n}.id}`);

  it('is an internet-facing, cross-zone NLB over the three public subnets', () => {
    expect(lb).toMatchObject({ load_balancer_type: 'network', internal: false, enable_cross_zone_load_balancing: true });
    expect(lb.subnets).toHaveLength(3);
  });

  it.each([80, 443, 6443])('forwards TCP %i to a target group holding all three servers', (port) => {
    const listener = listeners.find((l) => l.port === port);
    expect(listener).toMatchObject({ protocol: 'TCP', load_balancer_arn: `\${aws_lb.${lbName}.arn}` });
    const groupName = /aws_lb_target_group\.([^.]+)\.arn/.exec(listener.default_action[0].target_group_arn)![1];
    expect(groups[groupName]).toMatchObject({ port, protocol: 'TCP', target_type: 'instance' });
    expect(groups[groupName].health_check).toMatchObject({ protocol: 'TCP' });
    const targets = attachments.filter((a) => a.target_group_arn === `\${aws_lb_target_group.${groupName}.arn}`).map((a) => a.target_id);
    expect(targets.sort()).toEqual([...instanceRefs].sort());
  });

  it('has no other listener', () => {
    expect(listeners.map((l) => l.port).sort()).toEqual([443, 6443, 80]);
  });

  it('points the Rancher hostname at the NLB with an alias record in the zone found by name', () => {
    const [, record] = only(json, 'aws_route53_record');
    expect(record).toMatchObject({
      name: '${var.rancher_hostname}',
      type: 'A',
      alias: { name: `\${aws_lb.${lbName}.dns_name}`, zone_id: `\${aws_lb.${lbName}.zone_id}`, evaluate_target_health: true },
    });
    const [zoneName, zone] = Object.entries(dataSources(json, 'aws_route53_zone'))[0];
    expect(zone).toMatchObject({ name: '${var.route53_zone_name}', private_zone: false });
    expect(record.zone_id).toBe(`\${data.aws_route53_zone.${zoneName}.zone_id}`);
  });
});

describe('rke-ha stack: security groups', () => {
  const groups = resources(json, 'aws_security_group');
  const nodeGroup = Object.keys(groups).find((n) => n.startsWith('node-security-group'))!;
  const lbGroup = Object.keys(groups).find((n) => n.startsWith('load-balancer'))!;
  const ingress = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'));
  const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));
  const sg = (n: string) => `\${aws_security_group.${n}.id}`;
  const key = (r: { ip_protocol: string; from_port: number; to_port: number }) => `${r.ip_protocol}/${r.from_port}-${r.to_port}`;

  it('opens exactly the RKE2 server port table between nodes', () => {
    const selfRules = ingress.filter((r) => r.security_group_id === sg(nodeGroup) && r.referenced_security_group_id === sg(nodeGroup));
    expect(selfRules.map(key).sort()).toEqual(RKE2_SERVER_PORTS.map((p) => `${p.protocol}/${p.from}-${p.to}`).sort());
  });

  it('admits to the nodes from outside only 80, 443 and 6443, and only from the load balancer', () => {
    const fromOutside = ingress.filter((r) => r.security_group_id === sg(nodeGroup) && r.referenced_security_group_id !== sg(nodeGroup));
    expect(fromOutside.map(key).sort()).toEqual(['tcp/443-443', 'tcp/6443-6443', 'tcp/80-80']);
    fromOutside.forEach((r) => expect(r.referenced_security_group_id).toBe(sg(lbGroup)));
  });

  it('opens only 80 and 443 to the world; 6443 only to the admin CIDRs', () => {
    const world = ingress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(world.map(key).sort()).toEqual(['tcp/443-443', 'tcp/80-80']);
    world.forEach((r) => expect(r.security_group_id).toBe(sg(lbGroup)));
    const api = ingress.find((r) => r.security_group_id === sg(lbGroup) && r.from_port === 6443);
    expect(api.for_each).toMatch(/local\.admin_cidrs_effective/);
    expect(api.cidr_ipv4).toBe('${each.value}');
  });

  it('lets the load balancer send only to the nodes, on its own ports', () => {
    const lbEgress = egress.filter((r) => r.security_group_id === sg(lbGroup));
    expect(lbEgress.map(key).sort()).toEqual(['tcp/443-443', 'tcp/6443-6443', 'tcp/80-80']);
    lbEgress.forEach((r) => expect(r.referenced_security_group_id).toBe(sg(nodeGroup)));
  });

  it('has no SSH rule unless a key pair is configured, then only from admin CIDRs', () => {
    expect(ingress.some((r) => r.from_port === 22)).toBe(false);
    const withSsh = synth(asDay2({ rkeHa: { sshKeyName: 'ops' } })).json;
    const ssh = Object.values(resources(withSsh, 'aws_vpc_security_group_ingress_rule')).filter((r) => r.from_port === 22);
    expect(ssh).toHaveLength(1);
    expect(ssh[0].for_each).toMatch(/local\.admin_cidrs_effective/);
    Object.values(resources(withSsh, 'aws_instance')).forEach((i) => expect(i.key_name).toBe('ops'));
  });
});

describe('rke-ha stack: cluster access and Helm', () => {
  const [certManagerName, certManager] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'cert-manager')!;
  const [, rancher] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
  const http = dataSources(json, 'http');
  const [readyzName, readyz] = Object.entries(http).find(([, d]) => String(d.url).endsWith('/readyz'))!;

  it('configures Helm and Kubernetes from Terraform-generated credentials, no kubeconfig file', () => {
    const helm = json.provider!.helm[0].kubernetes;
    const kube = json.provider!.kubernetes[0];
    for (const p of [helm, kube]) {
      // The NLB's own name: in every server's certificate (tls-san), and unchanged by a new hostname.
      expect(p.host).toMatch(/^https:\/\/\$\{aws_lb\.load-balancer_lb_[0-9A-F]+\.dns_name\}:6443$/);
      expect(p.cluster_ca_certificate).toMatch(/^\$\{tls_self_signed_cert\.pki_server-ca-cert_[^}]+\.cert_pem\}$/);
      expect(p.client_certificate).toMatch(/^\$\{tls_locally_signed_cert\.pki_admin-cert_[^}]+\.cert_pem\}$/);
      expect(p.client_key).toMatch(/^\$\{tls_private_key\.pki_admin-key_[^}]+\.private_key_pem\}$/);
      expect(p.config_path).toBeUndefined();
    }
  });

  it('waits for the API server before any Helm release, and for cert-manager before Rancher', () => {
    expect(readyz.depends_on).toEqual(expect.arrayContaining(Object.keys(resources(json, 'aws_instance')).map((n) => addr('aws_instance', n))));
    // ...and on every rule and route between Terraform and the API, so a destroy removes those last.
    const apiPath = [
      ...Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
        (n) => n.startsWith('load-balancer_') || n.startsWith('node-security-group_from-lb'),
      ),
    ].map((n) => addr('aws_vpc_security_group_ingress_rule', n));
    apiPath.push(...Object.keys(resources(json, 'aws_route')).map((n) => addr('aws_route', n)));
    apiPath.push(...Object.keys(resources(json, 'aws_route_table_association')).map((n) => addr('aws_route_table_association', n)));
    expect(readyz.depends_on).toEqual(expect.arrayContaining(apiPath));
    expect(readyz.lifecycle.postcondition[0].condition).toBe('${self.status_code == 200}');
    // The API is reached by Rancher's name, so the probe waits for the record (no negative DNS answer is cached).
    const [recordName] = Object.keys(resources(json, 'aws_route53_record'));
    expect(readyz.depends_on).toContain(addr('aws_route53_record', recordName));
    // In-cluster gates run once the API answers; the charts wait for them.
    const [gatesNamespace] = Object.entries(resources(json, 'kubernetes_namespace_v1')).find(([, n]) => n.metadata.name === 'rancher-aws-gates')!;
    expect(resources(json, 'kubernetes_namespace_v1')[gatesNamespace].depends_on).toEqual([addr('data.http', readyzName)]);
    const gate = (name: string) => addr('helm_release', gates(json)[`rancher-aws-${name}`].address);
    expect(certManager.depends_on).toEqual([gate('servers-ready')]);
    // ...and Rancher after every server joined, the ingress webhook answers, cert-manager, and the name leads to
    // the ingress: the DNS record and the balancer's listeners and rules (Let's Encrypt's HTTP-01 check comes in).
    const front = [
      ...Object.keys(resources(json, 'aws_lb_listener')).map((n) => addr('aws_lb_listener', n)),
      ...Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule'))
        .filter((n) => /^(load-balancer_ingress|node-security-group_from-lb-(80|443)_)/.test(n))
        .map((n) => addr('aws_vpc_security_group_ingress_rule', n)),
      ...Object.keys(resources(json, 'aws_vpc_security_group_egress_rule'))
        .filter((n) => n.startsWith('load-balancer_'))
        .map((n) => addr('aws_vpc_security_group_egress_rule', n)),
    ];
    expect(front).toHaveLength(11);
    expect(rancher.depends_on.slice(0, 4)).toEqual([
      gate('servers-ready'),
      gate('ingress-ready'),
      addr('helm_release', certManagerName),
      addr('aws_route53_record', recordName),
    ]);
    expect([...rancher.depends_on.slice(4)].sort()).toEqual([...front].sort());
  });

  it('installs pinned cert-manager with its CRDs', () => {
    expect(certManager).toMatchObject({
      repository: 'https://charts.jetstack.io',
      version: DEFAULT_VERSIONS.certManager,
      namespace: 'cert-manager',
      wait: true,
      set: [{ name: 'crds.enabled', value: 'true' }],
    });
  });

  it('installs pinned Rancher with hostname, 3 replicas, the traefik class and its own certificate', () => {
    expect(rancher).toMatchObject({
      repository: 'https://releases.rancher.com/server-charts/stable',
      version: DEFAULT_VERSIONS.rancher,
      create_namespace: false,
    });
    // The namespace is Terraform's, so a change of TLS choice never creates or deletes it.
    const [namespaceName, namespace] = Object.entries(resources(json, 'kubernetes_namespace_v1')).find(([id]) =>
      id.startsWith('rancher-namespace_'),
    )!;
    expect(namespace.metadata).toEqual({ name: 'cattle-system' });
    expect(rancher.namespace).toBe(`\${kubernetes_namespace_v1.${namespaceName}.metadata[0].name}`);
    expect(rancher.values).toHaveLength(1);
    expect(rancher.values[0]).toMatch(
      /^\$\{yamlencode\(\{"hostname" = var\.rancher_hostname, "replicas" = 3, "ingress" = \{"ingressClassName" = "traefik", "includeDefaultExtraAnnotations" = false, "tls" = \{"source" = "rancher"\}\}, "postDelete" = /,
    );
    // No hook of ours in the release: the certificate wait is a gate after it (a slow issuance never rolls Rancher back).
    expect(rancher.values[0]).not.toContain('helm.sh/hook');
    expect(rancher).toMatchObject({ atomic: true, timeout: 1200 });
    expect(rancher.set_sensitive).toEqual([
      { name: 'bootstrapPassword', value: expect.stringMatching(/^\$\{random_password\.rancher_bootstrap-password_[^}]+\.result\}$/) },
    ]);
  });

  it('ends the apply only when https://<hostname>/ping answers pong with the Rancher CA', () => {
    const [pingName, ping] = Object.entries(http).find(([, d]) => String(d.url).endsWith('/ping'))!;
    expect(ping.url).toBe('https://${var.rancher_hostname}/ping');
    expect(ping.ca_cert_pem).toMatch(/^\$\{data\.kubernetes_secret_v1\.[^}]+\.data\["tls\.crt"\]\}$/);
    expect(ping.lifecycle.postcondition[0].condition).toContain('== "pong"');
    const [, secret] = Object.entries(dataSources(json, 'kubernetes_secret_v1'))[0];
    expect(secret.metadata).toEqual({ name: 'tls-rancher', namespace: 'cattle-system' });
    expect(secret.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^helm_release\.rancher_release/),
        expect.stringMatching(/^helm_release\.readiness-gates_certificate-ready/),
        expect.stringMatching(/^aws_route53_record\./),
      ]),
    );
    expect(json.output!.rancher_url.value).toBe(`\${trimsuffix(data.http.${pingName}.url, "/ping")}`);
  });
});

describe('rke-ha stack: outputs, secrets and portability', () => {
  it('outputs the URL, the NLB name, and the password and kubeconfig as sensitive', () => {
    const out = json.output!;
    expect(Object.keys(out).sort()).toEqual([
      'alarm_topic',
      'etcd_snapshot_bucket',
      'join_token',
      'kubeconfig',
      'load_balancer_dns_name',
      'rancher_admin_password',
      'rancher_admin_token',
      'rancher_backup_bucket',
      'rancher_backup_encryption_config',
      'rancher_bootstrap_password',
      'rancher_url',
      'servers_pending_replacement',
    ]);
    expect(out.rancher_bootstrap_password.sensitive).toBe(true);
    expect(out.kubeconfig.sensitive).toBe(true);
    expect(out.join_token.sensitive).toBe(true);
    expect(out.load_balancer_dns_name.sensitive).toBeUndefined();
  });

  it('the token parameter ignores changes of its value (the rotate command writes it), no other secret parameter does; join_token reads it back', () => {
    const parameters = Object.entries(resources(json, 'aws_ssm_parameter')).filter(([, p]) => p.type === 'SecureString');
    const rotated = parameters.filter(([, p]) => p.lifecycle?.ignore_changes !== undefined);
    expect(rotated.map(([, p]) => [p.name, p.lifecycle.ignore_changes])).toEqual([[expect.stringMatching(/\/token$/), ['value']]]);
    // The output is the parameter's value as the state holds it: a refresh after a rotation reads the new token.
    expect(json.output!.join_token.value).toBe(`\${aws_ssm_parameter.${rotated[0][0]}.value}`);
  });

  it('holds no private key, certificate, password or token literal', () => {
    expect(text).not.toMatch(/-----BEGIN/);
    // The marker a replaced first server looks for is the one literal, and not a secret.
    expect(secretLiterals(json).sort()).toEqual(
      [CLUSTER_INITIALIZED_MARKER, 'resource.aws_ssm_parameter.server-count.value=3', ...apiCertificateEndLiterals(json)].sort(),
    );
    expect(resources(json, 'aws_ssm_parameter')['cluster-initialized']).toMatchObject({
      type: 'String',
      depends_on: [expect.stringMatching(/^data\.http\.api-readiness_readyz/)],
    });
    for (const p of Object.values(resources(json, 'aws_ssm_parameter')).filter((p) => p.type === 'SecureString')) {
      expect(p.type).toBe('SecureString');
      expect(p.value).toMatch(
        /^\$\{(random_password|tls_self_signed_cert|tls_private_key)\.|^\$\{format\("K10%s::server:%s", sha256\(tls_self_signed_cert\.[^)]+\), random_password\.join-token\.result\)\}$/,
      );
    }
  });

  it("encrypts the snapshot bucket with the stack's key, which the node role may use through S3 for that bucket", () => {
    const [keyName] = Object.keys(resources(json, 'aws_kms_key'));
    const [bucketName] = only(json, 'aws_s3_bucket', (name) => name.startsWith('etcd-snapshots_'));
    const [, encryption] = only(json, 'aws_s3_bucket_server_side_encryption_configuration', (name) => name.startsWith('etcd-snapshots_'));
    expect(encryption.rule[0]).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: `\${aws_kms_key.${keyName}.arn}` },
      bucket_key_enabled: true,
    });
    const policy = dataSources(json, 'aws_iam_policy_document')[
      /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(resources(json, 'aws_kms_key')[keyName].policy)![1]
    ];
    const s3 = policy.statement.find((st: any) => st.sid === 'NodesUseSnapshotBucket');
    expect(s3.principals[0].identifiers).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.node-role_[^.]+\.arn\}$/)]);
    expect(s3.condition[1]).toEqual({
      test: 'StringEquals',
      variable: 'kms:EncryptionContext:aws:s3:arn',
      values: [`\${aws_s3_bucket.${bucketName}.arn}`],
    });
    // The K3s layout has no bucket, and no S3 use of the key.
    const k3s = synth({ rkeHa: { distribution: 'k3s' } }).json;
    expect(JSON.stringify(dataSources(k3s, 'aws_iam_policy_document'))).not.toContain('NodesUseSnapshotBucket');
  });

  it("writes each server's boot document to the boot bucket under the stack's key, which the node role alone reads and decrypts", () => {
    const [keyName, key] = only(json, 'aws_kms_key');
    const [bucketName] = only(json, 'aws_s3_bucket', (name) => name.startsWith('boot-documents_'));
    const bucketArn = `\${aws_s3_bucket.${bucketName}.arn}`;
    const objects = Object.entries<any>(resources(json, 'aws_s3_object')).filter(([name]) => /^server-\d_boot-document_/.test(name));
    expect(objects.map(([, o]) => o.key)).toEqual(['server-0.yaml', 'server-1.yaml', 'server-2.yaml']);
    for (const [objectName, object] of objects) {
      expect(object).toMatchObject({
        bucket: `\${aws_s3_bucket.${bucketName}.bucket}`,
        server_side_encryption: 'aws:kms',
        kms_key_id: `\${aws_kms_key.${keyName}.arn}`,
        bucket_key_enabled: true,
      });
      const server = Object.values<any>(resources(json, 'aws_instance')).find((i) => i.tags.Name.endsWith(object.key.replace('.yaml', '')))!;
      // What the loader fetches is what the server runs; the instance waits for it.
      expect(server.depends_on).toContain(`aws_s3_object.${objectName}`);
      expect(userDataOf(json, server)).toBe(json.locals![/^\$\{local\.([^}]+)\}$/.exec(object.content)![1]]);
    }
    const role = Object.values<any>(dataSources(json, 'aws_iam_policy_document')).find((d) => d['//'].metadata.path.endsWith('/node-role/policy'));
    expect(role.statement.find((st: any) => st.sid === 'BootDocuments')).toEqual({
      sid: 'BootDocuments',
      actions: ['s3:GetObject'],
      resources: ['server-0.yaml', 'server-1.yaml', 'server-2.yaml'].map((k) => `${bucketArn}/${k}`),
    });
    const policy = dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(key.policy)![1]];
    const throughBootBucket = [
      {
        test: 'StringEquals',
        variable: 'kms:ViaService',
        values: [expect.stringMatching(/^s3\.\$\{data\.aws_region\.[^}]+\}\.\$\{data\.aws_partition\.[^}]+\.dns_suffix\}$/)],
      },
      { test: 'StringEquals', variable: 'kms:EncryptionContext:aws:s3:arn', values: [bucketArn] },
    ];
    expect(policy.statement.find((st: any) => st.sid === 'NodesReadBootDocuments')).toEqual({
      sid: 'NodesReadBootDocuments',
      principals: [{ type: 'AWS', identifiers: [expect.stringMatching(/^\$\{aws_iam_role\.node-role_[^.]+\.arn\}$/)] }],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      condition: throughBootBucket,
    });
    expect(policy.statement.find((st: any) => st.sid === 'DeployersWriteBootDocuments')).toMatchObject({
      actions: ['kms:GenerateDataKey'],
      condition: throughBootBucket,
    });
  });

  it("lets only the deployers write the boot documents, under the stack's key, and writes them so after the bucket's policy", () => {
    const [keyName, key] = only(json, 'aws_kms_key');
    const [bucketName] = only(json, 'aws_s3_bucket', (name) => name.startsWith('boot-documents_'));
    const [policyName, bucketPolicy] = only(json, 'aws_s3_bucket_policy', (name) => name.startsWith('boot-documents_'));
    const documentOf = (reference: string) =>
      dataSources(json, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(reference)![1]];
    const denied = Object.fromEntries(documentOf(bucketPolicy.policy).statement.map((st: any) => [st.sid, st]));
    const keyArn = `\${aws_kms_key.${keyName}.arn}`;
    expect(denied.DenyWritesNotSseKms.condition).toEqual([
      { test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption', values: ['aws:kms'] },
    ]);
    expect(denied.DenyWritesUnderAnotherKey.condition).toEqual([
      { test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption-aws-kms-key-id', values: [keyArn] },
    ]);
    // The writers are the identities the key lets encrypt there: the one running Terraform, and deployer_arns.
    const keyWriters = documentOf(key.policy).statement.find((st: any) => st.sid === 'DeployersWriteBootDocuments').principals[0].identifiers;
    // The identity running Terraform unless `read_deployer_session` is false (a failover's standby: no IAM call).
    expect(keyWriters).toMatch(/^\$\{concat\(data\.aws_iam_session_context\.[^.]+\[\*\]\.issuer_arn, var\.deployer_arns\)\}$/);
    expect(denied.DenyWritesByOthers.condition).toEqual([{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: keyWriters }]);
    for (const sid of ['DenyWritesNotSseKms', 'DenyWritesUnderAnotherKey', 'DenyWritesByOthers'])
      expect(denied[sid].resources).toEqual([`\${aws_s3_bucket.${bucketName}.arn}/*`]);
    // Terraform's own writes pass: SSE-KMS under that key, after the policy that says so.
    const objects = Object.entries<any>(resources(json, 'aws_s3_object')).filter(([name]) => /^server-\d_boot-document_/.test(name));
    expect(objects).toHaveLength(3);
    for (const [, object] of objects) {
      expect(object).toMatchObject({ server_side_encryption: 'aws:kms', kms_key_id: keyArn });
      expect(object.depends_on).toContain(`aws_s3_bucket_policy.${policyName}`);
    }
  });

  it('sends snapshot events to the topic the key policy lets S3 use the key for, and outputs it', () => {
    const withEvents = synth(asDay2({ rkeHa: { etcdSnapshots: { eventNotifications: true, accessLogging: true, objectLock: true } } })).json;
    const [topicName, topic] = only(withEvents, 'aws_sns_topic', (name) => name.startsWith('etcd-snapshot-events'));
    const [keyName, key] = only(withEvents, 'aws_kms_key');
    expect(topic).toMatchObject({ name: 'rancher-rke-ha-etcd-events', kms_master_key_id: `\${aws_kms_key.${keyName}.arn}` });
    const policy = dataSources(withEvents, 'aws_iam_policy_document')[/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(key.policy)![1]];
    expect(policy.statement.find((st: any) => st.sid === 'S3PublishesSnapshotEvents').condition[0].values[0]).toMatch(/:rancher-rke-ha-etcd-events$/);
    expect(withEvents.output!.etcd_snapshot_events_topic.value).toBe(`\${aws_sns_topic.${topicName}.arn}`);
    expect(Object.keys(resources(withEvents, 'aws_s3_bucket_logging'))).toHaveLength(1);
    expect(Object.keys(resources(withEvents, 'aws_s3_bucket_object_lock_configuration'))).toHaveLength(1);
    // K3s has no snapshot bucket: the options have nothing to act on.
    const k3s = synth({ rkeHa: { distribution: 'k3s', etcdSnapshots: { eventNotifications: true, accessLogging: true, objectLock: true } } }).json;
    for (const type of ['aws_s3_bucket_logging', 'aws_s3_bucket_object_lock_configuration']) expect(resources(k3s, type)).toEqual({});
    expect(Object.keys(resources(k3s, 'aws_sns_topic')).filter((name) => name.startsWith('etcd-snapshot-events'))).toEqual([]);
  });

  it('has no absolute path and an explicit local backend relative to the stack directory', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.rke-ha.tfstate' } });
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/"(\/root|\/home|\/tmp|\/work)\//);
  });

  it('uses the S3 backend with encryption and a lock file when configured', () => {
    const s3 = synth({ backend: { type: 's3', bucket: 'acme-tf-state' } }).json;
    expect(s3.terraform.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'rancher/rke-ha.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true },
    });
  });

  it('exposes environment-specific values as Terraform variables with settings defaults', () => {
    const withValues = synth({ hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24'] }).json;
    expect(withValues.variable!.rancher_hostname.default).toBe('rancher.acme.io');
    expect(withValues.variable!.route53_zone_name.default).toBe('acme.io');
    expect(withValues.variable!.admin_cidrs.default).toEqual(['10.8.0.0/24']);
    expect(json.variable!.deployer_arns).toMatchObject({ type: 'list(string)', default: [], nullable: false });
    expect(json.variable!.rancher_hostname.default).toBeUndefined();
    expect(dataSources(json, 'http').deployer_ip.count).toBe('${length(var.admin_cidrs) == 0 ? 1 : 0}');
  });
});

describe('rke-ha stack: settings that change the shape', () => {
  it('pins an explicit AMI without a lookup, through the record (a new pin replaces the record, not the servers)', () => {
    const pinned = (amiId: string) => synth(asDay2({ rkeHa: { amiId } })).json;
    const [before, after] = [pinned('ami-0123456789abcdef0'), pinned('ami-0fedcba9876543210')];
    expect(dataSources(before, 'aws_ami')).toEqual({});
    const [recordName, record] = only(before, 'terraform_data', (name) => name.startsWith('ami_recorded-image_'));
    expect([record.input, record.triggers_replace]).toEqual(['ami-0123456789abcdef0', 'ami-0123456789abcdef0']);
    expect(only(after, 'terraform_data', (name) => name.startsWith('ami_recorded-image_'))[1].triggers_replace).toBe('ami-0fedcba9876543210');
    for (const json of [before, after])
      Object.values(resources(json, 'aws_instance')).forEach((i) => expect(i.ami).toBe(`\${terraform_data.${recordName}.output}`));
    // The only expressions that differ between the two pins are the record's.
    const changed = (a: unknown, b: unknown, path = ''): string[] =>
      a && b && typeof a === 'object' && typeof b === 'object'
        ? [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => changed((a as any)[k], (b as any)[k], `${path}.${k}`))
        : a === b
          ? []
          : [path];
    expect(changed(before.resource, after.resource)).toEqual([
      `.terraform_data.${recordName}.input`,
      `.terraform_data.${recordName}.triggers_replace`,
    ]);
  });

  it('records the image once: a new Canonical image reaches no instance, output or check, only the ignored record input', () => {
    const [lookup] = Object.keys(dataSources(json, 'aws_ami'));
    const [recordName, record] = only(json, 'terraform_data', (name) => name.startsWith('ami_recorded-image_'));
    expect(`terraform_data.${recordName}`).toMatch(/^terraform_data\.[^ ]*ami_recorded-image(_[0-9A-Fa-f]+)?$/);
    expect(record.lifecycle).toEqual({ ignore_changes: ['input'] });
    expect(expressionsReferring(json, `data.aws_ami.${lookup}`)).toEqual([`resource.terraform_data.${recordName}.input`]);
    const recorded = `terraform_data.${recordName}.output`;
    const instances = byName(json, 'aws_instance');
    expect(instances).toHaveLength(3);
    instances.forEach(([, i]) => expect(i.ami).toBe(`\${${recorded}}`));
    // The stale-server list (local servers_stale, read by check servers_up_to_date and output
    // servers_pending_replacement) compares with the record.
    const servers = ['server-0', 'server-1', 'server-2'];
    expect(expressionsReferring(json, recorded).sort()).toEqual(
      [...instances.map(([name]) => `resource.aws_instance.${name}.ami`), ...servers.map((server) => `locals.servers_stale.${server}`)].sort(),
    );
    expect(json.output!.servers_pending_replacement.value).toEqual(
      Object.fromEntries(servers.map((server) => [server, `\${local.servers_stale["${server}"]}`])),
    );
  });

  it('warns about every held attribute, the image included, like any other pending change', () => {
    const local = json.locals!.servers_stale as Record<string, string>;
    for (const server of ['server-0', 'server-1', 'server-2'])
      expect(local[server]).toMatch(/\(terraform_data\.ami_recorded-image_[0-9A-F]+\.output != aws_instance\.[^.]+\.ami\) \? "ami"/);
    // One assertion per server, so a plan that adds servers (their lists unknown) still renders the others' messages.
    const check = (json as unknown as { check: Record<string, { assert: { condition: string; error_message: string }[] }> }).check.servers_up_to_date;
    expect(check.assert.map((a) => a.condition)).toEqual(
      ['server-0', 'server-1', 'server-2'].map((s) => `\${length(local.servers_stale["${s}"]) == 0}`),
    );
    check.assert.forEach((a, i) =>
      expect(a.error_message).toContain(
        `server-${i} keeps settings it cannot take while running: \${join(", ", local.servers_stale["server-${i}"])}`,
      ),
    );
  });

  it('protects both load balancers from deletion unless rkeHa.loadBalancer.deletionProtection is false', () => {
    const external = { rancher: { tls: { mode: 'external' as const, issuer: 'acme' as const } } };
    const protectedLbs = Object.values(resources(synth(external).json, 'aws_lb'));
    expect(protectedLbs.map((lb) => [lb.enable_deletion_protection, lb.lifecycle?.prevent_destroy])).toEqual([
      [true, true],
      [true, true],
    ]);
    const open = Object.values(resources(synth({ ...external, rkeHa: { loadBalancer: { deletionProtection: false } } }).json, 'aws_lb'));
    expect(open.map((lb) => [lb.enable_deletion_protection, lb.lifecycle])).toEqual([
      [false, undefined],
      [false, undefined],
    ]);
  });

  it('keeps the key that encrypts the snapshots as long as the snapshot bucket is kept', () => {
    const keys = (input: SettingsInput) =>
      Object.values(resources(synth(input).json, 'aws_kms_key')).map((k) => [k.deletion_window_in_days, k.lifecycle?.prevent_destroy ?? false]);
    const [, bucket] = only(synth().json, 'aws_s3_bucket', (name) => name.startsWith('etcd-snapshots_'));
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(keys({})).toEqual([[30, true]]);
    expect(keys({ rkeHa: { etcdSnapshots: { forceDestroyBucket: true } } })).toEqual([[30, false]]);
    // K3s keeps its state in the datastore: no snapshots, nothing to keep the key for.
    expect(keys({ rkeHa: { distribution: 'k3s', nodeCount: 3 } })).toEqual([[30, false]]);
  });

  it('switches RKE2 and the Rancher ingress class to Traefik together', () => {
    const traefik = synth(asDay2({ rkeHa: { ingressController: 'traefik' } })).json;
    const [, rancher] = Object.entries(resources(traefik, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
    expect(rancher.values[0]).toContain('"ingressClassName" = "traefik"');
    Object.values(resources(traefik, 'aws_instance')).forEach((i) =>
      expect(userDataOf(traefik, i)).toContain('ingress-controller:\n        - traefik'),
    );
  });
});

describe('rke-ha stack: snapshot', () => {
  it('matches the reviewed synthesized Terraform', () => {
    expect(json).toMatchSnapshot();
  });

  it('holds no pinned value once masked, RKE2 and K3s alike: a patch bump of the pins and their sums leaves the snapshots as they are', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the jest snapshot serializer, CommonJS
    const serializer = require('../../helpers/mask-serializer.js') as { serialize: (v: unknown, c: { indent: string }, i: string) => string };
    for (const stack of [json, synthSettings(RKE_HA_STACK, { ...EXAMPLE_DOMAIN, rkeHa: { distribution: 'k3s' } }).json]) {
      const text = serializer.serialize(stack, { indent: '' }, '');
      const pinned = [
        ...Object.values(PINS).map((pin) => pin.version),
        ...(['rke2', 'k3s'] as const).flatMap((d) => {
          const release = RECORDED_SUMS[d][DEFAULT_VERSIONS[d]];
          return [release.installer.sha256, ...Object.values(release.artifacts).map((f) => f!.sha256)];
        }),
      ];
      expect(pinned.filter((value) => text.includes(value.replace(/^v/, '')))).toEqual([]);
      expect(text).toContain('<pin rancher>');
    }
  });
});
