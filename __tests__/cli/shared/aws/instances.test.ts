import { instanceState, startInstance, stopInstance } from '../../../../cli/shared/aws/instances';
import { CredentialsProviderError } from '@smithy/core/config';
import { regionAnswers } from '../../../../cli/shared/aws/region-probe';
import { failureOf, NO_CREDENTIALS_TEXT } from '../../../../cli/shared/io/failure';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe('an EC2 instance stopped (the docker break)', () => {
  it('is waited for until EC2 describes it stopped, through the stale running and the stopping', async () => {
    const fake = new FakeAws();
    fake.ec2.addInstance('i-1');
    fake.ec2.staleLooks = 2;
    fake.ec2.stoppingLooks = 2;
    expect(await stopInstance(fake.clients(), 'i-1', { budgetMs: 10 * 10_000, pauseMs: 0 })).toEqual({ stopped: true, state: 'stopped' });
    expect(fake.count('EC2 DescribeInstances')).toBe(5);
  });

  it('reports the last state seen when the budget runs out first', async () => {
    const fake = new FakeAws();
    fake.ec2.addInstance('i-1');
    fake.ec2.stoppingLooks = 20;
    expect(await stopInstance(fake.clients(), 'i-1', { budgetMs: 3 * 10_000, pauseMs: 0 })).toEqual({ stopped: false, state: 'stopping' });
  });

  it('reads an id EC2 does not know as undefined (InvalidInstanceID.NotFound)', async () => {
    expect(await instanceState(new FakeAws().clients(), 'i-gone')).toBeUndefined();
  });
});

describe('an EC2 instance started again (the failover phase: the primary region back)', () => {
  it('is waited for until EC2 describes it running, through pending', async () => {
    const fake = new FakeAws();
    fake.ec2.addInstance('i-1', 'stopped');
    fake.ec2.pendingLooks = 2;
    expect(await startInstance(fake.clients(), 'i-1', { budgetMs: 10 * 10_000, pauseMs: 0 })).toEqual({ running: true, state: 'running' });
    expect(fake.count('EC2 StartInstances')).toBe(1);
    expect(fake.count('EC2 DescribeInstances')).toBe(3);
  });

  it('reports the last state seen when the budget runs out first', async () => {
    const fake = new FakeAws();
    fake.ec2.addInstance('i-1', 'stopped');
    fake.ec2.pendingLooks = 20;
    expect(await startInstance(fake.clients(), 'i-1', { budgetMs: 3 * 10_000, pauseMs: 0 })).toEqual({ running: false, state: 'pending' });
  });
});

describe("a region's EC2 probed (the failback's gate)", () => {
  it('answers for a region whose EC2 answers', async () => {
    const fake = new FakeAws();
    expect(await regionAnswers(fake.clients())).toEqual({ answers: true });
    expect(fake.count('EC2 DescribeInstances')).toBe(1);
  });

  it('reports a region that does not answer, with its error', async () => {
    const fake = new FakeAws();
    fake.regionLoss = { region: 'eu-west-1' };
    const probe = await regionAnswers(fake.clients({ maxAttempts: 1 }));
    expect(probe).toMatchObject({ answers: false, error: expect.stringContaining('ETIMEDOUT') });
  });

  it('throws no credentials on, for the command to name the ways to give them: never a region down', async () => {
    // The SDK's default chain on an empty environment: its last provider throws this before any request is sent.
    const none = async () => {
      throw new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false });
    };
    const fake = new FakeAws();
    const thrown = await regionAnswers(fake.clients({ credentials: none })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failureOf(thrown)).toMatchObject({ kind: 'NO_CREDENTIALS', exitCode: 1, text: NO_CREDENTIALS_TEXT });
    expect(fake.count('EC2 DescribeInstances')).toBe(0);
  });
});
