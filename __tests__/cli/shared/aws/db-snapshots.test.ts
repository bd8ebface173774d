import { createDbSnapshot, dbSnapshotStatus, deleteDbSnapshot, waitForDbSnapshot } from '../../../../cli/shared/aws/db-snapshots';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

const QUICK = { budgetMs: 10 * 10_000, pauseMs: 0 };

describe("RDS snapshots of the roll's datastore", () => {
  it('are created, and waited for through creating until available', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db');
    const clients = fake.clients();
    await createDbSnapshot(clients, 'db', 'db-roll-1');
    expect(await dbSnapshotStatus(clients, 'db-roll-1')).toBe('creating');
    expect(await waitForDbSnapshot(clients, 'db-roll-1', QUICK)).toBe('available');
  });

  it('report a snapshot RDS could not make as failed', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db');
    fake.rds.instances.get('db')!.snapshotsFail = true;
    const clients = fake.clients();
    await createDbSnapshot(clients, 'db', 's');
    expect(await waitForDbSnapshot(clients, 's', QUICK)).toBe('failed');
  });

  it('answer undefined when the budget ran out while RDS still creates it', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db');
    fake.rds.creatingLooks = 100;
    const clients = fake.clients();
    await createDbSnapshot(clients, 'db', 's');
    expect(await waitForDbSnapshot(clients, 's', { budgetMs: 3 * 10_000, pauseMs: 0 })).toBeUndefined();
  });

  it('read a missing snapshot as gone, and deleting one that is gone as false', async () => {
    const fake = new FakeAws();
    const clients = fake.clients();
    expect(await dbSnapshotStatus(clients, 'nope')).toBeUndefined();
    expect(await waitForDbSnapshot(clients, 'nope', QUICK)).toBe('gone');
    expect(await deleteDbSnapshot(clients, 'nope')).toBe(false);
  });

  it('are deleted once available', async () => {
    const fake = new FakeAws();
    fake.rds.addInstance('db');
    fake.rds.creatingLooks = 0;
    const clients = fake.clients();
    await createDbSnapshot(clients, 'db', 's');
    expect(await waitForDbSnapshot(clients, 's', QUICK)).toBe('available');
    expect(await deleteDbSnapshot(clients, 's')).toBe(true);
    expect(fake.rds.snapshots.has('s')).toBe(false);
  });

  it('of an instance RDS does not have fail with its error', async () => {
    await expect(createDbSnapshot(new FakeAws().clients(), 'nope', 's')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
  });
});
