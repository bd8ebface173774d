import { DataAwsRegion } from '@cdktn/provider-aws/lib/data-aws-region';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { stackAccount, stackPartition, stackRegion } from '../../../lib/common/aws-context';
import { dataSources, synthConstruct } from '../../helpers/synth';

describe('stackAccount, stackPartition, stackRegion', () => {
  it("create one data source each per stack, under the first asker, and share it; never take one of the user's", () => {
    const { json } = synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      new DataAwsRegion(stack, 'users-own-region');
      const first = new Construct(stack, 'first');
      const second = new Construct(stack, 'second');
      expect(stackRegion(first)).toBe(stackRegion(second));
      expect(stackAccount(second)).toBe(stackAccount(first));
      expect(stackPartition(first)).toBe(stackPartition(second));
    });
    expect(Object.keys(dataSources(json, 'aws_region')).sort()).toEqual([expect.stringMatching(/^first_region_/), 'users-own-region']);
    expect(Object.keys(dataSources(json, 'aws_caller_identity'))).toEqual([expect.stringMatching(/^second_account_/)]);
    expect(Object.keys(dataSources(json, 'aws_partition'))).toEqual([expect.stringMatching(/^first_partition_/)]);
  });
});
