import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from './kube/kube-api';
import { kubeApiFor, kubeApiOn } from './kube-api-for';
import { writeKubeconfig } from './kubeconfig';
import { RANCHER_DEPLOYMENT, scaleByHand, standbyKubeconfig } from './standby-rancher';
import { Terraform } from './terraform';
import { StepFailed } from './throwaway';

/**
 * The standby's cluster: rke-ha's through the cluster-admin kubeconfig its state outputs (written for this process,
 * removed at its exit), k8s-ha's through the kubeconfig and context its settings name (standby-rancher.ts);
 * 'variables' where its settings reach it through Terraform variables (k8sHa.access.variables), which no command can
 * read. The failback's quiesce and the failover's kept standby reach it so (cli/failback/quiesce.ts, cli/failover/kept-standby.ts).
 */
export async function standbyClusterOf(q: {
  readonly stack: string;
  readonly module: string;
  readonly failoverRoot: string;
}): Promise<{ kube: KubeApi; byHand: (replicas: number) => string } | 'variables'> {
  const kubectl = (where: string, replicas: number) =>
    `kubectl ${where}-n ${RANCHER_DEPLOYMENT.namespace} scale deployment ${RANCHER_DEPLOYMENT.name} --replicas=${replicas}`;
  if (q.stack === 'k8s-ha') {
    const settings = JSON.parse(readFileSync(join(q.failoverRoot, 'settings.json'), 'utf8')) as Record<string, unknown>;
    const access = standbyKubeconfig(settings, q.module);
    if (!access) return 'variables';
    return { kube: await kubeApiOn(access), byHand: (n) => scaleByHand(access).replace('--replicas=0', `--replicas=${n}`) };
  }
  let file: string;
  try {
    file = writeKubeconfig(q.module, await new Terraform(q.module).pull());
  } catch (error) {
    throw new StepFailed(`the standby's cluster: ${(error as Error).message}`);
  }
  const kubeconfig = `<(terraform -chdir=${q.module} output -raw kubeconfig)`;
  return { kube: await kubeApiFor(file), byHand: (n) => kubectl(`--kubeconfig ${kubeconfig} `, n) };
}
