import { recordId } from '../../../lib/common/deployment-guard';
import { resources } from '../../helpers/synth';
import { props, synth } from './deployment-guard.setup';

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
    const conditions = Object.entries(resources(synth(props('10.0.0.0/16', { conditions: [extra] })), 'terraform_data')).find(
      ([n]) => !n.includes('record'),
    )![1].lifecycle.precondition;
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

describe('DeploymentGuard: a record a setting accepts changes of', () => {
  const accepting = (acceptedValue?: string) =>
    Object.entries(
      resources(
        synth({ recorded: [{ setting: 'hostname', value: 'a.example.com', acceptedBy: 'x.accept', acceptedValue, procedure: 'p' }] }),
        'terraform_data',
      ),
    ).find(([n]) => !n.includes('record'))![1].lifecycle.precondition[0];

  it('holds for the recorded value or exactly the accepted one, and the message names the setting to accept with', () => {
    const { condition, error_message } = accepting('b.example.com');
    expect(condition).toMatch(/^\$\{terraform_data\.[^ ]+\.output == "a\.example\.com" \|\| "b\.example\.com" == "a\.example\.com"\}$/);
    expect(error_message).toContain('(x.accept accepts "b.example.com" only)');
    expect(error_message).toContain('accept exactly this value: set x.accept to "a.example.com" (and leave it set: it accepts no other value)');
    expect(accepting().condition).toMatch(/^\$\{terraform_data\.[^ ]+\.output == "a\.example\.com"\}$/);
  });

  it('keeps an accepted value literal (no template is evaluated from it)', () => {
    const { condition, error_message } = accepting('${file("/etc/passwd")}');
    expect(condition).toContain('"$${file(\\"/etc/passwd\\")}" == ');
    expect(error_message).toContain('accepts "$${file("/etc/passwd")}" only');
  });
});
