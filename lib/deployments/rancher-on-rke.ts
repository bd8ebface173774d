import type { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentAlarms, alarmTopicName } from '../alarms/deployment-alarms';
import { adminNetworks } from '../common/admin-networks';
import { DeploymentGuard } from '../common/deployment-guard';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../config/primitives';
import { effectiveIngressController, effectiveNodeCount } from '../config/rke-ha-schema';
import type { Settings } from '../config/schema';
import { ExternalDatastore } from '../database/external-datastore';
import { AliasRecord, publicZone } from '../dns/alias-record';
import { RoundRobinRecords } from '../dns/round-robin-records';
import { PublicAddress } from '../docker/public-address';
import { BootParameters } from '../kubernetes/boot-parameters';
import { ClusterPki } from '../kubernetes/cluster-pki';
import { forwardedHeadersChartConfig, packagedIngress, traefikTimeoutsChartConfig } from '../kubernetes/ingress-controller-config';
import { k3sUserData } from '../kubernetes/k3s-user-data';
import { kubeconfig } from '../kubernetes/kubeconfig';
import { pkiLifetimes } from '../kubernetes/pki-lifetimes';
import type { ServerNodeIdentity } from '../kubernetes/node-identity';
import { KubernetesUpgrade } from '../kubernetes/kubernetes-upgrade';
import { ReadinessGates } from '../kubernetes/readiness-gates';
import { rke2UserData } from '../kubernetes/rke2-user-data';
import { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { SnapshotEvents } from '../kubernetes/snapshot-events';
import { addVpcOptions } from '../network/vpc-options';
import { vpcRangesEntry } from '../network/vpc-ranges';
import { ApplicationLoadBalancer } from '../loadbalancer/application-load-balancer';
import { NetworkLoadBalancer } from '../loadbalancer/network-load-balancer';
import type { ExistingNetwork } from '../network/existing-network';
import { chartProxy, proxyEnvironment } from '../network/proxy';
import { PublicNetwork } from '../network/public-network';
import { NodeRole } from '../nodes/node-role';
import { NodeSecurityGroup } from '../nodes/node-security-group';
import { K3S_SERVER_PORTS, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS } from '../nodes/ports';
import { ServerNode } from '../nodes/server-node';
import { ServerQuorum } from '../nodes/server-quorum';
import { UbuntuAmi } from '../nodes/ubuntu-ami';
import { ApiReadiness } from '../rancher/api-readiness';
import { CertManager } from '../rancher/cert-manager';
import { chartVersions, guardChartUpgrades } from '../rancher/chart-upgrades';
import { configureClusterProviders, refuseSecondClusterProviders, type ClusterAccess } from '../rancher/cluster-access';
import { RancherNamespace } from '../rancher/namespace';
import { RancherServer } from '../rancher/rancher-server';
import { rancherServerSettings } from '../rancher/rancher-settings';
import { RancherTlsSecrets } from '../rancher/tls-secrets';
import { LoadBalancerCertificate } from '../tls/acm-certificate';
import { CertificateVariables } from '../tls/certificate-variables';
import { tlsPlan } from '../tls/tls-plan';
import { dnsRecordedSettings } from './dns-recorded-settings';
import { HOSTNAME_SETTING, kubernetesApiName, loadBalancerTypeRecord, roundRobinHostnameRecord } from './kubernetes-api-name';
import { rancherArrival } from './rancher-arrival';
import { nlbPorts } from './nlb-ports';
import type { RancherOnRkeProps } from './rancher-on-rke-props';
import { wildcardName } from './from-settings';
import { rancherName } from './rancher-name';
import { providerRegion } from './provider-region';
import { requiredName, resolveProps } from './resolve-props';
import { rkeNetwork } from './rke-network';
import { movedServersCondition, peerCandidates, previousServer } from './rke-server-layout';
import { rkeRecordedSettings } from './rke-recorded-settings';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './stack-level-names';
import { reportStaleServers } from './stale-servers';

/** What the DNS round robin's health checks ask every node for (through its ingress, by Rancher's name). */
const HEALTH_CHECK_PATH = '/ping';

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
 * takes 80/443 and the NLB keeps only the API. With `rkeHa.loadBalancer:
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
export class RancherOnRke extends Construct {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** Rancher's name: `hostname` as given, or the wildcard name derived from the load balancer's first Elastic IP. */
  readonly hostname: string;
  /** First login password of the admin user (sensitive). */
  readonly bootstrapPassword: string;
  /** The admin password the first-login bootstrap set (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminPassword?: string;
  /** The admin API token of the first-login bootstrap (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminToken?: string;
  /** A cluster-admin kubeconfig (sensitive). */
  readonly kubeconfig: string;
  /** The cluster token (sensitive): a restore from an etcd snapshot needs it. */
  readonly joinToken: string;
  /** The load balancer the Rancher record points at; none with `rkeHa.loadBalancer.type: dns`. */
  readonly loadBalancerDnsName?: string;
  /** The nodes' Elastic IPs, which Rancher's name resolves to (`rkeHa.loadBalancer.type: dns` only). */
  readonly nodePublicIps?: string[];
  /** The bucket holding scheduled etcd snapshots (RKE2). */
  readonly etcdSnapshotBucket?: string;
  /** The SNS topic of the snapshot bucket's events (`rkeHa.etcdSnapshots.eventNotifications`). */
  readonly etcdSnapshotEventsTopic?: string;
  /** The alarms and their SNS topic (`alarms.enabled`). */
  readonly alarms?: DeploymentAlarms;
  /** The K3s datastore's host name (K3s). */
  readonly datastoreAddress?: string;
  /** Per server, the settings it keeps until it is replaced (docs/day-2.md, "Day 2"). */
  readonly serversPendingReplacement: Record<string, string[]>;
  /** The VPC the deployment created, or the existing one it uses (`rkeHa.existingNetwork`). */
  readonly network: PublicNetwork | ExistingNetwork;
  readonly servers: readonly ServerNode[];
  /** The settings the props resolved to (defaults filled in). */
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: RancherOnRkeProps) {
    super(scope, id);
    const stackId = TerraformStack.of(this).node.id;
    const label = `RancherOnRke ${this.node.path}`;
    refuseSecondClusterProviders(this, label);
    const settings = resolveProps({ ...props, region: providerRegion(this, props.region, label) }, { rkeHa: props.rkeHa }, label, { rkeHa: stackId });
    this.settings = settings;
    const s = settings.rkeHa;
    const t = settings.timeouts;
    const name = deploymentPrefix(this, settings.name);
    const adminCidrs = adminNetworks(this, props.adminCidrs);
    const tls = tlsPlan(settings.rancher.tls);
    const certificates = new CertificateVariables(this, 'certificates', tls.material);

    const k3s = s.distribution === 'k3s';
    const dnsRoundRobin = s.loadBalancer.type === 'dns';
    const nodeCount = effectiveNodeCount(s);
    const ingressController = effectiveIngressController(s);
    const ingress = packagedIngress(s.distribution, ingressController);
    const wildcard = wildcardName(settings);
    const net = rkeNetwork(this, settings, name);
    this.network = net.network;
    const { addresses } = net;
    const quorum = k3s || s.allowQuorumLoss ? undefined : new ServerQuorum(this, 'server-quorum', { deployment: name, servers: nodeCount });

    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', {
      vpcId: net.vpcId,
      name,
      clusterPorts: k3s ? K3S_SERVER_PORTS : RKE2_SERVER_PORTS,
      ...net.vpcRanges,
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    // Flow logs and VPC endpoints, in a network the stack created (an existing VPC is its owner's: the settings
    // refuse the `vpc` options with it).
    // The endpoints are what the nodes reach AWS through with closed egress: they boot after them.
    const vpcEndpoints = net.network instanceof PublicNetwork
      ? addVpcOptions(this, {
          network: net.network,
          settings: settings.vpc,
          name,
          nodeRouteTableIds: net.nodeRouteTableIds,
          forceDestroyLogs: s.etcdSnapshots.forceDestroyBucket,
          proxy: settings.proxy,
          nodeGroup,
        }).endpoints
      : undefined;
    const lb = dnsRoundRobin
      ? undefined
      : new NetworkLoadBalancer(this, 'load-balancer', {
          name,
          vpcId: net.vpcId,
          subnetIds: net.loadBalancerSubnetIds,
          targetSecurityGroupId: nodeGroup.id,
          ports: nlbPorts(tls, adminCidrs),
          dependsOn: net.internetAccess,
          elasticIps: wildcard,
          deletionProtection: s.loadBalancer.deletionProtection,
        });
    // Rancher's name: the one given, or the first zone's Elastic IP through the wildcard DNS service. That
    // address outlives a replaced balancer, so the name (Rancher's server-url) does too. (The settings refuse
    // DNS round robin without a domain: one wildcard name is one address.)
    const hostname = rancherName(this, settings, {
      hostname: props.hostname,
      address: () => {
        if (!lb) throw new Error("dns.mode wildcard names Rancher after the load balancer's address; rkeHa.loadBalancer dns has none");
        return lb.elasticIps[0].publicIp;
      },
      issuer: tls.issuer,
      issuerSetting: 'rancher.tls.issuer',
    });
    this.hostname = hostname;
    const pki = new ClusterPki(this, 'pki', { clusterName: name });
    const pkiConditions = pkiLifetimes(pki, { pki, checkName: stackLevelName(this, 'cluster_certificates') });
    // Refuses, at plan time, the changes the running cluster cannot take (docs/day-2.md, "Day 2").
    const guard = new DeploymentGuard(this, 'deployment-guard', {
      recorded: [
        ...rkeRecordedSettings(settings, ingressController),
        ...dnsRecordedSettings(settings, {
          replaces:
            'the load balancer is replaced (Elastic IPs on its subnet mappings come or go), with every address the old name resolved to',
          toDomain: 'For a domain of your own, build a new deployment with dns.mode route53 and move Rancher to it with the rancher-backup operator.',
        }),
        ...(wildcard ? [] : [loadBalancerTypeRecord(s.loadBalancer.type)]),
        ...(lb ? [] : [roundRobinHostnameRecord(hostname)]),
      ],
      conditions: [...pkiConditions, ...(quorum ? [quorum.condition, ...(s.existingNetwork ? [movedServersCondition(quorum.existing.privateIps, addresses)] : [])] : [])],
    });
    // Everything between Terraform and the API: the Helm and Kubernetes resources wait for it on create
    // and, being its dependents, are destroyed before it.
    const apiPath: ITerraformDependable[] = [...net.internetAccess];
    // What users reach Rancher through besides the DNS record (DNS round robin: the nodes' own rules).
    const publicPath: ITerraformDependable[] = [];
    if (lb) {
      // The balancer forwards only once its listeners exist: the API (6443) and, for users, 443 and 80.
      apiPath.push(...lb.rules, ...lb.listeners);
      for (const port of lb.targetGroups.keys()) {
        const fromLb = nodeGroup.allowFrom(`from-lb-${port}`, { protocol: 'tcp', from: port, to: port, description: 'From the load balancer' }, {
          securityGroupId: lb.securityGroup.id,
        });
        apiPath.push(fromLb);
        if (port !== KUBERNETES_API_PORT) publicPath.push(fromLb);
      }
      publicPath.push(...lb.rules, ...lb.listeners);
    } else {
      // The NLB's listeners, on the nodes themselves.
      for (const rule of RANCHER_PUBLIC_PORTS) publicPath.push(nodeGroup.allowFrom(`public-${rule.from}`, rule, { cidr: '0.0.0.0/0' }));
      apiPath.push(
        nodeGroup.allowFrom(
          'api-admin',
          { protocol: 'tcp', from: KUBERNETES_API_PORT, to: KUBERNETES_API_PORT, description: 'Kubernetes API from admin networks' },
          { cidrList: adminCidrs },
        ),
      );
    }
    if (s.sshKeyName) nodeGroup.allowSsh(adminCidrs);

    // K3s keeps the cluster state in an external datastore (isolated subnets, no egress); RKE2 in etcd on the
    // servers, snapshotted to S3.
    const datastore = net.datastoreSubnetIds
      ? new ExternalDatastore(this, 'datastore', {
          ...s.datastore,
          name,
          vpcId: net.vpcId,
          subnetIds: net.datastoreSubnetIds,
          clientSecurityGroupId: nodeGroup.id,
        })
      : undefined;
    const snapshots = k3s
      ? undefined
      : new SnapshotBucket(this, 'etcd-snapshots', {
          namePrefix: `${name}-etcd-`,
          forceDestroy: s.etcdSnapshots.forceDestroyBucket,
          accessLogging: s.etcdSnapshots.accessLogging,
          objectLock: s.etcdSnapshots.objectLock,
        });
    const eventsTopic = snapshots && s.etcdSnapshots.eventNotifications ? `${name}-etcd-events` : undefined;
    const alarmsOn = settings.alarms.enabled;

    const parameterPath = deploymentParameterPath(this, settings.name);
    const role = new NodeRole(this, 'node-role', { name, parameterPath, snapshotBucketArn: snapshots?.arn });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    // The secure form: a joining server checks that the cluster it reaches serves this CA (the hash is over
    // server-ca.crt as written on the first server, byte for byte the parameter below).
    const token = Fn.format('K10%s::server:%s', [Fn.sha256(pki.serverCa.certPem), joinToken.result]);
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      deployerArns: props.deployerArns ? [...props.deployerArns] : undefined,
      snapshotBucketArn: snapshots?.arn,
      snapshotEventsTopic: eventsTopic,
      alarmTopic: alarmsOn ? alarmTopicName(name) : undefined,
      // Kept as long as the snapshots it encrypts are (the bucket's prevent_destroy).
      preventDestroy: snapshots !== undefined && !s.etcdSnapshots.forceDestroyBucket,
      values: {
        token,
        'server-ca-cert': pki.serverCa.certPem,
        'server-ca-key': pki.serverCa.privateKeyPem,
        'client-ca-cert': pki.clientCa.certPem,
        'client-ca-key': pki.clientCa.privateKeyPem,
        ...(datastore ? { 'datastore-endpoint': datastore.endpointUrl } : {}),
      },
    });
    // The stack's key, whose policy already lets the node role use it through S3 for this bucket.
    snapshots?.encryptWith(bootParameters.key.arn);
    // The alarms count new snapshots through EventBridge: the bucket's one notification configuration sends them there too.
    const snapshotEvents =
      snapshots && (eventsTopic || alarmsOn)
        ? new SnapshotEvents(this, 'etcd-snapshot-events', { bucket: snapshots, topicName: eventsTopic, kmsKeyArn: bootParameters.key.arn, eventBridge: alarmsOn })
        : undefined;
    const ami = new UbuntuAmi(this, 'ami', { amiId: s.amiId });

    // Node-to-node, pod and service traffic never go through the proxy; nor does Rancher's own name, unless
    // egress is closed (the name resolves to the load balancer's public addresses, reachable only via the proxy).
    const directNetworks = [vpcRangesEntry(net.vpcRanges), RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR, ...(settings.proxy.egressOnlyTo.length ? [] : [hostname])];
    const proxy = chartProxy(settings.proxy, directNetworks);
    const common = {
      // Terraform reaches the API by Rancher's name (below); the NLB's own name for TLS at an ALB.
      tlsSans: lb ? [hostname, lb.dnsName] : [hostname],
      installUrl: settings.airGap.installerUrl,
      systemDefaultRegistry: settings.airGap.systemDefaultRegistry,
      registryMirrors: settings.airGap.registryMirrors,
      proxyEnvironment: proxyEnvironment(settings.proxy, directNetworks),
    };
    const userData = (node: ServerNodeIdentity): string =>
      snapshots
        ? rke2UserData(
            {
              ...common,
              version: settings.versions.rke2,
              ingressController,
              etcdSnapshots: { ...s.etcdSnapshots, bucket: snapshots.name, region: settings.region, folder: stackId },
            },
            node,
          )
        : k3sUserData({ ...common, version: settings.versions.k3s }, node);
    const nodes = net.nodeSubnets.map(
      (subnet, i) =>
        new ServerNode(this, `server-${i}`, {
          name: `${name}-server-${i}`,
          amiId: ami.id,
          instanceType: s.instanceType,
          subnetId: subnet.id,
          privateIp: addresses[i].current,
          // A created network's public subnets have no NAT: a node there reaches the internet through its own
          // public address (DNS round robin: its Elastic IP takes that place). An existing subnet decides itself.
          publicAddress: net.network instanceof PublicNetwork ? !s.privateNodes : undefined,
          securityGroupIds: [nodeGroup.id],
          instanceProfileName: role.instanceProfile.name,
          rootVolumeGb: s.rootVolumeGb,
          keyName: s.sshKeyName,
          // The version: the in-place upgrade (KubernetesUpgrade) brings running servers to it.
          upgradedInPlace: k3s ? settings.versions.k3s : settings.versions.rke2,
          userData: userData({
            role: i === 0 ? 'init' : 'join',
            nodeIp: addresses[i].current,
            peerIps: peerCandidates(addresses, i),
            previousServerIps: previousServer(addresses, i),
            region: settings.region,
            parameterPrefix: bootParameters.prefix,
          }),
          // Egress from the first boot on: the bootstrap reruns after a failure, but waiting costs nothing.
          dependsOn: [...bootParameters.parameters, ...role.grants, ...nodeGroup.egress, ...net.nodeEgress, ...(vpcEndpoints?.endpoints.values() ?? [])],
        }),
    );
    this.servers = nodes;
    const registrations = lb ? nodes.flatMap((node, i) => lb.addInstanceTarget(`server-${i}`, node.id)) : [];
    // A replaced node gets its address back: the records and health checks never change with it.
    const publicAddresses = lb
      ? []
      : nodes.map((node, i) => new PublicAddress(this, `address-${i}`, { name: `${name}-server-${i}`, instanceId: node.id, dependsOn: net.internetAccess }));
    publicPath.push(...publicAddresses.map((address) => address.association));

    let front: { dnsName: string; zoneId: string } | undefined = lb;
    let certificateArn: string | undefined;
    let memberChecks: Route53HealthCheck[] = [];
    const frontRegistrations: ITerraformDependable[] = [];
    // What must exist before Rancher's name leads to the cluster: the records and the addresses and rules behind
    // them; or, for a wildcard name (which the service answers from the name itself, at once), the balancer with
    // its addresses and listeners.
    let nameServed: ITerraformDependable[];
    if (wildcard && lb) {
      if (tls.atLoadBalancer) throw new Error('TLS at the load balancer needs a Route53 zone for its certificate (the settings refuse dns.mode wildcard with it)');
      nameServed = [lb.lb, ...lb.elasticIps, ...publicPath];
    } else {
      const zone = publicZone(this, 'hosted-zone', requiredName(props.hostedZone));
      if (lb && tls.atLoadBalancer && tls.acm) {
        const certificate = new LoadBalancerCertificate(this, 'certificate', {
          source: tls.acm,
          hostname,
          zoneId: zone.zoneId,
          certificates,
          expiryCheckName: stackLevelName(this, 'load_balancer_certificate'),
        });
        const alb = new ApplicationLoadBalancer(this, 'application-load-balancer', {
          name,
          vpcId: net.vpcId,
          subnetIds: net.loadBalancerSubnetIds,
          certificateArn: certificate.arn,
          targetSecurityGroupId: nodeGroup.id,
          deletionProtection: s.loadBalancer.deletionProtection,
          dependsOn: net.internetAccess,
        });
        const fromAlb = nodeGroup.allowFrom('from-alb-80', { protocol: 'tcp', from: 80, to: 80, description: 'From the application load balancer' }, { securityGroupId: alb.securityGroup.id });
        nodes.forEach((node, i) => frontRegistrations.push(alb.addInstanceTarget(`server-${i}`, node.id)));
        // The listeners wait for the certificate's validation; /ping goes through them and the rules.
        frontRegistrations.push(fromAlb, ...alb.listeners, ...alb.rules);
        front = alb;
        certificateArn = certificate.arn;
      }
      // Both are construct `dns` with the (first) record `record`: a switch between them updates that record in place.
      const roundRobin = front
        ? undefined
        : new RoundRobinRecords(this, 'dns', {
            zone,
            recordName: hostname,
            members: publicAddresses.map((address, i) => ({ name: `server-${i}`, address: address.ip })),
            healthCheck: { hostname, path: HEALTH_CHECK_PATH },
            name,
          });
      const dnsRecords = front ? [new AliasRecord(this, 'dns', { zone, recordName: hostname, target: front }).record] : roundRobin!.records;
      memberChecks = roundRobin?.healthChecks ?? [];
      nameServed = [...dnsRecords, ...publicPath];
    }

    // The name Terraform reaches the API by must never change under a running deployment: the Helm and
    // Kubernetes providers, and every refresh, use it (design notes, "The API name Terraform uses").
    const apiHost = kubernetesApiName({ lb, wildcard, hostname, hostnameRecord: guard.records.get(HOSTNAME_SETTING) });
    const access: ClusterAccess = {
      host: `https://${apiHost}:${KUBERNETES_API_PORT}`,
      clusterCaCertificate: pki.serverCa.certPem,
      clientCertificate: pki.adminCertPem,
      clientKey: pki.adminKeyPem,
    };
    configureClusterProviders(this, access);
    const api = new ApiReadiness(this, 'api-readiness', {
      access,
      minutes: t.apiMinutes,
      dependsOn: [...nodes.map((n) => n.instance), ...registrations, ...apiPath, ...(tls.atLoadBalancer ? [] : nameServed)],
    });
    // Read by a replaced first server: the cluster exists, join it (boot-lib.sh cluster_state).
    const clusterInitialized = new SsmParameter(this, 'cluster-initialized', {
      name: `${parameterPath}/${CLUSTER_INITIALIZED}`,
      type: 'String',
      value: 'true',
      description: 'Written once the Kubernetes API answered; a first server booting later joins instead of initializing',
      dependsOn: [api.gate],
    });

    // In-cluster gates: no chart is installed while a server is still joining, and nothing creates an
    // Ingress before the ingress controller admits one.
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: [api.gate], registry: settings.airGap.systemDefaultRegistry });
    // In-place upgrades (docs/day-2.md, "Upgrading"): Kubernetes first, then the gates again, then the charts in order.
    const kubernetesVersion = k3s ? settings.versions.k3s : settings.versions.rke2;
    const charts = chartVersions(this, {
      gates,
      // Created once the API first answered, never changed after: the records are read while planning on every
      // later apply, whatever else is pending (design notes, "Upgrades in the apply").
      readAfter: [clusterInitialized],
      rancher: settings.versions.rancher,
      certManager: tls.certManager ? settings.versions.certManager : undefined,
    });
    const upgrade = new KubernetesUpgrade(this, 'kubernetes-upgrade', {
      gates,
      distribution: s.distribution,
      version: kubernetesVersion,
      servers: nodeCount,
      registry: settings.airGap.systemDefaultRegistry,
      minutesPerServer: t.upgradeMinutes,
      dependsOn: [api.gate],
      readAfter: [clusterInitialized],
      rancherRunning: charts.recorded('rancher'),
    });
    const serversReady = gates.gate('servers-ready', {
      check: { kind: 'servers', servers: nodeCount, embeddedEtcd: !k3s },
      minutes: t.serversMinutes,
      dependsOn: [upgrade.gate],
      rerunOn: kubernetesVersion,
    });
    const ingressReady = gates.gate('ingress-ready', { check: ingress.admission, minutes: t.ingressMinutes, dependsOn: [upgrade.gate], rerunOn: kubernetesVersion });

    const certManager = tls.certManager
      ? new CertManager(this, 'cert-manager', {
          version: settings.versions.certManager,
          repository: settings.airGap.certManagerChartRepository,
          proxy,
          minutes: t.certManagerMinutes,
          dependsOn: [serversReady],
        })
      : undefined;
    const namespace = new RancherNamespace(this, 'rancher-namespace', { dependsOn: [api.gate] });
    const secrets = new RancherTlsSecrets(this, 'tls-secrets', {
      plan: tls,
      certificates,
      namespace: namespace.name,
      expiryCheckName: stackLevelName(this, 'user_certificates'),
    });
    const rancher = new RancherServer(this, 'rancher', {
      ...rancherServerSettings(settings, proxy),
      // The cluster's Kubernetes is upgraded by this deployment's own controller and Plan (KubernetesUpgrade).
      localVersionManagement: false,
      hostname,
      ingressClassName: ingress.className,
      ingressController,
      extraObjects: [
        ...(tls.forwardedHeaders ? [forwardedHeadersChartConfig()] : []),
        ...(ingress.className === 'traefik' ? [traefikTimeoutsChartConfig(ingress.chart)] : []),
      ],
      namespace: namespace.name,
      // The name too: Let's Encrypt's HTTP-01 check, and the certificate wait, need it to lead here.
      dependsOn: [serversReady, ingressReady, ...(certManager ? [certManager.release] : []), ...secrets.resources, ...nameServed],
    });
    guardChartUpgrades(charts, settings.versions, { rancher: rancher.release, certManager: certManager?.release });
    const { ready, firstLogin } = rancherArrival(this, {
      gates,
      rancher,
      tls,
      certificates,
      hostname,
      settings,
      nameServed: [...nameServed, ...frontRegistrations],
      rerunOn: `${kubernetesVersion} ${settings.versions.certManager} ${settings.versions.rancher}`,
    });
    charts.writtenAfter(rancher.release, ready.ping);

    this.url = ready.url;
    this.bootstrapPassword = rancher.bootstrapPassword;
    this.adminPassword = firstLogin.adminPassword;
    this.adminToken = firstLogin.adminToken;
    this.kubeconfig = kubeconfig(name, access);
    this.joinToken = token;
    this.loadBalancerDnsName = front?.dnsName;
    if (publicAddresses.length) this.nodePublicIps = publicAddresses.map((address) => address.ip);
    if (snapshots) this.etcdSnapshotBucket = snapshots.name;
    if (snapshotEvents?.topic) this.etcdSnapshotEventsTopic = snapshotEvents.topic.arn;
    if (alarmsOn) {
      this.alarms = new DeploymentAlarms(this, 'alarms', {
        name,
        region: settings.region,
        kmsKeyArn: bootParameters.key.arn,
        email: settings.alarms.email,
        servers: nodes.map((node, i) => ({ name: `server-${i}`, instanceId: node.id })),
        loadBalancer: lb ? { arnSuffix: lb.lb.arnSuffix, targetGroups: lb.targetGroups } : undefined,
        // DNS round robin has a check per node already; otherwise one on the name, wherever it leads. A wildcard
        // name keeps its promise of no Route53 at all: the NLB's checks stand in (docs/day-2.md, "Alarms").
        pingHostname: memberChecks.length || wildcard ? undefined : hostname,
        healthChecks: memberChecks.map((check, i) => ({ name: `server-${i}`, id: check.id, what: `/ping on ${name}-server-${i}'s Elastic IP` })),
        snapshots: snapshots && { bucket: snapshots.name, prefix: `${stackId}/`, schedule: s.etcdSnapshots.scheduleCron },
        certificateArn,
        dependsOn: [ready.ping],
      });
    }
    if (datastore) this.datastoreAddress = datastore.instance.address;
    this.serversPendingReplacement = reportStaleServers(this, { nodes, checkName: stackLevelName(this, 'servers_up_to_date') });
  }
}

