import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClients } from '../../../cli/shared/aws/clients';
import { deleteBucket, emptyBucket } from '../../../cli/shared/aws/bucket-emptying';
import { liftDeletionProtection } from '../../../cli/shared/aws/databases';
import { snapshotsOfVolume } from '../../../cli/shared/aws/ebs-snapshots';
import { eventsBy } from '../../../cli/shared/aws/cloudtrail-events';
import { callerIdentity } from '../../../cli/shared/aws/identity';
import { instanceState, stopInstance } from '../../../cli/shared/aws/instances';
import { keyState, scheduleKeyDeletion } from '../../../cli/shared/aws/kms-keys';
import { liftLoadBalancerProtection } from '../../../cli/shared/aws/load-balancers';
import { deleteLogGroup } from '../../../cli/shared/aws/log-groups';
import { invocationResult, sendShellCommand } from '../../../cli/shared/aws/server-commands';
import { taggedIam } from '../../../cli/shared/aws/tagged-iam';
import { resourcesTagged } from '../../../cli/shared/aws/tagged-resources';
import { assumeRoleWithPolicy } from '../../../cli/shared/aws/outage-credentials';
import { outagePolicy } from '../../../cli/acceptance/acceptance-outage';
import { RUN_TAG } from '../../../cli/acceptance/acceptance-settings';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeCloud, REGION, useFakeAwsEndpoint } from '../fake-cloud';
import { accessKeyOfWorld } from './world-key';

// The fake AWS endpoint as the bundled CLI meets it: the product's SDK clients, configured by the environment the
// fake cloud gives a CLI run (AWS_ENDPOINT_URL, the world's key), send real HTTP requests through the SDK's own
// serializers, and read the answers with its own deserializers. Each case is a call the teardown makes, checked on
// the world file afterwards, with the protocol detail that would break it (query lists, RDS's named members, S3's
// flattened lists and error bodies, EC2's sets and tokens, JSON errors).

useFakeAwsEndpoint();

const LB = `arn:aws:elasticloadbalancing:${REGION}:111122223333:loadbalancer/net/rancher/0123`;
let cloud: FakeCloud;
let clients: AwsClients;
const saved = { ...process.env };

beforeEach(() => {
  cloud = new FakeCloud({} as never, {
    aws: {
      lbs: { [LB]: { protection: true } },
      dbs: { 'rancher-db': { protection: true } },
      buckets: {
        'rancher-snapshots': {
          exists: true,
          guarded: true,
          objects: [
            { key: 'a', version: 'v1', lastModified: '2026-11-20T06:00:09.000Z' },
            { key: 'a', version: 'v2' },
            { key: 'b', version: 'v3' },
            { key: 'c', version: 'v4' },
            { key: 'd&<e>', version: 'v5' },
          ],
        },
        'rancher-locked': { exists: true, guarded: true, objects: [{ key: 'held', version: 'v1', locked: true }] },
      },
      keys: { 'key-1': { state: 'Enabled' }, 'key-west': { state: 'Enabled', region: 'us-west-2' } },
      logGroups: { '/rancher/flow': { exists: true } },
      volumes: { 'vol-1': ['snap-1', 'snap-2', 'snap-3'], 'vol-2': ['snap-9'] },
    },
  });
  Object.assign(process.env, cloud.awsEnvironment(), { RANCHER_HA_AWS_POLL_MS: '0' });
  clients = new AwsClients({ region: REGION, retryDelayMs: 0, credentials: worldCredentials() });
});

afterEach(() => {
  clients.destroy();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  expect(cloud.violations()).toBe('');
  cloud.remove();
});

/**
 * The key that names this case's world (and a run of it), given to the clients: the SDK's default chain is read once
 * per process (cli/shared/aws/clients.ts, the run's credentials), and each case here has a world of its own.
 */
const worldCredentials = (run?: number) => ({ accessKeyId: accessKeyOfWorld(cloud.dir, run), secretAccessKey: 'fake-secret' });

const sdkCalls = () => cloud.calls().filter((c) => c.startsWith('aws-sdk '));

describe('the fake AWS endpoint, reached by the SDK over HTTP', () => {
  it('lifts a load balancer deletion protection (a query list of attributes) and logs the call with its region', async () => {
    await liftLoadBalancerProtection(clients, LB);
    expect(cloud.world().aws.lbs[LB].protection).toBe(false);
    expect(sdkCalls()).toEqual([
      `aws-sdk ${REGION} ElasticLoadBalancingV2 ModifyLoadBalancerAttributes ${JSON.stringify({
        LoadBalancerArn: LB,
        Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
      })}`,
    ]);
  });

  it("lifts RDS deletion protection and reads it off through DescribeDBInstances' named members, one describe late", async () => {
    expect(await liftDeletionProtection(clients, 'rancher-db', { budgetMs: 60_000, pauseMs: 0 })).toBe('off');
    expect(cloud.world().aws.dbs['rancher-db'].protection).toBe(false);
    expect(sdkCalls().map((c) => c.split(' ')[3])).toEqual(['ModifyDBInstance', 'DescribeDBInstances', 'DescribeDBInstances']);
    // A missing instance is RDS's DBInstanceNotFound fault in an ErrorResponse, which the caller reads as gone.
    expect(await liftDeletionProtection(clients, 'no-such-db', { budgetMs: 1000, pauseMs: 0 })).toBe('gone');
  });

  it('empties a bucket over pages of versions (flattened lists, two markers, an escaped key) and then deletes it', async () => {
    expect(await emptyBucket(clients, 'rancher-snapshots')).toEqual({ removed: 5, kept: [] });
    const lists = sdkCalls().filter((c) => c.includes(' ListObjectVersions '));
    expect(lists).toHaveLength(3);
    expect(lists[1]).toContain('"KeyMarker":"a","VersionIdMarker":"v1"');
    expect(cloud.world().aws.buckets['rancher-snapshots'].objects).toEqual([]);
    expect(await deleteBucket(clients, 'rancher-snapshots')).toBe(true);
    expect(cloud.world().aws.buckets['rancher-snapshots'].exists).toBe(false);
    // Gone: S3's NoSuchBucket (404, an XML Error body) is read as "already gone".
    expect(await deleteBucket(clients, 'rancher-snapshots')).toBe(false);
    expect(await emptyBucket(clients, 'rancher-snapshots')).toBeUndefined();
  });

  it("reads the keys S3 refused out of DeleteObjects' Error elements, and BucketNotEmpty from a 409", async () => {
    const emptied = await emptyBucket(clients, 'rancher-locked');
    expect(emptied).toEqual({
      removed: 0,
      kept: [{ key: 'held', versionId: 'v1', code: 'AccessDenied', message: expect.stringContaining('object lock') }],
    });
    await expect(deleteBucket(clients, 'rancher-locked')).rejects.toMatchObject({ name: 'BucketNotEmpty', $metadata: { httpStatusCode: 409 } });
    expect(cloud.world().aws.buckets['rancher-locked']).toMatchObject({ exists: true, objects: [{ key: 'held', locked: true }] });
  });

  it("answers nothing for a lost region (the connection dropped, retried by the SDK, then thrown); S3's bucket configuration goes with us-east-1", async () => {
    cloud.update((w) => (w.aws.regionLoss = { region: REGION }));
    // The SDK's words for a connection its Node.js handler saw dropped (a TimeoutError, transient: retried).
    await expect(keyState(clients, 'key-1')).rejects.toMatchObject({
      message: expect.stringMatching(/TimeoutError: socket hang up/),
      $metadata: { attempts: 5 },
    });
    const west = new AwsClients({ region: 'us-west-2', retryDelayMs: 0 });
    try {
      expect(await keyState(west, 'key-west')).toBe('Enabled');
      // A us-east-1 primary's loss (the control planes with it): a bucket's deletion refused from any region.
      cloud.update((w) => (w.aws.regionLoss = { region: REGION, controlPlanes: true }));
      await expect(deleteBucket(west, 'rancher-locked')).rejects.toMatchObject({ message: expect.stringMatching(/socket hang up/) });
    } finally {
      west.destroy();
    }
    const refused = readFileSync(join(cloud.dir, 'refused.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(refused.map((r) => `${r.client} ${r.call} ${r.region}`)).toEqual([
      ...Array(5).fill(`${REGION} KMS DescribeKey ${REGION}`),
      ...Array(5).fill('us-west-2 S3 DeleteBucket us-west-2'),
    ]);
    expect(cloud.world().aws.buckets['rancher-locked'].exists).toBe(true);
  });

  it('schedules a key deletion in its own region only (JSON 1.1, a date in epoch seconds; NotFoundException elsewhere)', async () => {
    const scheduled = await scheduleKeyDeletion(clients, 'key-1', 30);
    expect(scheduled).toEqual({ state: 'scheduled', deletionDate: new Date(Date.UTC(2026, 11, 27)) });
    expect(cloud.world().aws.keys['key-1']).toMatchObject({ state: 'PendingDeletion', window: 30 });
    expect(await scheduleKeyDeletion(clients, 'key-1', 30)).toEqual({ state: 'already-pending' });
    expect(await scheduleKeyDeletion(clients, 'key-west', 30)).toEqual({ state: 'gone' });
    const west = new AwsClients({ region: 'us-west-2', retryDelayMs: 0, credentials: worldCredentials() });
    try {
      expect((await scheduleKeyDeletion(west, 'key-west', 7)).state).toBe('scheduled');
    } finally {
      west.destroy();
    }
    expect(cloud.world().aws.keys['key-west']).toMatchObject({ state: 'PendingDeletion', window: 7 });
  });

  it("STS AssumeRole with a session policy denying a region: the session's calls requested there refused AccessDenied, elsewhere answered; a us-east-1 deny takes IAM too", async () => {
    const role = 'arn:aws:iam::123456789012:role/deployer';
    const session = (region: string) =>
      assumeRoleWithPolicy(clients, { roleArn: role, sessionName: 'outage', policy: outagePolicy(region), seconds: 3600 });
    const lost = await session(REGION);
    const here = clients.withCredentials(lost);
    const west = new AwsClients({ region: 'us-west-2', retryDelayMs: 0, credentials: lost });
    const east = await session('us-east-1');
    const eastHere = clients.withCredentials(east);
    try {
      // An explicit deny in the session policy: refused once (not retried), nothing done; the run's own key still answered.
      await expect(keyState(here, 'key-1')).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
      expect(await keyState(west, 'key-west')).toBe('Enabled');
      expect(await keyState(clients, 'key-1')).toBe('Enabled');
      // us-east-1 denied: IAM's API is requested there whatever region the client names; the client's own region answers.
      await expect(taggedIam(eastHere, { namePrefix: 'x-', userPath: '/x/', tag: { key: 'k', value: 'v' } })).rejects.toMatchObject({
        name: 'AccessDenied',
      });
      expect(await keyState(eastHere, 'key-1')).toBe('Enabled');
    } finally {
      for (const c of [here, west, eastHere]) c.destroy();
    }
    const made = readFileSync(join(cloud.dir, 'session-calls.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(made.map((m) => [m.client, m.call, m.region, m.denied])).toEqual([
      [REGION, 'KMS DescribeKey', REGION, true],
      ['us-west-2', 'KMS DescribeKey', 'us-west-2', false],
      [REGION, 'IAM ListRoles', 'us-east-1', true],
      [REGION, 'KMS DescribeKey', REGION, false],
    ]);
  });

  it("deletes a log group, and reads CloudWatch Logs' ResourceNotFoundException for one already gone", async () => {
    expect(await deleteLogGroup(clients, '/rancher/flow')).toBe(true);
    expect(cloud.world().aws.logGroups['/rancher/flow'].exists).toBe(false);
    expect(await deleteLogGroup(clients, '/rancher/flow')).toBe(false);
  });

  it("follows EC2's nextToken through the snapshotSet pages of a volume's snapshots", async () => {
    expect(await snapshotsOfVolume(clients, 'vol-1')).toEqual(['snap-1', 'snap-2', 'snap-3']);
    expect(sdkCalls().filter((c) => c.includes(' DescribeSnapshots '))).toHaveLength(2);
  });

  it('answers a request it does not read with an error, never a kind empty answer', async () => {
    // S3 GetBucketLocation (GET /<bucket>?location), which no command sends (the product's clients refuse it before
    // sending: a client of its own here): HTTP 501 naming it, which the SDK does not retry.
    const s3 = new S3Client({ region: REGION, credentials: { accessKeyId: accessKeyOfWorld(cloud.dir), secretAccessKey: 'fake-secret' } });
    try {
      await expect(s3.send(new GetBucketLocationCommand({ Bucket: 'rancher-snapshots' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 501 },
      });
    } finally {
      s3.destroy();
    }
    expect(sdkCalls()).toEqual([]);
  });
});

describe("SSM Run Command, handed to the world's stubs (world-stubs.ts)", () => {
  // A roll's world (ops-stubs/fake-roll.js) with one server: a command's first look is InProgress, the second its end.
  const world = { roll: {}, cluster: { servers: [{ name: 'server-0', instance: 'i-0', ready: true, member: true, nodePresent: true }] } };
  const asRun = (run: number | undefined) => {
    return new AwsClients({ region: REGION, retryDelayMs: 0, credentials: worldCredentials(run) });
  };

  it("sends the command in the CLI's words to the stub for the run that sent it, and reads its looks back as SSM answers them", async () => {
    cloud.write(world);
    // This process stands for the run (the world holds no signal hook to send it).
    mkdirSync(join(cloud.dir, 'callers'), { recursive: true });
    writeFileSync(join(cloud.dir, 'callers', '7'), String(process.pid));
    const run = asRun(7);
    try {
      const id = await sendShellCommand(run, { instanceIds: ['i-0'], commands: ['etcdctl member list'], comment: 'look', timeoutSeconds: 60 });
      expect(id).toBe('cmd-1');
      expect(await invocationResult(run, id!, 'i-0')).toBeUndefined();
      expect(await invocationResult(run, id!, 'i-0')).toEqual({ instanceId: 'i-0', status: 'Success', output: '', error: '' });
      // A command SSM does not have: the stub's InvocationDoesNotExist, written as SSM's JSON error, read as "not yet".
      expect(await invocationResult(run, 'cmd-9', 'i-0')).toBeUndefined();
      // SSM's own InvalidInstanceId for an instance it does not know.
      expect(await sendShellCommand(run, { instanceIds: ['i-9'], commands: ['true'], comment: '', timeoutSeconds: 60 })).toBeUndefined();
    } finally {
      run.destroy();
    }
    const parameters = JSON.stringify({ commands: ['etcdctl member list'], executionTimeout: ['60'] });
    expect(cloud.calls().filter((c) => c.startsWith('aws '))).toEqual([
      `aws ssm send-command --instance-ids i-0 --document-name AWS-RunShellScript --comment look --parameters ${parameters} --region ${REGION} --output json`,
      ...Array.from({ length: 2 }, () => `aws ssm get-command-invocation --command-id cmd-1 --instance-id i-0 --region ${REGION} --output json`),
      `aws ssm get-command-invocation --command-id cmd-9 --instance-id i-0 --region ${REGION} --output json`,
      expect.stringMatching(/^aws ssm send-command --instance-ids i-9 /),
    ]);
    expect(cloud.world().cluster.commands).toEqual([expect.objectContaining({ id: 'cmd-1', instance: 'i-0', looks: 2, status: 'Success' })]);
  });

  it('refuses a call of no CLI run the fake cloud started (no caller for the stubs to signal): HTTP 501', async () => {
    cloud.write(world);
    const run = asRun(undefined);
    try {
      await expect(sendShellCommand(run, { instanceIds: ['i-0'], commands: ['true'], comment: '', timeoutSeconds: 60 })).rejects.toMatchObject({
        $metadata: { httpStatusCode: 501 },
      });
    } finally {
      run.destroy();
    }
    expect(cloud.calls()).toEqual([]);
  });
});

describe("an acceptance world: the run's own calls, handed to its stubs (world-stubs.ts)", () => {
  // What ops-stubs/fake-acceptance.js answers before a run (its run id `zzzzzz`): the IAM a run left (one role tagged
  // with it, one only named like it), a leftover it tagged, its principal's CloudTrail events, the docker host.
  const LEFT = `arn:aws:ec2:${REGION}:123456789012:vpc/vpc-left`;
  const acceptanceWorld = (w: any) => {
    w.state = { resources: [] };
    w.acceptance = {
      iam: [
        { kind: 'role', name: 'acc-zzzzzz-rke-ha-left' },
        { kind: 'role', name: 'acc-zzzzzz-someone-elses', tagged: false },
        { kind: 'user', name: 'acc-zzzzzz-writer' },
      ],
      leftovers: [LEFT],
      events: [{ EventSource: 'ec2.amazonaws.com', EventName: 'RunInstances' }],
    };
  };

  it("answers STS, IAM's query lists, the Tagging API, KMS, CloudTrail and EC2 as the stubs say, logged in the CLI's words", async () => {
    cloud.update(acceptanceWorld);
    mkdirSync(join(cloud.dir, 'callers'), { recursive: true });
    writeFileSync(join(cloud.dir, 'callers', '7'), String(process.pid));
    const run = new AwsClients({ region: REGION, retryDelayMs: 0, credentials: worldCredentials(7) });
    try {
      expect(await callerIdentity(run)).toEqual({ arn: 'arn:aws:sts::123456789012:assumed-role/deployer/alice', account: '123456789012' });
      const tag = { key: RUN_TAG, value: 'zzzzzz' };
      expect(await taggedIam(run, { namePrefix: 'acc-zzzzzz-', userPath: '/rancher-ha-aws/', tag })).toEqual([
        'arn:aws:iam::123456789012:role/acc-zzzzzz-rke-ha-left',
        'arn:aws:iam::123456789012:user/rancher-ha-aws/acc-zzzzzz-writer',
      ]);
      expect(await resourcesTagged(run, RUN_TAG, 'zzzzzz')).toEqual([LEFT]);
      // KMS's NotFoundException for a key the world does not have: no such key.
      expect(await keyState(run, 'key-gone')).toBeUndefined();
      // The events' JSON (epoch-second times sent, ISO 8601 in the CLI's words) read back.
      expect(await eventsBy(run, 'alice', new Date('2026-11-25T12:00:00Z'), new Date('2026-11-25T13:00:00Z'))).toEqual([
        { source: 'ec2.amazonaws.com', name: 'RunInstances' },
      ]);
      // EC2's instanceState member read back: running, then stopped once stopped.
      expect(await instanceState(run, 'i-server')).toBe('running');
      expect(await stopInstance(run, 'i-server', { budgetMs: 60_000, pauseMs: 0 })).toEqual({ stopped: true, state: 'stopped' });
    } finally {
      run.destroy();
    }
    expect(cloud.world().acceptance.stopped).toBe('i-server');
    const words = cloud.calls().filter((c) => c.startsWith('aws '));
    expect(words).toEqual(
      expect.arrayContaining([
        `aws sts get-caller-identity --region ${REGION} --output json`,
        expect.stringMatching(/^aws iam list-role-tags --role-name acc-zzzzzz-someone-elses --region [a-z0-9-]+ --output json$/),
        expect.stringMatching(/^aws iam list-users --path-prefix \/rancher-ha-aws\/ --region [a-z0-9-]+ --output json$/),
        `aws resourcegroupstaggingapi get-resources --tag-filters Key=${RUN_TAG},Values=zzzzzz --region ${REGION} --output json`,
        `aws kms describe-key --key-id key-gone --region ${REGION} --output json`,
        `aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=alice --start-time 2026-11-25T12:00:00.000Z --end-time 2026-11-25T13:00:00.000Z --max-results 50 --region ${REGION} --output json`,
        `aws ec2 stop-instances --instance-ids i-server --region ${REGION} --output json`,
      ]),
    );
    // None reached the in-memory fake.
    expect(sdkCalls()).toEqual([]);
  });
});
