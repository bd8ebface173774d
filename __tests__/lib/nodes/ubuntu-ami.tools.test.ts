import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { UbuntuAmi } from '../../../lib/nodes/ubuntu-ami';
import { only, synthConstruct, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

/**
 * The synthesized record with a real terraform (built-in provider only, local
 * state): the lookup, which needs the AWS provider, is played by a variable
 * `newest_image` (what Canonical's newest image is at each plan); everything
 * else is the construct's JSON as synthesized.
 */
describeWithTerraform('UbuntuAmi with a real terraform: a new image changes no plan, -replace of the record moves to it', () => {
  let dir: string;
  const terraform = (...args: string[]) => terraformIn(dir, ...args, '-input=false');
  const recorded = () => terraformIn(dir, 'output', '-raw', 'ami_id').stdout;
  const write = (json: TerraformJson) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  /** The construct's module without the AWS provider and lookup: the lookup's value comes from var.newest_image. */
  function offline(amiId?: string): { json: TerraformJson; record: string } {
    const { json } = synth((stack) => {
      const ami = new UbuntuAmi(stack, 'ami', { amiId });
      new TerraformOutput(stack, 'ami_id', { value: ami.id });
    });
    const [name, record] = only(json, 'terraform_data');
    const text = JSON.stringify({ ...json, data: undefined, provider: undefined, terraform: { backend: json.terraform?.backend } }).replace(
      /data\.aws_ami\.[A-Za-z0-9_-]+\.id/g,
      'var.newest_image',
    );
    expect(amiId === undefined ? record.input : 'pinned').toMatch(/data\.aws_ami|pinned/);
    return {
      json: { ...JSON.parse(text), variable: { newest_image: { type: 'string', default: 'ami-00000000000000001' } } },
      record: `terraform_data.${name}`,
    };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recorded-image-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the image of the first apply, plans nothing when a newer one is published, and moves only on -replace', () => {
    const { json, record } = offline();
    write(json);
    expect(terraform('init').status).toBe(0);
    expect(terraform('apply', '-auto-approve', '-var', 'newest_image=ami-00000000000000001').status).toBe(0);
    const newer = terraform('plan', '-detailed-exitcode', '-var', 'newest_image=ami-00000000000000002');
    expect(newer.output).toContain('No changes.');
    expect(newer.status).toBe(0);
    expect(recorded()).toBe('ami-00000000000000001');
    expect(terraform('apply', '-auto-approve', `-replace=${record}`, '-var', 'newest_image=ami-00000000000000002').status).toBe(0);
    expect(recorded()).toBe('ami-00000000000000002');
  });

  it('a pinned id is recorded too, and a new pin replaces the record (a change the plan shows)', () => {
    rmSync(join(dir, 'terraform.test.tfstate'), { force: true });
    write(offline('ami-0123456789abcdef0').json);
    expect(terraform('apply', '-auto-approve').status).toBe(0);
    expect(terraform('plan', '-detailed-exitcode').status).toBe(0);
    write(offline('ami-0fedcba9876543210').json);
    const plan = terraform('plan', '-detailed-exitcode');
    expect(plan.status).toBe(2);
    expect(plan.output).toMatch(/must be replaced/);
    expect(terraform('apply', '-auto-approve').status).toBe(0);
    expect(recorded()).toBe('ami-0fedcba9876543210');
  });
});
