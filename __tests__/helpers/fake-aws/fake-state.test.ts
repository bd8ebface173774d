import { FakeEc2 } from './fake-ec2';
import { FakeKms } from './fake-kms';
import { FakeRds } from './fake-rds';
import { FakeTagging } from './fake-tagging';

describe("the fake's eventually consistent and stateful services", () => {
  it('EC2 shows the state before a stop for a while, then stopping, then stopped', () => {
    const ec2 = new FakeEc2();
    ec2.addInstance('i-1');
    ec2.staleLooks = 1;
    ec2.stoppingLooks = 1;
    ec2.handlers.StopInstances({ InstanceIds: ['i-1'] });
    const look = () => ec2.handlers.DescribeInstances({ InstanceIds: ['i-1'] }).Reservations[0].Instances[0].State.Name;
    expect([look(), look(), look(), look()]).toEqual(['running', 'stopping', 'stopped', 'stopped']);
    expect(() => ec2.handlers.DescribeInstances({ InstanceIds: ['i-9'] })).toThrow(expect.objectContaining({ name: 'InvalidInstanceID.NotFound' }));
  });

  it('KMS schedules a deletion 7 to 30 days out, once', () => {
    const kms = new FakeKms();
    kms.addKey('k');
    expect(() => kms.handlers.ScheduleKeyDeletion({ KeyId: 'k', PendingWindowInDays: 31 })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    );
    expect(kms.handlers.ScheduleKeyDeletion({ KeyId: 'k', PendingWindowInDays: 7 }).DeletionDate).toEqual(new Date('2026-12-04T00:00:00Z'));
    expect(() => kms.handlers.ScheduleKeyDeletion({ KeyId: 'k' })).toThrow(expect.objectContaining({ name: 'KMSInvalidStateException' }));
    expect(() => kms.handlers.DescribeKey({ KeyId: 'nope' })).toThrow(expect.objectContaining({ name: 'NotFoundException' }));
  });

  it('RDS answers a new snapshot creating for a while, and will not delete it until then', () => {
    const rds = new FakeRds();
    rds.addInstance('db');
    rds.creatingLooks = 1;
    rds.handlers.CreateDBSnapshot({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 's' });
    expect(() => rds.handlers.DeleteDBSnapshot({ DBSnapshotIdentifier: 's' })).toThrow(
      expect.objectContaining({ name: 'InvalidDBSnapshotStateFault' }),
    );
    expect(rds.handlers.DescribeDBSnapshots({ DBSnapshotIdentifier: 's' }).DBSnapshots[0].Status).toBe('creating');
    expect(rds.handlers.DescribeDBSnapshots({ DBSnapshotIdentifier: 's' }).DBSnapshots[0].Status).toBe('available');
    expect(() => rds.handlers.CreateDBSnapshot({ DBInstanceIdentifier: 'db', DBSnapshotIdentifier: 's' })).toThrow(
      expect.objectContaining({ name: 'DBSnapshotAlreadyExistsFault' }),
    );
  });

  it('the Tagging API answers empty pages with a token before the first resource, and an empty token at the end', () => {
    const tagging = new FakeTagging(() => 5);
    tagging.emptyPagesFirst = 1;
    tagging.tag('arn:1', { k: 'v' });
    const first = tagging.handlers.GetResources({ TagFilters: [{ Key: 'k', Values: ['v'] }] });
    expect(first).toEqual({ ResourceTagMappingList: [], PaginationToken: 'empty-1' });
    const second = tagging.handlers.GetResources({ TagFilters: [{ Key: 'k', Values: ['v'] }], PaginationToken: first.PaginationToken });
    expect(second.ResourceTagMappingList.map((r) => r.ResourceARN)).toEqual(['arn:1']);
    expect(second.PaginationToken).toBe('');
  });
});
