import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultThrowawayName, DRILL_TAG, throwawaySettings } from '../../../cli/drill/drill-settings';
import { throwawayProblems } from '../../../cli/drill/drill';
import { settingsProblems } from '../../helpers/synth';
import { synthSettings, variantSettings } from '../../helpers/variants';

// The throwaway deployment a drill builds from production's settings: valid for the app, and, synthesized, a
// deployment that cannot touch production (no Route53 record, its own network and state, production's bucket named
// only where its writer reads it).

const BUCKET = 'rancher-rke-ha-backups-0a1b2c';
const FILE = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc';
const choice = (name = 'rancher-drill') => ({ name, file: FILE, bucket: BUCKET, productionName: 'rancher' });

const PRODUCTION: Record<string, any> = {
  name: 'rancher',
  region: 'eu-west-1',
  hostname: 'rancher.example.com',
  hostedZone: 'example.com',
  rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } }, bootstrap: { enabled: true }, replicas: 3 },
  backups: { schedule: '0 */4 * * *' },
  alarms: { email: 'ops@example.com' },
  rkeHa: {
    existingNetwork: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'] },
    loadBalancer: { type: 'dns' },
    etcdSnapshots: { objectLock: true },
  },
};

describe("the throwaway deployment's settings", () => {
  it('keep production but for its name, DNS, TLS, state, network, first login, alarms and guards; restore the file from its bucket', () => {
    const s = throwawaySettings(PRODUCTION, choice()) as any;
    expect(s).toEqual({
      name: 'rancher-drill',
      region: 'eu-west-1',
      dns: { mode: 'wildcard' },
      backend: { type: 'local', path: 'terraform.<stack>.tfstate' },
      tags: { [DRILL_TAG]: 'rancher' },
      rancher: { bootstrap: { enabled: false }, replicas: 3 },
      backups: { schedule: '0 */4 * * *', enabled: true, restoreFrom: { file: FILE, bucket: BUCKET, disarm: true } },
      alarms: { enabled: false },
      rkeHa: { loadBalancer: { type: 'nlb', deletionProtection: false }, etcdSnapshots: { objectLock: false } },
    });
    // Production's own data is not changed.
    expect(PRODUCTION.hostname).toBe('rancher.example.com');
  });

  it.each([
    ['defaults only', {}],
    ['production as above (ACME, DNS round robin, an existing network, Object Lock)', PRODUCTION],
    ['K3s on PostgreSQL, every security option', variantSettings('rke-ha k3s every security option, private nodes')],
    ['RKE2, every security option', variantSettings('rke-ha every security option, private nodes')],
  ])('are valid settings for the app, from %s', (_name, production) => {
    expect(settingsProblems(throwawaySettings(production as Record<string, unknown>, choice()))).toEqual([]);
  });

  it("leave production's standby out: a throwaway keeps no copy in a second region (no replication, no key there)", () => {
    const production = { ...PRODUCTION, ...variantSettings('rke-ha standby in a second region, snapshots with access logging and Object Lock') };
    const s = throwawaySettings(production, choice()) as any;
    expect(s.standby).toBeUndefined();
    expect(settingsProblems(s)).toEqual([]);
    expect(Object.keys(synthSettings('rke-ha', s).json.resource?.aws_s3_bucket_replication_configuration ?? {})).toEqual([]);
  });

  it("leave a k8s-ha production's clusters out: the throwaway is rke-ha on its own servers, valid for the app", () => {
    const k8s = { ...PRODUCTION, backups: { credentials: 'irsa' }, k8sHa: { access: { variables: true }, eks: { clusterName: 'prod' } } };
    const throwaway = throwawaySettings({ ...k8s, standby: { region: 'us-west-2', k8sHa: { access: { variables: true } } } }, choice());
    expect('k8sHa' in throwaway || 'standby' in throwaway).toBe(false);
    expect(throwaway.backups).toMatchObject({ credentials: 'servers' });
    expect(settingsProblems(throwaway as never)).toEqual([]);
  });

  it("default to production's name with -drill, within the 16 characters a name may have", () => {
    expect(defaultThrowawayName('rancher')).toBe('rancher-drill');
    expect(defaultThrowawayName('platform-rancher')).toBe('platform-r-drill');
    expect(defaultThrowawayName('ab-cdefgh-ijk')).toBe('ab-cdefgh-drill');
    for (const name of ['rancher', 'platform-rancher', 'ab-cdefgh-ijk', 'a1'])
      expect(settingsProblems(throwawaySettings({}, choice(defaultThrowawayName(name))))).toEqual([]);
  });
});

describe('the synthesized throwaway (rke-ha)', () => {
  const { json, text } = synthSettings('rke-ha', throwawaySettings(PRODUCTION, choice()) as never);
  const production = {
    dir: '/production',
    name: 'rancher',
    region: 'eu-west-1',
    url: 'https://rancher.example.com',
    backupBucket: BUCKET,
    etcdSnapshotBucket: 'rancher-rke-ha-etcd-0a1b2c',
    backupEncryptionConfig: 'x',
    joinToken: 'K10-token',
    distribution: 'rke2',
    serverAddresses: ['10.0.0.10', '10.0.16.10', '10.0.32.10'],
  };

  it("has no Route53 record and no hosted zone lookup: production's name is never touched", () => {
    expect(Object.keys((json as any).resource).filter((t) => t.startsWith('aws_route53'))).toEqual([]);
    expect(Object.keys((json as any).data ?? {}).filter((t) => t.startsWith('aws_route53'))).toEqual([]);
  });

  it('builds its own VPC and keeps its state in its own folder', () => {
    expect(Object.keys((json as any).resource.aws_vpc ?? {})).toHaveLength(1);
    expect((json as any).terraform.backend).toEqual({ local: { path: 'terraform.rke-ha.tfstate' } });
  });

  it("names production's bucket only in its writer's read grants (list, get) and in the Restore", () => {
    const policies = Object.values((json as any).data?.aws_iam_policy_document ?? {}) as any[];
    const statements = policies.flatMap((p) => p.statement ?? []).filter((st: any) => JSON.stringify(st.resources ?? []).includes(BUCKET));
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements)
      expect(st.actions.every((a: string) => ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetObject'].includes(a))).toBe(true);
    // No resource of the throwaway manages it (a bucket, its policy, lifecycle, ...).
    for (const [type, byName] of Object.entries((json as any).resource as Record<string, Record<string, any>>))
      if (type.startsWith('aws_s3_')) for (const body of Object.values(byName)) expect(body.bucket).not.toBe(BUCKET);
    expect(text).not.toContain(production.etcdSnapshotBucket);
  });

  it('passes the check the drill makes before its apply, which refuses what would touch production', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-module-'));
    try {
      const module = join(dir, 'cdktf.out', 'stacks', 'rke-ha');
      mkdirSync(module, { recursive: true });
      writeFileSync(join(module, 'cdk.tf.json'), text);
      expect(throwawayProblems(module, production, dir)).toEqual([]);
      const bad = JSON.parse(text);
      bad.terraform.backend = { local: { path: '../../../../terraform.rke-ha.tfstate' } };
      bad.resource.aws_route53_record = { r: {} };
      bad.resource.aws_s3_bucket_policy = { ...bad.resource.aws_s3_bucket_policy, stolen: { bucket: BUCKET } };
      writeFileSync(join(module, 'cdk.tf.json'), JSON.stringify(bad));
      expect(throwawayProblems(module, production, dir)).toEqual([
        `its state file ../../../../terraform.rke-ha.tfstate is outside ${dir}`,
        'it has a Route53 record',
        `aws_s3_bucket_policy.stolen manages production's bucket ${BUCKET}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
