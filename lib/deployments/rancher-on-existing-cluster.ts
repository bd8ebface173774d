import { TerraformLocal, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentAlarms } from '../alarms/deployment-alarms';
import { UNREACHABLE_IPV4_PATTERN } from '../dns/private/dns-target';
import { LoadBalancerRecord } from '../dns/load-balancer-record';
import { ClusterPreflight } from '../existing-cluster/cluster-preflight';
import { forgetWhenRemoved } from '../existing-cluster/private/forget-when-removed';
import { IngressClassGuard, INGRESS_NGINX_CONTROLLER } from '../existing-cluster/ingress-class-guard';
import { IngressLoadBalancer } from '../existing-cluster/ingress-load-balancer';
import { ReadinessGates } from '../kubernetes/readiness-gates';
import { chartProxy, PRIVATE_NETWORKS } from '../network/private/proxy';
import { CertManager } from '../rancher/cert-manager';
import { chartVersions, guardChartUpgrades } from '../rancher/private/chart-upgrades';
import { BACKUP_FOLDER } from '../rancher/backup-objects';
import { RANCHER_NAMESPACE, RancherNamespace } from '../rancher/namespace';
import { RancherBackups } from '../rancher/rancher-backups';
import { RancherServer } from '../rancher/rancher-server';
import { rancherServerSettings } from '../rancher/private/rancher-settings';
import { RancherTlsSecrets } from '../rancher/tls-secrets';
import { CertificateVariables, type CertificateMaterial } from '../tls/certificate-variables';
import { DeploymentGuard } from '../common/deployment-guard';
import { addDeploymentRecord } from '../common/deployment-record';
import { agentTrustRecords } from './private/agent-trust';
import { tlsPlan, type TlsPlan } from '../tls/tls-plan';
import { rancherOnExistingClusterSchema } from '../config/deployment-schema';
import type { RancherOnExistingClusterProps } from './rancher-on-existing-cluster-props';
import { rancherReadyAndFirstLogin } from './private/rancher-ready';
import { existingIngressPlan } from './private/existing-ingress-plan';
import { providerRegion } from './private/provider-region';
import { requireTerraformVersion } from '../common/terraform-version';
import { requireProps, resolveProps } from './private/resolve-props';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './private/stack-level-names';
import { RancherOnCluster } from './rancher-on-cluster';

/** Construct id of the cert-manager this construct installs; its path is also what `forgetWhenRemoved` keeps. */
const CERT_MANAGER_ID = 'cert-manager';

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
  /** The ingress load balancer (hostname or address) the Rancher record points at. */
  readonly dnsTarget: string;
  /** `alias` (AWS load balancer), `A` (IPv4 address) or `CNAME` (other hostname). */
  readonly dnsRecordType: string;
  /** Rancher's backups: the bucket (kept with backups off) and the encryption configuration (docs/backups.md). */
  readonly rancherBackups: RancherBackups;
  /** The alarms and their SNS topic (`alarms.enabled`): what AWS sees of this deployment (docs/k8s-ha.md). */
  readonly alarms?: DeploymentAlarms;
  /** What addHelmChart and addManifest install after: Rancher answering `/ping`. */
  protected readonly rancherReady: ITerraformDependable;

  constructor(scope: Construct, id: string, props: RancherOnExistingClusterProps) {
    super(scope, id);
    const label = `RancherOnExistingCluster ${this.node.path}`;
    requireProps(props, label);
    requireTerraformVersion(this);
    const settings = resolveProps(
      rancherOnExistingClusterSchema,
      // Its `dns` is the record's target (k8sHa.dns), which resolveProps gathers into the section.
      { ...props, dns: undefined, region: providerRegion(this, props.region, label) },
      'k8sHa',
      label,
      { k8sHa: TerraformStack.of(this).node.id },
      props,
    );
    const s = settings.k8sHa;
    const t = settings.timeouts;
    const tls = tlsPlan(settings.rancher.tls);
    const ingressPlan = existingIngressPlan(s.ingress, tls.mode);
    // This stack does not know the cluster's networks: private ranges and Rancher's name bypass the proxy.
    const proxy = chartProxy(settings.proxy, [...PRIVATE_NETWORKS, props.hostname]);
    const certificates = new CertificateVariables(this, 'certificates', materialFor(tls));
    // What downstream clusters' agents depend on: refused at plan time when changed, unless accepted (docs/day-2.md).
    new DeploymentGuard(this, 'deployment-guard', {
      recorded: agentTrustRecords({
        tlsSetting: 'rancher.tls',
        tls: { ...settings.rancher.tls, untrusted: tls.trust === 'unverified' },
        caCertificate: () => certificates.get('caCertificate'),
        hostname: props.hostname,
        accept: settings.rancher.acceptAgentChange,
      }),
    });
    const preflight = new ClusterPreflight(this, 'preflight', {
      rancherVersion: settings.versions.rancher,
      ingressClassName: ingressPlan.className,
      requireCertManager: tls.certManager && !s.certManager.install,
    });

    const ingress = new IngressLoadBalancer(this, 'ingress', { service: ingressPlan.service, target: s.dns.target });
    const dns = new LoadBalancerRecord(this, 'dns', { zoneName: props.hostedZone, recordName: props.hostname, target: ingress.address });
    // The cluster's controller is not ours to know: the gate only asks whether an Ingress of the class is
    // admitted (every admission webhook on Ingresses answers).
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: preflight.gates, registry: settings.airGap.systemDefaultRegistry });
    const ingressReady = gates.gate('ingress-ready', {
      check: { kind: 'admission', ingressClass: ingressPlan.className },
      minutes: t.ingressMinutes,
    });

    let rancherPrerequisites: ITerraformDependable[];
    let certManager: CertManager | undefined;
    if (s.certManager.install) {
      certManager = new CertManager(this, CERT_MANAGER_ID, {
        version: settings.versions.certManager,
        repository: settings.airGap.certManagerChartRepository,
        proxy,
        minutes: t.certManagerMinutes,
        dependsOn: preflight.gates,
      });
      rancherPrerequisites = [certManager.release];
    } else {
      // Turning `install` off later must not uninstall the cert-manager this stack installed
      // (other services in the cluster may rely on it): Terraform forgets it instead.
      forgetWhenRemoved(this, 'helm_release', [CERT_MANAGER_ID, 'release']);
      rancherPrerequisites = preflight.gates;
    }
    const namespace = new RancherNamespace(this, 'rancher-namespace', { dependsOn: preflight.gates });
    const secrets = new RancherTlsSecrets(this, 'tls-secrets', {
      plan: tls,
      certificates,
      namespace: namespace.name,
      expiryCheckName: stackLevelName(this, 'user_certificates'),
    });
    // Rancher's backups: a restore (backups.restoreFrom) runs before Rancher is installed, the first backup once it answers.
    // On EKS the operator's service account may get a role (irsa, pod-identity); otherwise (servers, accessKey) it
    // writes with a key: nothing of this stack runs on the cluster's nodes to mint credentials.
    const credentials = settings.backups.credentials;
    const eksClusterName = s.eks.clusterName;
    const eks =
      (credentials === 'irsa' || credentials === 'pod-identity') && eksClusterName !== undefined
        ? { clusterName: eksClusterName, mechanism: credentials }
        : undefined;
    const backups = new RancherBackups(this, 'rancher-backups', {
      eks,
      name: deploymentPrefix(this, settings.name),
      settings: settings.backups,
      region: settings.region,
      registry: settings.airGap.systemDefaultRegistry,
      repository: settings.airGap.rancherBackupChartRepository,
      proxy,
      dependsOn: preflight.gates,
      restoreAfter: [namespace.namespace, ...secrets.resources],
      restoreVariableName: stackLevelName(this, 'rancher_backup_restore_encryption_config'),
      eventBridge: settings.alarms.enabled,
      rancherVersion: settings.versions.rancher,
      hostname: props.hostname,
      hostnameInPlan: true,
      parameterPath: deploymentParameterPath(this, settings.name),
    });
    this.rancherBackups = backups;
    const rancher = new RancherServer(this, 'rancher', {
      ...rancherServerSettings(settings, proxy),
      hostname: props.hostname,
      ingressClassName: ingressPlan.className,
      namespace: namespace.name,
      // The record too: Let's Encrypt's HTTP-01 check, and the certificate wait, need the name to resolve.
      dependsOn: [...rancherPrerequisites, ingressReady, ...secrets.resources, ...dns.records, ...backups.restored],
    });
    // The settings are shared by every stack, so synth must not fail here; the plan does, before any change,
    // unless the cluster's class is in fact served by ingress-nginx. (Terraform refuses a constant condition.)
    const reencryption =
      tls.mode === 'rancher' && ingressPlan.className !== 'nginx'
        ? [
            {
              condition: `\${anytrue([for c in try(${preflight.ingressClass.fqn}.objects, []) : try(c.spec.controller, "") == "${INGRESS_NGINX_CONTROLLER}"])}`,
              errorMessage: `rancher.tls mode "rancher" (re-encryption) relies on ingress-nginx annotations; IngressClass "${ingressPlan.className}" (k8sHa.ingress.className) is not served by ingress-nginx.`,
            },
          ]
        : [];
    // Chart upgrades in order (docs/day-2.md, "Upgrading"): the running versions recorded by the last apply.
    const charts = chartVersions(this, {
      gates,
      readAfter: preflight.gates,
      rancher: settings.versions.rancher,
      certManager: certManager ? settings.versions.certManager : undefined,
    });
    // The class Rancher's ingress runs with is the cluster's to tell: moved only off ingress-nginx, onto Traefik.
    const ingressClass = new IngressClassGuard(this, 'ingress-class-guard', {
      className: ingressPlan.className,
      classDefaulted: ingressPlan.classDefaulted,
      rancherRunning: charts.recorded('rancher'),
      rancherIngress: { namespace: RANCHER_NAMESPACE, name: 'rancher' },
    });
    guardChartUpgrades(charts, settings.versions, {
      rancher: rancher.release,
      certManager: certManager?.release,
      rancherPreconditions: [...reencryption, ...ingressClass.conditions],
    });
    const { ready, firstLogin } = rancherReadyAndFirstLogin(this, {
      gates,
      rancher,
      tls,
      certificates,
      hostname: props.hostname,
      settings,
      hostnameRouting: [...dns.records],
      rerunOn: `${settings.versions.certManager} ${settings.versions.rancher}`,
    });
    charts.writtenAfter(rancher.release, ready.ping);
    // Once Rancher answers. Not after the first login: turning it on or off must change nothing else (its password is
    // in the next scheduled backup; a restore of the first one has the bootstrap password).
    backups.scheduleAfter([ready.ping]);
    this.rancherReady = ready.ping;
    if (settings.alarms.enabled) {
      // What AWS sees: /ping through the stack's record (unless it leads to a private address, which Route53's checkers
      // cannot reach) and the backups' freshness. The cluster, its nodes and its load balancer are not this stack's.
      const unreachable = new TerraformLocal(this, 'unreachable-ipv4-pattern', UNREACHABLE_IPV4_PATTERN);
      const alarms = new DeploymentAlarms(this, 'alarms', {
        name: deploymentPrefix(this, settings.name),
        region: settings.region,
        email: settings.alarms.email,
        dependsOn: [ready.ping],
      });
      if (settings.backups.enabled) {
        const writer = { bucket: backups.bucket.name, prefix: `${BACKUP_FOLDER}/`, schedule: settings.backups.schedule };
        alarms.alarmOnFreshness('rancher-backups', writer, { alarm: 'rancher-backup-fresh', what: 'Rancher backup' });
      }
      alarms.addPingCheck(props.hostname, `\${!can(regex(${unreachable.fqn}, ${dns.target}))}`);
      this.alarms = alarms;
    }

    this.url = ready.url;
    this.bootstrapPassword = rancher.bootstrapPassword;
    this.adminPassword = firstLogin.adminPassword;
    this.adminToken = firstLogin.adminToken;
    this.dnsTarget = dns.target;
    this.dnsRecordType = dns.recordType;
    // What the operations commands read of this deployment, under whatever id it has (docs/day-2.md).
    addDeploymentRecord(this, { name: settings.name, kind: 'k8s-ha', region: settings.region });
  }
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
