import type { Aws } from './aws';
import { waitUntil } from './poll';
import type { Server } from './servers';

/**
 * Runs a shell command on a server through SSM and waits (bounded) for its end; undefined when it did not end in time.
 * The roll's snapshots and member lists, the rotations' steps, the drill's etcd restore and the acceptance run's metrics.
 */
export async function onServer(
  c: { readonly aws: Aws; readonly interrupted: () => boolean },
  peer: Pick<Server, 'instanceId'>,
  command: string,
  comment: string,
  budgetMs: number,
) {
  const parameters = JSON.stringify({ commands: [command], executionTimeout: [String(Math.round(budgetMs / 1000))] });
  const sent = c.aws.call<{ Command?: { CommandId?: string } }>([
    'ssm',
    'send-command',
    '--instance-ids',
    peer.instanceId,
    '--document-name',
    'AWS-RunShellScript',
    '--comment',
    comment,
    '--parameters',
    parameters,
  ]);
  const commandId = sent?.Command?.CommandId;
  if (!commandId) throw new Error(`aws ssm send-command answered without a command id (${peer.instanceId}).`);
  const result = await waitUntil(budgetMs, c.interrupted, () => {
    const invocation = c.aws.call<{ Status?: string; StandardOutputContent?: string; StandardErrorContent?: string }>(
      ['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', peer.instanceId],
      ['InvocationDoesNotExist'],
    );
    const s = invocation?.Status;
    return s === undefined || ['Pending', 'InProgress', 'Delayed'].includes(s)
      ? undefined
      : { status: s, output: String(invocation?.StandardOutputContent ?? ''), error: String(invocation?.StandardErrorContent ?? '').trim() };
  });
  return { commandId, result };
}
