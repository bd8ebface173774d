import { nameProblem } from '../../lib/config/resource-names';
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
export function failoverScopeProblem(settings: Record<string, unknown>): string | undefined {
  const rancher = section(settings.rancher);
  const tls = section(rancher.tls);
  const lb = section(section(settings.rkeHa).loadBalancer);
  if (tls.mode === 'external')
    return 'rancher.tls.mode external: ACM\'s certificate is regional and its DNS validation record is production\'s (shared by every region, docs/development/standby-trust.md step 7); the failover does not make that certificate in the standby region yet. Restore there by hand as a migration (docs/backups.md, "Another account"), or use mode ingress or rancher.';
  if (tls.issuer === 'acme')
    return "rancher.tls.issuer acme: Let's Encrypt's HTTP-01 challenge needs the name to lead to the standby before its certificate can be renewed there, and the record moves only after the standby's certificate is checked. Restore there by hand as a migration (docs/backups.md), or use issuer rancher, ca or blank.";
  if (lb.type === 'dns')
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
}

/**
 * Production's settings as the standby's: the same hostname, hosted zone, TLS choice, versions, sizes and backups,
 * and apart from those:
 * - the standby region, its own `name` (IAM names are global) and a local state beside its module, in the failover's
 *   folder: it is production from now until a failback (docs/failover.md);
 * - no Route53 record of the hostname (`rkeHa.loadBalancer.hostnameRecord: false`): production's state owns it, and
 *   the failover moves it once the standby's CA is checked; so no first login by the name either (the restore brings
 *   production's users);
 * - its own network (an existing VPC and a key pair are production region's), no standby of its own (the primary
 *   region may be the one lost);
 * - `backups.restoreFrom` naming the file in the copy: production's objects come back as they were (no `disarm`:
 *   this deployment takes over production's credentials).
 */
export function standbySettings(production: Record<string, unknown>, choice: StandbyChoice): Record<string, unknown> {
  const settings = section(production);
  settings.name = choice.name;
  settings.region = choice.region;
  settings.backend = { type: 'local', path: THROWAWAY_STATE };
  settings.tags = { ...section(settings.tags), [FAILOVER_TAG]: choice.productionName };
  const rancher = section(settings.rancher);
  settings.rancher = { ...rancher, bootstrap: { enabled: false } };
  settings.backups = { ...section(settings.backups), enabled: true, restoreFrom: { file: choice.file, bucket: choice.bucket } };
  delete settings.standby;
  const rkeHa = section(settings.rkeHa);
  delete rkeHa.existingNetwork;
  delete rkeHa.sshKeyName;
  rkeHa.loadBalancer = { ...section(rkeHa.loadBalancer), type: 'nlb', hostnameRecord: false };
  settings.rkeHa = rkeHa;
  return settings;
}

/** Why the standby cannot take its name, or undefined. */
export const standbyNameProblem = (name: string): string | undefined => {
  const problem = nameProblem(name);
  return problem === undefined ? undefined : `the standby's name ${name}: ${problem}`;
};
