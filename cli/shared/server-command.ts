import type { Aws } from './aws';
import { waitUntil } from './poll';
import type { Server } from './servers';

/**
 * Runs a shell command on a server through SSM Run Command (AWS SDK, cli/shared/aws/server-commands.ts) and waits
 * (bounded, one look per poll) for its end; `result` undefined when it did not end in time.
 * The roll's snapshots and member lists, the rotations' steps, the drill's etcd restore and the acceptance run's metrics.
 */
export async function onServer(
  c: { readonly aws: Aws; readonly interrupted: () => boolean },
  peer: Pick<Server, 'instanceId'>,
  command: string,
  comment: string,
  budgetMs: number,
) {
  const { side, clients } = await c.aws.sdk();
  const commandId = await side.sendShellCommand(clients, {
    instanceIds: [peer.instanceId],
    commands: [command],
    comment,
    timeoutSeconds: Math.round(budgetMs / 1000),
  });
  // InvalidInstanceId: SSM does not know the instance (its agent not registered, or the instance gone).
  if (!commandId)
    throw new Error(
      `SSM SendCommand refused ${peer.instanceId} (InvalidInstanceId): its SSM agent is not registered; check the instance is running.`,
    );
  // Each look: undefined while the invocation is Pending, InProgress or Delayed, and while SSM does not have it yet.
  const result = await waitUntil(budgetMs, c.interrupted, () => side.invocationResult(clients, commandId, peer.instanceId));
  return { commandId, result: result && { status: result.status, output: result.output, error: result.error } };
}
