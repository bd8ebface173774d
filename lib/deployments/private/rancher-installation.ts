import type { Release } from '@cdktf/provider-helm/lib/release';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { GuardCondition } from '../../common/deployment-guard';
import type { ResolvedDeploymentProps } from '../../config/deployment-schema';
import { forgetWhenRemoved } from '../../existing-cluster/private/forget-when-removed';
import type { ReadinessGates } from '../../kubernetes/readiness-gates';
import type { VersionRecord } from '../../kubernetes/private/version-record';
import type { ChartProxy } from '../../network/chart-proxy';
import type { EksIdentityMechanism } from '../../rancher/backup-service-account-role';
import type { BackupRole } from '../../rancher/backup-writer';
import { BACKUP_NAMESPACE } from '../../rancher/backup-objects';
import { CERT_MANAGER_NAMESPACE, CertManager } from '../../rancher/cert-manager';
import type { RancherChartInput } from '../../rancher/chart-values';
import type { FirstLogin } from '../../rancher/first-login';
import { RANCHER_NAMESPACE, RancherNamespace } from '../../rancher/namespace';
import { RancherBackups, type RancherBackupsProps } from '../../rancher/rancher-backups';
import type { AgentCaChoice } from '../../rancher/restore-preflight';
import type { RancherReadiness } from '../../rancher/rancher-readiness';
import { RancherServer } from '../../rancher/rancher-server';
import { guardChartUpgrades } from '../../rancher/private/chart-upgrades';
import { guardPendingRelease, PendingRelease, pendingInstallCheck } from '../../rancher/private/pending-release';
import { addCheck } from '../../common/private/check';
import { rancherServerSettings } from '../../rancher/private/rancher-settings';
import { RancherTlsSecrets } from '../../rancher/tls-secrets';
import type { CertificateVariables } from '../../tls/certificate-variables';
import type { TlsPlan } from '../../tls/tls-plan';
import { rancherReadyAndFirstLogin } from './rancher-ready';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './stack-level-names';

/** Construct id of the cert-manager release's construct; its path is also what `certManager: 'cluster'` forgets. */
const CERT_MANAGER_ID = 'cert-manager';

/**
 * Who provides cert-manager: `install` (this installation, construct `cert-manager`), `none` (the TLS mode needs
 * none), `cluster` (the cluster's own; a release this stack installed earlier is forgotten by Terraform, not
 * uninstalled: other services of the cluster may rely on it).
 */
export type CertManagerSource = 'install' | 'none' | 'cluster';

/** The installation's props every deployment passes on from its own, as they are. */
type DeploymentInstallationProps = Pick<
  RancherInstallationProps,
  'name' | 'region' | 'versions' | 'airGap' | 'rancher' | 'timeouts' | 'backups' | 'alarms'
>;

/** Those props from a deployment's resolved props (RancherOnRke's and RancherOnExistingCluster's). */
export function deploymentInstallationProps(
  props: Pick<ResolvedDeploymentProps, 'name' | 'region' | 'versions' | 'airGap' | 'rancher' | 'timeouts' | 'backups' | 'alarms'>,
): DeploymentInstallationProps {
  const { name, region, versions, airGap, rancher, timeouts, backups, alarms } = props;
  return { name, region, versions, airGap, rancher, timeouts, backups, alarms: alarms.enabled };
}

export interface RancherInstallationProps {
  /** The deployment's `name`: the backups' bucket and identities are named `<name>-<stack>`, their parameters go under `/<name>/<stack>`. */
  readonly name: string;
  readonly region: string;
  /** Rancher's name: the chart's `hostname`, what `/ping` and the first login go through (may be a reference). */
  readonly hostname: string;
  /** Probe `/ping` at this address under the hostname (no record leads the name here yet). @default the hostname */
  readonly probeAt?: string;
  /** Whether `hostname` is known when planning (a wildcard name from the load balancer's addresses is not). @default true */
  readonly hostnameKnownAtPlan?: boolean;
  /** The chart versions (`versions.rancher`, `versions.certManager`). */
  readonly versions: ResolvedDeploymentProps['versions'];
  /** Chart repositories and the system registry of an air gap. */
  readonly airGap: ResolvedDeploymentProps['airGap'];
  /** Rancher's own props: chart repository, replicas, `tls`, audit log, first login. */
  readonly rancher: ResolvedDeploymentProps['rancher'];
  /** The install and wait budgets. */
  readonly timeouts: ResolvedDeploymentProps['timeouts'];
  /** The deployment's `backups`, resolved (`credentials` is read by the deployment, into `backupRole` or `eks`). */
  readonly backups: ResolvedDeploymentProps['backups'];
  /** Whether the deployment's alarms watch the backups (their bucket's events go to EventBridge). */
  readonly alarms: boolean;
  /** `rancher.tls` as planned, and the user's certificate material it reads. */
  readonly tls: TlsPlan;
  readonly certificates: CertificateVariables;
  readonly certManager: CertManagerSource;
  /** The proxy the charts go out through, and what bypasses it. @default none */
  readonly proxy?: ChartProxy;
  /** The cluster's ingress class, and its controller when the stack knows it (RancherChartInput). */
  readonly ingressClassName: string;
  readonly ingressController?: RancherChartInput['ingressController'];
  /** Whether Rancher manages its local cluster's Kubernetes version (off where the deployment upgrades it). @default Rancher's own */
  readonly localVersionManagement?: boolean;
  /** Annotations of Rancher's Service (RancherChartInput). @default none */
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** Further objects for the chart's `extraObjects`, given the namespace's name (a reference: they wait for it). @default none */
  readonly extraObjects?: (namespace: string) => readonly Record<string, unknown>[];
  /** The operator's credentials from the servers' role (rke-ha), or an EKS identity of its own (k8s-ha); one at most. */
  readonly backupRole?: BackupRole;
  readonly eks?: { readonly clusterName: string; readonly mechanism: EksIdentityMechanism };
  /** What Rancher's namespace waits for: the Kubernetes API answering. */
  readonly apiReady: readonly ITerraformDependable[];
  /** What cert-manager and the backups wait for: the cluster ready for charts. */
  readonly clusterReady: readonly ITerraformDependable[];
  /**
   * What Rancher waits for besides cert-manager (when installed), its TLS Secrets, `hostnameRouting` and a restore:
   * the cluster ready and an Ingress of the class admitted.
   */
  readonly rancherAfter: readonly ITerraformDependable[];
  /** What routes `hostname` to the cluster (records, listeners, addresses): Rancher and `/ping` wait for it. */
  readonly hostnameRouting: readonly ITerraformDependable[];
  /** What `/ping` also goes through (an ALB's targets and rules). @default none */
  readonly probeRouting?: readonly ITerraformDependable[];
  /** The in-cluster gates the certificate gate joins. */
  readonly gates: ReadinessGates;
  /** The cluster's Kubernetes version, where the deployment upgrades it: its change runs the certificate gate again. @default none */
  readonly kubernetesVersion?: string;
}

/** What `awaitAnswer` adds: the chart versions record and the Rancher release's own preconditions (kept first). */
export interface RancherAnswerProps {
  readonly charts: VersionRecord;
  readonly rancherPreconditions?: readonly GuardCondition[];
}

/**
 * Rancher installed into a cluster the stack reaches through its Helm and Kubernetes providers, the same for rke-ha
 * and k8s-ha: cert-manager (or the cluster's), Rancher's namespace and TLS Secrets, its backups (a restore runs
 * before Rancher is installed), the rancher release; then (`awaitAnswer`) the chart upgrade rules, the certificate
 * gate, `/ping` through the name and the first login, the chart versions recorded and the backups scheduled.
 *
 * Its resources are built into the deployment's scope, with the construct ids they always had, not under this
 * construct: construct ids are Terraform addresses, and a deployed stack must plan empty (as aws-cdk-lib's
 * SingletonFunction builds its function in the stack's scope). This construct itself is a leaf and synthesizes
 * nothing. Internal: its props carry the deployments' plans (TlsPlan, the chart record, the gates).
 */
export class RancherInstallation extends Construct {
  readonly certManager?: CertManager;
  readonly namespace: RancherNamespace;
  readonly secrets: RancherTlsSecrets;
  readonly backups: RancherBackups;
  readonly server: RancherServer;
  private readonly props: RancherInstallationProps;
  private readonly deployment: Construct;
  private answered = false;

  constructor(scope: Construct, id: string, props: RancherInstallationProps) {
    super(scope, id);
    checkProps(this.node.path, props);
    this.props = props;
    this.deployment = scope;
    const { versions, airGap, timeouts, proxy, tls } = props;
    if (props.certManager === 'install') {
      this.certManager = new CertManager(scope, CERT_MANAGER_ID, {
        version: versions.certManager,
        repository: airGap.certManagerChartRepository,
        proxy,
        minutes: timeouts.certManagerMinutes,
        dependsOn: [...props.clusterReady],
      });
    } else if (props.certManager === 'cluster') {
      forgetWhenRemoved(scope, 'helm_release', [CERT_MANAGER_ID, 'release']);
    }
    this.namespace = new RancherNamespace(scope, 'rancher-namespace', { dependsOn: [...props.apiReady] });
    this.secrets = new RancherTlsSecrets(scope, 'tls-secrets', {
      plan: tls,
      certificates: props.certificates,
      namespace: this.namespace.name,
      expiryCheckName: stackLevelName(scope, 'user_certificates'),
    });
    this.backups = new RancherBackups(scope, 'rancher-backups', {
      eks: props.eks,
      name: deploymentPrefix(scope, props.name),
      ...backupsProps(props.backups),
      region: props.region,
      registry: airGap.systemDefaultRegistry,
      repository: airGap.rancherBackupChartRepository,
      proxy,
      dependsOn: [...props.clusterReady],
      restoreAfter: [this.namespace.namespace, ...this.secrets.resources],
      restoreVariableName: stackLevelName(scope, 'rancher_backup_restore_encryption_config'),
      eventBridge: props.alarms,
      rancherVersion: versions.rancher,
      hostname: props.hostname,
      hostnameInPlan: props.hostnameKnownAtPlan ?? true,
      parameterPath: deploymentParameterPath(scope, props.name),
      role: props.backupRole,
      agentCa: agentCaChoice(tls, props.certificates),
    });
    this.server = new RancherServer(scope, 'rancher', {
      ...rancherServerSettings(props, proxy),
      ...(props.localVersionManagement === undefined ? {} : { localVersionManagement: props.localVersionManagement }),
      hostname: props.hostname,
      ingressClassName: props.ingressClassName,
      ...(props.ingressController ? { ingressController: props.ingressController } : {}),
      ...(props.serviceAnnotations ? { serviceAnnotations: props.serviceAnnotations } : {}),
      ...(props.extraObjects ? { extraObjects: props.extraObjects(this.namespace.name) } : {}),
      namespace: this.namespace.name,
      // The name too: Let's Encrypt's HTTP-01 check, and the certificate wait, need it to lead here.
      dependsOn: [
        ...props.rancherAfter,
        ...(this.certManager ? [this.certManager.release] : []),
        ...this.secrets.resources,
        ...props.hostnameRouting,
        ...this.backups.restored,
      ],
    });
  }

  /**
   * The chart upgrade rules (Rancher one minor at a time, cert-manager never down) on the releases, the certificate
   * gate, `/ping` through the name and the first login; the chart versions are recorded and the scheduled backups
   * start once Rancher answers, not after the first login: turning that on or off must change nothing else (its
   * password is in the next scheduled backup; a restore of the first one has the bootstrap password). Once.
   */
  awaitAnswer(props: RancherAnswerProps): { ready: RancherReadiness; firstLogin: FirstLogin } {
    if (this.answered) throw new Error(`RancherInstallation ${this.node.path}: awaitAnswer was called already; Rancher is awaited once`);
    this.answered = true;
    const { versions } = this.props;
    guardChartUpgrades(props.charts, versions, {
      rancher: this.server.release,
      certManager: this.certManager?.release,
      ...(props.rancherPreconditions ? { rancherPreconditions: props.rancherPreconditions } : {}),
    });
    this.guardPendingReleases(props.charts.readAfter);
    const answer = rancherReadyAndFirstLogin(this.deployment, {
      gates: this.props.gates,
      rancher: this.server,
      tls: this.props.tls,
      certificates: this.props.certificates,
      hostname: this.props.hostname,
      ...(this.props.probeAt === undefined ? {} : { probeAt: this.props.probeAt }),
      settings: this.props,
      hostnameRouting: [...this.props.hostnameRouting, ...(this.props.probeRouting ?? [])],
      rerunOn: [this.props.kubernetesVersion, versions.certManager, versions.rancher].filter((v) => v !== undefined).join(' '),
    });
    props.charts.writtenAfter(this.server.release, answer.ready.ping);
    this.backups.scheduleAfter([answer.ready.ping], this.props.tls.trust === 'rancher-ca' ? answer.ready.caCertPem : undefined);
    return answer;
  }

  /**
   * Every release this installation upgrades is read before it changes: one whose newest revision Helm left
   * pending-upgrade or pending-rollback stops the plan with the command that clears it (PendingRelease), instead of an
   * apply that fails on Helm's "another operation is in progress" after the releases before it changed; one left
   * pending-install (nothing to roll back to) is let through, since its replacement clears it, with a warning (check
   * `helm_releases_installed`) naming that replacement. The reads wait for what the chart record's read waits for (the
   * cluster exists), so a first apply reads at apply time, before the releases are installed.
   */
  private guardPendingReleases(readAfter: readonly ITerraformDependable[]): void {
    const releases: { release: Release; namespace: string }[] = [
      ...(this.certManager ? [{ release: this.certManager.release, namespace: CERT_MANAGER_NAMESPACE }] : []),
      ...this.backups.releases.map((release) => ({ release, namespace: BACKUP_NAMESPACE })),
      { release: this.server.release, namespace: RANCHER_NAMESPACE },
    ];
    const scope = new Construct(this.deployment, 'pending-releases');
    const installs = releases.map(({ release, namespace }) => {
      const name = release.nameInput!;
      const guard = new PendingRelease(scope, name, { release: name, namespace, readAfter });
      guardPendingRelease(release, guard);
      return guard.installCheck(`${release.terraformResourceType}.${release.friendlyUniqueId}`);
    });
    addCheck(this.deployment, stackLevelName(this.deployment, 'helm_releases_installed'), [pendingInstallCheck(installs)]);
  }
}

/** The CA downstream agents are to trust, from the TLS plan: Rancher's own, the user's private CA (its variable), or none published. */
function agentCaChoice(tls: TlsPlan, certificates: CertificateVariables): AgentCaChoice {
  switch (tls.trust) {
    case 'rancher-ca':
      return { kind: 'rancher' };
    case 'user-ca':
      return { kind: 'private', certificate: certificates.get('caCertificate') };
    case 'public':
      return { kind: 'public' };
    case 'unverified':
      return { kind: 'staging' };
  }
}

/** RancherBackups' own props from the deployment's resolved `backups` (whose `credentials` it does not take). */
function backupsProps(
  backups: RancherInstallationProps['backups'],
): Pick<RancherBackupsProps, 'enabled' | 'schedule' | 'retentionCount' | 'forceDestroyBucket' | 'readerAccounts' | 'restoreFrom'> {
  const { enabled, schedule, retentionCount, forceDestroyBucket, readerAccounts, restoreFrom } = backups;
  return { enabled, schedule, retentionCount, forceDestroyBucket, readerAccounts, ...(restoreFrom ? { restoreFrom } : {}) };
}

/** The props' own rules, in their words. */
function checkProps(path: string, props: RancherInstallationProps): void {
  const refuse = (problem: string) => {
    throw new Error(`RancherInstallation ${path}: ${problem}`);
  };
  if (
    !Token.isUnresolved(props.hostname) &&
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+\.?$/.test(props.hostname)
  )
    refuse(`hostname "${props.hostname}" is not a DNS name (a name such as rancher.example.com, without scheme, port or path)`);
  if (props.tls.certManager && props.certManager === 'none')
    refuse(
      `rancher.tls mode "${props.tls.mode}" has its certificate issued by cert-manager; certManager "none" leaves none (use "install", or "cluster" when the cluster has one)`,
    );
  if (props.backupRole && props.eks) refuse('backupRole and eks both give the backup operator its credentials; give one at most');
}
