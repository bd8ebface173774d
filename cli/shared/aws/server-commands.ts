import { GetCommandInvocationCommand, paginateListCommandInvocations, SendCommandCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';
import { waitFor, type WaitBudget } from './wait';

/** The only document the operations send (docs/deployer-policy.json allows ssm:SendCommand with it alone). */
export const SHELL_DOCUMENT = 'AWS-RunShellScript';

/** A shell command for some servers, through SSM Run Command. */
export interface ShellCommand {
  readonly instanceIds: readonly string[];
  readonly commands: readonly string[];
  /** Shown in SSM's command history (at most 100 characters there). */
  readonly comment: string;
  /** The document's executionTimeout: the agent stops the script after it. */
  readonly timeoutSeconds: number;
}

/** How an invocation ended (any status but Pending, InProgress and Delayed), with what the script printed. */
export interface InvocationResult {
  readonly instanceId: string;
  readonly status: string;
  readonly output: string;
  readonly error: string;
}

const RUNNING: readonly string[] = ['Pending', 'InProgress', 'Delayed'];

/**
 * Sends the command; its id, or undefined when SSM does not know one of the instances yet (InvalidInstanceId: a
 * server still booting, whose agent has not registered; the caller looks again later).
 */
export async function sendShellCommand(clients: AwsClients, command: ShellCommand): Promise<string | undefined> {
  if (command.instanceIds.length === 0) throw new Error('sendShellCommand was given no instance id: name at least one server.');
  try {
    const sent = await clients.ssm.send(
      new SendCommandCommand({
        InstanceIds: [...command.instanceIds],
        DocumentName: SHELL_DOCUMENT,
        Comment: command.comment,
        Parameters: { commands: [...command.commands], executionTimeout: [String(Math.round(command.timeoutSeconds))] },
      }),
    );
    const id = sent.Command?.CommandId;
    if (!id) throw new Error(`SSM SendCommand answered without a command id (${command.instanceIds.join(', ')}).`);
    return id;
  } catch (error) {
    if (isAwsError(error, 'InvalidInstanceId')) return undefined;
    throw error;
  }
}

/**
 * One look at a server's invocation: undefined while it runs, and while SSM does not have it yet
 * (GetCommandInvocation answers InvocationDoesNotExist for a while after SendCommand).
 */
export async function invocationResult(clients: AwsClients, commandId: string, instanceId: string): Promise<InvocationResult | undefined> {
  try {
    const got = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    const status = got.Status;
    if (status === undefined || RUNNING.includes(status)) return undefined;
    return { instanceId, status, output: got.StandardOutputContent ?? '', error: (got.StandardErrorContent ?? '').trim() };
  } catch (error) {
    if (isAwsError(error, 'InvocationDoesNotExist')) return undefined;
    throw error;
  }
}

/** Waits for a server's invocation to end; undefined when it did not within the budget. */
export function waitForInvocation(
  clients: AwsClients,
  commandId: string,
  instanceId: string,
  budget: WaitBudget,
): Promise<InvocationResult | undefined> {
  return waitFor(budget, () => invocationResult(clients, commandId, instanceId));
}

/** Every server's invocation of a command as SSM lists it now (all pages), the plugins' output joined. */
export async function listInvocations(clients: AwsClients, commandId: string): Promise<{ instanceId: string; status: string; output: string }[]> {
  const found: { instanceId: string; status: string; output: string }[] = [];
  for await (const page of paginateListCommandInvocations({ client: clients.ssm }, { CommandId: commandId, Details: true }))
    for (const i of page.CommandInvocations ?? [])
      found.push({
        instanceId: i.InstanceId ?? '',
        status: i.Status ?? '',
        output: (i.CommandPlugins ?? []).map((p) => p.Output ?? '').join('\n'),
      });
  return found;
}

/** Waits until every one of `instanceIds` has an invocation that ended; undefined when they did not within the budget. */
export function waitForInvocations(
  clients: AwsClients,
  commandId: string,
  instanceIds: readonly string[],
  budget: WaitBudget,
): Promise<{ instanceId: string; status: string; output: string }[] | undefined> {
  return waitFor(budget, async () => {
    const listed = await listInvocations(clients, commandId);
    const ended = listed.filter((i) => instanceIds.includes(i.instanceId) && i.status !== '' && !RUNNING.includes(i.status));
    return new Set(ended.map((i) => i.instanceId)).size === new Set(instanceIds).size ? listed : undefined;
  });
}
