import { nameProblem } from '../../lib/config/resource-names';
import { THROWAWAY_STATE } from '../shared/throwaway';

/** What the throwaway deployment restores, and its name. */
export interface ThrowawayChoice {
  readonly name: string;
  /** The backup file (no folder), as the operator named it. */
  readonly file: string;
  /** Production's backup bucket: read, never written. */
  readonly bucket: string;
  /** Production's name, for the tag that marks the throwaway's resources. */
  readonly productionName: string;
  /** The throwaway's region (`--standby`: the standby's, where the copy is). @default production's */
  readonly region?: string;
}

export { THROWAWAY_STATE };

/** The tag on every resource of a throwaway deployment, naming the deployment it drills. */
export const DRILL_TAG = 'rancher-ha-aws-drill-of';

/**
 * The throwaway's default name: production's (its first 10 characters) with `-drill`, so a leftover is easy to tell
 * in the console; at most 16 characters, as the `name` setting allows.
 */
export function defaultThrowawayName(productionName: string): string {
  return `${productionName.slice(0, 10).replace(/-+$/, '')}-drill`;
}

/**
 * Why the throwaway cannot take this name, or undefined: production's own name (the throwaway would take its
 * resources' names), or a name the `name` setting refuses (the throwaway's synth would stop on it). Checked before
 * anything else, by the dry run as by the real run, so a dry run that passes means a name the drill takes.
 */
export function throwawayNameProblem(name: string, productionName: string): string | undefined {
  if (name === productionName) return `--name ${name} is production's own name: the throwaway needs another.`;
  const problem = nameProblem(name);
  return problem === undefined ? undefined : `--name ${name}: ${problem} (it is the throwaway's name setting).`;
}

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};

/**
 * Production's settings turned into a throwaway deployment's: same region (or `choice.region`), versions, sizes, proxy and air-gap
 * settings (so the restore meets what production runs), and apart from those:
 * - its own name and a state file in its own folder (`backend`: local, beside its module), never production's;
 * - its own network (`existingNetwork` dropped) and a name from a wildcard DNS service: no Route53 record, no
 *   hostname, and Rancher's own CA (production's certificate names production's hostname);
 * - no first login (the restore brings production's admin users) and no alarms (nobody is paged for it);
 * - nothing that keeps it from going: deletion protection and Object Lock off;
 * - no standby: a throwaway keeps no copy of its data in a second region (docs/standby.md); in the standby's
 *   region (`choice.region`), no SSH key pair (production's is a key pair of its own region);
 * - `backups.restoreFrom` naming the file and production's bucket, which its writer may only read, with `disarm`:
 *   the restored Deployments' pods are held until every credential of production's the backup brought is deleted,
 *   before Rancher is installed (lib/rancher/restore-disarm.sh).
 */
export function throwawaySettings(production: Record<string, unknown>, choice: ThrowawayChoice): Record<string, unknown> {
  const settings = section(production);
  delete settings.hostname;
  delete settings.hostedZone;
  const dns = section(settings.dns);
  settings.dns = { mode: 'wildcard', ...(dns.wildcardDomain !== undefined ? { wildcardDomain: dns.wildcardDomain } : {}) };
  settings.name = choice.name;
  if (choice.region !== undefined) settings.region = choice.region;
  settings.backend = { type: 'local', path: THROWAWAY_STATE };
  settings.tags = { ...section(settings.tags), [DRILL_TAG]: choice.productionName };
  const rancher = section(settings.rancher);
  delete rancher.tls;
  delete rancher.acceptAgentChange;
  settings.rancher = { ...rancher, bootstrap: { enabled: false } };
  settings.backups = { ...section(settings.backups), enabled: true, restoreFrom: { file: choice.file, bucket: choice.bucket, disarm: true } };
  settings.alarms = { enabled: false };
  delete settings.standby;
  const rkeHa = section(settings.rkeHa);
  delete rkeHa.existingNetwork;
  rkeHa.loadBalancer = { type: 'nlb', deletionProtection: false };
  // A key pair is a region's: in another region (--standby) the throwaway goes without (SSM is the shell anyway).
  if (choice.region !== undefined && choice.region !== production.region) delete rkeHa.sshKeyName;
  rkeHa.etcdSnapshots = { ...section(rkeHa.etcdSnapshots), objectLock: false };
  if (rkeHa.datastore !== undefined) rkeHa.datastore = { ...section(rkeHa.datastore), deletionProtection: false };
  settings.rkeHa = rkeHa;
  // A k8s-ha production's cluster settings are not the throwaway's (always rke-ha), nor its EKS ways for the backup
  // writer, which rke-ha takes as `servers` anyway (and which, without k8sHa.eks, the settings refuse).
  delete settings.k8sHa;
  const credentials = section(settings.backups).credentials;
  if (credentials === 'irsa' || credentials === 'pod-identity') settings.backups = { ...section(settings.backups), credentials: 'servers' };
  if (settings.docker !== undefined) {
    const docker = section(settings.docker);
    delete docker.existingNetwork;
    settings.docker = docker;
  }
  return settings;
}

/** The throwaway's VPC range with `--etcd`, or the second when production's own range starts like the first. */
const ETCD_THROWAWAY_VPCS = ['10.200.0.0/16', '10.201.0.0/16'] as const;

/**
 * The throwaway of a drill with `--etcd`: `throwawaySettings` without a Rancher restore (its etcd is reset to
 * production's snapshot after the apply, which replaces everything the apply installed in the cluster), and so
 * without backups of its own, and with a VPC range other than production's. The range matters: a server is named
 * after its private address (`ip-10-0-0-10`), and with production's addresses the throwaway's servers would carry
 * the names of production's Nodes in the snapshot, whose pods (production's backup operator among them) would start
 * on them the moment the restored cluster does, before the drill has taken production's credentials out of it.
 */
export function etcdThrowawaySettings(
  production: Record<string, unknown>,
  choice: { readonly name: string; readonly productionName: string },
): Record<string, unknown> {
  const settings = throwawaySettings(production, { ...choice, file: '', bucket: '' });
  settings.backups = { ...section(settings.backups), enabled: false };
  delete (settings.backups as Record<string, unknown>).restoreFrom;
  const rkeHa = section(settings.rkeHa);
  const own = typeof section(production.rkeHa).vpcCidr === 'string' ? String(section(production.rkeHa).vpcCidr) : '';
  rkeHa.vpcCidr = own.startsWith('10.200.') ? ETCD_THROWAWAY_VPCS[1] : ETCD_THROWAWAY_VPCS[0];
  settings.rkeHa = rkeHa;
  return settings;
}
