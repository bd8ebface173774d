import { instanceState, startInstance, stopInstance } from '../../../../cli/shared/aws/instances';
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
