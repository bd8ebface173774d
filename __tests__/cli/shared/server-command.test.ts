import * as side from '../../../cli/shared/aws/sdk-side';
import type { Aws } from '../../../cli/shared/aws';
import { Interrupted } from '../../../cli/shared/poll';
import { onServer } from '../../../cli/shared/server-command';
import { FakeAws } from '../../helpers/fake-aws/fake-aws';

// onServer, the roll's, the rotations', the drill's and the acceptance run's one command on one server, through the
// SDK's SSM client answered by the in-memory fake (helpers/fake-aws/fake-ssm.ts; its spec in that folder's README).

const saved = process.env.RANCHER_HA_AWS_POLL_MS;
beforeAll(() => (process.env.RANCHER_HA_AWS_POLL_MS = '0'));
afterAll(() => (saved === undefined ? delete process.env.RANCHER_HA_AWS_POLL_MS : (process.env.RANCHER_HA_AWS_POLL_MS = saved)));

/** An Aws whose SDK side is the fake's clients (the production ones, answered in memory). */
function awsOf(fake: FakeAws): Aws {
  const clients = fake.clients({ maxAttempts: 3 });
  return { region: clients.region, sdk: async () => ({ side, clients }) } as unknown as Aws;
}

describe('onServer: a shell command on one server through SSM Run Command', () => {
  it('sends the shell document with the budget as its execution timeout, and waits through InvocationDoesNotExist and InProgress', async () => {
    const fake = new FakeAws();
    fake.ssm.register('i-1', (commands) => ({ status: 'Success', stdout: `ran ${commands.join('; ')}\n`, stderr: 'note\n' }));
    fake.ssm.hiddenLooks = 2;
    fake.ssm.runningLooks = 2;
    const sent = await onServer({ aws: awsOf(fake), interrupted: () => false }, { instanceId: 'i-1' }, 'etcdctl member list', 'members', 60_000);
    expect(sent).toEqual({ commandId: 'command-1', result: { status: 'Success', output: 'ran etcdctl member list\n', error: 'note' } });
    expect(fake.calls[0]).toEqual({
      call: 'SSM SendCommand',
      input: expect.objectContaining({
        InstanceIds: ['i-1'],
        DocumentName: 'AWS-RunShellScript',
        Comment: 'members',
        Parameters: { commands: ['etcdctl member list'], executionTimeout: ['60'] },
      }),
    });
    // Two looks hidden, two running, the fifth finds the end.
    expect(fake.count('SSM GetCommandInvocation')).toBe(5);
  });

  it('gives no result when the command has not ended within the budget (one look per poll interval of it)', async () => {
    const fake = new FakeAws();
    fake.ssm.register('i-1');
    fake.ssm.runningLooks = 1_000;
    const sent = await onServer({ aws: awsOf(fake), interrupted: () => false }, { instanceId: 'i-1' }, 'true', 'x', 30_000);
    expect(sent).toEqual({ commandId: 'command-1', result: undefined });
    expect(fake.count('SSM GetCommandInvocation')).toBe(3);
  });

  it('refuses a server SSM does not know (InvalidInstanceId), naming it', async () => {
    const fake = new FakeAws();
    await expect(onServer({ aws: awsOf(fake), interrupted: () => false }, { instanceId: 'i-gone' }, 'true', 'x', 30_000)).rejects.toThrow(
      /SSM SendCommand refused i-gone \(InvalidInstanceId\)/,
    );
    expect(fake.count('SSM GetCommandInvocation')).toBe(0);
  });

  it('stops waiting once the run is interrupted', async () => {
    const fake = new FakeAws();
    fake.ssm.register('i-1');
    fake.ssm.runningLooks = 1_000;
    let looks = 0;
    const interrupted = () => looks++ >= 2;
    await expect(onServer({ aws: awsOf(fake), interrupted }, { instanceId: 'i-1' }, 'true', 'x', 600_000)).rejects.toBeInstanceOf(Interrupted);
    expect(fake.count('SSM GetCommandInvocation')).toBe(2);
  });
});
