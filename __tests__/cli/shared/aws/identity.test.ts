import { callerIdentity } from '../../../../cli/shared/aws/identity';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe('who runs the operations', () => {
  it("is STS's answer for the credentials", async () => {
    const fake = new FakeAws();
    fake.identity = { ...fake.identity, Arn: 'arn:aws:iam::999:user/ci', Account: '999' };
    expect(await callerIdentity(fake.clients())).toEqual({ arn: 'arn:aws:iam::999:user/ci', account: '999' });
  });
});
