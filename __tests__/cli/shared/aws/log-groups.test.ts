import { deleteLogGroup } from '../../../../cli/shared/aws/log-groups';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

describe("a deployment's log group, deleted by the teardown", () => {
  it('is deleted, and deleting it again is false', async () => {
    const fake = new FakeAws();
    fake.logs.groups.add('/rancher/demo');
    const clients = fake.clients();
    expect(await deleteLogGroup(clients, '/rancher/demo')).toBe(true);
    expect(fake.logs.groups.size).toBe(0);
    expect(await deleteLogGroup(clients, '/rancher/demo')).toBe(false);
  });
});
