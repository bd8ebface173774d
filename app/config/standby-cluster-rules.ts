import type { z } from 'zod';
import { DEFAULT_KUBECONFIG_PATH, K8S_HA_FIELDS } from '../../lib/config/k8s-ha-schema';
import { apexRecordRule, eksCredentialRule, ingressControllerMatchRule, type K8sHaValues } from '../../lib/config/k8s-ha-rules';
import { isObject, str, type Problem } from '../../lib/config/deployment-rules';
import type { settingsFields } from './settings-schema';

type FileValues = z.output<typeof settingsFields>;

/** The standby cluster's own fields, named as the file names them. */
const STANDBY_CLUSTER = ['standby', 'k8sHa'] as const;
const standbyName = (prop: string) => `${STANDBY_CLUSTER.join('.')}.${prop}`;

/**
 * `standby.k8sHa` (k8s-ha's standby cluster, which a failover installs Rancher onto): only with `standby.region`; then
 * with a way to reach it (`access` has no default: `~/.kube/config` is production's) that is not production's own
 * kubeconfig and context; and its ingress, EKS name and record target held to `k8sHa`'s rules, as production's are.
 * The file is shared by every stack: `standby.region` without `standby.k8sHa` is an rke-ha standby, which the k8s-ha
 * stack refuses at its plan instead (app/stacks/k8s-ha.ts).
 */
export function standbyClusterRule(s: Partial<FileValues>, problem: Problem): void {
  const cluster = s.standby?.k8sHa;
  if (!isObject(cluster)) return;
  const region = s.standby?.region;
  if (!str(region)) {
    problem(
      [...STANDBY_CLUSTER],
      'names a standby cluster, and standby.region is unset: the cluster is the one a failover installs Rancher onto in that region; set standby.region to its region, or remove standby.k8sHa',
      cluster,
    );
    return;
  }
  const access = cluster.access;
  if (access === undefined) {
    problem(
      [...STANDBY_CLUSTER, 'access'],
      `is required with standby.region ${region}: it has no default (${DEFAULT_KUBECONFIG_PATH} is production's cluster); set kubeconfig: { path, context } of the cluster in ${region}, or variables: true`,
      undefined,
    );
  } else if (access.kubeconfig && isObject(s.k8sHa) && s.k8sHa.access?.kubeconfig) {
    const production = s.k8sHa.access.kubeconfig;
    // An unset context is the file's current-context: the same file and both unset reach the same cluster.
    if (access.kubeconfig.path === production.path && access.kubeconfig.context === production.context) {
      const context = production.context === undefined ? 'its current context' : `context ${production.context}`;
      problem(
        [...STANDBY_CLUSTER, 'access', 'kubeconfig'],
        `is k8sHa.access's kubeconfig ${production.path}, ${context}: production's cluster, which a failover must not install onto; name the cluster in ${region} (another context, or another file)`,
        access.kubeconfig,
      );
    }
  }
  // k8sHa's rules over the standby cluster's fields, in place of production's (the deployment's fields stay).
  const values = { ...s, ...s.k8sHa, ingress: cluster.ingress, eks: cluster.eks, dns: cluster.dns } as Partial<K8sHaValues>;
  const inCluster: Problem = (path, message, input) =>
    problem(Object.hasOwn(K8S_HA_FIELDS, String(path[0])) ? [...STANDBY_CLUSTER, ...path] : path, message, input);
  for (const rule of [apexRecordRule, ingressControllerMatchRule, eksCredentialRule]) rule(values, inCluster, standbyName);
}
