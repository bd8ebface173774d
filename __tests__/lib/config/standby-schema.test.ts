import { RancherOnRke } from '../../../lib/deployments/rancher-on-rke';
import { settingsProblems, unsynthesizedApp } from '../../helpers/synth';
import { TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';

const problemsOf = (input: Record<string, unknown>) => settingsProblems(input).filter((p) => p.field.startsWith('standby'));

describe('standby.region', () => {
  it('is optional: no standby by default', () => {
    expect(settingsProblems({})).toEqual([]);
    expect(settingsProblems({ region: 'eu-west-1', standby: { region: 'eu-central-1' } })).toEqual([]);
  });

  it("refuses the deployment's own region, naming the field, the value and the fix", () => {
    expect(problemsOf({ region: 'eu-west-1', standby: { region: 'eu-west-1' } })).toEqual([
      {
        field: 'standby.region',
        value: 'eu-west-1',
        message: expect.stringMatching(
          /is the deployment's own region \(region eu-west-1\).*name another region of partition aws, or remove standby.region/,
        ),
      },
    ]);
  });

  it.each([
    ['us-east-1', 'cn-north-1', 'aws-cn', 'aws'],
    ['us-east-1', 'us-gov-west-1', 'aws-us-gov', 'aws'],
    ['us-gov-east-1', 'us-west-2', 'aws', 'aws-us-gov'],
    ['cn-northwest-1', 'us-gov-west-1', 'aws-us-gov', 'aws-cn'],
  ])('refuses another partition: region %s, standby %s', (region, standby, standbyPartition, partition) => {
    expect(problemsOf({ region, standby: { region: standby } })).toEqual([
      {
        field: 'standby.region',
        value: standby,
        message: expect.stringMatching(
          new RegExp(`is in partition ${standbyPartition}, and the deployment's region ${region} in ${partition}: .*name a region of ${partition}`),
        ),
      },
    ]);
  });

  it('takes a region of the same partition in China and GovCloud too', () => {
    expect(problemsOf({ region: 'cn-north-1', standby: { region: 'cn-northwest-1' } })).toEqual([]);
    expect(problemsOf({ region: 'us-gov-west-1', standby: { region: 'us-gov-east-1' } })).toEqual([]);
  });

  it.each([
    ['eu-west-9', /is not an AWS region \(did you mean eu-west-[0-9]\?\); regions: /],
    ['Europe', /expected an AWS region such as eu-west-1/],
    ['eusc-de-east-1', /European Sovereign Cloud/],
  ])('refuses a region the schema does not know: %s', (standby, message) => {
    expect(problemsOf({ region: 'eu-west-1', standby: { region: standby } })).toEqual([
      { field: 'standby.region', value: standby, message: expect.stringMatching(message) },
    ]);
  });

  it('refuses unknown fields of the section', () => {
    expect(problemsOf({ standby: { regoin: 'us-west-2' } }).map((p) => p.field)).toEqual(['standby.regoin']);
  });

  it("is refused by RancherOnRke's own props in their words (standby.region), as the settings file refuses it", () => {
    const stack = new TerraformStack(unsynthesizedApp(), 'rke-ha');
    configureBaseProviders(stack, { region: 'eu-west-1' });
    expect(() => new RancherOnRke(stack, 'rancher', { region: 'eu-west-1', adminCidrs: ['10.8.0.0/24'], standby: { region: 'eu-west-1' } })).toThrow(
      /standby\.region[^\n]*is the deployment's own region/,
    );
  });
});
