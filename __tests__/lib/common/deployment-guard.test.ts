import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploymentGuard, recordId, type DeploymentGuardProps } from '../../../lib/common/deployment-guard';
import { resources, synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';

const props = (cidr: string, extra: Partial<DeploymentGuardProps> = {}): DeploymentGuardProps => ({
  recorded: [
    { setting: 'rkeHa.vpcCidr', value: cidr, procedure: 'A new range replaces the VPC and every server.' },
    { setting: 'name', value: 'rancher', procedure: 'Every resource name derives from it.' },
  ],
  ...extra,
});
const synth = (p: DeploymentGuardProps) => synthConstruct((stack) => new DeploymentGuard(stack, 'deployment-guard', p)).json;

describe('DeploymentGuard', () => {
  const json = synth(props('10.0.0.0/16'));
  const data = resources(json, 'terraform_data');
  const record = Object.entries(data).find(([n]) => n.startsWith(`deployment-guard_${recordId('rkeHa.vpcCidr')}`))!;
  const [, guard] = Object.entries(data).find(([n]) => !n.includes('record'))!;

  it('records each setting once: its input is written at the first apply and then ignored', () => {
    expect(record[1]).toMatchObject({ input: '10.0.0.0/16', lifecycle: { ignore_changes: ['input'] } });
    expect(Object.keys(data)).toHaveLength(3);
  });

  it('compares every record with the settings now in a precondition that names the setting, both values and the procedure', () => {
    const [first] = guard.lifecycle.precondition;
    expect(first.condition).toBe(`\${terraform_data.${record[0]}.output == "10.0.0.0/16"}`);
    expect(first.error_message).toBe(
      `rkeHa.vpcCidr is "10.0.0.0/16", but this deployment was created with "\${terraform_data.${record[0]}.output}". A new range replaces the VPC and every server.`,
    );
  });

  it('adds the extra plan-time conditions as they are', () => {
    const extra = { condition: '${1 < 2}', errorMessage: 'never' };
    const conditions = Object.entries(resources(synth(props('10.0.0.0/16', { conditions: [extra] })), 'terraform_data')).find(([n]) => !n.includes('record'))![1]
      .lifecycle.precondition;
    expect(conditions.at(-1)).toEqual({ condition: extra.condition, error_message: extra.errorMessage });
  });

  it('keeps user text literal in messages (no template is evaluated from a value)', () => {
    const json2 = synth({ recorded: [{ setting: 'x', value: '${file("/etc/passwd")}', procedure: '%{ if true }' }] });
    const [, g] = Object.entries(resources(json2, 'terraform_data')).find(([n]) => !n.includes('record'))!;
    expect(g.lifecycle.precondition[0].condition).toContain('== "$${file(\\"/etc/passwd\\")}"');
    expect(g.lifecycle.precondition[0].error_message).toContain('x is "$${file("/etc/passwd")}"');
    expect(g.lifecycle.precondition[0].error_message).toContain('%%{ if true }');
  });
});

const terraform = (dir: string, ...args: string[]) => terraformIn(dir, ...args, '-input=false');

describeWithTerraform('DeploymentGuard with a real terraform (built-in provider only, local state)', () => {
  let dir: string;
  const write = (p: DeploymentGuardProps) => writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(synth(p)));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guard-'));
    write(props('10.0.0.0/16'));
    expect(terraform(dir, 'init').status).toBe(0);
    expect(terraform(dir, 'apply', '-auto-approve').status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans no change while the settings match the record', () => {
    write(props('10.0.0.0/16'));
    const plan = terraform(dir, 'plan', '-detailed-exitcode');
    expect(plan.output).toContain('No changes.');
    expect(plan.status).toBe(0);
  });

  it('refuses the plan when a recorded setting changed, before anything is applied', () => {
    write(props('10.1.0.0/16'));
    const plan = terraform(dir, 'plan');
    expect(plan.status).toBe(1);
    expect(plan.output).toContain('Resource precondition failed');
    expect(plan.output.replace(/\s+/g, ' ')).toContain(
      'rkeHa.vpcCidr is "10.1.0.0/16", but this deployment was created with "10.0.0.0/16". A new range replaces the VPC and every server.',
    );
  });

  it('records a setting added to the guard later with its value at that apply', () => {
    write({ recorded: [...props('10.0.0.0/16').recorded, { setting: 'region', value: 'eu-west-1', procedure: 'p' }] });
    expect(terraform(dir, 'apply', '-auto-approve').status).toBe(0);
    write({ recorded: [...props('10.0.0.0/16').recorded, { setting: 'region', value: 'us-east-1', procedure: 'Regions hold their resources.' }] });
    expect(terraform(dir, 'plan').output).toContain('region is "us-east-1", but this deployment was created with "eu-west-1"');
  });

  it('accepts a deliberate change once the record is replaced', () => {
    write(props('10.1.0.0/16'));
    const address = `terraform_data.${Object.keys(resources(synth(props('10.1.0.0/16')), 'terraform_data')).find((n) => n.includes('vpcCidr'))}`;
    expect(terraform(dir, 'apply', '-auto-approve', `-replace=${address}`).status).toBe(0);
    expect(terraform(dir, 'plan', '-detailed-exitcode').status).toBe(0);
  });
});
