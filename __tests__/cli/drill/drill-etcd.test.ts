import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRestored, parseRestored } from '../../../cli/drill/drill-etcd';
import { throwawayProblems } from '../../../cli/drill/drill';
import { etcdThrowawaySettings } from '../../../cli/drill/drill-settings';
import { settingsProblems } from '../../helpers/synth';
import { synthSettings, variantSettings } from '../../helpers/variants';

// `npm run drill -- rke-ha --etcd`: the throwaway it builds (valid, at other addresses than production, closed to
// production's servers), and the synthesized policies its way of reading production's snapshot rests on.

const choice = { name: 'rancher-drill', productionName: 'rancher' };
const production = synthSettings('rke-ha', { name: 'rancher', region: 'eu-west-1' } as never).json as any;
const throwaway = synthSettings('rke-ha', etcdThrowawaySettings({ name: 'rancher', region: 'eu-west-1' }, choice) as never);
const addresses = (json: any) => Object.values(json.resource.aws_instance as Record<string, any>).map((i) => i.private_ip);
const keyPolicy = (json: any) =>
  Object.entries(json.data.aws_iam_policy_document as Record<string, any>).find(([id]) => id.startsWith('boot-parameters_key-policy'))![1];

describe("the --etcd throwaway's settings", () => {
  it.each([
    ['defaults only', {}],
    ['RKE2, every security option', variantSettings('rke-ha every security option, private nodes')],
    ['an existing network', variantSettings('rke-ha existing network')],
  ])('are valid for the app, from %s: no Rancher restore, no backups, a VPC range of their own', (_name, settings) => {
    const s = etcdThrowawaySettings(settings as Record<string, unknown>, choice) as any;
    expect(settingsProblems(s)).toEqual([]);
    expect(s.backups).toMatchObject({ enabled: false });
    expect(s.backups.restoreFrom).toBeUndefined();
    expect(s.rkeHa.vpcCidr).toBe('10.200.0.0/16');
    expect(s.rkeHa.existingNetwork).toBeUndefined();
  });

  it("take another range when production's own is the first", () => {
    expect((etcdThrowawaySettings({ rkeHa: { vpcCidr: '10.200.0.0/20' } }, choice) as any).rkeHa.vpcCidr).toBe('10.201.0.0/16');
  });

  it("put the servers at other addresses than production's (a Node is named after its server's address)", () => {
    expect(addresses(production)).toEqual(['10.0.0.10', '10.0.16.10', '10.0.32.10']);
    for (const a of addresses(throwaway.json)) expect(addresses(production)).not.toContain(a);
  });
});

describe('the synthesized --etcd throwaway', () => {
  const productionDeployment = {
    dir: '/production',
    name: 'rancher',
    region: 'eu-west-1',
    url: 'https://rancher.example.com',
    backupBucket: 'rancher-rke-ha-backups-0a1b2c',
    etcdSnapshotBucket: 'rancher-rke-ha-etcd-0a1b2c',
    backupEncryptionConfig: undefined,
    joinToken: 'K10-token',
    distribution: 'rke2',
    serverAddresses: ['10.0.0.10', '10.0.16.10', '10.0.32.10'],
  };

  it("passes the drill's check before the apply; a cluster port open to addresses, or a peering, fails it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-etcd-module-'));
    try {
      const module = join(dir, 'cdktf.out', 'stacks', 'rke-ha');
      mkdirSync(module, { recursive: true });
      writeFileSync(join(module, 'cdk.tf.json'), throwaway.text);
      expect(throwawayProblems(module, productionDeployment, dir, true)).toEqual([]);
      const bad = JSON.parse(throwaway.text);
      bad.resource.aws_vpc_peering_connection = { to_production: { vpc_id: 'x', peer_vpc_id: 'y' } };
      bad.resource.aws_vpc_security_group_ingress_rule.supervisor = { from_port: 9345, to_port: 9345, ip_protocol: 'tcp', cidr_ipv4: '10.0.0.0/16' };
      bad.resource.aws_vpc_security_group_ingress_rule.all = { from_port: 0, to_port: 65535, ip_protocol: 'tcp', prefix_list_id: 'pl-1' };
      writeFileSync(join(module, 'cdk.tf.json'), JSON.stringify(bad));
      expect(throwawayProblems(module, productionDeployment, dir, true)).toEqual([
        'it has a aws_vpc_peering_connection',
        'aws_vpc_security_group_ingress_rule.supervisor opens a cluster port to addresses',
        'aws_vpc_security_group_ingress_rule.all opens a cluster port to addresses',
      ]);
      // The Rancher-backup drill does not ask this of its throwaway.
      expect(throwawayProblems(module, productionDeployment, dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names none of production's buckets and holds no token parameter of the drill (it is put, and deleted, by the drill)", () => {
    expect(throwaway.text).not.toContain(productionDeployment.etcdSnapshotBucket);
    expect(throwaway.text).not.toContain('drill-restore-token');
  });
});

// Why the drill copies the snapshot with the operator's credentials instead of granting the throwaway's node role
// read access: in production's synthesized key policy the account only administers the key (no IAM policy of the
// throwaway's role could use it), the deploying identities may decrypt through S3 for the snapshot bucket only, and
// the bucket policy grants no other principal.
describe("production's snapshot bucket and key, as synthesized (the grants --etcd relies on)", () => {
  const statements = keyPolicy(production).statement as any[];
  const sid = (id: string) => statements.find((s) => s.sid === id);

  it('the account administers the key but cannot use it: an IAM grant to another role would not reach it', () => {
    expect(sid('AccountAdministers').actions.filter((a: string) => /^kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt|\*)/.test(a))).toEqual([]);
  });

  it('the deploying identities may decrypt through S3, for the snapshot bucket only (what the copy needs)', () => {
    expect(sid('DeployersReadSnapshots')).toMatchObject({ actions: ['kms:Decrypt'] });
    const conditions = Object.fromEntries(sid('DeployersReadSnapshots').condition.map((c: any) => [c.variable, c.values]));
    expect(conditions['kms:ViaService'][0]).toMatch(/^s3\.\$\{data\.aws_region\.[^}]+\.region\}\.\$\{data\.aws_partition\.[^}]+\.dns_suffix\}$/);
    expect(conditions['kms:EncryptionContext:aws:s3:arn'][0]).toMatch(/^\$\{aws_s3_bucket\.etcd-snapshots_bucket_[0-9A-F]+\.arn\}$/);
    // The nodes' own statement is for their role alone.
    expect(sid('NodesUseSnapshotBucket').principals[0].identifiers[0]).toMatch(/^\$\{aws_iam_role\.node-role_/);
  });

  it('the bucket policy only refuses plain HTTP: no other principal is granted anything', () => {
    const bucketPolicy = Object.entries(production.data.aws_iam_policy_document as Record<string, any>).find(([id]) =>
      id.startsWith('etcd-snapshots_tls-only'),
    )![1];
    expect(bucketPolicy.statement.map((s: any) => [s.sid, s.effect])).toEqual([['DenyInsecureTransport', 'Deny']]);
  });
});

describe("the restore script's report", () => {
  const output = [
    'rancher-aws-drill-restore.sh: restoring ...',
    'drill-result nodes 3',
    'drill-result count clusters.management.cattle.io 2',
    'drill-result count users.management.cattle.io 0',
    'drill-result count projects.management.cattle.io 4',
    'drill-result count settings.management.cattle.io 91',
    'drill-result server-url https://rancher.example.com',
    `drill-result cacerts ${Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n').toString('base64')}`,
  ].join('\n');

  it('is read line by line, and compared with production: Nodes equal to its servers, each kind present, server-url', () => {
    const restored = parseRestored(output);
    expect(restored).toEqual({
      nodes: 3,
      counts: {
        'clusters.management.cattle.io': 2,
        'users.management.cattle.io': 0,
        'projects.management.cattle.io': 4,
        'settings.management.cattle.io': 91,
      },
      serverUrl: 'https://rancher.example.com',
      cacerts: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
    });
    const compared = compareRestored(restored, 3, 'https://rancher.example.com');
    expect(compared.filter((c) => !c.passed).map((c) => c.what)).toEqual(['users.management.cattle.io']);
    expect(compareRestored(parseRestored(''), 3, 'https://rancher.example.com').every((c) => !c.passed)).toBe(true);
  });
});
