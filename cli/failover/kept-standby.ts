import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standbyClusterOf } from '../shared/standby-cluster';
import { chartReplicas, RANCHER_DEPLOYMENT } from '../shared/standby-rancher';
import { StepFailed } from '../shared/throwaway';
import { readableError } from '../shared/tool-output';

// A failover onto a standby a failback kept (`failback --keep-standby`, and every k8s-ha failback): its quiesce
// scaled Rancher's Deployment to 0 and left it there, so the standby writes nothing beside production. The next
// failover's apply does not start it again: the Rancher release is unchanged in the standby's state, so Terraform plans
// no change of it and Helm never runs (an upgrade would: Helm 3 patches from the old manifest, the live object and the
// new manifest, its FAQ "Improved Upgrade Strategy: 3-way Strategic Merge Patches"), and the helm provider compares the
// release as Helm stored it, never the live Deployment. Left at 0, /ping would never answer at the standby's load
// balancer. So once the apply (and its restore, with no Rancher writing) is done, the failover starts it again to the
// replicas its chart is given, through the cluster access the quiesce used. A fresh standby's apply leaves Rancher
// running at the same point, so this opens no window in which two Ranchers act that a fresh standby does not: the
// failover has decided the primary is lost before it applies anything.

/** What the failover did to the standby's Rancher: the apply phase's detail. */
export interface StandbyStarted {
  readonly detail: string;
  /** A warning for the person: the Deployment could not be read or reached. */
  readonly warning?: string;
}

/**
 * Rancher's Deployment on the standby's cluster read once the apply is done: at 0 replicas (a kept standby) scaled to
 * the chart's replicas; running, nothing; gone, refused (its release is in the state, its Deployment is not: nothing
 * would answer). A cluster that cannot be read is a warning (the check that follows waits for /ping): the failover
 * does not stop on a read it did not need before. Bounded (one read, at most one scale) and idempotent: a rerun
 * finds it running.
 */
export async function startKeptStandby(o: {
  readonly stack: string;
  /** The standby's module folder (rke-ha's kubeconfig output, in its state). */
  readonly module: string;
  /** The failover's folder: the standby's settings (settings.json, written by this run's synth). */
  readonly root: string;
}): Promise<StandbyStarted> {
  const { namespace, name } = RANCHER_DEPLOYMENT;
  const settings = JSON.parse(readFileSync(join(o.root, 'settings.json'), 'utf8')) as Record<string, unknown>;
  const replicas = chartReplicas(settings);
  const byHand = `kubectl -n ${namespace} scale deployment ${name} --replicas=${replicas}`;
  const unchecked = (why: string): StandbyStarted => ({
    detail: `Rancher's replicas on the standby's cluster not checked (${why})`,
    warning: `Rancher's Deployment ${namespace}/${name} on the standby's cluster was not checked: ${why}. A standby a failback kept (--keep-standby, or k8s-ha) has it at 0 replicas, and its /ping will not answer until it runs: ${byHand}, with that cluster's kubeconfig.`,
  });
  let cluster: Awaited<ReturnType<typeof standbyClusterOf>>;
  try {
    cluster = await standbyClusterOf({ stack: o.stack, module: o.module, failoverRoot: o.root });
  } catch (error) {
    return unchecked(readableError((error as Error).message, 300));
  }
  if (cluster === 'variables')
    return unchecked('its settings reach it through Terraform variables (k8sHa.access.variables), which this command cannot read');
  let now: number | undefined;
  try {
    now = await cluster.kube.deployments.replicas(namespace, name);
  } catch (error) {
    return unchecked(readableError((error as Error).message, 300));
  }
  if (now === undefined)
    throw new StepFailed(
      `no Deployment ${namespace}/${name} on the standby's cluster after its apply: its Rancher release is in the standby's state, its Deployment is gone (removed by hand?), and nothing would answer /ping. Look at that cluster, then run the failover again`,
    );
  if (now > 0) return { detail: `Rancher at ${now} replicas on the standby's cluster (${namespace}/${name})` };
  try {
    await cluster.kube.deployments.scale(namespace, name, replicas);
  } catch (error) {
    throw new StepFailed(
      `Rancher at 0 replicas on the standby's cluster (a failback kept it stopped) could not be started: ${readableError((error as Error).message, 300)}. Run the failover again, or ${cluster.byHand(replicas)}`,
    );
  }
  return { detail: `Rancher scaled from 0 to ${replicas} replicas on the standby's cluster (${namespace}/${name}): a failback had kept it stopped` };
}
