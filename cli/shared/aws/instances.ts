import { DescribeInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';
import { waitFor, type WaitBudget } from './wait';

/**
 * An instance's state (`running`, `stopping`, `stopped`, `shutting-down`, `terminated`...), or undefined when EC2
 * does not know the id. EC2 is eventually consistent: right after a change, a describe may still show the state before.
 */
export async function instanceState(clients: AwsClients, instanceId: string): Promise<string | undefined> {
  try {
    const found = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return found.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? 'unknown';
  } catch (error) {
    if (isAwsError(error, 'InvalidInstanceID.NotFound')) return undefined;
    throw error;
  }
}

/** Waits until EC2 describes the instance `wanted`; the last state seen (`gone` once EC2 forgets it) and whether it got there. */
async function untilState(clients: AwsClients, instanceId: string, wanted: string, budget: WaitBudget): Promise<{ reached: boolean; state: string }> {
  let state = 'unknown';
  const reached = await waitFor(budget, async () => {
    state = (await instanceState(clients, instanceId)) ?? 'gone';
    return state === wanted ? true : undefined;
  });
  return { reached: reached === true, state };
}

/** Stops an instance and waits until EC2 describes it `stopped`; the last state seen and whether it got there. */
export async function stopInstance(clients: AwsClients, instanceId: string, budget: WaitBudget): Promise<{ stopped: boolean; state: string }> {
  await clients.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
  const { reached, state } = await untilState(clients, instanceId, 'stopped', budget);
  return { stopped: reached, state };
}

/**
 * Starts a stopped instance and waits until EC2 describes it `running` (the acceptance run's failover phase: the
 * primary's region back); the last state seen and whether it got there.
 */
export async function startInstance(clients: AwsClients, instanceId: string, budget: WaitBudget): Promise<{ running: boolean; state: string }> {
  await clients.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
  const { reached, state } = await untilState(clients, instanceId, 'running', budget);
  return { running: reached, state };
}
