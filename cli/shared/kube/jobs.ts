import type { V1Job } from '@kubernetes/client-node';
import type { KubeClient } from './client';
import { kubeFailure, kubeStatus } from './errors';

/**
 * Where a Job is, by its conditions as the Job controller sets them (batch/v1 JobStatus): `succeeded` once Complete is
 * True, `failed` once Failed is True, `running` before either; with the pod counts it reports.
 */
export interface JobState {
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The Failed condition's reason and message (BackoffLimitExceeded, DeadlineExceeded...), when it failed. */
  readonly why?: string;
}

/** Creates a Job in `namespace`; its name (the one asked for, or the server's from generateName). */
export async function createJob(client: KubeClient, namespace: string, job: V1Job): Promise<string> {
  const what = `Creating Job ${namespace}/${job.metadata?.name ?? `${job.metadata?.generateName ?? ''}*`}`;
  try {
    const created = await client.batch.createNamespacedJob({ namespace, body: { apiVersion: 'batch/v1', kind: 'Job', ...job } });
    const name = created.metadata?.name;
    if (!name) throw new Error(`${what}: the API server answered a Job without a name.`);
    return name;
  } catch (error) {
    throw kubeFailure(error, what, client.server, true);
  }
}

/** The Job's state; undefined when there is no such Job. */
export async function jobState(client: KubeClient, namespace: string, name: string): Promise<JobState | undefined> {
  let job: V1Job;
  try {
    job = await client.batch.readNamespacedJobStatus({ namespace, name });
  } catch (error) {
    if (kubeStatus(error)?.code === 404) return undefined;
    throw kubeFailure(error, `Reading Job ${namespace}/${name}`, client.server, false);
  }
  const status = job.status ?? {};
  const condition = (type: string) => (status.conditions ?? []).find((c) => c.type === type && c.status === 'True');
  const failed = condition('Failed');
  return {
    state: condition('Complete') ? 'succeeded' : failed ? 'failed' : 'running',
    active: status.active ?? 0,
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    ...(failed ? { why: [failed.reason, failed.message].filter(Boolean).join(': ') } : {}),
  };
}
