import { deletionProtection, liftDeletionProtection } from '../../../../cli/shared/aws/databases';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("an RDS instance's deletion protection, lifted before a teardown", () => {
  it('is turned off and waited for until RDS reports it off', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db', true);
    fake.rds.modifyLooks = 2;
    const clients = fake.clients();
    expect(await liftDeletionProtection(clients, 'db', { budgetMs: 10 * 10_000, pauseMs: 0 })).toBe('off');
    expect(fake.count('RDS DescribeDBInstances')).toBe(3);
    expect(fake.calls.find((c) => c.call === 'RDS ModifyDBInstance')?.input).toMatchObject({ DeletionProtection: false, ApplyImmediately: true });
    expect(await deletionProtection(clients, 'db')).toBe(false);
  });

  it('is gone with the instance', async () => {
    expect(await liftDeletionProtection(new FakeAws().clients(), 'nope', { budgetMs: 10_000, pauseMs: 0 })).toBe('gone');
  });

  it('answers undefined when RDS still reports it on when the budget runs out', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db', true);
    fake.rds.modifyLooks = 50;
    expect(await liftDeletionProtection(fake.clients(), 'db', { budgetMs: 3 * 10_000, pauseMs: 0 })).toBeUndefined();
  });
});
