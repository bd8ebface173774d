import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformVariable } from 'cdktf';
import { BackupRecord, backupFileTime, CA_RECORD_FOLDER, type AgentCaSource } from '../../../lib/rancher/restore-preflight';
import { resources, synthConstruct, type TerraformJson } from '../../helpers/synth';

// The time a backup file's name carries, which the migration's preflight compares with the source's record. The
// preflight as the app's stacks synthesize it is __tests__/app/stacks/restore-preflight.test.ts's.

describe('backupFileTime', () => {
  it.each([
    ['rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc', '2026-11-23T06:00:00Z'],
    ['x-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00+02-00.tar.gz', '2026-11-23T06:00:00+02:00'],
    ['x-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00-05-30.tar.gz', '2026-11-23T06:00:00-05:30'],
    ['not-a-backup.tar.gz', undefined],
  ])('%s → %s', (file, time) => {
    expect(backupFileTime(file)).toBe(time);
  });
});

describe('BackupRecord, from its own props', () => {
  const synthRecord = (agentCa?: AgentCaSource) =>
    synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      // A private CA's certificate as the deployments give it: a sensitive variable, by reference.
      const ca = new TerraformVariable(stack, 'ca', { type: 'string', sensitive: true });
      new BackupRecord(stack, 'record', {
        bucket: 'backups',
        rancherVersion: '2.15.2',
        hostname: 'rancher.example.com',
        encryptionConfig: 'kind: EncryptionConfiguration',
        dependsOn: [],
        ...(agentCa ? { agentCa: agentCa.kind === 'private' ? { kind: 'private', certificate: ca.stringValue } : agentCa } : {}),
      });
    }).json;
  const objects = (json: TerraformJson) => Object.values<any>(resources(json, 'aws_s3_object'));

  it('without agentCa: the record alone, as before the CA was recorded', () => {
    expect(objects(synthRecord()).map((o) => o.key.split('/').slice(0, 2).join('/'))).toEqual(['rancher-aws/record']);
    expect(Object.keys(resources(synthRecord(), 'terraform_data'))).toEqual([expect.stringMatching(/^record_since_/)]);
  });

  it.each<[AgentCaSource, string]>([
    [{ kind: 'public' }, 'public'],
    [{ kind: 'staging' }, 'letsencrypt-staging'],
    [{ kind: 'private', certificate: 'the variable' }, 'private-ca-${nonsensitive(sha256(format("%s\\n", trimspace(var.ca))))}'],
  ])('agentCa %j: an object of its own under rancher-aws/record-ca/, named by the value', (agentCa, value) => {
    const json = synthRecord(agentCa);
    const [caName, ca] = Object.entries<any>(resources(json, 'terraform_data')).find(([n]) => n.startsWith('record_ca_'))!;
    expect(ca.input).toBe(value);
    expect(objects(json).find((o) => o.key.startsWith(CA_RECORD_FOLDER))).toMatchObject({
      bucket: 'backups',
      key: `${CA_RECORD_FOLDER}ca=\${terraform_data.${caName}.input}`,
    });
    // The record itself is as without it.
    expect(objects(json).find((o) => o.key.startsWith('rancher-aws/record/'))!.key).toBe(objects(synthRecord())[0].key);
  });
});
