import { DataAwsLbListener } from '@cdktn/provider-aws/lib/data-aws-lb-listener';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Password } from '@cdktn/provider-random/lib/password';
import { Fn, TerraformLocal, TerraformStack, dependable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SettingsError } from '../config/errors';
import type { ProxySettings } from '../config/sections';
import { DeploymentAlarms, deploymentAlarmName } from '../alarms/deployment-alarms';
import { ETCD_SNAPSHOTS_COPY, rancherBackupsCopy, StandbyReplication } from '../standby/standby-replication';
import { FAILOVER_FENCE_PARAMETER, honourFailoverFence } from '../standby/failover-fence';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import {
  BACKUP_CREDENTIALS_METRIC,
  CERTIFICATE_DAYS_LEFT_ALARM_DAYS,
  CERTIFICATE_DAYS_LEFT_METRIC,
  RESTART_HELD_METRIC,
  UNVERIFIED_ARTIFACT_METRIC,
  restartMetricNamespace,
  SERVER_DIMENSION,
  CERTIFICATE_REPORT_WINDOW_HOURS,
  serverMetric,
} from '../kubernetes/server-metrics';
import { adminNetworks } from '../common/private/admin-networks';
import { DeploymentGuard } from '../common/deployment-guard';
import { addDeploymentRecord } from '../common/deployment-record';
import { agentTrustRecords } from './private/agent-trust';
import { RKE2_CLUSTER_CIDR, RKE2_CLUSTER_CIDR_IPV6, RKE2_SERVICE_CIDR, RKE2_SERVICE_CIDR_IPV6 } from '../config/primitives';
import { rancherOnRkeSchema, type ResolvedRancherOnRkeProps } from '../config/deployment-schema';
import { ExternalDatastore } from '../database/external-datastore';
import { AliasRecord, publicZone } from '../dns/alias-record';
import { RoundRobinRecords } from '../dns/round-robin-records';
import type { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { PublicAddress } from '../network/public-address';
import { BootParameters } from '../nodes/boot-parameters';
import { BackupRole } from '../rancher/backup-writer';
import { ClusterPki } from '../kubernetes/cluster-pki';
import {
  forwardedHeadersChartConfig,
  packagedIngress,
  rancherServersTransport,
  rancherServersTransportAnnotation,
  traefikBridgeIngress,
  traefikChartConfig,
  type TraefikChartOptions,
} from '../kubernetes/private/ingress-controller-config';
import { k3sUserData } from '../kubernetes/private/k3s-user-data';
import { kubeconfig } from '../kubernetes/private/kubeconfig';
import { pkiLifetimes } from '../kubernetes/private/pki-lifetimes';
import { PEER_ADDRESSES_PATTERN, type ServerNodeIdentity } from '../kubernetes/private/node-identity';
import { KubernetesUpgrade } from '../kubernetes/private/kubernetes-upgrade';
import { ReadinessGates } from '../kubernetes/readiness-gates';
import { rke2UserData } from '../kubernetes/private/rke2-user-data';
import { SnapshotBucket, rollSnapshotPrefixes } from '../kubernetes/snapshot-bucket';
import { SnapshotEvents } from '../kubernetes/private/snapshot-events';
import type { VpcEndpoints } from '../network/private/vpc-endpoints';
import { addVpcOptions } from './private/vpc-options';
import { vpcRangesEntry } from '../network/private/vpc-ranges';
import { ALB_TARGET_KEEP_ALIVE_SECONDS, ApplicationLoadBalancer } from '../loadbalancer/application-load-balancer';
import { RANCHER_NAMESPACE } from '../rancher/namespace';
import { NetworkLoadBalancer } from '../loadbalancer/network-load-balancer';
import type { ExistingNetwork } from '../network/existing-network';
import { chartProxy, httpsProxy, proxyEnvironment } from '../network/private/proxy';
import { selinuxPolicyFromImage } from '../config/sections';
import { PublicNetwork } from '../network/public-network';
import { NodeRole } from '../nodes/node-role';
import { NodeSecurityGroup } from '../nodes/node-security-group';
import { HTTP_PORT, HTTPS_PORT, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, TRAEFIK_SIDE_PORTS } from '../nodes/private/ports';
import { BootBucket } from '../nodes/boot-bucket';
import { ServerNode, USER_DATA_LIMIT_BYTES } from '../nodes/server-node';
import { ServerQuorum } from '../nodes/server-quorum';
import { deploymentTagUnlessDefault } from '../common/private/tags';
import { ServerImage } from '../nodes/server-image';
import { ApiReadiness } from '../rancher/api-readiness';
import { chartVersions } from '../rancher/private/chart-upgrades';
import { configureClusterProviders, refuseSecondClusterProviders, type ClusterAccess } from '../kubernetes/cluster-access';
import type { FirstLogin } from '../rancher/first-login';
import type { RancherReadiness } from '../rancher/rancher-readiness';
import { BACKUP_FOLDER } from '../rancher/backup-objects';
import type { RancherBackups } from '../rancher/rancher-backups';
import type { RancherServer } from '../rancher/rancher-server';
import { LoadBalancerCertificate } from '../tls/acm-certificate';
import { CertificateVariables } from '../tls/certificate-variables';
import { INGRESS_SECRET, tlsPlan, type TlsPlan } from '../tls/tls-plan';
import { dnsRecordedSettings } from './private/dns-recorded-settings';
import { HOSTNAME_SETTING, kubernetesApiName, loadBalancerTypeRecord, roundRobinHostnameRecord } from './private/kubernetes-api-name';
import { ingressMigrationConditions } from './private/ingress-migration';
import { nlbPorts, sidePort } from './private/nlb-ports';
import type { RancherOnRkeProps } from './rancher-on-rke-props';
import { rancherName, wildcardName } from './private/rancher-name';
import { providerRegion } from './private/provider-region';
import { forPartition } from '../nodes/private/partition-endpoints';
import { requireTerraformVersion } from '../common/terraform-version';
import { requiredName, requireProps, resolveProps } from './private/resolve-props';
import { API_CERTIFICATE_END_PATH, apiCertificateCheck } from '../kubernetes/private/api-certificate-check';
import {
  BOOTSTRAP_UNIT,
  CERT_RENEWAL_UNIT,
  UNVERIFIED_ARTIFACT_LINE,
  UNVERIFIED_ARTIFACT_MARKER,
  unverifiedArtifactHint,
} from '../kubernetes/private/server-units';
import { backupsPlan, type BackupsPlan } from './private/backups-plan';
import { clusterPlan, type ClusterPlan } from './private/cluster-plan';
import { rkeNetworkPlan, type RkeNetworkPlan } from './private/network-plan';
import { rkeNetwork } from './private/rke-network';
import { movedServersCondition, peerCandidates, previousServer } from './private/rke-server-layout';
import { INGRESS_CONTROLLER_RECORD, rkeRecordedSettings } from './private/rke-recorded-settings';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './private/stack-level-names';
import { reportStaleServers } from './private/stale-servers';
import { warnOnArm64 } from './private/server-architecture';
import { singleZoneDatastoreWarning, unconfirmedImageWarning, unconfirmedSumWarning, warnOnUnconfirmed } from './private/unconfirmed-facts';
import { releaseEnvironment } from '../kubernetes/private/release-files';
import { RancherOnCluster } from './rancher-on-cluster';
import { deploymentInstallationProps, RancherInstallation } from './private/rancher-installation';

/** What the DNS round robin's health checks ask every node for (through its ingress, by Rancher's name). */
const HEALTH_CHECK_PATH = '/ping';
/** The rounds (10 s apart) the pods-admitted gate watches for refusals after Rancher answers: three minutes. */
const PODS_ADMITTED_ROUNDS = 18;

/** The marker parameter boot-lib.sh guard_init looks for. */
const CLUSTER_INITIALIZED = 'cluster-initialized';

/**
 * Rancher on its own Kubernetes cluster (the Rancher docs' "RancherOnRKE"):
 * three RKE2 servers (etcd, control plane and worker each) over three zones
 * behind a TCP NLB, or two K3s servers on an RDS datastore; a Route53 alias;
 * cert-manager and Rancher from Helm; readiness gates between the steps. One
 * apply ends when Rancher answers on its hostname and its first login is done
 * (`rancher.bootstrap`). With TLS at the load
 * balancer (`rancher.tls.mode: external`) an ALB with an ACM certificate
 * takes 80/443 and the NLB keeps only the API. With `loadBalancer:
 * dns` there is no load balancer: each node gets an Elastic IP, Rancher's
 * name one health-checked multivalue record per node, and the nodes take
 * 80/443 from anywhere and 6443 from the admin networks themselves. Without
 * a domain (`dns.mode: wildcard`) the NLB gets an Elastic IP per zone and
 * Rancher is named after the first one (`<a-b-c-d>.sslip.io`): no Route53 at
 * all.
 *
 * Needs an AWS provider in the stack; brings its own Helm and Kubernetes
 * providers (configured from the cluster it creates) and its rancher2 provider
 * (the first login, aliased per construct); the tls, random and
 * http providers it uses must exist in the stack too.
 */
export class RancherOnRke extends RancherOnCluster {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** Rancher's name: `hostname` as given, or the wildcard name derived from the load balancer's first Elastic IP. */
  readonly hostname: string;
  /** The generated password Rancher starts with (sensitive); with the first-login bootstrap on, the admin password too. */
  readonly bootstrapPassword: string;
  /** The admin password the first-login bootstrap set (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminPassword?: string;
  /** The admin API token of the first-login bootstrap (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminToken?: string;
  /** A cluster-admin kubeconfig (sensitive). */
  readonly kubeconfig: string;
  /** The cluster token (sensitive): a restore from an etcd snapshot needs it. */
  readonly joinToken: string;
  /** The load balancer the Rancher record points at; none with `loadBalancer.type: dns`. */
  readonly loadBalancerDnsName?: string;
  /** The nodes' Elastic IPs, which Rancher's name resolves to (`loadBalancer.type: dns` only). */
  readonly nodePublicIps?: string[];
  /** The bucket holding scheduled etcd snapshots (RKE2). */
  readonly etcdSnapshotBucket?: string;
  /** The SNS topic of the snapshot bucket's events (`etcdSnapshots.eventNotifications`). */
  readonly etcdSnapshotEventsTopic?: string;
  /** The alarms and their SNS topic (`alarms.enabled`). */
  readonly alarms?: DeploymentAlarms;
  /** The K3s datastore's host name (K3s). */
  readonly datastoreAddress?: string;
  /** The K3s datastore (`datastore.metricFreeStorageSpace()`, ...). */
  readonly datastore?: ExternalDatastore;
  /** Per server, the settings it keeps until it is replaced (docs/day-2.md, "Day 2"). */
  readonly serversPendingReplacement: Record<string, string[]>;
  /** The VPC the deployment created, or the existing one it uses (`existingNetwork`). */
  readonly network: PublicNetwork | ExistingNetwork;
  /** The server nodes, server-0 first: one EC2 instance each, with its fixed address and held attributes. */
  readonly servers: readonly ServerNode[];
  /** The AWS region the deployment is in: `region`, or the stack's AWS provider's. */
  readonly region: string;
  /** Rancher's backups: the bucket (kept with backups off) and the encryption configuration (docs/backups.md). */
  readonly rancherBackups: RancherBackups;
  /** The standby's copies of the backups and snapshots in its region (`standby.region`; docs/standby.md). */
  private readonly standby?: StandbyReplication;
  /** The namespace of the servers' own metrics (metricRestartHeld). */
  private readonly metricNamespace: string;
  /** What addHelmChart and addManifest install after: Rancher answering `/ping`. */
  protected readonly rancherReady: ITerraformDependable;

  constructor(scope: Construct, id: string, props: RancherOnRkeProps) {
    super(scope, id);
    // The steps of one apply, in the order the cluster comes up. Each step adds its constructs directly to this
    // construct (a step is never a construct of its own: the Terraform addresses stay what they are). An in-cluster
    // wait belongs in addClusterGates; what runs beside Rancher (backups) in installRancher; what watches the AWS
    // side (addAlarms) comes last, once Rancher answers.
    const d = this.resolve(props);
    this.region = d.props.region;
    const net = this.addNetwork(d);
    this.network = net.network;
    const entry = this.addLoadBalancer(d, props, net);
    this.hostname = entry.hostname;
    const pki = new ClusterPki(this, 'pki', { clusterName: d.name });
    const guard = this.addDeploymentGuard(d, net, entry, pki);
    const traffic = this.allowTraffic(d, net, entry);
    const state = this.addClusterState(d, net);
    const boot = this.addBootParameters(d, props, pki, state);
    const servers = this.addServers(d, { net, entry, state, boot });
    this.servers = servers.nodes;
    traffic.publicListeners.push(...servers.publicAddresses.map((address) => address.association));
    const dns = this.addDnsRecords(d, props, { net, entry, servers, traffic });
    const api = this.connectToCluster(d, { entry, pki, guard, boot, servers, traffic, dns });
    const gates = this.addClusterGates(d, api);
    const rancher = this.installRancher(d, { entry, servers, api, gates, dns, boot });
    if (d.cluster.migration) {
      // What each server runs, for the steps that need every server rolled first (docs/day-2.md, "Off ingress-nginx").
      const running = servers.nodes.map((node) => node.runningRecord('ingress-controllers', d.cluster.ingressControllers.join(',')));
      const { nlb } = entry;
      for (const condition of ingressMigrationConditions({
        step: d.cluster.migration,
        recordedController: guard.records.get(INGRESS_CONTROLLER_RECORD)!.output,
        rancherRunning: gates.charts.recorded('rancher'),
        servers: running,
        listeners: d.cluster.migration === 'done' ? this.listenersNow(nlb, dns.alb) : undefined,
      }))
        guard.condition(condition);
    }
    this.rancherBackups = rancher.backups;
    if (d.props.standby.region) {
      this.standby = this.addStandby(d, d.props.standby.region, state, boot, rancher);
      // The name moved by a metric at failover (lib/standby/standby-dns.ts): the alias records, not DNS round robin's.
      // Held out (the failback's apply), the alarm and its health check stay.
      const heldOut = d.props.loadBalancer.hostnameRecord === false;
      const routed =
        dns.aliasTarget && (dns.records || heldOut)
          ? this.standby.routeFailover({
              deployment: d.name,
              parameterPath: deploymentParameterPath(this, d.props.name),
              records: dns.records ?? [],
              stackLevelName: stackLevelName(this, 'standby_dns'),
            })
          : undefined;
      // The hostname's records, the SECONDARY ones with them: what the facts tell a failover (which checks the
      // SECONDARY leads to the standby it built) and what the fence holds.
      const records = [...(dns.records ?? []), ...(routed?.secondaries ?? [])];
      // What a failover reads of production, kept in the standby region (lib/standby/standby-facts.ts).
      this.standby.recordFacts({
        name: d.props.name,
        kind: 'rke-ha',
        distribution: d.cluster.distribution,
        sourceBucket: rancher.backups.bucket.name,
        hostname: entry.hostname,
        ...(dns.records ? { hostedZone: requiredName(props.hostedZone), records } : {}),
        ...(dns.aliasTarget ? { loadBalancer: { dnsName: dns.aliasTarget.dnsName, zoneId: dns.aliasTarget.zoneId } } : {}),
        ...(rancher.backups.record ? { record: rancher.backups.record } : {}),
        ...(rancher.backups.encryptionConfig ? { encryptionConfig: rancher.backups.encryptionConfig } : {}),
        deployerArns: props.deployerArns ?? [],
        parameterPath: deploymentParameterPath(this, d.props.name),
        stackLevelName: stackLevelName(this, 'standby_facts'),
      });
      // The etcd snapshot copies restorable without this region: a break-glass role and the token's copy there.
      if (this.standby.copies.has(ETCD_SNAPSHOTS_COPY))
        this.standby.breakGlass({
          token: boot.parameters.parameters.find((p) => p.node.id === 'token')!.value,
          parameterPath: deploymentParameterPath(this, d.props.name),
          deployerArns: boot.parameters.deployerArns,
        });
      // The failover's fence honoured: no plan moves the records back while it stands (lib/standby/failover-fence.ts).
      // Also without records of the hostname (the failback's module holds them out): the servers' guard reads the
      // fence's region whatever the records, and a module without it would forget (not delete) that parameter.
      honourFailoverFence(this, {
        standbyRegion: d.props.standby.region,
        parameterPath: deploymentParameterPath(this, d.props.name),
        records,
        // The failover routing's listing of the same path: read once.
        ...(routed?.listing ? { listing: routed.listing } : {}),
        // The servers' guard finds the fence through it (lib/kubernetes/failover-fence.sh).
        servers: true,
      });
    }
    this.rancherReady = rancher.ready.ping;
    this.metricNamespace = restartMetricNamespace(d.name);

    this.url = rancher.ready.url;
    this.bootstrapPassword = rancher.server.bootstrapPassword;
    this.adminPassword = rancher.firstLogin.adminPassword;
    this.adminToken = rancher.firstLogin.adminToken;
    this.kubeconfig = kubeconfig(d.name, api.access);
    // The parameter's value as the state holds it, not the value Terraform first wrote: after `npm run rotate -- rke-ha
    // token` a refresh reads the rotated token (the parameter ignores changes of its value), so the output a restore
    // and a teardown's --keep-snapshots use follows the rotation.
    this.joinToken = boot.parameters.parameters.find((p) => p.node.id === 'token')!.value;
    this.loadBalancerDnsName = dns.aliasTarget?.dnsName;
    if (servers.publicAddresses.length) this.nodePublicIps = servers.publicAddresses.map((address) => address.ip);
    if (state.snapshots) this.etcdSnapshotBucket = state.snapshots.name;
    if (boot.snapshotEvents?.topic) this.etcdSnapshotEventsTopic = boot.snapshotEvents.topic.arn;
    if (d.props.alarms.enabled) this.alarms = this.addAlarms(d, { entry, state, boot, servers, dns, rancher, standby: this.standby });
    if (state.datastore) {
      this.datastore = state.datastore;
      this.datastoreAddress = state.datastore.instance.address;
    }
    this.serversPendingReplacement = reportStaleServers(this, { nodes: servers.nodes, checkName: stackLevelName(this, 'servers_up_to_date') });
    // What the operations commands read of this deployment, under whatever id it has (docs/day-2.md, "Rolling a server").
    addDeploymentRecord(this, {
      name: d.props.name,
      kind: 'rke-ha',
      distribution: d.cluster.distribution,
      region: this.region,
      servers: servers.nodes.map((node, i) => ({ name: `server-${i}`, instance: node.instance })),
    });
  }

  /** The props checked and completed with the rules a settings file gets, and what the steps derive from them. */
  private resolve(props: RancherOnRkeProps): Deployment {
    const stackId = TerraformStack.of(this).node.id;
    const label = `RancherOnRke ${this.node.path}`;
    requireProps(props, label);
    requireTerraformVersion(this);
    refuseSecondClusterProviders(this, label);
    const resolved = resolveProps(
      rancherOnRkeSchema,
      { ...props, region: providerRegion(this, props.region, label) },
      'rkeHa',
      label,
      { rkeHa: stackId },
      props,
    );
    const name = deploymentPrefix(this, resolved.name);
    const adminCidrs = adminNetworks(this, props.adminCidrs);
    const tls = tlsPlan(resolved.rancher.tls);
    const certificates = new CertificateVariables(this, 'certificates', tls.material);
    return {
      stackId,
      props: resolved,
      name,
      adminCidrs,
      tls,
      certificates,
      cluster: clusterPlan(resolved),
      network: rkeNetworkPlan(resolved),
      backups: backupsPlan(resolved, { name, stackId }),
      wildcard: wildcardName(resolved),
    };
  }

  /** The VPC (created or existing), the servers' quorum record, their security group, flow logs and VPC endpoints. */
  private addNetwork(d: Deployment): DeploymentNetwork {
    const { props, name } = d;
    const net = rkeNetwork(this, props, { name, cluster: d.cluster, network: d.network });
    const quorum = d.cluster.quorumGuard ? new ServerQuorum(this, 'server-quorum', { deployment: name, servers: d.cluster.nodeCount }) : undefined;
    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', {
      vpcId: net.vpcId,
      name,
      clusterPorts: d.cluster.serverPorts,
      ...net.vpcRanges,
      egressOnlyTo: props.proxy.egressOnlyTo,
      ...(d.network.dualStack ? { ipv6: true } : {}),
    });
    // Flow logs and VPC endpoints, in a network the stack created (an existing VPC is its owner's: the settings
    // refuse the `vpc` options with it).
    // The endpoints are what the nodes reach AWS through with closed egress: they boot after them.
    const vpcEndpoints =
      net.network instanceof PublicNetwork
        ? addVpcOptions(this, {
            network: net.network,
            settings: props.vpc,
            name,
            nodeRouteTableIds: net.nodeRouteTableIds,
            forceDestroyLogs: props.etcdSnapshots.forceDestroyBucket,
            proxy: props.proxy,
            nodeGroup,
            // The servers' backup credentials refresh calls STS (backup-credentials.sh).
            nodeServices: d.backups.backupRole ? ['sts'] : [],
          }).endpoints
        : undefined;
    return { ...net, quorum, nodeGroup, vpcEndpoints };
  }

  /**
   * The NLB (none with DNS round robin), and Rancher's name: the one given, or the first zone's Elastic IP through
   * the wildcard DNS service. That address outlives a replaced balancer, so the name (Rancher's server-url) does
   * too. (The settings refuse DNS round robin without a domain: one wildcard name is one address.)
   */
  private addLoadBalancer(d: Deployment, given: RancherOnRkeProps, net: DeploymentNetwork): RancherEntry {
    const { props } = d;
    const nlb =
      props.loadBalancer.type === 'dns'
        ? undefined
        : new NetworkLoadBalancer(this, 'load-balancer', {
            name: d.name,
            vpcId: net.vpcId,
            subnetIds: net.loadBalancerSubnetIds,
            targetSecurityGroupId: net.nodeGroup.id,
            ports: nlbPorts(d.tls, d.adminCidrs, d.network.dualStack, d.cluster.migration),
            dependsOn: net.internetAccess,
            elasticIps: d.wildcard,
            deletionProtection: props.loadBalancer.deletionProtection,
            ...(d.network.dualStack ? { ipAddressType: 'dualstack' as const } : {}),
          });
    const hostname = rancherName(this, d.props, {
      hostname: given.hostname,
      address: () => {
        if (!nlb) throw new Error("dns.mode wildcard names Rancher after the load balancer's address; loadBalancer dns has none");
        return nlb.elasticIps[0].publicIp;
      },
      issuer: d.tls.issuer,
      issuerSetting: 'rancher.tls.issuer',
    });
    return { nlb, hostname };
  }

  /** Refuses, at plan time, the changes the running cluster cannot take (docs/day-2.md, "Day 2"). */
  private addDeploymentGuard(d: Deployment, net: DeploymentNetwork, entry: RancherEntry, pki: ClusterPki): DeploymentGuard {
    const { props } = d;
    const pkiConditions = pkiLifetimes(pki, { pki, checkName: stackLevelName(this, 'cluster_certificates') });
    const { quorum } = net;
    return new DeploymentGuard(this, 'deployment-guard', {
      recorded: [
        ...rkeRecordedSettings(props, d.cluster, d.network),
        ...dnsRecordedSettings(props, {
          replaces: 'the load balancer is replaced (Elastic IPs on its subnet mappings come or go), with every address the old name resolved to',
          toDomain: 'For a domain of your own, build a new deployment with dns.mode route53 and move Rancher to it with the rancher-backup operator.',
        }),
        ...(d.wildcard ? [] : [loadBalancerTypeRecord(props.loadBalancer.type)]),
        ...(entry.nlb ? [] : [roundRobinHostnameRecord(entry.hostname)]),
        // Rancher's name (unless DNS round robin's record above holds it, or it is made of the address) and CA.
        ...agentTrustRecords({
          tlsSetting: 'rancher.tls',
          tls: { ...props.rancher.tls, untrusted: d.tls.trust === 'unverified' },
          caCertificate: () => d.certificates.get('caCertificate'),
          hostname: entry.nlb && !d.wildcard ? entry.hostname : undefined,
          accept: props.rancher.acceptAgentChange,
        }),
      ],
      conditions: [
        ...pkiConditions,
        ...(quorum ? [quorum.condition, ...(d.network.existing ? [movedServersCondition(quorum.existing.privateIps, net.addresses)] : [])] : []),
      ],
    });
  }

  /**
   * What each listener users reach Rancher through forwards to now, read while planning, and the target group it
   * forwards to in these settings: the ALB's HTTPS listener with TLS at the load balancer (its port 80 redirects), else
   * the NLB's 80 and 443. The listener's address goes through a local: a data source that refers to a managed resource
   * directly is read only at apply time whenever that resource has a change pending (hashicorp/terraform#27171).
   */
  private listenersNow(
    nlb: NetworkLoadBalancer | undefined,
    alb: ApplicationLoadBalancer | undefined,
  ): { port: number; forwardsNow: string; sideGroupArn: string }[] {
    const listeners = alb
      ? [{ port: HTTPS_PORT, listener: alb.httpsListener, group: alb.targetGroup }]
      : nlb
        ? RANCHER_PUBLIC_PORTS.map((rule) => ({ port: rule.from, listener: nlb.listenerOf(rule.from), group: nlb.targetGroups.get(rule.from)! }))
        : [];
    return listeners.map(({ port, listener, group }) => {
      const arn = new TerraformLocal(this, `ingress-migration-listener-${port}-arn`, listener.arn);
      const now = new DataAwsLbListener(this, `ingress-migration-listener-${port}`, { arn: arn.asString });
      return { port, forwardsNow: `${now.fqn}.default_action[0].target_group_arn`, sideGroupArn: `${group.fqn}.arn` };
    });
  }

  /** The security group rules and listeners between Terraform or users and the servers. */
  private allowTraffic(d: Deployment, net: DeploymentNetwork, entry: RancherEntry): TrafficPaths {
    const { nodeGroup } = net;
    const { nlb } = entry;
    // Everything between Terraform and the API: the Helm and Kubernetes resources wait for it on create
    // and, being its dependents, are destroyed before it.
    const apiPath: ITerraformDependable[] = [...net.internetAccess];
    // The listeners, rules and addresses users reach Rancher through besides the DNS record (DNS round robin: the
    // nodes' own rules).
    const publicListeners: ITerraformDependable[] = [];
    if (nlb) {
      // The balancer forwards only once its listeners exist: the API (6443) and, for users, 443 and 80.
      apiPath.push(...nlb.rules, ...nlb.listeners);
      for (const port of nlb.targetPorts) {
        const fromLb = nodeGroup.allowFrom(
          `from-lb-${port}`,
          { protocol: 'tcp', from: port, to: port, description: 'From the load balancer' },
          {
            securityGroupId: nlb.securityGroup.id,
          },
        );
        apiPath.push(fromLb);
        if (port !== KUBERNETES_API_PORT) publicListeners.push(fromLb);
      }
      publicListeners.push(...nlb.rules, ...nlb.listeners);
    } else {
      // The NLB's listeners, on the nodes themselves.
      for (const rule of RANCHER_PUBLIC_PORTS) publicListeners.push(nodeGroup.allowFrom(`public-${rule.from}`, rule, { cidr: '0.0.0.0/0' }));
      apiPath.push(
        nodeGroup.allowFrom(
          'api-admin',
          { protocol: 'tcp', from: KUBERNETES_API_PORT, to: KUBERNETES_API_PORT, description: 'Kubernetes API from admin networks' },
          { cidrList: d.adminCidrs },
        ),
      );
    }
    if (d.props.sshKeyName) nodeGroup.allowSsh(d.adminCidrs);
    return { apiPath, publicListeners };
  }

  /**
   * Where the cluster keeps its state: K3s in an external datastore (isolated subnets, no egress); RKE2 in etcd on
   * the servers, snapshotted to S3.
   */
  private addClusterState(d: Deployment, net: DeploymentNetwork): ClusterState {
    const { props } = d;
    const datastore = net.datastoreSubnetIds
      ? new ExternalDatastore(this, 'datastore', {
          ...props.datastore,
          name: d.name,
          vpcId: net.vpcId,
          subnetIds: net.datastoreSubnetIds,
          clientSecurityGroupId: net.nodeGroup.id,
        })
      : undefined;
    const plan = d.backups.etcdSnapshots;
    const snapshots = plan
      ? new SnapshotBucket(this, 'etcd-snapshots', {
          namePrefix: `${d.name}-etcd-`,
          forceDestroy: plan.forceDestroyBucket,
          accessLogging: plan.accessLogging,
          objectLock: plan.objectLock,
          // The roll's snapshots before each server, outside RKE2's retention (the folder is the servers' etcd-s3-folder).
          expirePrefixes: rollSnapshotPrefixes(plan.folder, d.props.name),
        })
      : undefined;
    return { datastore, snapshots };
  }

  /**
   * The standby (docs/standby.md): Rancher's backup bucket and, with RKE2, the etcd snapshot bucket replicated to
   * copies in `region`, each guarded as its source. K3s keeps its state in the datastore (RDS), which this does not
   * copy: its standby holds Rancher's backups only.
   */
  private addStandby(d: Deployment, region: string, state: ClusterState, boot: ServerBoot, rancher: InstalledRancher): StandbyReplication {
    const plan = d.backups.etcdSnapshots;
    const backups = d.props.backups;
    return new StandbyReplication(this, 'standby', {
      name: d.name,
      region: d.props.region,
      standbyRegion: region,
      // The servers, K3s' too. Not K3s' datastore class: docs/design-notes.md, "A standby in a second region".
      launches: { servers: { instanceType: d.props.instanceType, setting: 'instanceType' } },
      buckets: [
        rancherBackupsCopy(rancher.backups.bucket, d.name, backups.forceDestroyBucket),
        ...(state.snapshots && plan
          ? [
              {
                id: ETCD_SNAPSHOTS_COPY,
                source: state.snapshots,
                sourceKey: boot.parameters.key,
                namePrefix: `${d.name}-etcd-sb-`,
                forceDestroy: plan.forceDestroyBucket,
                expirePrefixes: rollSnapshotPrefixes(plan.folder, d.props.name),
                objectLock: plan.objectLock,
                accessLogging: plan.accessLogging,
              },
            ]
          : []),
      ],
    });
  }

  /** The node role, the cluster token, and the boot parameters (SSM, under the deployment's KMS key) the servers read. */
  private addBootParameters(d: Deployment, given: RancherOnRkeProps, pki: ClusterPki, state: ClusterState): ServerBoot {
    const { props } = d;
    const { snapshots, datastore } = state;
    const eventsTopic = d.backups.etcdSnapshots?.eventsTopic;
    const alarmsOn = d.props.alarms.enabled;
    const parameterPath = deploymentParameterPath(this, d.props.name);
    // The failover's fence the servers honour (lib/kubernetes/failover-fence.sh), in the standby region: they may read it there.
    const failoverFence = d.props.standby.region
      ? { parameter: `${parameterPath}${FAILOVER_FENCE_PARAMETER}`, region: d.props.standby.region }
      : undefined;
    // Each server's boot document (the #cloud-config its user data held before 0.6.0), read by its loader.
    const bootBucket = new BootBucket(this, 'boot-documents', { namePrefix: `${d.name}-boot-` });
    const bootKeys = Array.from({ length: d.cluster.nodeCount }, (_, i) => bootDocumentKey(i));
    const role = new NodeRole(this, 'node-role', {
      name: d.name,
      parameterPath,
      bootDocumentArns: bootKeys.map((key) => bootBucket.objectArn(key)),
      snapshotBucketArn: snapshots?.arn,
      metricNamespace: alarmsOn ? restartMetricNamespace(d.name) : undefined,
      reportPath: `${parameterPath}/${API_CERTIFICATE_END_PATH}`,
      registryCredentials: d.props.airGap.registryCredentials,
      ...(failoverFence ? { failoverFence } : {}),
    });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    // The secure form: a joining server checks that the cluster it reaches serves this CA (the hash is over
    // server-ca.crt as written on the first server, byte for byte the parameter below).
    const token = Fn.format('K10%s::server:%s', [Fn.sha256(pki.serverCa.certPem), joinToken.result]);
    const parameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      deployerArns: given.deployerArns ? [...given.deployerArns] : undefined,
      readsDeployerSession: given.readsDeployerSession,
      snapshotBucketArn: snapshots?.arn,
      bootBucketArn: bootBucket.bucket.arn,
      // Kept as long as the snapshots it encrypts are (the bucket's prevent_destroy).
      preventDestroy: snapshots !== undefined && !props.etcdSnapshots.forceDestroyBucket,
      // `npm run rotate -- rke-ha token` writes the new token here first (docs/day-2.md "Rotating the cluster token").
      rotatedByCommand: ['token'],
      values: {
        token,
        'server-ca-cert': pki.serverCa.certPem,
        'server-ca-key': pki.serverCa.privateKeyPem,
        'client-ca-cert': pki.clientCa.certPem,
        'client-ca-key': pki.clientCa.privateKeyPem,
        ...(datastore ? { 'datastore-endpoint': datastore.endpointUrl } : {}),
      },
    });
    // The count every restart guard on the servers holds the cluster to (cert-renewal.sh expected_servers): the
    // deployment's, not the Nodes that exist, which look whole with one removed (design notes, "Who may restart a
    // server"). A parameter, not user data, so a deployment that grows from one server to three tells its first
    // server too. Not a secret: a plain String.
    new SsmParameter(this, 'server-count', {
      name: `${parameterPath}/server-count`,
      type: 'String',
      value: String(d.cluster.nodeCount),
      description: "The deployment's server count, read by the servers' restart guards (certificate renewal)",
    });
    // The stack's key, whose policy already lets the node role use it through S3 for this bucket.
    snapshots?.encryptWith(parameters.key.arn);
    bootBucket.encryptWith(parameters.key.arn, parameters.deployerArns);
    // The alarms count new snapshots through EventBridge: the bucket's one notification configuration sends them there too.
    const snapshotEvents =
      snapshots && (eventsTopic || alarmsOn)
        ? new SnapshotEvents(this, 'etcd-snapshot-events', {
            bucket: snapshots,
            topicName: eventsTopic,
            key: parameters.key,
            eventBridge: alarmsOn,
          })
        : undefined;
    // The operator's credentials from the servers: a role only the node role may assume, made before the servers,
    // whose user data names it. Also with backups.credentials: accessKey, so that a deployment upgraded from a
    // writer's key rolls its servers onto the refresh timer (which proves the role) before the operator moves to it.
    const backupRole = d.backups.backupRole ? new BackupRole(this, 'backup-role', { name: d.name, nodeRole: role.role }) : undefined;
    return { parameterPath, role, token, parameters, snapshotEvents, backupRole, bootBucket };
  }

  /** The servers with their user data, their NLB targets, and (DNS round robin) their Elastic IPs. */
  private addServers(
    d: Deployment,
    { net, entry, state, boot }: { net: DeploymentNetwork; entry: RancherEntry; state: ClusterState; boot: ServerBoot },
  ): Servers {
    const { props, name, cluster } = d;
    const { nlb, hostname } = entry;
    const { snapshots } = state;
    const snapshotPlan = d.backups.etcdSnapshots;
    const { addresses, nodeGroup } = net;
    const ami = new ServerImage(this, 'ami', {
      amiId: props.amiId,
      operatingSystem: props.operatingSystem,
      architecture: cluster.architecture,
      region: props.region,
    });
    warnOnArm64(
      this,
      cluster.architecture,
      cluster.architectureFromInstanceType
        ? `architecture (unset; from instanceType ${props.instanceType}, a Graviton type, with amiId pinned: the servers install the arm64 release)`
        : 'architecture',
      props.versions.rancher,
    );
    // What could not be confirmed here (docs/settings.md, "Unconfirmed here"): the first apply settles each. A release
    // file the servers do not install (RKE2's RPMs on the RHEL family) has no sum to confirm.
    warnOnUnconfirmed(this, [
      cluster.installsReleaseFile
        ? unconfirmedSumWarning(
            cluster.distribution,
            cluster.kubernetesVersion,
            cluster.releaseArchitecture,
            props.versions.releaseSums,
            `versions.${cluster.distribution}`,
          )
        : undefined,
      unconfirmedImageWarning(props.operatingSystem, props.region, props.amiId, 'operatingSystem'),
      cluster.externalDatastore && !props.datastore.multiAz ? singleZoneDatastoreWarning('datastore.multiAz') : undefined,
    ]);
    // Node-to-node, pod and service traffic never go through the proxy; nor does Rancher's own name, unless
    // egress is closed (the name resolves to the load balancer's public addresses, reachable only via the proxy).
    const directNetworks = [
      vpcRangesEntry(net.vpcRanges),
      RKE2_CLUSTER_CIDR,
      RKE2_SERVICE_CIDR,
      ...(d.network.dualStack ? [RKE2_CLUSTER_CIDR_IPV6, RKE2_SERVICE_CIDR_IPV6] : []),
      ...(props.proxy.egressOnlyTo.length ? [] : [hostname]),
    ];
    const proxy = chartProxy(props.proxy, directNetworks);
    const common = {
      // Terraform reaches the API by Rancher's name (below); the NLB's own name for TLS at an ALB.
      tlsSans: nlb ? [hostname, nlb.dnsName] : [hostname],
      installUrl: props.airGap.installerUrl,
      // The release file of the servers' architecture, the instance type's when a pinned image names none.
      architecture: cluster.releaseArchitecture,
      releaseSums: props.versions.releaseSums,
      systemDefaultRegistry: props.airGap.systemDefaultRegistry,
      registryMirrors: props.airGap.registryMirrors,
      registryCredentials: props.airGap.registryCredentials,
      proxyEnvironment: proxyEnvironment(props.proxy, directNetworks),
      ...(d.network.dualStack ? { dualStack: true } : {}),

      operatingSystem: props.operatingSystem,
      // Closed egress without a proxy: the RHEL family's SELinux policy must come with the image (amiId).
      ...(selinuxPolicyFromImage(props.operatingSystem, props.proxy) ? { selinuxPolicyFromImage: true } : {}),
    };
    const userData = (node: ServerNodeIdentity): string => forPartition(serverUserData(node), props.region);
    // The backups plan gives RKE2, and only RKE2, its etcd snapshots; the cluster state made their bucket from it.
    const etcdSnapshots = snapshotPlan && snapshots ? { ...snapshotPlan, bucket: snapshots.name, region: props.region } : undefined;
    const serverUserData = (node: ServerNodeIdentity): string => {
      switch (cluster.distribution) {
        case 'k3s':
          return k3sUserData({ ...common, version: cluster.kubernetesVersion }, node);
        case 'rke2':
          if (!etcdSnapshots) throw new Error('internal: RKE2 servers without the etcd snapshot bucket the backups plan gives them');
          return rke2UserData(
            { ...common, version: cluster.kubernetesVersion, ingressControllers: cluster.ingressControllers, etcdSnapshots, profile: props.profile },
            node,
          );
      }
    };
    // The version and its release files' addresses and sums: the in-place upgrade (KubernetesUpgrade) brings running
    // servers to them, so a version change alone leaves them current. The same for every server.
    const upgradedInPlace = [
      cluster.kubernetesVersion,
      ...releaseEnvironment(
        cluster.distribution,
        cluster.kubernetesVersion,
        cluster.releaseArchitecture,
        props.airGap.installerUrl,
        props.versions.releaseSums,
      )
        .map(([, value]) => value)
        .filter((value) => value !== ''),
    ];
    const nodes = net.nodeSubnets.map(
      (subnet, i) =>
        new ServerNode(this, `server-${i}`, {
          name: `${name}-server-${i}`,
          amiId: ami.id,
          instanceType: props.instanceType,
          subnetId: subnet.id,
          privateIp: addresses[i].current,
          // A created network's public subnets have no NAT: a node there reaches the internet through its own
          // public address (DNS round robin: its Elastic IP takes that place). An existing subnet decides itself.
          publicAddress: d.network.existing ? undefined : !d.network.privateNodes,
          ...(d.network.dualStack ? { ipv6AddressCount: 1 } : {}),
          securityGroupIds: [nodeGroup.id],
          instanceProfileName: boot.role.instanceProfile.name,
          rootVolumeGb: props.rootVolumeGb,
          keyName: props.sshKeyName,
          // The quorum guard finds the servers by the deployment tag.
          tags: deploymentTagUnlessDefault(this, name),
          upgradedInPlace,
          // Growing or shrinking changes the others' peer addresses: not a reason to replace them.
          notTaken: [PEER_ADDRESSES_PATTERN],
          bootStore: {
            bucket: boot.bootBucket.bucket.bucket,
            regionalDomainName: boot.bootBucket.bucket.bucketRegionalDomainName,
            region: props.region,
            kmsKeyArn: boot.parameters.key.arn,
            key: bootDocumentKey(i),
            proxyEnvironment: common.proxyEnvironment,
            writeAfter: boot.bootBucket.guards,
          },
          userData: userData({
            role: i === 0 ? 'init' : 'join',
            nodeIp: addresses[i].current,
            peerIps: peerCandidates(addresses, i),
            previousServerIps: previousServer(addresses, i),
            region: props.region,
            parameterPrefix: boot.parameters.prefix,
            restartMetricNamespace: props.alarms.enabled ? restartMetricNamespace(name) : undefined,
            server: props.alarms.enabled ? `server-${i}` : undefined,
            backupRoleArn: boot.backupRole?.role.arn,
          }),
          // Egress from the first boot on: the bootstrap reruns after a failure, but waiting costs nothing.
          dependsOn: [
            ...boot.bootBucket.guards,
            ...boot.parameters.parameters,
            ...boot.role.grants,
            ...(boot.backupRole ? [boot.backupRole.assume] : []),
            ...nodeGroup.egress,
            ...net.nodeEgress,
            ...(net.vpcEndpoints?.endpoints.values() ?? []),
          ],
        }),
    );
    refuseOversizedUserData(this, nodes, props.proxy);
    const nlbTargets = nlb ? nodes.flatMap((node, i) => nlb.addInstanceTarget(`server-${i}`, node.id)) : [];
    // A replaced node gets its address back: the records and health checks never change with it.
    const publicAddresses = nlb
      ? []
      : nodes.map(
          (node, i) => new PublicAddress(this, `address-${i}`, { name: `${name}-server-${i}`, instanceId: node.id, dependsOn: net.internetAccess }),
        );
    return { nodes, nlbTargets, publicAddresses, proxy };
  }

  /**
   * Rancher's DNS records (alias to the NLB or, with TLS at the load balancer, to an ALB with an ACM certificate;
   * or health-checked multivalue records per node), and what routes the hostname to the cluster.
   */
  private addDnsRecords(
    d: Deployment,
    given: RancherOnRkeProps,
    { net, entry, servers, traffic }: { net: DeploymentNetwork; entry: RancherEntry; servers: Servers; traffic: TrafficPaths },
  ): RancherDns {
    const { tls, name } = d;
    const { nlb, hostname } = entry;
    const { publicListeners } = traffic;
    const { nodeGroup } = net;
    // The load balancer Rancher's alias record points at.
    let aliasTarget: { dnsName: string; zoneId: string } | undefined = nlb;
    const albTargets: ITerraformDependable[] = [];
    // For the alarms: the ALB's ACM certificate, and the per-node health checks of DNS round robin.
    let certificate: LoadBalancerCertificate | undefined;
    let roundRobin: RoundRobinRecords | undefined;
    let albSourceCidrs: string[] | undefined;
    let applicationLb: ApplicationLoadBalancer | undefined;
    // What must exist before Rancher's name leads to the cluster: the records and the addresses and rules behind
    // them; or, for a wildcard name (which the service answers from the name itself, at once), the balancer with
    // its addresses and listeners.
    let hostnameRouting: ITerraformDependable[];
    let records: Route53Record[] | undefined;
    if (d.wildcard && nlb) {
      if (tls.atLoadBalancer)
        throw new Error('TLS at the load balancer needs a Route53 zone for its certificate (the settings refuse dns.mode wildcard with it)');
      hostnameRouting = [nlb.lb, ...nlb.elasticIps, ...publicListeners];
    } else if (nlb && d.props.loadBalancer.hostnameRecord === false) {
      // No record (a failover's standby: the failover moves production's record once the CA served here is checked):
      // /ping is probed at the NLB under the name.
      if (tls.atLoadBalancer)
        throw new Error('loadBalancer.hostnameRecord false needs TLS in the cluster (the settings refuse mode external with it)');
      return { aliasTarget, albTargets, hostnameRouting: [nlb.lb, ...nlb.elasticIps, ...publicListeners], probeAt: nlb.dnsName };
    } else {
      const zone = publicZone(this, 'hosted-zone', requiredName(given.hostedZone));
      if (nlb && tls.atLoadBalancer && tls.acm) {
        certificate = new LoadBalancerCertificate(this, 'certificate', {
          source: tls.acm,
          hostname,
          zoneId: zone.zoneId,
          certificates: d.certificates,
          expiryCheckName: stackLevelName(this, 'load_balancer_certificate'),
        });
        const alb = new ApplicationLoadBalancer(this, 'application-load-balancer', {
          name,
          vpcId: net.vpcId,
          subnetIds: net.loadBalancerSubnetIds,
          certificateArn: certificate.arn,
          targetSecurityGroupId: nodeGroup.id,
          deletionProtection: d.props.loadBalancer.deletionProtection,
          dependsOn: net.internetAccess,
          ...(d.network.dualStack ? { ipAddressType: 'dualstack' as const } : {}),
          // A move off ingress-nginx: Traefik's side port, standing by, then forwarded to (as the NLB's 80 and 443).
          ...sidePort(HTTP_PORT, d.cluster.migration),
        });
        const fromAlb = alb.targetPorts.map((port) =>
          nodeGroup.allowFrom(
            `from-alb-${port}`,
            { protocol: 'tcp', from: port, to: port, description: 'From the application load balancer' },
            { securityGroupId: alb.securityGroup.id },
          ),
        );
        servers.nodes.forEach((node, i) => albTargets.push(...alb.addInstanceTarget(`server-${i}`, node.id)));
        // The listeners wait for the certificate's validation; /ping goes through them and the rules.
        albTargets.push(...fromAlb, ...alb.listeners, ...alb.rules);
        applicationLb = alb;
        aliasTarget = alb;
        // The ALB's nodes take addresses in its subnets and forward to the targets over IPv4 (dual-stack too).
        albSourceCidrs = net.network.subnets.map((subnet) => subnet.cidr);
      }
      // Both are construct `dns` with the (first) record `record`: a switch between them updates that record in place.
      roundRobin = aliasTarget
        ? undefined
        : new RoundRobinRecords(this, 'dns', {
            zone,
            recordName: hostname,
            members: servers.publicAddresses.map((address, i) => ({ name: `server-${i}`, address: address.ip })),
            healthCheck: { hostname, path: HEALTH_CHECK_PATH },
            name,
          });
      const dnsRecords = aliasTarget
        ? new AliasRecord(this, 'dns', { zone, recordName: hostname, target: aliasTarget, ...(d.network.dualStack ? { ipv6: true } : {}) }).records
        : roundRobin!.records;
      hostnameRouting = [...dnsRecords, ...publicListeners];
      records = dnsRecords;
    }
    return {
      ...(records ? { records } : {}),
      aliasTarget,
      albTargets,
      hostnameRouting,
      certificate,
      roundRobin,
      ...(applicationLb ? { alb: applicationLb } : {}),
      ...(albSourceCidrs ? { albSourceCidrs } : {}),
    };
  }

  /**
   * The Helm and Kubernetes providers, configured from the cluster's PKI, the wait for the API, and the marker a
   * replaced first server reads. The name Terraform reaches the API by must never change under a running
   * deployment: the providers, and every refresh, use it (design notes, "The API name Terraform uses").
   */
  private connectToCluster(
    d: Deployment,
    {
      entry,
      pki,
      guard,
      boot,
      servers,
      traffic,
      dns,
    }: { entry: RancherEntry; pki: ClusterPki; guard: DeploymentGuard; boot: ServerBoot; servers: Servers; traffic: TrafficPaths; dns: RancherDns },
  ): ClusterApi {
    const { nlb, hostname } = entry;
    const apiHost = kubernetesApiName({ lb: nlb, wildcard: d.wildcard, hostname, hostnameRecord: guard.records.get(HOSTNAME_SETTING) });
    const access: ClusterAccess = {
      host: `https://${apiHost}:${KUBERNETES_API_PORT}`,
      clusterCaCertificate: pki.serverCa.certPem,
      clientCertificate: pki.adminCertPem,
      clientKey: pki.adminKeyPem,
    };
    configureClusterProviders(this, access);
    // The servers renew their certificates (server-units.ts) and report when each one's ends; every plan reads the
    // reports and warns if a renewal stopped.
    apiCertificateCheck(this, {
      parameterPath: boot.parameterPath,
      servers: servers.nodes.map((node, i) => ({ name: `server-${i}`, address: node.instance.privateIp })),
      checkName: stackLevelName(this, 'api_serving_certificate'),
      renewalUnit: CERT_RENEWAL_UNIT,
    });
    const api = new ApiReadiness(this, 'api-readiness', {
      access,
      minutes: d.props.timeouts.apiMinutes,
      dependsOn: [
        ...servers.nodes.map((n) => n.instance),
        ...servers.nlbTargets,
        ...traffic.apiPath,
        ...(d.tls.atLoadBalancer ? [] : dns.hostnameRouting),
      ],
    });
    // Read by a replaced first server: the cluster exists, join it (boot-lib.sh cluster_state).
    const clusterInitialized = new SsmParameter(this, 'cluster-initialized', {
      name: `${boot.parameterPath}/${CLUSTER_INITIALIZED}`,
      type: 'String',
      value: 'true',
      description: 'Written once the Kubernetes API answered; a first server booting later joins instead of initializing',
      dependsOn: [api.gate],
    });
    return { access, api, clusterInitialized };
  }

  /**
   * In-cluster gates: no chart is installed while a server is still joining, and nothing creates an Ingress before
   * the ingress controller admits one. In-place upgrades (docs/day-2.md, "Upgrading"): Kubernetes first, then the
   * gates again, then the charts in order.
   */
  private addClusterGates(d: Deployment, cluster: ClusterApi): ClusterGates {
    const { props, tls } = d;
    const t = props.timeouts;
    const { api, clusterInitialized } = cluster;
    const { kubernetesVersion } = d.cluster;
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: [api.gate], registry: props.airGap.systemDefaultRegistry });
    const charts = chartVersions(this, {
      gates,
      // Created once the API first answered, never changed after: the records are read while planning on every
      // later apply, whatever else is pending (design notes, "Upgrades in the apply").
      readAfter: [clusterInitialized],
      rancher: props.versions.rancher,
      certManager: tls.certManager ? props.versions.certManager : undefined,
    });
    const upgrade = new KubernetesUpgrade(this, 'kubernetes-upgrade', {
      gates,
      distribution: d.cluster.distribution,
      version: kubernetesVersion,
      servers: d.cluster.nodeCount,
      registry: props.airGap.systemDefaultRegistry,
      minutesPerServer: t.upgradeMinutes,
      dependsOn: [api.gate],
      readAfter: [clusterInitialized],
      rancherRunning: charts.recorded('rancher'),
    });
    // A server that refused a release file never registers; the gate cannot see why (design notes, "Reporting a refusal").
    const refusalAlarm = props.alarms.enabled ? deploymentAlarmName(d.name, UNVERIFIED_ARTIFACT_ALARM) : undefined;
    const serversReady = gates.gate('servers-ready', {
      check: {
        kind: 'servers',
        servers: d.cluster.nodeCount,
        embeddedEtcd: d.cluster.embeddedEtcd,
        unregisteredHint: unverifiedArtifactHint(refusalAlarm),
      },
      minutes: t.serversMinutes,
      dependsOn: [upgrade.gate],
      rerunOn: kubernetesVersion,
    });
    const ingressReady = gates.gate('ingress-ready', {
      check: d.cluster.ingress.admission,
      minutes: t.ingressMinutes,
      dependsOn: [upgrade.gate],
      rerunOn: kubernetesVersion,
    });
    return { gates, charts, kubernetesVersion, serversReady, ingressReady };
  }

  /**
   * Rancher installed the way k8s-ha installs it (RancherInstallation: cert-manager, TLS Secrets, backups, the release,
   * then `/ping` and the first login), into this construct's scope; then, with the CIS profile, the pods-admitted gate.
   */
  private installRancher(
    d: Deployment,
    {
      entry,
      servers,
      api,
      gates,
      dns,
      boot,
    }: { entry: RancherEntry; servers: Servers; api: ClusterApi; gates: ClusterGates; dns: RancherDns; boot: ServerBoot },
  ): InstalledRancher {
    const { props, tls } = d;
    const { hostname } = entry;
    const installation = new RancherInstallation(this, 'rancher-installation', {
      ...deploymentInstallationProps(props),
      hostname,
      ...(dns.probeAt === undefined ? {} : { probeAt: dns.probeAt }),
      // A wildcard name comes from the load balancer's addresses: new with every deployment, unknown to the plan.
      hostnameKnownAtPlan: !d.wildcard,
      tls,
      certificates: d.certificates,
      certManager: tls.certManager ? 'install' : 'none',
      proxy: servers.proxy,
      ingressClassName: d.cluster.ingress.className,
      ingressController: d.cluster.rancherIngressController,
      // The cluster's Kubernetes is upgraded by this deployment's own controller and Plan (KubernetesUpgrade).
      localVersionManagement: false,
      // Traefik reaches Rancher's pods through the ServersTransport of its chart values (re-encryption).
      ...(tls.mode === 'rancher' && d.cluster.ingressControllers.includes('traefik')
        ? { serviceAnnotations: rancherServersTransportAnnotation(RANCHER_NAMESPACE) }
        : {}),
      extraObjects: (namespace) => [
        ...(tls.forwardedHeaders && d.cluster.ingressControllers.includes('ingress-nginx') ? [forwardedHeadersChartConfig()] : []),
        ...traefikObjects(d.cluster, tls, { hostname, namespace, albSourceCidrs: dns.albSourceCidrs }),
      ],
      backupRole: d.backups.operatorUsesBackupRole ? boot.backupRole : undefined,
      apiReady: [api.api.gate],
      clusterReady: [gates.serversReady],
      rancherAfter: [gates.serversReady, gates.ingressReady],
      hostnameRouting: dns.hostnameRouting,
      probeRouting: dns.albTargets,
      gates: gates.gates,
      kubernetesVersion: gates.kubernetesVersion,
    });
    const { ready, firstLogin } = installation.awaitAnswer({ charts: gates.charts });
    // With the CIS profile, restricted is enforced outside the exempt namespaces: once Rancher answers (and starts
    // Fleet, CAPI and its webhook), a gate fails naming any pod that admission refused.
    if (props.profile === 'cis') {
      gates.gates.gate('pods-admitted', {
        check: { kind: 'admitted', rounds: PODS_ADMITTED_ROUNDS },
        minutes: 10,
        dependsOn: [ready.ping, gates.gates.allowListingEvents()],
        rerunOn: `${gates.kubernetesVersion} ${props.versions.rancher}`,
      });
    }
    return { server: installation.server, ready, firstLogin, backups: installation.backups };
  }

  /** 1 while a server's restart is held (the certificate renewal's, or a failed upgrade Job): the servers' `RestartHeld`, sent with alarms on. */
  metricRestartHeld(options: MetricOptions = {}): Metric {
    return metricWith(serverMetric(this.metricNamespace, RESTART_HELD_METRIC), options);
  }

  /**
   * Whole days to the earliest end of the leaf certificates of the server `server` (`server-0`, ...), the least it sent
   * in an hour: its `CertificateDaysLeft` (dimension `Server`, its place, which a replacement keeps), sent at every
   * renewal run with alarms on (every 6 hours; an hour without a run has no value).
   */
  metricCertificateDaysLeft(server: string, options: MetricOptions = {}): Metric {
    if (!this.serverNames.includes(server))
      throw new Error(`RancherOnRke ${this.node.path}: no server "${server}" (the servers are ${this.serverNames.join(', ')})`);
    return metricWith(
      { ...serverMetric(this.metricNamespace, CERTIFICATE_DAYS_LEFT_METRIC, 'Minimum'), period: 3_600, dimensions: { [SERVER_DIMENSION]: server } },
      options,
    );
  }

  /** The servers' places (`server-0`, ...): their construct ids, and the dimension of their own series. */
  private get serverNames(): string[] {
    return this.servers.map((_node, i) => `server-${i}`);
  }

  /** 1 after a server failed to refresh the backup operator's credentials: the servers' `BackupCredentialsFailed`, sent with alarms and backups on. */
  metricBackupCredentialsFailed(options: MetricOptions = {}): Metric {
    return metricWith(serverMetric(this.metricNamespace, BACKUP_CREDENTIALS_METRIC), options);
  }

  /** 1 when a server's bootstrap refused a release file and installed nothing: the servers' `UnverifiedArtifact`, sent once, with alarms on. */
  metricUnverifiedArtifact(options: MetricOptions = {}): Metric {
    return metricWith(serverMetric(this.metricNamespace, UNVERIFIED_ARTIFACT_METRIC), options);
  }

  /**
   * CloudWatch alarms on what AWS measures, notifying an SNS topic (docs/day-2.md, "Alarms"); once Rancher answers,
   * but for the refused release file's, which the servers are created after.
   */
  private addAlarms(
    d: Deployment,
    {
      entry,
      state,
      boot,
      servers,
      dns,
      rancher,
      standby,
    }: {
      entry: RancherEntry;
      state: ClusterState;
      boot: ServerBoot;
      servers: Servers;
      dns: RancherDns;
      rancher: InstalledRancher;
      standby?: StandbyReplication;
    },
  ): DeploymentAlarms {
    const { name, props, wildcard, stackId } = d;
    const { nlb, hostname } = entry;
    const { snapshots } = state;
    const alarms = new DeploymentAlarms(this, 'alarms', {
      name,
      region: props.region,
      key: boot.parameters.key,
      email: props.alarms.email,
      dependsOn: [rancher.ready.ping],
    });
    for (const port of nlb?.targetGroups.keys() ?? []) alarms.alarmOnUnhealthyTargets(port, nlb!.metricUnhealthyHostCount(port));
    servers.nodes.forEach((node, i) => alarms.alarmOnStatusCheck(`server-${i}`, node.metricStatusCheckFailed()));
    alarms.alarmOnServerSignal(
      'restart-held',
      this.metricRestartHeld(),
      'A server restart did not come back (or an upgrade Job failed): every other restart waits',
    );
    for (const server of this.serverNames)
      alarms.alarmOnCertificateDaysLeft(server, this.metricCertificateDaysLeft(server), {
        days: CERTIFICATE_DAYS_LEFT_ALARM_DAYS,
        silentHours: CERTIFICATE_REPORT_WINDOW_HOURS,
      });
    // A refusal stops a server at its first boot, before Rancher can answer: this alarm waits for nothing, and the
    // servers wait for it, so it already reads the metric when one refuses.
    const refusal = alarms.alarmOnServerSignal(
      UNVERIFIED_ARTIFACT_ALARM,
      this.metricUnverifiedArtifact(),
      `A server refused a release file (its SHA-256 is not the recorded one, or none is recorded) and installed nothing: on it, ` +
        `journalctl -u ${BOOTSTRAP_UNIT} has the line "${UNVERIFIED_ARTIFACT_LINE}" and ${UNVERIFIED_ARTIFACT_MARKER} holds it. ` +
        `OK follows a minute later (the server sends the 1 once); the server stays stopped until it is replaced`,
      { atFirstBoot: true },
    );
    for (const node of servers.nodes) node.instance.dependsOn = [...(node.instance.dependsOn ?? []), dependable(refusal)];
    if (boot.backupRole) {
      alarms.alarmOnServerSignal(
        'backup-credentials',
        this.metricBackupCredentialsFailed(),
        "A server could not refresh the backup operator's credentials (AssumeRole of the backup role)",
      );
    }
    if (snapshots) {
      const writer = { bucket: snapshots.name, prefix: `${stackId}/`, schedule: props.etcdSnapshots.scheduleCron };
      alarms.alarmOnFreshness('etcd-snapshots', writer, { alarm: 'etcd-snapshot-fresh', what: 'etcd snapshot' });
    }
    if (props.backups.enabled) {
      const writer = { bucket: rancher.backups.bucket.name, prefix: `${BACKUP_FOLDER}/`, schedule: props.backups.schedule };
      alarms.alarmOnFreshness('rancher-backups', writer, { alarm: 'rancher-backup-fresh', what: 'Rancher backup' });
    }
    for (const id of standby?.copies.keys() ?? []) alarms.alarmOnReplication(id, standby!.metrics(id));
    if (dns.certificate) alarms.alarmOnCertificateExpiry(dns.certificate.metricDaysToExpiry());
    // DNS round robin has a check per node already; otherwise one on the name, wherever it leads. A wildcard
    // name keeps its promise of no Route53 at all: the NLB's checks stand in (docs/day-2.md, "Alarms").
    const { roundRobin } = dns;
    // Without the hostname's record (a failover's standby) the name leads to production until moved: its check waits for nothing.
    if (!roundRobin?.healthChecks.length && !wildcard)
      alarms.addPingCheck(hostname, undefined, props.loadBalancer.hostnameRecord === false ? [] : undefined);
    roundRobin?.healthChecks.forEach((_check, i) =>
      alarms.alarmOnHealthCheck(`server-${i}`, roundRobin.metricHealthCheckStatus(i, props.region), `/ping on ${name}-server-${i}'s Elastic IP`),
    );
    return alarms;
  }
}

/** The alarm on a refused release file (`<name>-unverified-artifact`), which the servers gate names. */
const UNVERIFIED_ARTIFACT_ALARM = 'unverified-artifact';

/** The props resolved (RancherOnRke.resolve), and what every step derives from them. */
interface Deployment {
  readonly stackId: string;
  /** The props checked and completed (rancherOnRkeSchema): every default filled in. */
  readonly props: ResolvedRancherOnRkeProps;
  /** `<name>-<stack id>`: the start of every resource name. */
  readonly name: string;
  readonly adminCidrs: string[];
  readonly tls: TlsPlan;
  readonly certificates: CertificateVariables;
  readonly cluster: ClusterPlan;
  readonly network: RkeNetworkPlan;
  readonly backups: BackupsPlan;
  /** Rancher named after an address (`dns.mode: wildcard`). */
  readonly wildcard: boolean;
}

type DeploymentNetwork = ReturnType<typeof rkeNetwork> & {
  readonly quorum?: ServerQuorum;
  readonly nodeGroup: NodeSecurityGroup;
  readonly vpcEndpoints?: VpcEndpoints;
};

/** How users reach Rancher: its name, and the NLB in front of the servers (none with DNS round robin). */
interface RancherEntry {
  readonly nlb?: NetworkLoadBalancer;
  readonly hostname: string;
}

interface TrafficPaths {
  /** What stands between Terraform and the Kubernetes API. */
  readonly apiPath: ITerraformDependable[];
  /** The listeners, rules and addresses users reach Rancher through. */
  readonly publicListeners: ITerraformDependable[];
}

interface ClusterState {
  readonly datastore?: ExternalDatastore;
  readonly snapshots?: SnapshotBucket;
}

interface ServerBoot {
  readonly parameterPath: string;
  /** The servers' boot documents. */
  readonly bootBucket: BootBucket;
  readonly role: NodeRole;
  /** The cluster token, in its secure form (the server CA's hash in it). */
  readonly token: string;
  readonly parameters: BootParameters;
  readonly snapshotEvents?: SnapshotEvents;
  /** The role the servers hand to the rancher-backup operator (backups.credentials: servers). */
  readonly backupRole?: BackupRole;
}

interface Servers {
  readonly nodes: ServerNode[];
  readonly nlbTargets: ITerraformDependable[];
  /** The servers' Elastic IPs (DNS round robin only). */
  readonly publicAddresses: PublicAddress[];
  /** The proxy as the charts take it. */
  readonly proxy: ReturnType<typeof chartProxy>;
}

interface RancherDns {
  /** Rancher's records in the hosted zone; none without a Route53 record of the name. */
  readonly records?: readonly Route53Record[];
  /** The load balancer Rancher's alias record points at (the NLB, or the ALB with TLS at the load balancer). */
  readonly aliasTarget?: { readonly dnsName: string; readonly zoneId: string };
  /** The ALB's targets, listeners and rules: `/ping` goes through them. */
  readonly albTargets: ITerraformDependable[];
  /** What routes Rancher's hostname to the cluster: the records and the listeners and addresses behind them. */
  readonly hostnameRouting: ITerraformDependable[];
  /** The ALB's ACM certificate (TLS at the load balancer). */
  readonly certificate?: LoadBalancerCertificate;
  /** Where `/ping` is probed under the hostname when no record leads the name here (`loadBalancer.hostnameRecord` false). */
  readonly probeAt?: string;
  /** The ALB (TLS at the load balancer). */
  readonly alb?: ApplicationLoadBalancer;
  /** The ALB's subnets' IPv4 ranges, where the connections it forwards come from (TLS at the load balancer). */
  readonly albSourceCidrs?: readonly string[];
  /** DNS round robin's records, with a health check per node (their metrics for the alarms). */
  readonly roundRobin?: RoundRobinRecords;
}

interface ClusterApi {
  readonly access: ClusterAccess;
  readonly api: ApiReadiness;
  /** The once-written marker: the cluster exists. */
  readonly clusterInitialized: SsmParameter;
}

interface ClusterGates {
  readonly gates: ReadinessGates;
  readonly charts: ReturnType<typeof chartVersions>;
  readonly kubernetesVersion: string;
  readonly serversReady: ITerraformDependable;
  readonly ingressReady: ITerraformDependable;
}

interface InstalledRancher {
  readonly server: RancherServer;
  readonly ready: RancherReadiness;
  readonly firstLogin: FirstLogin;
  readonly backups: RancherBackups;
}

/**
 * The objects Rancher's chart renders for Traefik: its values (timeouts; behind an ALB, the forwarded headers it trusts
 * and its idle timeout; with re-encryption, the ServersTransport to Rancher's pods, which Traefik's own chart renders);
 * during a move off ingress-nginx its side ports too, and, until Rancher's ingress is Traefik's (step `done`), the
 * bridge Ingress that lets Traefik serve Rancher.
 */
function traefikObjects(
  cluster: ClusterPlan,
  tls: TlsPlan,
  at: { readonly hostname: string; readonly namespace: string; readonly albSourceCidrs?: readonly string[] },
): Record<string, unknown>[] {
  if (!cluster.ingressControllers.includes('traefik')) return [];
  const chart = packagedIngress(cluster.distribution, 'traefik').chart;
  if (tls.atLoadBalancer && !at.albSourceCidrs) throw new Error('TLS at the load balancer: the ALB is built before Rancher is installed');
  const options: TraefikChartOptions = {
    ...(cluster.migration ? { hostPorts: { web: TRAEFIK_SIDE_PORTS[80], websecure: TRAEFIK_SIDE_PORTS[443] } } : {}),
    ...(tls.atLoadBalancer ? { behindLoadBalancer: { trustedIPs: at.albSourceCidrs!, idleTimeoutSeconds: ALB_TARGET_KEEP_ALIVE_SECONDS } } : {}),
    // With Rancher's own CA issuing the front certificate, cert-manager writes that CA into its secret as ca.crt.
    // In Rancher's namespace, which the chart's release needs (by name, not the namespace resource's reference: the
    // values of Traefik's chart are a string the namespace reaches no sooner).
    ...(tls.mode === 'rancher'
      ? { extraObjects: [rancherServersTransport(RANCHER_NAMESPACE, tls.issuer === 'rancher' ? INGRESS_SECRET : undefined)] }
      : {}),
  };
  const bridge =
    cluster.migration && cluster.rancherIngressController === 'ingress-nginx'
      ? [
          traefikBridgeIngress(at.hostname, at.namespace, {
            ...(tls.atLoadBalancer ? {} : { tlsSecret: INGRESS_SECRET }),
            servicePort: tls.mode === 'rancher' ? 443 : 80,
          }),
        ]
      : [];
  return [traefikChartConfig(chart, options), ...bridge];
}

/** The key of server `index`'s boot document in the boot bucket. */
function bootDocumentKey(index: number): string {
  return `server-${index}.yaml`;
}

/**
 * A settings refusal, before the construct's own validation would fail the synth as an error of the program: the
 * servers' user data (the loader) over EC2's limit. Of the settings only the proxy's address reaches it (the
 * loader's request goes through it; loaderProxyEnvironment), so that is the setting named.
 */
function refuseOversizedUserData(scope: Construct, nodes: readonly ServerNode[], proxy: ProxySettings): void {
  const largest = Math.max(...nodes.map((node) => node.userDataUpperBound));
  if (largest <= USER_DATA_LIMIT_BYTES) return;
  const address = httpsProxy(proxy);
  const field = address === undefined ? undefined : address === proxy.https ? 'proxy.https' : 'proxy.http';
  if (field === undefined) throw new Error(`the servers' boot loader alone is ${largest} bytes gzip-compressed, over EC2's ${USER_DATA_LIMIT_BYTES}`);
  throw new SettingsError(
    `RancherOnRke ${scope.node.path}`,
    [
      {
        field,
        message: `makes the servers' user data about ${largest} bytes gzip-compressed, and EC2 accepts ${USER_DATA_LIMIT_BYTES} (the servers' boot loader reaches S3 through this proxy, so the user data carries its address): give a shorter address`,
        value: address,
      },
    ],
    'Invalid props of',
  );
}
