import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Lazy, LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { imageOwner, ServerImage, type ServerImageProps } from '../../../lib/nodes/server-image';
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

describe('ServerImage: the operating systems and architectures', () => {
  const lookup = (props: ServerImageProps) => {
    const { json } = synth((stack) => {
      new ServerImage(stack, 'ami', props);
    });
    const [[name, image]] = Object.entries(dataSources(json, 'aws_ami'));
    const [, record] = only(json, 'terraform_data');
    return { name, image, record };
  };
  const filters = (image: { filter: { name: string; values: string[] }[] }) => Object.fromEntries(image.filter.map((f) => [f.name, f.values]));

  it.each([
    ['ubuntu-24.04', 'arm64', '099720109477', 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*'],
    ['rhel-9', 'x86_64', '309956199498', 'RHEL-9.*_HVM-*-Hourly2-GP3'],
    ['rhel-9', 'arm64', '309956199498', 'RHEL-9.*_HVM-*-Hourly2-GP3'],
    ['rocky-9', 'x86_64', '792107900819', 'Rocky-9-EC2-Base-9.*'],
    ['rocky-9', 'arm64', '792107900819', 'Rocky-9-EC2-Base-9.*'],
  ] as const)('%s on %s: the publisher %s, names %s, of that architecture', (operatingSystem, architecture, owner, name) => {
    const { image, record } = lookup({ operatingSystem, architecture });
    expect(image.owners).toEqual([owner]);
    expect(imageOwner(operatingSystem)).toBe(owner);
    expect(image.most_recent).toBe(true);
    expect(filters(image)).toEqual({ name: [name], architecture: [architecture], 'virtualization-type': ['hvm'], 'root-device-type': ['ebs'] });
    // A choice other than the default replaces the record when it changes: the user data follows the setting.
    expect(record.triggers_replace).toBe(`${operatingSystem}/${architecture}`);
  });

  it('the default is the earlier UbuntuAmi, to the byte (no trigger: existing records stay)', () => {
    const json = (add: (stack: TerraformStack) => void) => JSON.stringify(synth(add).json);
    expect(json((stack) => new ServerImage(stack, 'ami', { operatingSystem: 'ubuntu-24.04', architecture: 'x86_64' }))).toBe(
      json((stack) => new UbuntuAmi(stack, 'ami')),
    );
  });

  it('a pinned image looks nothing up whatever the operating system, and the pin alone triggers', () => {
    const { json } = synth((stack) => {
      new ServerImage(stack, 'ami', { amiId: 'ami-0123456789abcdef0', operatingSystem: 'rhel-9', architecture: 'arm64' });
    });
    expect(json.data).toBeUndefined();
    expect(only(json, 'terraform_data')[1].triggers_replace).toBe('ami-0123456789abcdef0');
  });
});

describe('ServerImage in every partition', () => {
  const inRegion = (providerRegion: string, props: ServerImageProps) => {
    const { json } = synthConstruct((stack) => {
      new LocalBackend(stack, { path: 'terraform.test.tfstate' });
      new AwsProvider(stack, 'aws', { region: providerRegion });
      new ServerImage(stack, 'ami', props);
    });
    return Object.values(dataSources(json, 'aws_ami')).map((image: any) => image.owners);
  };

  it.each([
    ['cn-north-1', 'ubuntu-24.04', '837727238323'],
    ['cn-northwest-1', 'ubuntu-24.04', '837727238323'],
    ['us-gov-west-1', 'ubuntu-24.04', '513442679011'],
    ['us-gov-east-1', 'rhel-9', '219670896067'],
    ['cn-northwest-1', 'rhel-9', '841258680906'],
    ['eu-west-1', 'rocky-9', '792107900819'],
  ] as const)("in %s, %s: the publisher's account of that partition", (region, operatingSystem, owner) => {
    expect(inRegion(region, { operatingSystem, region })).toEqual([[owner]]);
    expect(imageOwner(operatingSystem, region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws')).toBe(owner);
  });

  it("without region, the partition of the stack's AWS provider (UbuntuAmi too)", () => {
    expect(inRegion('cn-northwest-1', {})).toEqual([['837727238323']]);
    const { json } = synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-gov-west-1' });
      new UbuntuAmi(stack, 'ami');
    });
    expect(Object.values(dataSources(json, 'aws_ami')).map((image: any) => image.owners)).toEqual([['513442679011']]);
  });

  it('a region the synth cannot read (a token) keeps the commercial account, as before', () => {
    expect(inRegion('us-east-1', { region: Lazy.stringValue({ produce: () => 'cn-north-1' }) })).toEqual([['099720109477']]);
  });

  it.each([
    ['cn-north-1', 'rocky-9'],
    ['cn-northwest-1', 'rocky-9'],
    ['us-gov-west-1', 'rocky-9'],
  ] as const)('in %s, %s: refused, naming amiId, where no image of it is known to be published', (region, operatingSystem) => {
    expect(() => inRegion(region, { operatingSystem, region })).toThrow(new RegExp(`ami: no ${operatingSystem} images .* in ${region} .*give amiId`));
    expect(inRegion(region, { operatingSystem, region, amiId: 'ami-0123456789abcdef0' })).toEqual([]);
  });
});
