import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { usEast1Provider } from '../../../lib/alarms/us-east-1-provider';
import { synthConstruct } from '../../helpers/synth';

describe('usEast1Provider', () => {
  // Its credentials' check (STS GetCallerIdentity at configuration) in the stack's region: a plan that changes nothing
  // in us-east-1 calls nothing there (issue 91 item 1: a failover's standby while us-east-1 does not answer).
  it("adds an aliased provider in us-east-1 with the default provider's tags and its STS calls in the stack's region, once", () => {
    const { json } = synthConstruct((stack: TerraformStack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1', defaultTags: [{ tags: { team: 'platform' } }] });
      expect(usEast1Provider(stack)).toBe(usEast1Provider(stack));
    });
    expect(json.provider!.aws).toEqual([
      { region: 'eu-west-1', default_tags: [{ tags: { team: 'platform' } }] },
      { alias: 'us_east_1', region: 'us-east-1', sts_region: 'eu-west-1', default_tags: [{ tags: { team: 'platform' } }] },
    ]);
  });

  it("uses a provider of the stack's that has the alias already", () => {
    const { json } = synthConstruct((stack: TerraformStack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const mine = new AwsProvider(stack, 'mine', { alias: 'us_east_1', region: 'us-east-1' });
      expect(usEast1Provider(stack)).toBe(mine);
    });
    expect(json.provider!.aws).toHaveLength(2);
  });

  it('refuses that alias in another region', () => {
    expect(() =>
      synthConstruct((stack: TerraformStack) => {
        new AwsProvider(stack, 'mine', { alias: 'us_east_1', region: 'us-west-2' });
        usEast1Provider(stack);
      }),
    ).toThrow('has the alias us_east_1 but region us-west-2; the Route53 health-check alarms need it in us-east-1');
  });
});
