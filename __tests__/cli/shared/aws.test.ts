import { awsByRegion } from '../../../cli/shared/aws';
import type { AwsClients } from '../../../cli/shared/aws/clients';

describe('awsByRegion', () => {
  it("makes each region's AWS once, asking the caller's clients of that region once: later calls there reuse them", () => {
    const asked: string[] = [];
    const clientsOf = (region: string) => {
      asked.push(region);
      return { region } as unknown as AwsClients;
    };
    const awsIn = awsByRegion(clientsOf);
    const first = awsIn('eu-west-1');
    expect(awsIn('eu-west-1')).toBe(first);
    const other = awsIn('us-east-1');
    expect(other).not.toBe(first);
    expect([first.region, other.region]).toEqual(['eu-west-1', 'us-east-1']);
    expect(asked).toEqual(['eu-west-1', 'us-east-1']);
  });
});
