import { keyState, scheduleKeyDeletion } from '../../../../cli/shared/aws/kms-keys';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("a deployment's KMS key, scheduled for deletion by the teardown", () => {
  it('is scheduled after the pending window, and pending deletion after', async () => {
    const fake = new FakeAws();
    fake.kms.addKey('k1');
    const clients = fake.clients();
    expect(await scheduleKeyDeletion(clients, 'k1')).toEqual({ state: 'scheduled', deletionDate: new Date('2026-12-27T00:00:00Z') });
    expect(await keyState(clients, 'k1')).toBe('PendingDeletion');
  });

  it('is already pending when an earlier run scheduled it', async () => {
    const fake = new FakeAws();
    fake.kms.addKey('k1', 'PendingDeletion');
    expect(await scheduleKeyDeletion(fake.clients(), 'k1', 7)).toEqual({ state: 'already-pending' });
  });

  it('is gone when KMS has no such key', async () => {
    const clients = new FakeAws().clients();
    expect(await scheduleKeyDeletion(clients, 'nope')).toEqual({ state: 'gone' });
    expect(await keyState(clients, 'nope')).toBeUndefined();
  });

  it('is refused a window KMS would refuse, before anything is sent', async () => {
    const fake = new FakeAws();
    await expect(scheduleKeyDeletion(fake.clients(), 'k1', 5)).rejects.toThrow(
      'The pending window is 5 days: KMS takes a whole number from 7 to 30.',
    );
    expect(fake.calls).toEqual([]);
  });
});
