import { liftLoadBalancerProtection } from '../../../../cli/shared/aws/load-balancers';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("a load balancer's deletion protection, lifted before a teardown", () => {
  it('is turned off', async () => {
    const fake = new FakeAws();
    fake.elbv2.loadBalancers.set('arn:lb', { 'deletion_protection.enabled': 'true' });
    expect(await liftLoadBalancerProtection(fake.clients(), 'arn:lb')).toBe(true);
    expect(fake.elbv2.loadBalancers.get('arn:lb')).toEqual({ 'deletion_protection.enabled': 'false' });
  });

  it('is gone with the load balancer', async () => {
    expect(await liftLoadBalancerProtection(new FakeAws().clients(), 'arn:gone')).toBe(false);
  });
});
