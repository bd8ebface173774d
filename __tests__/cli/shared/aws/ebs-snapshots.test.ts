import { snapshotsOfVolume } from '../../../../cli/shared/aws/ebs-snapshots';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("a data volume's EBS snapshots (what the teardown leaves, named)", () => {
  it("are the account's own of that volume, over every page", async () => {
    const fake = new FakeAws();
    for (let i = 0; i < 5; i++) fake.ec2.snapshots.push({ id: `snap-${i}`, volumeId: 'vol-1', owner: fake.ec2.account });
    fake.ec2.snapshots.push({ id: 'snap-other-volume', volumeId: 'vol-2', owner: fake.ec2.account });
    fake.ec2.snapshots.push({ id: 'snap-shared-with-us', volumeId: 'vol-1', owner: '999' });
    expect(await snapshotsOfVolume(fake.clients(), 'vol-1')).toEqual(['snap-0', 'snap-1', 'snap-2', 'snap-3', 'snap-4']);
    expect(fake.count('EC2 DescribeSnapshots')).toBe(3);
  });
});
