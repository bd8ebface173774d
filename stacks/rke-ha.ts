import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, TerraformLocal, TerraformOutput, TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { DeploymentGuard, type RecordedSetting } from '../lib/common/deployment-guard';
import { rancherOutputs, stackFoundation } from '../lib/common/stack-foundation';
import { cidrHost, cidrSubnet } from '../lib/config/cidr';
import type { Settings } from '../lib/config/schema';
import { AliasRecord, publicZone } from '../lib/dns/alias-record';
import { BootParameters } from '../lib/kubernetes/boot-parameters';
import { ClusterPki } from '../lib/kubernetes/cluster-pki';
import { forwardedHeadersChartConfig, packagedIngress, traefikTimeoutsChartConfig } from '../lib/kubernetes/ingress-controller-config';
import { kubeconfig } from '../lib/kubernetes/kubeconfig';
import { k3sUserData } from '../lib/kubernetes/k3s-user-data';
import type { ServerNodeIdentity } from '../lib/kubernetes/node-identity';
import { ReadinessGates } from '../lib/kubernetes/readiness-gates';
import { rke2UserData } from '../lib/kubernetes/rke2-user-data';
import { ExternalDatastore } from '../lib/database/external-datastore';
import { effectiveIngressController, effectiveNodeCount } from '../lib/config/rke-ha-schema';
import { chartProxy, proxyEnvironment } from '../lib/network/proxy';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../lib/config/primitives';
import { SnapshotBucket } from '../lib/kubernetes/snapshot-bucket';
import { SnapshotEvents } from '../lib/kubernetes/snapshot-events';
import { ALB_IDLE_TIMEOUT_SECONDS, ApplicationLoadBalancer } from '../lib/loadbalancer/application-load-balancer';
import { NetworkLoadBalancer, type ForwardedPort } from '../lib/loadbalancer/network-load-balancer';
import { PRIVATE_SUBNET_OFFSET, PrivateSubnets } from '../lib/network/private-subnets';
import { PublicNetwork } from '../lib/network/public-network';
import { addVpcOptions } from '../lib/network/vpc-options';
import { NodeRole } from '../lib/nodes/node-role';
import { NodeSecurityGroup } from '../lib/nodes/node-security-group';
import { HTTPS_PORT, K3S_SERVER_PORTS, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS } from '../lib/nodes/ports';
import { HELD_ATTRIBUTES, ServerNode } from '../lib/nodes/server-node';
import { ServerQuorum } from '../lib/nodes/server-quorum';
import { UbuntuAmi } from '../lib/nodes/ubuntu-ami';
import { ApiReadiness } from '../lib/rancher/api-readiness';
import { CertManager } from '../lib/rancher/cert-manager';
import { configureClusterProviders, type ClusterAccess } from '../lib/rancher/cluster-access';
import { RancherReadiness } from '../lib/rancher/rancher-readiness';
import { readinessTrust } from '../lib/rancher/readiness-trust';
import { RANCHER_NAMESPACE, RancherNamespace } from '../lib/rancher/namespace';
import { RancherServer } from '../lib/rancher/rancher-server';
import { rancherServerSettings } from '../lib/rancher/rancher-settings';
import { RancherTlsSecrets } from '../lib/rancher/tls-secrets';
import { LoadBalancerCertificate } from '../lib/tls/acm-certificate';
import { CertificateVariables } from '../lib/tls/certificate-variables';
import { INGRESS_SECRET, tlsPlan, type TlsPlan } from '../lib/tls/tls-plan';

export const RKE_HA_STACK = 'rke-ha';

/** The marker parameter boot-lib.sh guard_init looks for. */
const CLUSTER_INITIALIZED = 'cluster-initialized';
/** Host number of each server's fixed address inside its subnet. */
const NODE_HOST_NUMBER = 10;
/** The datastore's isolated subnets: sixteenths 12-14 of the VPC range (public 0-2, private nodes 8-10). */
const DATABASE_SUBNET_OFFSET = 12;

/**
 * RancherOnRKE: three RKE2 servers (etcd + control plane + worker each) over
 * three zones behind a TCP NLB, a Route53 alias, then cert-manager and Rancher
 * from Helm, in one apply that ends when Rancher answers on its hostname.
 * With TLS at the load balancer (`rancher.tls.mode: external`) an ALB with an
 * ACM certificate takes 80/443 and the NLB keeps only the API.
 */
export class RkeHaStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const s = settings.rkeHa;
    const t = settings.timeouts;
    const { name, inputs } = stackFoundation(this, settings);
    const tls = tlsPlan(settings.rancher.tls);
    const certificates = new CertificateVariables(this, 'certificates', tls.material);

    const k3s = s.distribution === 'k3s';
    const nodeCount = effectiveNodeCount(s);
    const ingressController = effectiveIngressController(s);
    const ingress = packagedIngress(s.distribution, ingressController);
    // Refuses, at plan time, the changes the running cluster cannot take (README, "Day 2").
    new DeploymentGuard(this, 'deployment-guard', {
      recorded: recordedSettings(settings, ingressController),
      conditions: k3s || s.allowQuorumLoss ? [] : [new ServerQuorum(this, 'server-quorum', { deployment: name, servers: nodeCount }).condition],
    });

    const network = new PublicNetwork(this, 'network', { cidr: s.vpcCidr, name });
    const privateSubnets = s.privateNodes ? new PrivateSubnets(this, 'private-subnets', { network, name, natGateways: s.natGateways }) : undefined;
    // Nodes go one per zone; a single-node install uses the first zone, and growing adds the others.
    const nodeSubnets = (privateSubnets ? privateSubnets.subnets : network.subnets).slice(0, nodeCount);
    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', {
      vpcId: network.vpc.id,
      name,
      clusterPorts: k3s ? K3S_SERVER_PORTS : RKE2_SERVER_PORTS,
      vpcCidr: s.vpcCidr,
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    addVpcOptions(this, {
      network,
      settings: settings.vpc,
      name,
      nodeRouteTableIds: privateSubnets ? privateSubnets.routeTableIds : [network.routeTableId],
      forceDestroyLogs: s.etcdSnapshots.forceDestroyBucket,
      proxy: settings.proxy,
      nodeGroup,
    });
    const lb = new NetworkLoadBalancer(this, 'load-balancer', {
      name,
      vpcId: network.vpc.id,
      subnetIds: network.subnets.map((subnet) => subnet.id),
      targetSecurityGroupId: nodeGroup.id,
      ports: nlbPorts(tls, inputs.adminCidrs),
      deletionProtection: s.loadBalancer.deletionProtection,
      dependsOn: network.internetAccess,
    });
    // Everything between Terraform and the API: the Helm and Kubernetes resources wait for it on create
    // and, being its dependents, are destroyed before it.
    const apiPath: ITerraformDependable[] = [...network.internetAccess, ...lb.rules];
    for (const port of lb.targetGroups.keys()) {
      apiPath.push(
        nodeGroup.allowFrom(`from-lb-${port}`, { protocol: 'tcp', from: port, to: port, description: 'From the load balancer' }, {
          securityGroupId: lb.securityGroup.id,
        }),
      );
    }
    if (s.sshKeyName) nodeGroup.allowSsh(inputs.adminCidrs);

    // K3s keeps the cluster state in an external datastore (isolated subnets, no egress); RKE2 in etcd on the
    // servers, snapshotted to S3.
    const datastore = k3s
      ? new ExternalDatastore(this, 'datastore', {
          ...s.datastore,
          name,
          vpcId: network.vpc.id,
          subnetIds: new PrivateSubnets(this, 'database-subnets', { network, name: `${name}-db`, natGateways: 'none', offset: DATABASE_SUBNET_OFFSET }).subnets.map((subnet) => subnet.id),
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

    const parameterPath = `/${settings.name}/${id}`;
    const role = new NodeRole(this, 'node-role', { name, parameterPath, snapshotBucketArn: snapshots?.arn });
    const pki = new ClusterPki(this, 'pki', { clusterName: name });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    // The secure form: a joining server checks that the cluster it reaches serves this CA (the hash is over
    // server-ca.crt as written on the first server, byte for byte the parameter below).
    const token = Fn.format('K10%s::server:%s', [Fn.sha256(pki.serverCa.certPem), joinToken.result]);
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      deployerArns: inputs.deployerArns,
      snapshotBucketArn: snapshots?.arn,
      snapshotEventsTopic: eventsTopic,
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
    const snapshotEvents =
      snapshots && eventsTopic ? new SnapshotEvents(this, 'etcd-snapshot-events', { bucket: snapshots, topicName: eventsTopic, kmsKeyArn: bootParameters.key.arn }) : undefined;
    const ami = new UbuntuAmi(this, 'ami', { amiId: s.amiId });

    // Node-to-node, pod and service traffic never go through the proxy; nor does Rancher's own name, unless
    // egress is closed (the name resolves to the load balancer's public addresses, reachable only via the proxy).
    const directNetworks = [s.vpcCidr, RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR, ...(settings.proxy.egressOnlyTo.length ? [] : [inputs.hostname])];
    const proxy = chartProxy(settings.proxy, directNetworks);
    const common = {
      tlsSans: [inputs.hostname, lb.dnsName],
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
              etcdSnapshots: { ...s.etcdSnapshots, servers: nodeCount, bucket: snapshots.name, region: settings.region, folder: id },
            },
            node,
          )
        : k3sUserData({ ...common, version: settings.versions.k3s }, node);
    const addresses = serverAddresses(s.vpcCidr, s.privateNodes, nodeCount);
    const nodes = nodeSubnets.map((subnet, i) => {
      const node = new ServerNode(this, `server-${i}`, {
        name: `${name}-server-${i}`,
        amiId: ami.id,
        instanceType: s.instanceType,
        subnetId: subnet.id,
        privateIp: addresses[i].current,
        // Public subnets have no NAT: a node there reaches the internet through its own public address.
        publicAddress: !s.privateNodes,
        securityGroupIds: [nodeGroup.id],
        instanceProfileName: role.instanceProfile.name,
        rootVolumeGb: s.rootVolumeGb,
        keyName: s.sshKeyName,
        userData: userData({
          role: i === 0 ? 'init' : 'join',
          nodeIp: addresses[i].current,
          peerIps: peerCandidates(addresses, i),
          previousServerIps: i > 0 ? [addresses[i - 1].current, addresses[i - 1].other] : [],
          region: settings.region,
          parameterPrefix: bootParameters.prefix,
        }),
        dependsOn: [...bootParameters.parameters, ...role.grants],
      });
      return node;
    });
    const registrations = nodes.flatMap((node, i) => lb.addInstanceTarget(`server-${i}`, node.id));

    const zone = publicZone(this, 'hosted-zone', inputs.zoneName);
    let front: { dnsName: string; zoneId: string } = lb;
    const frontRegistrations: ITerraformDependable[] = [];
    if (tls.atLoadBalancer && tls.acm) {
      const certificate = new LoadBalancerCertificate(this, 'certificate', { source: tls.acm, hostname: inputs.hostname, zoneId: zone.zoneId, certificates });
      const alb = new ApplicationLoadBalancer(this, 'application-load-balancer', {
        name,
        vpcId: network.vpc.id,
        subnetIds: network.subnets.map((subnet) => subnet.id),
        certificateArn: certificate.arn,
        targetSecurityGroupId: nodeGroup.id,
        deletionProtection: s.loadBalancer.deletionProtection,
        dependsOn: network.internetAccess,
      });
      nodeGroup.allowFrom('from-alb-80', { protocol: 'tcp', from: 80, to: 80, description: 'From the application load balancer' }, { securityGroupId: alb.securityGroup.id });
      nodes.forEach((node, i) => frontRegistrations.push(alb.addInstanceTarget(`server-${i}`, node.id)));
      front = alb;
    }
    const dns = new AliasRecord(this, 'dns', { zone, recordName: inputs.hostname, target: front });

    // Terraform reaches the API by Rancher's name where the NLB serves it: a name every server certificate
    // carries (tls-san) and that survives a replaced NLB. With TLS at an ALB the name points there, so the NLB's own.
    const apiHost = tls.atLoadBalancer ? lb.dnsName : inputs.hostname;
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
      dependsOn: [...nodes.map((n) => n.instance), ...registrations, ...apiPath, ...(tls.atLoadBalancer ? [] : [dns.record])],
    });
    // Read by a replaced first server: the cluster exists, join it (boot-lib.sh cluster_state).
    new SsmParameter(this, 'cluster-initialized', {
      name: `${parameterPath}/${CLUSTER_INITIALIZED}`,
      type: 'String',
      value: 'true',
      description: 'Written once the Kubernetes API answered; a first server booting later joins instead of initializing',
      dependsOn: [api.gate],
    });

    // In-cluster gates: no chart is installed while a server is still joining, and nothing creates an
    // Ingress before the ingress controller admits one.
    const gates = new ReadinessGates(this, 'readiness-gates', { dependsOn: [api.gate], registry: settings.airGap.systemDefaultRegistry });
    const serversReady = gates.gate('servers-ready', { check: { kind: 'servers', servers: nodeCount, embeddedEtcd: !k3s }, minutes: t.serversMinutes });
    const ingressReady = gates.gate('ingress-ready', { check: ingress.admission, minutes: t.ingressMinutes });

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
    const secrets = new RancherTlsSecrets(this, 'tls-secrets', { plan: tls, certificates, namespace: namespace.name });
    const rancher = new RancherServer(this, 'rancher', {
      ...rancherServerSettings(settings, proxy),
      hostname: inputs.hostname,
      ingressClassName: ingress.className,
      ingressController,
      extraObjects: [
        ...(tls.forwardedHeaders ? [forwardedHeadersChartConfig()] : []),
        ...(ingress.className === 'traefik' ? [traefikTimeoutsChartConfig(ingress.chart)] : []),
      ],
      namespace: namespace.name,
      // The record too: Let's Encrypt's HTTP-01 check, and the certificate wait, need the name to resolve.
      dependsOn: [serversReady, ingressReady, ...(certManager ? [certManager.release] : []), ...secrets.resources, dns.record],
    });
    // The ingress serves cert-manager's certificate only once it is issued; the final probe cannot retry a
    // certificate error. A gate of its own, after the release: a slow issuance fails the apply, not Rancher.
    const certificateReady = tls.certManager
      ? gates.gate('certificate-ready', {
          check: { kind: 'certificate', namespace: RANCHER_NAMESPACE, name: INGRESS_SECRET },
          minutes: t.certificateMinutes,
          dependsOn: [rancher.release],
        })
      : undefined;
    const ready = new RancherReadiness(this, 'rancher-readiness', {
      hostname: inputs.hostname,
      trust: readinessTrust(tls, certificates),
      minutes: t.pingMinutes,
      dependsOn: [rancher.release, ...(certificateReady ? [certificateReady] : []), dns.record, ...frontRegistrations],
    });

    rancherOutputs(this, { ping: ready.ping, bootstrapPassword: rancher.bootstrapPassword });
    new TerraformOutput(this, 'kubeconfig', {
      value: kubeconfig(name, access),
      sensitive: true,
      description: 'Cluster-admin kubeconfig (terraform output -raw kubeconfig > kubeconfig.yaml)',
    });
    new TerraformOutput(this, 'join_token', {
      value: token,
      sensitive: true,
      description: 'The cluster token: a restore from an etcd snapshot needs it (keep a copy when you keep the snapshots)',
    });
    new TerraformOutput(this, 'load_balancer_dns_name', { value: front.dnsName, description: 'Load balancer name the Rancher record points at' });
    if (snapshots) new TerraformOutput(this, 'etcd_snapshot_bucket', { value: snapshots.name, description: 'Bucket holding scheduled etcd snapshots' });
    if (snapshotEvents) {
      new TerraformOutput(this, 'etcd_snapshot_events_topic', { value: snapshotEvents.topic.arn, description: 'SNS topic of the snapshot bucket events: subscribe to it for alerts' });
    }
    if (datastore) new TerraformOutput(this, 'datastore_address', { value: datastore.instance.address, description: 'K3s datastore (RDS) host name' });
    reportStaleServers(this, nodes, s.amiId !== undefined);
  }
}

/** The settings a running rke-ha deployment cannot change, each with why and what to do instead. */
function recordedSettings(settings: Settings, ingressController: string): RecordedSetting[] {
  const s = settings.rkeHa;
  const recorded: RecordedSetting[] = [
    {
      setting: 'name',
      value: settings.name,
      procedure:
        'Every resource name, the SSM path and the snapshot bucket derive from it: a new name replaces the load balancer, the bucket and the boot parameters. Keep it; a second deployment needs a state of its own.',
    },
    {
      setting: 'region',
      value: settings.region,
      procedure: 'The resources live in that region: another region would build a second deployment and orphan this one. Keep it; use another state for another region.',
    },
    {
      setting: 'rkeHa.vpcCidr',
      value: s.vpcCidr,
      procedure:
        'A new range replaces the VPC, every subnet and every server at once. Keep it, or build a new deployment and restore it from an etcd snapshot (README, "Day 2").',
    },
    {
      setting: 'rkeHa.distribution',
      value: s.distribution,
      procedure:
        'The running servers keep their distribution and datastore (etcd on the servers, or RDS); switching would leave them on the old one. Build a new deployment and move Rancher with the rancher-backup operator.',
    },
  ];
  if (s.distribution === 'k3s') {
    recorded.push({
      setting: 'rkeHa.datastore.engine',
      value: s.datastore.engine,
      procedure: 'A new engine creates a new, empty database and the servers would lose the cluster. Build a new deployment and move Rancher with the rancher-backup operator.',
    });
  } else {
    recorded.push({
      setting: 'rkeHa.ingressController',
      value: ingressController,
      procedure:
        'The servers keep the controller they started with, and the Rancher ingress would name a class nobody serves. Change ingress-controller in /etc/rancher/rke2/config.yaml on each server and restart them one at a time (README, "Day 2"), then accept it: terraform apply -replace=<the rkeHa.ingressController record>.',
    });
  }
  return recorded;
}

/** Where a server's fixed address lies in the current node layout, and in the other one (public or private subnets). */
interface ServerAddress {
  readonly current: string;
  readonly other: string;
}

/** Host 10 of each server's subnet: the public subnets are sixteenths 0-2 of the VPC, the private ones 8-10. */
function serverAddresses(vpcCidr: string, privateNodes: boolean, count: number): ServerAddress[] {
  const address = (offset: number, i: number) => cidrHost(cidrSubnet(vpcCidr, 4, offset + i), NODE_HOST_NUMBER);
  return Array.from({ length: count }, (_, i) => {
    const publicIp = address(0, i);
    const privateIp = address(PRIVATE_SUBNET_OFFSET, i);
    return privateNodes ? { current: privateIp, other: publicIp } : { current: publicIp, other: privateIp };
  });
}

/**
 * Where server `i` looks for the others: their addresses in the current layout, then in the other one. A
 * server keeps its address until it is replaced, so during a move between public and private subnets a
 * replaced server still finds the ones not moved yet.
 */
function peerCandidates(addresses: readonly ServerAddress[], i: number): string[] {
  const others = addresses.filter((_, j) => j !== i);
  return [...others.map((a) => a.current), ...others.map((a) => a.other)];
}

/**
 * Which servers run an older configuration (the settings changed something a
 * running server keeps until it is replaced): an output listing it per
 * server, and a check that warns in every plan until they are rolled. A newer
 * image found by the AMI lookup is listed but does not warn: it moves on its own.
 */
function reportStaleServers(stack: TerraformStack, nodes: readonly ServerNode[], amiPinned: boolean): void {
  new TerraformOutput(stack, 'servers_pending_replacement', {
    value: Object.fromEntries(nodes.map((node, i) => [`server-${i}`, node.staleAttributes()])),
    description: 'Per server, the settings it keeps until it is replaced; roll them one at a time (README, "Day 2")',
  });
  const warned = HELD_ATTRIBUTES.filter((a) => amiPinned || a !== 'ami');
  const stale = new TerraformLocal(stack, 'servers_stale', Object.fromEntries(nodes.map((node, i) => [`server-${i}`, node.staleAttributes(warned)]))).fqn;
  stack.addOverride('check.servers_up_to_date', {
    assert: [
      {
        condition: `\${alltrue([for attributes in values(${stale}) : length(attributes) == 0])}`,
        error_message:
          `Servers keep settings they cannot take while running: \${jsonencode({ for server, attributes in ${stale} : server => attributes if length(attributes) > 0 })}. ` +
          'Replace them one at a time, each after the previous one rejoined (README, "Day 2"); output servers_pending_replacement lists them.',
      },
    ],
  });
}

/** NLB listeners: the API always (admin CIDRs only); 80/443 unless an ALB ends TLS. */
function nlbPorts(tls: TlsPlan, adminCidrs: string[]): ForwardedPort[] {
  // Websockets (Rancher's UI, kubectl exec and logs, the agents' tunnels) stay open through idle minutes: the
  // same hour the ALB allows, instead of the NLB's 350 s.
  const idleTimeoutSeconds = ALB_IDLE_TIMEOUT_SECONDS;
  const api: ForwardedPort = { port: KUBERNETES_API_PORT, description: 'Kubernetes API from admin networks', from: { cidrList: adminCidrs }, idleTimeoutSeconds };
  if (tls.atLoadBalancer) return [api];
  return [
    ...RANCHER_PUBLIC_PORTS.map((rule) => ({
      port: rule.from,
      description: rule.description,
      from: { cidr: '0.0.0.0/0' },
      ...(rule.from === HTTPS_PORT ? { idleTimeoutSeconds } : {}),
    })),
    api,
  ];
}
