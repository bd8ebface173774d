import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { CANONICAL_OWNER_ID, UbuntuAmi } from '../../../lib/nodes/ubuntu-ami';
import { dataSources, only, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/** The contract's address pattern of the record in `terraform state list` (operations' roll finds it so). */
const RECORD_ADDRESS = /^terraform_data\.[^ ]*ami_recorded-image(_[0-9A-Fa-f]+)?$/;

describe('UbuntuAmi lookup', () => {
  const { json } = synth((stack) => {
    const ami = new UbuntuAmi(stack, 'ami');
    new TerraformOutput(stack, 'ami_id', { value: ami.id });
  });
  const lookups = Object.entries(dataSources(json, 'aws_ami'));
  const [recordName, record] = only(json, 'terraform_data');

  it("finds Canonical's newest Ubuntu 24.04 (noble) amd64 image", () => {
    expect(CANONICAL_OWNER_ID).toBe('099720109477');
    expect(lookups).toHaveLength(1);
    const [, image] = lookups[0];
    expect(image.owners).toEqual(['099720109477']);
    expect(image.most_recent).toBe(true);
    expect(image.filter).toEqual(
      expect.arrayContaining([
        { name: 'name', values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*'] },
        { name: 'architecture', values: ['x86_64'] },
        { name: 'virtualization-type', values: ['hvm'] },
        { name: 'root-device-type', values: ['ebs'] },
      ]),
    );
  });

  it('records the looked-up image once: the record ignores later lookups and nothing replaces it but -replace', () => {
    expect(`terraform_data.${recordName}`).toMatch(RECORD_ADDRESS);
    expect(record.input).toBe(`\${data.aws_ami.${lookups[0][0]}.id}`);
    expect(record.lifecycle).toEqual({ ignore_changes: ['input'] });
    expect(record.triggers_replace).toBeUndefined();
  });

  it('exposes the recorded image, never the lookup', () => {
    expect(json.output?.ami_id.value).toBe(`\${terraform_data.${recordName}.output}`);
  });
});

describe('UbuntuAmi pinned', () => {
  const pinned = (amiId: string) =>
    synth((stack) => {
      const ami = new UbuntuAmi(stack, 'ami', { amiId });
      new TerraformOutput(stack, 'ami_id', { value: ami.id });
    }).json;
  const json = pinned('ami-0123456789abcdef0');
  const [recordName, record] = only(json, 'terraform_data');

  it('looks nothing up and records the pinned id', () => {
    expect(json.data).toBeUndefined();
    expect(`terraform_data.${recordName}`).toMatch(RECORD_ADDRESS);
    expect(record.input).toBe('ami-0123456789abcdef0');
    expect(json.output?.ami_id.value).toBe(`\${terraform_data.${recordName}.output}`);
  });

  it('replaces the record when the pin changes (a new pin is a deliberate change), and only then', () => {
    const [otherName, other] = only(pinned('ami-0fedcba9876543210'), 'terraform_data');
    expect(otherName).toBe(recordName);
    expect(record.triggers_replace).toBe('ami-0123456789abcdef0');
    expect(other.triggers_replace).toBe('ami-0fedcba9876543210');
    expect(other.lifecycle).toEqual({ ignore_changes: ['input'] });
  });
});
