import {
  invocationResult,
  listInvocations,
  sendShellCommand,
  SHELL_DOCUMENT,
  waitForInvocation,
  waitForInvocations,
} from '../../../../cli/shared/aws/server-commands';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

const QUICK = { budgetMs: 10 * 10_000, pauseMs: 0 };

function cloud() {
  const fake = new FakeAws();
  fake.ssm.register('i-1', (commands) => ({ status: 'Success', stdout: `ran ${commands.join('; ')}\n` }));
  fake.ssm.register('i-2', () => ({ status: 'Failed', stdout: 'half\n', stderr: 'boom\n' }));
  fake.ssm.register('i-3');
  return { fake, clients: fake.clients() };
}

describe('commands on the servers, through SSM Run Command', () => {
  it('sends the shell document with the commands and the execution timeout', async () => {
    const { fake, clients } = cloud();
    const id = await sendShellCommand(clients, { instanceIds: ['i-1'], commands: ['uptime'], comment: 'look', timeoutSeconds: 90.4 });
    expect(id).toBe('command-1');
    expect(fake.calls[0]).toEqual({
      call: 'SSM SendCommand',
      input: expect.objectContaining({
        InstanceIds: ['i-1'],
        DocumentName: SHELL_DOCUMENT,
        Comment: 'look',
        Parameters: { commands: ['uptime'], executionTimeout: ['90'] },
      }),
    });
  });

  it('answers undefined for a server SSM does not know yet (its agent has not registered)', async () => {
    const { clients } = cloud();
    expect(await sendShellCommand(clients, { instanceIds: ['i-booting'], commands: ['true'], comment: '', timeoutSeconds: 60 })).toBeUndefined();
  });

  it("waits through InvocationDoesNotExist right after sending, and through InProgress, to the script's result", async () => {
    const { fake, clients } = cloud();
    fake.ssm.hiddenLooks = 3;
    fake.ssm.runningLooks = 2;
    const id = (await sendShellCommand(clients, { instanceIds: ['i-1'], commands: ['hostname'], comment: '', timeoutSeconds: 60 }))!;
    expect(await invocationResult(clients, id, 'i-1')).toBeUndefined();
    expect(await waitForInvocation(clients, id, 'i-1', QUICK)).toEqual({ instanceId: 'i-1', status: 'Success', output: 'ran hostname\n', error: '' });
    expect(fake.count('SSM GetCommandInvocation')).toBe(6);
  });

  it('reports a failed script with its error output', async () => {
    const { clients } = cloud();
    const id = (await sendShellCommand(clients, { instanceIds: ['i-2'], commands: ['false'], comment: '', timeoutSeconds: 60 }))!;
    expect(await waitForInvocation(clients, id, 'i-2', QUICK)).toEqual({ instanceId: 'i-2', status: 'Failed', output: 'half\n', error: 'boom' });
  });

  it('gives up, undefined, when the invocation never appears within the budget', async () => {
    const { fake, clients } = cloud();
    fake.ssm.hiddenLooks = 1_000;
    const id = (await sendShellCommand(clients, { instanceIds: ['i-1'], commands: ['true'], comment: '', timeoutSeconds: 60 }))!;
    expect(await waitForInvocation(clients, id, 'i-1', { budgetMs: 4 * 10_000, pauseMs: 0 })).toBeUndefined();
    expect(fake.count('SSM GetCommandInvocation')).toBe(4);
  });

  it('rides out throttling of the reads (the retry strategy, not the caller)', async () => {
    const { fake, clients } = cloud();
    fake.ssm.hiddenLooks = 0;
    fake.ssm.runningLooks = 0;
    const id = (await sendShellCommand(clients, { instanceIds: ['i-1'], commands: ['true'], comment: '', timeoutSeconds: 60 }))!;
    fake.throttle('SSM GetCommandInvocation', 2);
    expect((await invocationResult(clients, id, 'i-1'))?.status).toBe('Success');
  });

  it('lists every server of a command over all pages, and waits until each has ended', async () => {
    const { fake, clients } = cloud();
    fake.pageSize = 2;
    const ids = ['i-1', 'i-2', 'i-3'];
    const id = (await sendShellCommand(clients, { instanceIds: ids, commands: ['echo'], comment: '', timeoutSeconds: 60 }))!;
    expect(await listInvocations(clients, id)).toEqual([]);
    const ended = await waitForInvocations(clients, id, ids, QUICK);
    expect(ended?.map((i) => [i.instanceId, i.status, i.output])).toEqual([
      ['i-1', 'Success', 'ran echo\n'],
      ['i-2', 'Failed', 'half\n'],
      ['i-3', 'Success', ''],
    ]);
    expect(fake.calls.filter((c) => c.call === 'SSM ListCommandInvocations').every((c) => c.input.Details === true)).toBe(true);
  });

  it('refuses to send to no server', async () => {
    const { clients } = cloud();
    await expect(sendShellCommand(clients, { instanceIds: [], commands: ['true'], comment: '', timeoutSeconds: 60 })).rejects.toThrow(
      'sendShellCommand was given no instance id',
    );
  });
});
