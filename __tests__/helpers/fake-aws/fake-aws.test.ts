import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetChangeCommand } from '@aws-sdk/client-route-53';
import { AWS_CALLS } from '../../../cli/shared/aws/calls';
import { FakeAws } from './fake-aws';
import { load, save } from '../fake-cloud-aws';
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

  it("a lost region's endpoints do not answer: the SDK retries the connection error, then throws it; the global control planes go only with us-east-1", async () => {
    const fake = new FakeAws();
    fake.route53.changes = { C1: { pendingLooks: 0, submittedAt: '2026-11-28T00:00:00.000Z' } };
    fake.s3.createBucket('copy');
    fake.regionLoss = { region: 'eu-west-1' };
    const lost = fake.clients({ region: 'eu-west-1', maxAttempts: 3 });
    await expect(lost.s3.send(new ListObjectsV2Command({ Bucket: 'copy' }))).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      message: 'connect ETIMEDOUT s3.eu-west-1.amazonaws.com:443',
      $metadata: { attempts: 3 },
    });
    await expect(lost.sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(fake.refused).toEqual([
      ...Array(3).fill({ call: 'S3 ListObjectsV2', region: 'eu-west-1' }),
      ...Array(3).fill({ call: 'STS GetCallerIdentity', region: 'eu-west-1' }),
    ]);
    // Another region answers; Route 53's API is us-east-1's, whatever region the client names.
    await expect(fake.clients({ region: 'us-west-2' }).s3.send(new ListObjectsV2Command({ Bucket: 'copy' }))).resolves.toMatchObject({ KeyCount: 0 });
    await expect(lost.route53.send(new GetChangeCommand({ Id: 'C1' }))).resolves.toMatchObject({ ChangeInfo: { Status: 'INSYNC' } });
    // A us-east-1 primary: Route 53's API goes with it.
    fake.regionLoss = { region: 'us-east-1' };
    await expect(fake.clients({ region: 'us-west-2', maxAttempts: 1 }).route53.send(new GetChangeCommand({ Id: 'C1' }))).rejects.toMatchObject({
      message: 'connect ETIMEDOUT route53.amazonaws.com:443',
    });
  });

  it("loaded from a fake cloud's world, keeps its loss and replication rule: a write is copied with its date, what was there is not", () => {
    const aws = {
      lbs: {},
      dbs: {},
      keys: {},
      logGroups: {},
      regionLoss: { region: 'eu-west-1' },
      buckets: {
        source: {
          exists: true,
          guarded: true,
          replication: { destination: 'copy', deleteMarkers: true },
          objects: [{ key: 'record', version: 's1', lastModified: '2026-11-01T00:00:00.000Z', size: 4 }] as any[],
        },
        copy: { exists: true, guarded: true, objects: [] as any[] },
      },
    };
    const fake = new FakeAws();
    load(fake, aws, 'us-west-2');
    expect(fake.regionLoss).toEqual({ region: 'eu-west-1' });
    fake.s3.handlers.CopyObject({ Bucket: 'source', Key: 'backup', CopySource: 'source/record' });
    save(fake, aws);
    // The replica written back with the fields the world's readers use (its date, its size), the source marked.
    expect(aws.buckets.copy.objects).toEqual([
      { key: 'backup', version: 'v1', lastModified: expect.stringMatching(/^2026-11-01T/), size: 4, replicationStatus: 'REPLICA' },
    ]);
    expect(aws.buckets.source.objects.map((o) => [o.key, o.replicationStatus])).toEqual([
      ['record', undefined],
      ['backup', 'COMPLETED'],
    ]);
  });

  it('pages every list at its own small size whatever the caller asked, with opaque tokens it checks', () => {
    expect(pageOf([1, 2, 3, 4, 5], undefined, 2)).toEqual({ items: [1, 2], next: 'page-2' });
    expect(pageOf([1, 2, 3, 4, 5], 'page-4', 2)).toEqual({ items: [5] });
    expect(() => pageOf([1], 'page-9', 2)).toThrow('the fake never gave the token page-9');
  });
});
