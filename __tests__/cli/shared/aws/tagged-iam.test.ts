import { taggedIam } from '../../../../cli/shared/aws/tagged-iam';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

const SWEEP = { namePrefix: 'demo-', userPath: '/rancher-ha-aws/', tag: { key: 'run', value: 'r1' } };

describe("the IAM a run left (the sweep's roles, users, instance profiles and policies)", () => {
  it('is found by name and by its own tags, every list and tag list followed to its end', async () => {
    const fake = new FakeAws();
    const ours = { a: '1', b: '2', run: 'r1' };
    const expected = [
      fake.iam.add('role', 'demo-node', ours),
      fake.iam.add('role', 'demo-backup', ours),
      fake.iam.add('user', 'demo-backup', ours, '/rancher-ha-aws/'),
      fake.iam.add('instance-profile', 'demo-node', ours),
      fake.iam.add('policy', 'demo-read', ours),
    ];
    fake.iam.add('role', 'other-node', ours);
    fake.iam.add('role', 'demo-earlier', { run: 'r0' });
    fake.iam.add('user', 'demo-elsewhere', ours, '/');
    fake.iam.add('policy', 'demo-untagged');
    expect((await taggedIam(fake.clients(), SWEEP)).sort()).toEqual(expected.sort());
    // Three tags, two a page: the run's tag is on the second page (two pages each for two roles, one for demo-earlier's one tag).
    expect(fake.count('IAM ListRoleTags')).toBe(5);
  });

  it('is none in an account without any', async () => {
    expect(await taggedIam(new FakeAws().clients(), SWEEP)).toEqual([]);
  });
});
