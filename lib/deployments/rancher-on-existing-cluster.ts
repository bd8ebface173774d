import { TerraformLocal, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentAlarms } from '../alarms/deployment-alarms';
import { UNREACHABLE_IPV4_PATTERN } from '../dns/private/dns-target';
import { LoadBalancerRecord } from '../dns/load-balancer-record';
import { targetRecordType } from '../dns/private/target-record-type';
import { ClusterPreflight } from '../existing-cluster/cluster-preflight';
import { IngressClassGuard, INGRESS_NGINX_CONTROLLER } from '../existing-cluster/ingress-class-guard';
import { IngressLoadBalancer } from '../existing-cluster/ingress-load-balancer';
import { ReadinessGates } from '../kubernetes/readiness-gates';
import { chartProxy, PRIVATE_NETWORKS } from '../network/private/proxy';
import { chartVersions } from '../rancher/private/chart-upgrades';
import { BACKUP_FOLDER } from '../rancher/backup-objects';
import { RANCHER_NAMESPACE } from '../rancher/namespace';
import type { RancherBackups } from '../rancher/rancher-backups';
import { CertificateVariables, type CertificateMaterial } from '../tls/certificate-variables';
import { DeploymentGuard, type GuardCondition } from '../common/deployment-guard';
import { addDeploymentRecord } from '../common/deployment-record';
import { agentTrustRecords } from './private/agent-trust';
import { tlsPlan, type TlsPlan } from '../tls/tls-plan';
import { rancherOnExistingClusterSchema, type ResolvedRancherOnExistingClusterProps } from '../config/deployment-schema';
import type { RancherOnExistingClusterProps } from './rancher-on-existing-cluster-props';
import { existingIngressPlan } from '../config/private/existing-ingress-plan';
import { providerRegion } from './private/provider-region';
import { requireTerraformVersion } from '../common/terraform-version';
import { requireProps, resolveProps } from './private/resolve-props';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './private/stack-level-names';
import { RancherOnCluster } from './rancher-on-cluster';
import { rancherBackupsCopy, StandbyReplication } from '../standby/standby-replication';
import { honourFailoverFence } from '../standby/failover-fence';
import { FailoverFenceGuard } from '../standby/fence-guard';
import { deploymentInstallationProps, RancherInstallation } from './private/rancher-installation';

/**
 * Rancher onto a Kubernetes cluster that already exists (the Rancher docs'
 * "RancherOnK8S"), possibly shared with other services: plan-time checks of
 * that cluster, a Route53 record for its ingress load balancer, cert-manager
 * and Rancher from Helm, readiness gates between the steps. One apply ends
 * when Rancher answers on its hostname and its first login is done
 * (`rancher.bootstrap`, through a rancher2 provider of its own).
 *
 * TLS follows `rancher.tls` as in RancherOnRke, except that `external` means
 * the cluster's own load balancer ends TLS: the chart runs with
 * `tls=external` and that balancer's certificate (and forwarded headers) are
 * the cluster owner's to configure.
 *
 * The stack's Helm and Kubernetes providers must reach that cluster; an AWS
 * provider (Route53) and the http provider must exist in the stack.
 */
export class RancherOnExistingCluster extends RancherOnCluster {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** The generated password Rancher starts with (sensitive); with the first-login bootstrap on, the admin password too. */
  readonly bootstrapPassword: string;
  /** The admin password the first-login bootstrap set (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminPassword?: string;
  /** The admin API token of the first-login bootstrap (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminToken?: string;
  /** The ingress load balancer (hostname or address) the Rancher record points at (or would, with `dns.hostnameRecord` false). */
  readonly dnsTarget: string;
  /** `alias` (AWS load balancer), `A` (IPv4 address) or `CNAME` (other hostname): the record `dnsTarget` needs. */
  readonly dnsRecordType: string;
  /** Rancher's backups: the bucket (kept with backups off) and the encryption configuration (docs/backups.md). */
  readonly rancherBackups: RancherBackups;
  /** The alarms and their SNS topic (`alarms.enabled`): what AWS sees of this deployment (docs/k8s-ha.md). */
  readonly alarms?: DeploymentAlarms;
  /** The standby's copy of the backups in its region (`standby.region`; docs/standby.md). */
  private readonly standby?: StandbyReplication;
  /** What addHelmChart and addManifest install after: Rancher answering `/ping`. */
  protected readonly rancherReady: ITerraformDependable;

  constructor(scope: Construct, id: string, props: RancherOnExistingClusterProps) {
    super(scope, id);
    const d = this.resolve(props);
    const { certificates, preflight } = this.checkCluster(d, props);
    const entry = this.addIngressEntry(d, props, preflight);
    const installed = this.installRancher(d, props, certificates, preflight, entry);
    this.rancherBackups = installed.installation.backups;
    if (d.props.standby.region) this.standby = this.addStandby(d, d.props.standby.region);
    // Rancher answering /ping through its name, and the first login, under the chart upgrade rules.
    const { ready, firstLogin } = installed.installation.awaitAnswer({
      charts: installed.charts,
      rancherPreconditions: installed.rancherPreconditions,
    });
    this.rancherReady = ready.ping;
    // The name moved by a metric at failover (lib/standby/standby-dns.ts); held out (the failback's apply), the alarm
    // and its health check stay.
    const routed =
      entry.dns.records.length || d.props.dns.hostnameRecord === false
        ? this.standby?.routeFailover({
            deployment: deploymentPrefix(this, d.props.name),
            parameterPath: deploymentParameterPath(this, d.props.name),
            records: entry.dns.records,
            stackLevelName: stackLevelName(this, 'standby_dns'),
          })
        : undefined;
    // The hostname's record, the SECONDARY ones with it: what the facts tell a failover (which checks the SECONDARY
    // leads to the standby it built) and what the fence holds.
    const records = [...entry.dns.records, ...(routed?.secondaries ?? [])];
    // What a failover reads of production, kept in the standby region (lib/standby/standby-facts.ts): after the backups'
    // record, which the answer's wait makes.
    const backups = installed.installation.backups;
    this.standby?.recordFacts({
      name: d.props.name,
      kind: 'k8s-ha',
      sourceBucket: backups.bucket.name,
      hostname: props.hostname,
      ...(entry.dns.records.length ? { hostedZone: props.hostedZone, records } : {}),
      ingress: { target: entry.dns.target, recordType: entry.dns.recordType },
      ...(backups.record ? { record: backups.record } : {}),
      ...(backups.encryptionConfig ? { encryptionConfig: backups.encryptionConfig } : {}),
      parameterPath: deploymentParameterPath(this, d.props.name),
      stackLevelName: stackLevelName(this, 'standby_facts'),
    });
    // The failover's fence honoured: no plan moves the record back while it stands (lib/standby/failover-fence.ts).
    if (d.props.standby.region && entry.dns.records.length)
      honourFailoverFence(this, {
        standbyRegion: d.props.standby.region,
        parameterPath: deploymentParameterPath(this, d.props.name),
        records,
        // The failover routing's listing of the same path: read once.
        ...(routed?.listing ? { listing: routed.listing } : {}),
      });
    // Production's cluster honours it too when the region returns: Rancher kept at 0 replicas while it stands.
    if (d.props.standby.region) this.addFenceGuard(d, d.props.standby.region, preflight, installed);
    if (d.props.alarms.enabled) this.alarms = this.addOwnAlarms(d, props, entry, installed, ready.ping, this.standby);

    this.url = ready.url;
    this.bootstrapPassword = installed.installation.server.bootstrapPassword;
    this.adminPassword = firstLogin.adminPassword;
    this.adminToken = firstLogin.adminToken;
    this.dnsTarget = entry.dns.target;
    this.dnsRecordType = entry.dns.recordType;
    // What the operations commands read of this deployment, under whatever id it has (docs/day-2.md).
    addDeploymentRecord(this, { name: d.props.name, kind: 'k8s-ha', region: d.props.region });
  }

  /** The props checked and resolved once, with the plans every step uses. */
  private resolve(props: RancherOnExistingClusterProps): ExistingClusterDeployment {
    const label = `RancherOnExistingCluster ${this.node.path}`;
    requireProps(props, label);
    requireTerraformVersion(this);
    const resolved = resolveProps(
      rancherOnExistingClusterSchema,
      // Its `dns` is the record's target (k8sHa.dns), which resolveProps gathers into the section.
      { ...props, dns: undefined, region: providerRegion(this, props.region, label) },
      'k8sHa',
      label,
      { k8sHa: TerraformStack.of(this).node.id },
      props,
    );
    const tls = tlsPlan(resolved.rancher.tls);
    return {
      props: resolved,
      tls,
      ingressPlan: existingIngressPlan(resolved.ingress, tls.mode),
      // This stack does not know the cluster's networks: private ranges and Rancher's name bypass the proxy.
      proxy: chartProxy(resolved.proxy, [...PRIVATE_NETWORKS, props.hostname]),
    };
  }

  /**
   * The user's certificate material, the guard on what downstream clusters' agents depend on (refused at plan time
   * when changed, unless accepted: docs/day-2.md), and the plan-time checks of the cluster.
   */
  private checkCluster(
    d: ExistingClusterDeployment,
    given: RancherOnExistingClusterProps,
  ): { certificates: CertificateVariables; preflight: ClusterPreflight } {
    const { props, tls, ingressPlan } = d;
    const certificates = new CertificateVariables(this, 'certificates', materialFor(tls));
    new DeploymentGuard(this, 'deployment-guard', {
      recorded: agentTrustRecords({
        tlsSetting: 'rancher.tls',
        tls: { ...props.rancher.tls, untrusted: tls.trust === 'unverified' },
        caCertificate: () => certificates.get('caCertificate'),
        hostname: given.hostname,
        accept: props.rancher.acceptAgentChange,
      }),
    });
    const preflight = new ClusterPreflight(this, 'preflight', {
      rancherVersion: props.versions.rancher,
      ingressClassName: ingressPlan.className,
      requireCertManager: tls.certManager && !props.certManager.install,
    });
    return { certificates, preflight };
  }

  /**
   * The record of Rancher's name to the ingress controller's load balancer, and the gate that an Ingress of the class
   * is admitted: the cluster's controller is not ours to know, so the gate only asks whether every admission webhook
   * on Ingresses answers.
   */
  private addIngressEntry(d: ExistingClusterDeployment, given: RancherOnExistingClusterProps, preflight: ClusterPreflight): ExistingClusterEntry {
    const { props, ingressPlan } = d;
    const ingress = new IngressLoadBalancer(this, 'ingress', { service: ingressPlan.service, target: props.dns.target });
    // No record (a failover's standby: the failover moves production's record here once the CA served here is checked):
    // the record it would need is still told (dnsTarget, dnsRecordType), and /ping is probed at the load balancer.
    const dns: ExistingClusterEntry['dns'] =
      props.dns.hostnameRecord === false
        ? unrecordedTarget(new Construct(this, 'dns'), ingress.address)
        : new LoadBalancerRecord(this, 'dns', { zoneName: given.hostedZone, recordName: given.hostname, target: ingress.address });
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: preflight.gates, registry: props.airGap.systemDefaultRegistry });
    const ingressReady = gates.gate('ingress-ready', {
      check: { kind: 'admission', ingressClass: ingressPlan.className },
      minutes: props.timeouts.ingressMinutes,
    });
    return { dns, gates, ingressReady, ...(props.dns.hostnameRecord === false ? { probeAt: dns.target } : {}) };
  }

  /**
   * Rancher installed the way rke-ha installs it (RancherInstallation): cert-manager (or, with `install: false`,
   * Terraform forgetting the one this stack installed: other services in the cluster may rely on it), Rancher's
   * namespace, TLS Secrets and backups, the release; then the chart versions record and the guard on the class
   * Rancher's ingress runs with, which the installation's chart upgrade rules take.
   */
  private installRancher(
    d: ExistingClusterDeployment,
    given: RancherOnExistingClusterProps,
    certificates: CertificateVariables,
    preflight: ClusterPreflight,
    entry: ExistingClusterEntry,
  ): ExistingClusterRancher {
    const { props, tls, ingressPlan, proxy } = d;
    // On EKS the operator's service account may get a role (irsa, pod-identity); otherwise (servers, accessKey) it
    // writes with a key: nothing of this stack runs on the cluster's nodes to mint credentials.
    const credentials = props.backups.credentials;
    const eksClusterName = props.eks.clusterName;
    const eks =
      (credentials === 'irsa' || credentials === 'pod-identity') && eksClusterName !== undefined
        ? { clusterName: eksClusterName, mechanism: credentials }
        : undefined;
    const installation = new RancherInstallation(this, 'rancher-installation', {
      ...deploymentInstallationProps(props),
      hostname: given.hostname,
      tls,
      certificates,
      certManager: props.certManager.install ? 'install' : 'cluster',
      proxy,
      ingressClassName: ingressPlan.className,
      eks,
      apiReady: preflight.gates,
      clusterReady: preflight.gates,
      // With cert-manager installed, Rancher's wait on the preflight goes through it.
      rancherAfter: [...(props.certManager.install ? [] : preflight.gates), entry.ingressReady],
      hostnameRouting: entry.dns.records,
      ...(entry.probeAt === undefined ? {} : { probeAt: entry.probeAt }),
      gates: entry.gates,
    });
    // The settings are shared by every stack, so synth must not fail here; the plan does, before any change,
    // unless the cluster's class is in fact served by ingress-nginx. (Terraform refuses a constant condition.)
    const reencryption =
      tls.mode === 'rancher' && ingressPlan.className !== 'nginx'
        ? [
            {
              condition: `\${anytrue([for c in try(${preflight.ingressClass.fqn}.objects, []) : try(c.spec.controller, "") == "${INGRESS_NGINX_CONTROLLER}"])}`,
              errorMessage: `rancher.tls mode "rancher" (re-encryption) relies on ingress-nginx annotations; IngressClass "${ingressPlan.className}" (ingress.className) is not served by ingress-nginx.`,
            },
          ]
        : [];
    // Chart upgrades in order (docs/day-2.md, "Upgrading"): the running versions recorded by the last apply.
    const charts = chartVersions(this, {
      gates: entry.gates,
      readAfter: preflight.gates,
      rancher: props.versions.rancher,
      certManager: installation.certManager ? props.versions.certManager : undefined,
    });
    // The class Rancher's ingress runs with is the cluster's to tell: moved only off ingress-nginx, onto Traefik.
    const ingressClass = new IngressClassGuard(this, 'ingress-class-guard', {
      className: ingressPlan.className,
      classDefaulted: ingressPlan.classDefaulted,
      rancherRunning: charts.recorded('rancher'),
      rancherIngress: { namespace: RANCHER_NAMESPACE, name: 'rancher' },
    });
    return { installation, charts, rancherPreconditions: [...reencryption, ...ingressClass.conditions] };
  }

  /**
   * The standby (docs/standby.md): Rancher's backup bucket replicated to a copy in `region`, guarded as its source,
   * under the same construct ids as RancherOnRke's (`standby`, `rancher-backups`). k8s-ha launches nothing: the
   * cluster a failover installs onto is the user's (`standby.k8sHa`), so no instance type is looked up there.
   */
  private addStandby(d: ExistingClusterDeployment, region: string): StandbyReplication {
    const { props } = d;
    const name = deploymentPrefix(this, props.name);
    return new StandbyReplication(this, 'standby', {
      name,
      region: props.region,
      standbyRegion: region,
      launches: {},
      buckets: [rancherBackupsCopy(this.rancherBackups.bucket, name, props.backups.forceDestroyBucket)],
    });
  }

  /**
   * The failover fence's guard in production's cluster (lib/standby/fence-guard.ts): a CronJob that keeps Rancher at 0
   * replicas while the fence stands in the standby region, as rke-ha's servers do. Its AWS identity follows
   * `backups.credentials` (a role EKS hands its service account, or an IAM user's key) but is its own: it may read the
   * fence and nothing else, and exists with backups off.
   */
  private addFenceGuard(d: ExistingClusterDeployment, region: string, preflight: ClusterPreflight, installed: ExistingClusterRancher): void {
    const { props } = d;
    const credentials = props.backups.credentials;
    const clusterName = props.eks.clusterName;
    new FailoverFenceGuard(this, 'failover-fence-guard', {
      name: deploymentPrefix(this, props.name),
      standbyRegion: region,
      parameterPath: deploymentParameterPath(this, props.name),
      identity:
        (credentials === 'irsa' || credentials === 'pod-identity') && clusterName !== undefined
          ? { kind: 'eks', clusterName, mechanism: credentials }
          : { kind: 'accessKey' },
      registry: props.airGap.systemDefaultRegistry,
      proxy: d.proxy,
      rancherNamespace: installed.installation.namespace.name,
      dependsOn: preflight.gates,
    });
  }

  /**
   * What AWS sees: /ping through the stack's record (unless it leads to a private address, which Route53's checkers
   * cannot reach) and the backups' freshness. The cluster, its nodes and its load balancer are not this stack's.
   */
  private addOwnAlarms(
    d: ExistingClusterDeployment,
    given: RancherOnExistingClusterProps,
    entry: ExistingClusterEntry,
    installed: ExistingClusterRancher,
    answered: ITerraformDependable,
    standby: StandbyReplication | undefined,
  ): DeploymentAlarms {
    const { props } = d;
    const unreachable = new TerraformLocal(this, 'unreachable-ipv4-pattern', UNREACHABLE_IPV4_PATTERN);
    const alarms = new DeploymentAlarms(this, 'alarms', {
      name: deploymentPrefix(this, props.name),
      region: props.region,
      email: props.alarms.email,
      dependsOn: [answered],
    });
    if (props.backups.enabled) {
      const writer = { bucket: installed.installation.backups.bucket.name, prefix: `${BACKUP_FOLDER}/`, schedule: props.backups.schedule };
      alarms.alarmOnFreshness('rancher-backups', writer, { alarm: 'rancher-backup-fresh', what: 'Rancher backup' });
    }
    for (const id of standby?.copies.keys() ?? []) alarms.alarmOnReplication(id, standby!.metrics(id));
    // Without the hostname's record (a failover's standby) the name leads to production until moved: its check waits for nothing.
    alarms.addPingCheck(
      given.hostname,
      `\${!can(regex(${unreachable.fqn}, ${entry.dns.target}))}`,
      props.dns.hostnameRecord === false ? [] : undefined,
    );
    return alarms;
  }
}

/** The record a target needs, without the record (`dns.hostnameRecord` false). */
function unrecordedTarget(scope: Construct, target: string): ExistingClusterEntry['dns'] {
  const { target: lowered, recordType } = targetRecordType(scope, target);
  return { target: lowered.asString, recordType: recordType.asString, records: [] };
}

/**
 * The user material k8s-ha needs: as rke-ha at the ingress; with `external`
 * only the private CA bundle (`tls-ca`), since the certificate sits on the
 * cluster owner's load balancer.
 */
function materialFor(tls: TlsPlan): readonly CertificateMaterial[] {
  if (!tls.atLoadBalancer) return tls.material;
  return tls.privateCa ? ['caCertificate'] : [];
}

/** The props resolved once, and the plans every step of RancherOnExistingCluster uses. */
interface ExistingClusterDeployment {
  /** The props checked and completed (rancherOnExistingClusterSchema): every default filled in. */
  readonly props: ResolvedRancherOnExistingClusterProps;
  readonly tls: TlsPlan;
  readonly ingressPlan: ReturnType<typeof existingIngressPlan>;
  readonly proxy: ReturnType<typeof chartProxy>;
}

interface ExistingClusterEntry {
  /** Rancher's record (LoadBalancerRecord), or without it the target and the record it needs. */
  readonly dns: Pick<LoadBalancerRecord, 'target' | 'recordType' | 'records'>;
  /** Where `/ping` is probed under the hostname when no record leads the name here (`dns.hostnameRecord` false). */
  readonly probeAt?: string;
  readonly gates: ReadinessGates;
  readonly ingressReady: ITerraformDependable;
}

interface ExistingClusterRancher {
  readonly installation: RancherInstallation;
  readonly charts: ReturnType<typeof chartVersions>;
  /** The Rancher release's own preconditions: re-encryption needs ingress-nginx; the ingress class moves only onto Traefik. */
  readonly rancherPreconditions: readonly GuardCondition[];
}
