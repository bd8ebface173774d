import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentGuardProps } from '../../../lib/common/deployment-guard';
import { resources } from '../../helpers/synth';
import { describeWithTerraform, terraformIn } from '../../helpers/terraform';
import { props, synth } from './deployment-guard.setup';

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
