import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformVariable } from 'cdktf';
import { DeploymentGuard, type DeploymentGuardProps } from '../../../lib/common/deployment-guard';
import { resources, synthConstruct } from '../../helpers/synth';
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

describeWithTerraform('a record a setting accepts changes of (the agents’ name and CA, issue 32.6), with a real terraform', () => {
  let dir: string;
  // Rancher's name as the stacks give it: a variable, whose value the plan gets (here its default).
  const write = (hostname: string, acceptedValue?: string) => {
    const json = synthConstruct((stack) => {
      const name = new TerraformVariable(stack, 'rancher_hostname', { type: 'string', default: hostname });
      new DeploymentGuard(stack, 'deployment-guard', {
        recorded: [
          {
            setting: 'hostname',
            value: name.stringValue,
            reference: true,
            acceptedBy: 'rancher.acceptAgentChange.hostname',
            acceptedValue,
            procedure: 'Agents dial it.',
          },
        ],
      });
    }).json;
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json));
  };
  const plan = () => terraform(dir, 'plan', '-detailed-exitcode');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guard-accept-'));
    write('rancher.example.com');
    expect(terraform(dir, 'init').status).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the first apply, and the next plan is empty', () => {
    expect(terraform(dir, 'apply', '-auto-approve').status).toBe(0);
    const second = plan();
    expect(second.output).toContain('No changes.');
    expect(second.status).toBe(0);
  });

  it('refuses a new value, printing the setting that would accept it', () => {
    write('rancher2.example.com');
    const refused = terraform(dir, 'plan');
    expect(refused.status).toBe(1);
    expect(refused.output.replace(/\s+/g, ' ')).toContain(
      'hostname is "rancher2.example.com", but this deployment was created with "rancher.example.com". Agents dial it. To make it anyway, accept exactly this value: set rancher.acceptAgentChange.hostname to "rancher2.example.com"',
    );
  });

  it('takes the value the acceptance names: the apply passes and the next plan is empty, the acceptance left in place', () => {
    write('rancher2.example.com', 'rancher2.example.com');
    expect(terraform(dir, 'apply', '-auto-approve').status).toBe(0);
    expect(plan().status).toBe(0);
  });

  it('refuses any other value while that acceptance stays (it was for one change)', () => {
    write('rancher3.example.com', 'rancher2.example.com');
    const refused = terraform(dir, 'plan');
    expect(refused.status).toBe(1);
    expect(refused.output.replace(/\s+/g, ' ')).toContain('(rancher.acceptAgentChange.hostname accepts "rancher2.example.com" only)');
  });
});
