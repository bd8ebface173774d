import { nameProblem } from '../../lib/config/resource-names';
import { STANDBY_STATE_KEY } from '../../lib/standby/standby-facts-keys';
import { THROWAWAY_STATE } from '../shared/throwaway';

// The standby deployment a failover applies (docs/failover.md): production's settings in the standby region, with
// what it must not share with production changed and nothing else.

/** The tag on every resource of a failover's standby deployment, naming the deployment it stands in for. */
export const FAILOVER_TAG = 'rancher-ha-aws-failover-of';

/** The standby's `name`: production's first 13 characters with `-sb` (IAM names are global: production's stay its own). */
export function standbyName(productionName: string): string {
  return `${productionName.slice(0, 13).replace(/-+$/, '')}-sb`;
}

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};

/**
 * Why this product cannot fail these settings over (yet), naming the field, its value and the fix; or undefined.
 * Refused up front, nothing changed: what the standby could not make correct.
 */
export function failoverScopeProblem(settings: Record<string, unknown>, stack = 'rke-ha'): string | undefined {
  const rancher = section(settings.rancher);
  const tls = section(rancher.tls);
  const lb = section(section(settings.rkeHa).loadBalancer);
  if (tls.mode === 'external' && stack === 'k8s-ha')
    return "rancher.tls.mode external: your load balancer ends TLS with a certificate of yours, which the standby's cluster does not have, and the failover checks the CA Rancher serves before the record moves. Restore there by hand as a migration (docs/backups.md), or use mode ingress or rancher.";
  if (tls.mode === 'external')
    return 'rancher.tls.mode external: ACM\'s certificate is regional and its DNS validation record is production\'s (shared by every region, docs/development/standby-trust.md step 7); the failover does not make that certificate in the standby region yet. Restore there by hand as a migration (docs/backups.md, "Another account"), or use mode ingress or rancher.';
  if (tls.issuer === 'acme')
    return "rancher.tls.issuer acme: Let's Encrypt's HTTP-01 challenge needs the name to lead to the standby before its certificate can be renewed there, and the record moves only after the standby's certificate is checked. Restore there by hand as a migration (docs/backups.md), or use issuer rancher, ca or blank.";
  if (lb.type === 'dns' && stack === 'rke-ha')
    return 'rkeHa.loadBalancer.type dns: the standby is checked at its load balancer under the name before the record moves, and DNS round robin has none. Use loadBalancer type nlb.';
  return undefined;
}

/** Where the failover's callers have found it (cli/shared/backup-ca.ts). */
export { caMemberOf } from '../shared/backup-ca';

/** What the standby restores and where. */
export interface StandbyChoice {
  readonly name: string;
  readonly region: string;
  /** The backup file (no folder), and the standby's copy of production's backup bucket that holds it. */
  readonly file: string;
  readonly bucket: string;
  readonly productionName: string;
  /** @default 'rke-ha' */
  readonly stack?: string;
  /**
   * Where the standby's state is kept: the bucket production's apply made for it in the standby region
   * (lib/standby/standby-state.ts; an S3 backend there, `use_lockfile`), or `local` (a file beside its module, in the
   * failover's folder) only when asked for.
   */
  readonly state: { readonly bucket: string } | 'local';
  /**
   * The standby's cluster restored a backup before (a standby a failback kept: in-place-restore.ts): Rancher's
   * in-place restore, prune on, instead of the migration's. @default false
   */
  readonly inPlace?: boolean;
}

/**
 * Production's settings as the standby's: the same hostname, hosted zone, TLS choice, versions, sizes and backups,
 * and apart from those:
 * - the standby region, its own `name` (IAM names are global) and its state in the standby region's state bucket
 *   (`choice.state`; a local file in the failover's folder when asked for): it is production from now until a
 *   failback (docs/failover.md);
 * - no Route53 record of the hostname (`rkeHa.loadBalancer.hostnameRecord: false`): production's state owns it, and
 *   the failover moves it once the standby's CA is checked; so no first login by the name either (the restore brings
 *   production's users);
 * - its own network (an existing VPC and a key pair are production region's), no standby of its own (the primary
 *   region may be the one lost);
 * - `backups.restoreFrom` naming the file in the copy: production's objects come back as they were (no `disarm`:
 *   this deployment takes over production's credentials); in place (`inPlace`) on a cluster that restored before.
 */
export function standbySettings(production: Record<string, unknown>, choice: StandbyChoice): Record<string, unknown> {
  const settings = section(production);
  settings.name = choice.name;
  settings.region = choice.region;
  settings.backend =
    choice.state === 'local'
      ? { type: 'local', path: THROWAWAY_STATE }
      : { type: 's3', bucket: choice.state.bucket, key: STANDBY_STATE_KEY, region: choice.region };
  settings.tags = { ...section(settings.tags), [FAILOVER_TAG]: choice.productionName };
  const rancher = section(settings.rancher);
  settings.rancher = { ...rancher, bootstrap: { enabled: false } };
  settings.backups = {
    ...section(settings.backups),
    enabled: true,
    restoreFrom: { file: choice.file, bucket: choice.bucket, ...(choice.inPlace ? { inPlace: true } : {}) },
  };
  delete settings.standby;
  if (choice.stack === 'k8s-ha') {
    settings.k8sHa = standbyK8sHa(production);
    return settings;
  }
  const rkeHa = section(settings.rkeHa);
  delete rkeHa.existingNetwork;
  delete rkeHa.sshKeyName;
  rkeHa.loadBalancer = { ...section(rkeHa.loadBalancer), type: 'nlb', hostnameRecord: false };
  settings.rkeHa = rkeHa;
  return settings;
}

/**
 * k8s-ha's standby runs on the cluster `standby.k8sHa` names (docs/failover.md): production's `k8sHa` with the
 * standby's `access` (never production's cluster), its `ingress` where it names one (class and Service go together:
 * the whole field, else production's), its `eks` and `dns` only (production's cluster name and record target are of
 * the primary region: carried over, the backup role would trust production's cluster and the record would lead back
 * there), and no record of the hostname (`dns.hostnameRecord: false`: production's state owns it, the failover moves it).
 */
function standbyK8sHa(production: Record<string, unknown>): Record<string, unknown> {
  const k8sHa = section(production.k8sHa);
  const own = section(section(production.standby).k8sHa);
  k8sHa.access = own.access;
  if (own.ingress !== undefined) k8sHa.ingress = own.ingress;
  delete k8sHa.eks;
  if (own.eks !== undefined) k8sHa.eks = own.eks;
  k8sHa.dns = { ...section(own.dns), hostnameRecord: false };
  return k8sHa;
}

/** Why the standby cannot take its name, or undefined. */
export const standbyNameProblem = (name: string): string | undefined => {
  const problem = nameProblem(name);
  return problem === undefined ? undefined : `the standby's name ${name}: ${problem}`;
};

/** A kubeconfig access as the settings resolve it (k8s-ha-schema.ts: unset is `~/.kube/config`, its current context). */
const kubeconfigOf = (access: Record<string, unknown>): string | undefined => {
  if (access.variables === true) return undefined;
  const kubeconfig = section(access.kubeconfig);
  return `${typeof kubeconfig.path === 'string' ? kubeconfig.path : '~/.kube/config'}#${typeof kubeconfig.context === 'string' ? kubeconfig.context : ''}`;
};

/**
 * Why k8s-ha's standby cannot be made from these settings, with the refusal's code; or undefined. The standby
 * deploys onto the cluster `standby.k8sHa.access` reaches: none named, or production's own kubeconfig and context
 * (Rancher restored onto production's cluster, under production's names), is refused; so are `backups.credentials`
 * `irsa` and `pod-identity` without `standby.k8sHa.eks.clusterName` (the standby's backup role would trust no cluster
 * there). `accessKey` (and `servers`, which is it on k8s-ha) needs nothing: the standby's own name gives it its own
 * IAM user and key, in its own state.
 */
export function standbyClusterProblem(settings: Record<string, unknown>): { readonly code: string; readonly message: string } | undefined {
  const standby = section(section(settings.standby).k8sHa);
  const access = section(standby.access);
  if (standby.access === undefined)
    return {
      code: 'FAILOVER_NO_STANDBY_CLUSTER',
      message:
        "standby.k8sHa.access is not set: k8s-ha's standby runs on a cluster of yours in the standby region, and the settings name none. Set standby.k8sHa.access (kubeconfig: { path, context } or variables: true, as k8sHa.access) to that cluster (docs/failover.md).",
    };
  const own = kubeconfigOf(access);
  if (own !== undefined && own === kubeconfigOf(section(section(settings.k8sHa).access)))
    return {
      code: 'FAILOVER_STANDBY_CLUSTER_IS_PRODUCTIONS',
      message: `standby.k8sHa.access names ${own.replace(/#$/, ' (its current context)').replace('#', ', context ')}, as k8sHa.access does: the standby would restore onto production's cluster. Name the standby region's cluster (another kubeconfig or context).`,
    };
  const credentials = section(settings.backups).credentials;
  if ((credentials === 'irsa' || credentials === 'pod-identity') && typeof section(standby.eks).clusterName !== 'string')
    return {
      code: 'FAILOVER_STANDBY_NO_EKS_CLUSTER',
      message: `backups.credentials ${credentials} needs the EKS cluster the role trusts, and standby.k8sHa.eks.clusterName is not set (k8sHa.eks names production's cluster, in the other region). Set standby.k8sHa.eks.clusterName to the standby's EKS cluster, or use backups.credentials accessKey.`,
    };
  return undefined;
}
