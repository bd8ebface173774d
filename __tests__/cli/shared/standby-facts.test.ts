import { Aws } from '../../../cli/shared/aws';
import { recordSetOfState } from '../../../cli/shared/hostname-record';
import { readStandbyFacts, type StandbyFacts } from '../../../cli/shared/standby-facts';
import { STANDBY_ENCRYPTION_KEY, STANDBY_FACTS_FORMAT, STANDBY_FACTS_KEY } from '../../../lib/standby/standby-facts-keys';
import { FAKE_CALLER, FakeAws } from '../../helpers/fake-aws/fake-aws';

// The reader of production's facts in the standby region (cli/shared/standby-facts.ts) against the fake AWS: what it
// reads (three data-plane calls there, nothing else), what it gives the failover, and each refusal with its fix. The
// document is the contract's (docs/development/standby-facts.md, format 1); the tools tier renders the module's own
// (__tests__/lib/standby/standby-facts.tools.test.ts) and the failover's worlds write it from the synthesized module.

const COPY = 'rancher-rke-ha-backups-sb-0a1b2c';
const KEY = 'facts-key';
const CONFIG = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n# the secret\n';
const PARAMETER = '/rancher/rke-ha/standby-facts';
const ALIAS = {
  zone_id: 'Z0PRODUCTIONZONE',
  name: 'rancher.example.com',
  type: 'A',
  ttl: null,
  records: null,
  set_identifier: '',
  alias: [{ name: 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com', zone_id: 'Z2IFOLAFXWLO4F', evaluate_target_health: true }],
};
const document = (): Record<string, any> => ({
  format: STANDBY_FACTS_FORMAT,
  name: 'rancher',
  kind: 'rke-ha',
  distribution: 'rke2',
  region: 'eu-west-1',
  standbyRegion: 'us-west-2',
  hostname: 'rancher.example.com',
  url: 'https://rancher.example.com',
  dns: { hostedZone: 'example.com', records: [ALIAS] },
  loadBalancer: { dnsName: 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com', zoneId: 'Z2IFOLAFXWLO4F' },
  ingress: null,
  backups: {
    bucket: 'rancher-rke-ha-backups-0a1b2c',
    copy: COPY,
    encryption: { key: STANDBY_ENCRYPTION_KEY, kmsKeyArn: `arn:aws:kms:us-west-2:111122223333:key/${KEY}`, format: 'EncryptionConfiguration' },
  },
  backupRecord: { key: 'rancher-aws/record/rancher=2.15.2/hostname=rancher.example.com', fields: { rancher: '2.15.2' } },
  caRecord: { key: 'rancher-aws/record-ca/ca=rancher-ca-5f2a', ca: 'rancher-ca-5f2a' },
});

/** The standby region as production's apply leaves it (`change` alters it first), and the reader's answer there. */
async function read(change: (fake: FakeAws, facts: Record<string, any>) => void = () => undefined, stack = 'rke-ha') {
  const fake = new FakeAws();
  const facts = document();
  fake.kms.addKey(KEY);
  fake.kms.keys.get(KEY)!.users = [FAKE_CALLER];
  fake.s3.createBucket(COPY);
  fake.ssm.parameters.set(PARAMETER, { value: `s3://${COPY}/${STANDBY_FACTS_KEY}`, version: 1, type: 'String', tags: [] });
  change(fake, facts);
  fake.s3.put(COPY, STANDBY_FACTS_KEY, JSON.stringify(facts), 'AES256');
  fake.s3.put(COPY, STANDBY_ENCRYPTION_KEY, CONFIG, 'aws:kms', KEY);
  const aws = new Aws('us-west-2', fake.clients({ region: 'us-west-2' }));
  const answer = await readStandbyFacts(aws, { name: 'rancher', stack, productionDir: 'module' }, { prefix: 'FAILOVER', lead: 'failover' });
  return { fake, answer };
}

describe("production's standby facts", () => {
  it("are read with one parameter and two objects of the standby region, and give production's name, URL, copy, records, CA and EncryptionConfiguration", async () => {
    const { fake, answer } = await read();
    expect(fake.calls.map((c) => `${c.call} ${c.input.Name ?? c.input.Key}`)).toEqual([
      `SSM GetParameter ${PARAMETER}`,
      `S3 GetObject ${STANDBY_FACTS_KEY}`,
      `S3 GetObject ${STANDBY_ENCRYPTION_KEY}`,
    ]);
    const facts = answer as StandbyFacts;
    expect(facts.production).toMatchObject({
      dir: 'module',
      name: 'rancher',
      region: 'eu-west-1',
      url: 'https://rancher.example.com',
      backupBucket: 'rancher-rke-ha-backups-0a1b2c',
      backupCopy: { bucket: COPY, keyArn: `arn:aws:kms:us-west-2:111122223333:key/${KEY}`, region: 'us-west-2' },
      backupEncryptionConfig: CONFIG,
      distribution: 'rke2',
      loadBalancer: 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com',
      serverAddresses: [],
    });
    expect(facts.caRecord).toEqual({ key: 'rancher-aws/record-ca/ca=rancher-ca-5f2a', ca: 'rancher-ca-5f2a' });
    expect(facts.backupRecord?.fields).toEqual({ rancher: '2.15.2' });
    // The records as production's state held them: what the move reads (hostname-record.ts).
    expect(facts.records.map(recordSetOfState)).toEqual([
      {
        Name: 'rancher.example.com',
        Type: 'A',
        AliasTarget: { HostedZoneId: 'Z2IFOLAFXWLO4F', DNSName: 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com', EvaluateTargetHealth: true },
      },
    ]);
  });

  it('are refused, saying how to write them, when the parameter or the document is missing', async () => {
    const none = await read((fake) => fake.ssm.parameters.clear());
    expect(none.answer).toMatchObject({ why: 'FAILOVER_NO_STANDBY_FACTS', code: 2 });
    expect((none.answer as { refused: string }).refused).toContain(`no readable SSM parameter ${PARAMETER} in us-west-2 (ParameterNotFound)`);
    expect((none.answer as { refused: string }).refused).toContain('check standby_facts says when the copy lacks them');
    const gone = await read((fake) =>
      fake.ssm.parameters.set(PARAMETER, { value: `s3://other-copy/${STANDBY_FACTS_KEY}`, version: 1, type: 'String', tags: [] }),
    );
    expect(gone.answer).toMatchObject({ why: 'FAILOVER_NO_STANDBY_FACTS', code: 2 });
    expect((gone.answer as { refused: string }).refused).toContain('(NoSuchBucket)');
  });

  it("are refused when the copies' key does not let the caller decrypt the EncryptionConfiguration, the secret never said", async () => {
    const { answer } = await read((fake) => (fake.kms.keys.get(KEY)!.users = ['arn:aws:iam::111122223333:role/someone-else']));
    expect(answer).toMatchObject({ why: 'FAILOVER_NO_STANDBY_FACTS', code: 2 });
    const refused = (answer as { refused: string }).refused;
    expect(refused).toContain(`s3://${COPY}/${STANDBY_ENCRYPTION_KEY}`);
    expect(refused).toContain('(AccessDenied)');
    expect(refused).toContain('deployer_arns');
    expect(refused).not.toContain('the secret');
  });

  it('are refused in another format, with a field missing or of another type, or of another deployment', async () => {
    const format = await read((_, facts) => (facts.format = 2));
    expect(format.answer).toMatchObject({ why: 'FAILOVER_STANDBY_FACTS_FORMAT', code: 2 });
    expect((format.answer as { refused: string }).refused).toContain('is in format 2, and this version reads format 1');
    const fields = await read((_, facts) => {
      delete facts.url;
      facts.loadBalancer = { dnsName: 'x' };
    });
    expect(fields.answer).toMatchObject({ why: 'FAILOVER_STANDBY_FACTS_INVALID', code: 2 });
    expect((fields.answer as { refused: string }).refused).toContain('url, loadBalancer missing or not of the contract');
    const kind = await read(undefined, 'k8s-ha');
    // Another stack's parameter is another name: not there.
    expect(kind.answer).toMatchObject({ why: 'FAILOVER_NO_STANDBY_FACTS' });
    const theirs = await read((_, facts) => Object.assign(facts, { kind: 'k8s-ha', standbyRegion: 'us-east-2' }));
    expect(theirs.answer).toMatchObject({ why: 'FAILOVER_STANDBY_FACTS_NOT_PRODUCTIONS', code: 2 });
    expect((theirs.answer as { refused: string }).refused).toContain('kind k8s-ha, the stack rke-ha; standbyRegion us-east-2');
  });

  it('fail, not refuse, when the standby region does not answer', async () => {
    await expect(read((fake) => (fake.regionLoss = { region: 'us-west-2' }))).rejects.toThrow('ETIMEDOUT');
  });
});
