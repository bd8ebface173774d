import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AWS_CALLS } from '../../../cli/shared/aws/calls';
import { FakeAws } from './fake-aws';
import { pageOf } from './paging';

describe('the fake AWS behind the SDK clients', () => {
  it('answers a command through the real client, and records the call', async () => {
    const fake = new FakeAws();
    const me = await fake.clients().sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '111122223333', $metadata: { attempts: 1 } });
    expect(fake.calls).toEqual([{ call: 'STS GetCallerIdentity', input: {} }]);
  });

  it("throttles as many calls as told, with each service's own code, then answers", async () => {
    const fake = new FakeAws();
    fake.throttle('STS GetCallerIdentity', 1);
    const clients = fake.clients({ maxAttempts: 1 });
    await expect(clients.sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(clients.sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '111122223333' });
  });

  it('models every call AWS_CALLS lists, and refuses a call outside it before it arrives', async () => {
    const fake = new FakeAws();
    expect(Object.keys(AWS_CALLS).filter((call) => !fake.models(call))).toEqual([]);
    expect(fake.models('CloudWatchLogs DescribeLogGroups')).toBe(false);
    await expect(fake.clients().logs.send(new DescribeLogGroupsCommand({}))).rejects.toThrow('is not in AWS_CALLS');
    expect(fake.count('CloudWatchLogs DescribeLogGroups')).toBe(0);
  });

  it('pages every list at its own small size whatever the caller asked, with opaque tokens it checks', () => {
    expect(pageOf([1, 2, 3, 4, 5], undefined, 2)).toEqual({ items: [1, 2], next: 'page-2' });
    expect(pageOf([1, 2, 3, 4, 5], 'page-4', 2)).toEqual({ items: [5] });
    expect(() => pageOf([1], 'page-9', 2)).toThrow('the fake never gave the token page-9');
  });
});
