import { randomBytes } from 'node:crypto';
import { releaseFileSum } from '../../lib/config/release-sums';
import { DEFAULT_VERSIONS, PREVIOUS_DEFAULT_VERSIONS } from '../../lib/config/versions';
import { THROWAWAY_STATE } from '../shared/throwaway';

/**
 * The RKE2 versions of the acceptance run's in-place upgrade: it deploys FROM and upgrades to TO, the upgrade every
 * deployment made with the previous release's defaults takes (lib/config/versions.ts: PREVIOUS_DEFAULT_VERSIONS to
 * DEFAULT_VERSIONS, one Kubernetes minor up, the step the stack's upgrade rules allow, inside the default Rancher's
 * range). Both releases' sums are recorded (lib/config/release-sums.ts), so the run needs none supplied.
 */
export const UPGRADE = { from: PREVIOUS_DEFAULT_VERSIONS.rke2, to: DEFAULT_VERSIONS.rke2 } as const;

/**
 * Why an rke-ha run whose phases include the upgrade cannot start from UPGRADE.from: the servers install nothing
 * unverified, and the synth refuses a version without its release file's sum, recorded or supplied
 * (versions.releaseSums). Said before the confirmation rather than at the first synth, with the two ways on. Undefined
 * when the run can start (the recorded table has the sum, or the base settings supply it). `from`: the version the
 * phase starts from, UPGRADE.from (which a pin bump that dropped the previous default's sums would leave unrecorded).
 */
export function upgradeSumProblem(
  base: Record<string, unknown>,
  upgrade: boolean,
  path: string | undefined,
  from: string = UPGRADE.from,
): string | undefined {
  if (!upgrade) return undefined;
  const architecture = section(base.rkeHa).architecture === 'arm64' ? 'arm64' : 'amd64';
  const supplied = section(section(base.versions).releaseSums) as Record<string, Record<string, string>>;
  if (releaseFileSum('rke2', from, architecture, supplied) !== undefined) return undefined;
  const file = `rke2.linux-${architecture}.tar.gz`;
  return `The upgrade phase deploys RKE2 ${from} first and upgrades it to ${UPGRADE.to}. This project records no SHA-256 of ${from}'s ${file}, and the servers install nothing unverified: supply it in ${path ?? 'a --settings file'} from the release's sha256sum-${architecture}.txt after checking it (versions.releaseSums: { "${from}": { "${file}": <sha256> } }, docs/upgrade.md, "Sums of a new release"), or pass --skip upgrade (the run then deploys ${UPGRADE.to}). Nothing was changed.`;
}

/** The tag on every AWS resource of an acceptance run (the provider's default_tags, through `tags`): its run id. */
export const RUN_TAG = 'rancher-ha-aws:acceptance-run';

/** The first part of every acceptance deployment's name: a leftover is easy to tell in the console. */
export const NAME_PREFIX = 'acc';

/** A run id: six characters, lowercase letters and digits, a letter first (it starts no name part with a digit). */
export function newRunId(random: (n: number) => Buffer = randomBytes): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = `${letters}0123456789`;
  const bytes = random(6);
  return [...bytes].map((b, i) => (i === 0 ? letters[b % letters.length] : alphabet[b % alphabet.length])).join('');
}

/** The deployment's name: `acc-<run id>`, 10 characters (the `name` setting allows 16; the drill's throwaway adds `-drill`). */
export const acceptanceName = (runId: string): string => `${NAME_PREFIX}-${runId}`;

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};

/** The stacks an acceptance run proves. */
export const ACCEPTANCE_STACKS = ['rke-ha', 'k8s-ha', 'docker'] as const;
export type AcceptanceStack = (typeof ACCEPTANCE_STACKS)[number];

/** Why a base settings file (`--settings`) cannot be the shape of an acceptance run; undefined when it can. */
export function baseSettingsProblem(
  base: Record<string, unknown>,
  region: string,
  path: string,
  stack: AcceptanceStack = 'rke-ha',
): string | undefined {
  if (base.backend !== undefined)
    return `${path} names a state backend (backend): that is a deployment's settings file. An acceptance run keeps its state in a local file in its own folder, never where another deployment's state is; give a copy without backend. Nothing was changed.`;
  if (base.region !== undefined && base.region !== region)
    return `${path} says region ${String(base.region)}, and --region ${region}: the run goes where --region says; make them agree. Nothing was changed.`;
  const rkeHa = section(base.rkeHa);
  if (stack === 'rke-ha' && rkeHa.distribution !== undefined && rkeHa.distribution !== 'rke2')
    return `${path} sets rkeHa.distribution ${String(rkeHa.distribution)}: the acceptance run upgrades RKE2 (K3s is not covered yet). Nothing was changed.`;
  if (stack === 'rke-ha' && rkeHa.existingNetwork !== undefined)
    return `${path} sets rkeHa.existingNetwork: an acceptance run builds its own network and removes it. Nothing was changed.`;
  const docker = section(base.docker);
  if (stack === 'docker' && docker.existingNetwork !== undefined)
    return `${path} sets docker.existingNetwork: an acceptance run builds its own network and removes it. Nothing was changed.`;
  if (stack === 'docker' && section(docker.dataVolume).restoreSnapshotId !== undefined)
    return `${path} sets docker.dataVolume.restoreSnapshotId: an acceptance run starts from an empty data volume. Nothing was changed.`;
  if (stack === 'k8s-ha' && section(base.k8sHa).access !== undefined)
    return `${path} sets k8sHa.access: the acceptance run reaches the cluster you name with --kubeconfig (and --context). Nothing was changed.`;
  return undefined;
}

/** What the run of each stack adds to its settings: the stack, and for k8s-ha the zone its record goes in. */
export interface AcceptanceRun {
  readonly name: string;
  readonly runId: string;
  readonly region: string;
  /** rke-ha: the RKE2 version: UPGRADE.to for the upgrade's second synth, and for a run without the upgrade phase. @default UPGRADE.from */
  readonly kubernetes?: string;
  /** @default rke-ha */
  readonly stack?: AcceptanceStack;
  /** k8s-ha, docker with the migrate phase and rke-ha with the failover phase: the public hosted zone of the user's that gets the run's own record, `<name>.<zone>`. */
  readonly hostedZone?: string;
  /** docker: when the run starts (its snapshot schedule is put twelve hours later). @default now */
  readonly now?: Date;
}

/** k8s-ha's Rancher name: the run's own, in the user's zone (the stack has no wildcard DNS mode). */
export const k8sHaHostname = (name: string, zone: string): string => `${name}.${zone.replace(/\.$/, '')}`;

/**
 * The settings of an acceptance run: the base (a settings file of the user's, or nothing: every default), with
 * - its own name, a state file beside its module, and the run id as a tag on every AWS resource;
 * - the region the user named;
 * - rke-ha and docker: no domain: a name from a wildcard DNS service (sslip.io), Rancher's own CA, no Route53
 *   record; k8s-ha (which has no such mode): `<name>.<zone>` in the zone the user named, Rancher's own CA; docker
 *   with a zone (the migrate phase): `<name>.<zone>` and a certificate of the run's CA (issuer ca);
 * - rke-ha: RKE2 at the version the upgrade starts from (or at `kubernetes` when given: the upgrade's second synth);
 * - backups on (the backup and drill phases; k8s-ha's bucket deletable by a destroy), alarms on without a
 *   subscription (the servers' metrics are sent as in production; nobody is paged);
 * - nothing that keeps it from going: deletion protection, Object Lock and the docker volume's final snapshot off,
 *   the docker volume's daily snapshot twelve hours after the start.
 */
export function acceptanceSettings(base: Record<string, unknown>, run: AcceptanceRun): Record<string, unknown> {
  const stack = run.stack ?? 'rke-ha';
  const settings = section(base);
  delete settings.hostname;
  delete settings.hostedZone;
  settings.name = run.name;
  settings.region = run.region;
  // docker with a zone (the migrate phase): Rancher's name must survive the move to rke-ha, which an sslip.io name of
  // the host's address does not; both deployments serve a certificate of the run's own CA (issuer ca).
  // rke-ha with a zone (its failover phase): the failover moves the hostname's record to the standby.
  const named = stack === 'k8s-ha' || run.hostedZone !== undefined;
  if (named) {
    delete settings.dns;
    settings.hostname = k8sHaHostname(run.name, run.hostedZone ?? '');
    settings.hostedZone = (run.hostedZone ?? '').replace(/\.$/, '');
  } else
    settings.dns = {
      mode: 'wildcard',
      ...(section(settings.dns).wildcardDomain !== undefined ? { wildcardDomain: section(settings.dns).wildcardDomain } : {}),
    };
  settings.backend = { type: 'local', path: THROWAWAY_STATE };
  settings.tags = { ...section(settings.tags), [RUN_TAG]: run.runId };
  if (stack === 'rke-ha') settings.versions = { ...section(settings.versions), rke2: run.kubernetes ?? UPGRADE.from };
  const rancher = section(settings.rancher);
  delete rancher.tls;
  settings.rancher = rancher;
  settings.backups = { ...section(settings.backups), enabled: true, ...(stack === 'k8s-ha' ? { forceDestroyBucket: true } : {}) };
  delete (settings.backups as Record<string, unknown>).restoreFrom;
  // The stack's own topic and alarms (created by the deploy, destroyed by the teardown, searched for by the sweep),
  // with no subscription: nobody is paged, and the servers send their metrics as in production.
  settings.alarms = { enabled: true };
  if (stack === 'rke-ha') {
    const rkeHa = section(settings.rkeHa);
    rkeHa.loadBalancer = { ...section(rkeHa.loadBalancer), type: 'nlb', deletionProtection: false };
    rkeHa.etcdSnapshots = { ...section(rkeHa.etcdSnapshots), objectLock: false };
    settings.rkeHa = rkeHa;
  }
  if (stack === 'docker') {
    const docker = section(settings.docker);
    delete docker.tls;
    if (named) docker.tls = { issuer: 'ca' };
    const dataVolume = section(docker.dataVolume);
    const later = new Date((run.now ?? new Date()).getTime() + 12 * 3_600_000);
    // A snapshot taken during the run would outlive it (Data Lifecycle Manager's snapshots are not the stack's).
    dataVolume.snapshots = { ...section(dataVolume.snapshots), intervalHours: 24, time: `${String(later.getUTCHours()).padStart(2, '0')}:00` };
    dataVolume.finalSnapshot = false;
    docker.dataVolume = dataVolume;
    settings.docker = docker;
  }
  return settings;
}
