import { resourcesTagged } from '../../../../cli/shared/aws/tagged-resources';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe('resources tagged with a deployment (a name already taken, the sweep)', () => {
  it('are found over every page, an empty page with a token included', async () => {
    const fake = new FakeAws();
    fake.tagging.emptyPagesFirst = 2;
    for (let i = 0; i < 5; i++) fake.tagging.tag(`arn:aws:ec2:eu-west-1:1:instance/i-${i}`, { deployment: 'demo-rke-ha' });
    fake.tagging.tag('arn:aws:s3:::other', { deployment: 'other-rke-ha' });
    const arns = await resourcesTagged(fake.clients(), 'deployment', 'demo-rke-ha');
    expect(arns).toEqual([0, 1, 2, 3, 4].map((i) => `arn:aws:ec2:eu-west-1:1:instance/i-${i}`));
    expect(fake.count('ResourceGroupsTaggingAPI GetResources')).toBe(5);
  });

  it('are none for a name nobody uses', async () => {
    expect(await resourcesTagged(new FakeAws().clients(), 'deployment', 'free')).toEqual([]);
  });
});
