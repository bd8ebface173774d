import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentGuard } from '../common/deployment-guard';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../config/primitives';
import { effectiveIngressController, effectiveNodeCount } from '../config/rke-ha-schema';
import type { Settings } from '../config/schema';
import { ExternalDatastore } from '../database/external-datastore';
import { AliasRecord, publicZone } from '../dns/alias-record';
import { BootParameters } from '../kubernetes/boot-parameters';
import { ClusterPki } from '../kubernetes/cluster-pki';
import { forwardedHeadersChartConfig, packagedIngress, traefikTimeoutsChartConfig } from '../kubernetes/ingress-controller-config';
import { k3sUserData } from '../kubernetes/k3s-user-data';
import { kubeconfig } from '../kubernetes/kubeconfig';
import type { ServerNodeIdentity } from '../kubernetes/node-identity';
import { ReadinessGates } from '../kubernetes/readiness-gates';
import { rke2UserData } from '../kubernetes/rke2-user-data';
import { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { ApplicationLoadBalancer } from '../loadbalancer/application-load-balancer';
import { NetworkLoadBalancer } from '../loadbalancer/network-load-balancer';
import type { ExistingNetwork } from '../network/existing-network';
import { chartProxy, proxyEnvironment } from '../network/proxy';
import type { PublicNetwork } from '../network/public-network';
import { NodeRole } from '../nodes/node-role';
import { NodeSecurityGroup } from '../nodes/node-security-group';
import { K3S_SERVER_PORTS, KUBERNETES_API_PORT, RKE2_SERVER_PORTS } from '../nodes/ports';
import { ServerNode } from '../nodes/server-node';
import { ServerQuorum } from '../nodes/server-quorum';
import { UbuntuAmi } from '../nodes/ubuntu-ami';
import { ApiReadiness } from '../rancher/api-readiness';
import { CertManager } from '../rancher/cert-manager';
import { configureClusterProviders, type ClusterAccess } from '../rancher/cluster-access';
import { RANCHER_NAMESPACE, RancherNamespace } from '../rancher/namespace';
import { RancherReadiness } from '../rancher/rancher-readiness';
import { RancherServer } from '../rancher/rancher-server';
import { rancherServerSettings } from '../rancher/rancher-settings';
import { readinessTrust } from '../rancher/readiness-trust';
import { RancherTlsSecrets } from '../rancher/tls-secrets';
import { LoadBalancerCertificate } from '../tls/acm-certificate';
import { CertificateVariables } from '../tls/certificate-variables';
import { INGRESS_SECRET, tlsPlan } from '../tls/tls-plan';
import { nlbPorts } from './nlb-ports';
import type { RancherOnRkeProps } from './rancher-on-rke-props';
import { resolveProps } from './resolve-props';
import { rkeNetwork, vpcRangesEntry } from './rke-network';
import { movedServersCondition, peerCandidates, previousServer } from './rke-server-layout';
import { rkeRecordedSettings } from './rke-recorded-settings';
import { deploymentPrefix, stackLevelName } from './stack-level-names';
import { reportStaleServers } from './stale-servers';

/** The marker parameter boot-lib.sh guard_init looks for. */
const CLUSTER_INITIALIZED = 'cluster-initialized';

/**
 * Rancher on its own Kubernetes cluster (the Rancher docs' "RancherOnRKE"):
 * three RKE2 servers (etcd, control plane and worker each) over three zones
 * behind a TCP NLB, or two K3s servers on an RDS datastore; a Route53 alias;
 * cert-manager and Rancher from Helm; readiness gates between the steps. One
 * apply ends when Rancher answers on its hostname. With TLS at the load
 * balancer (`rancher.tls.mode: external`) an ALB with an ACM certificate
 * takes 80/443 and the NLB keeps only the API.
 *
 * Needs an AWS provider in the stack; brings its own Helm and Kubernetes
 * providers (configured from the cluster it creates) and the tls, random and
 * http providers it uses must exist in the stack too.
 */
export class RancherOnRke extends Construct {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** First login password of the admin user (sensitive). */
  readonly bootstrapPassword: string;
  /** A cluster-admin kubeconfig (sensitive). */
  readonly kubeconfig: string;
  /** The cluster token (sensitive): a restore from an etcd snapshot needs it. */
  readonly joinToken: string;
  /** The load balancer the Rancher record points at. */
  readonly loadBalancerDnsName: string;
  /** The bucket holding scheduled etcd snapshots (RKE2). */
  readonly etcdSnapshotBucket?: string;
  /** The K3s datastore's host name (K3s). */
  readonly datastoreAddress?: string;
  /** Per server, the settings it keeps until it is replaced (README, "Day 2"). */
  readonly serversPendingReplacement: Record<string, string[]>;
  /** The VPC the deployment created, or the existing one it uses (`rkeHa.existingNetwork`). */
  readonly network: PublicNetwork | ExistingNetwork;
  readonly servers: readonly ServerNode[];
  /** The settings the props resolved to (defaults filled in). */
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: RancherOnRkeProps) {
    super(scope, id);
    const stackId = TerraformStack.of(this).node.id;
    const settings = resolveProps(props, { rkeHa: props.rkeHa }, `RancherOnRke ${this.node.path}`, { rkeHa: stackId });
    this.settings = settings;
    const s = settings.rkeHa;
    const t = settings.timeouts;
    const name = deploymentPrefix(this, settings.name);
    const adminCidrs = [...props.adminCidrs];
    const tls = tlsPlan(settings.rancher.tls);
    const certificates = new CertificateVariables(this, 'certificates', tls.material);

    const k3s = s.distribution === 'k3s';
    const nodeCount = effectiveNodeCount(s);
    const ingressController = effectiveIngressController(s);
    const ingress = packagedIngress(s.distribution, ingressController);
    const net = rkeNetwork(this, settings, name);
    this.network = net.network;
    const { addresses } = net;
    // Refuses, at plan time, the changes the running cluster cannot take (README, "Day 2").
    const quorum = k3s || s.allowQuorumLoss ? undefined : new ServerQuorum(this, 'server-quorum', { deployment: name, servers: nodeCount });
    new DeploymentGuard(this, 'deployment-guard', {
      recorded: rkeRecordedSettings(settings, ingressController),
      conditions: quorum ? [quorum.condition, ...(s.existingNetwork ? [movedServersCondition(quorum.existing.privateIps, addresses)] : [])] : [],
    });

    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', {
      vpcId: net.vpcId,
      name,
      clusterPorts: k3s ? K3S_SERVER_PORTS : RKE2_SERVER_PORTS,
      ...('cidr' in net.vpcRanges ? { vpcCidr: net.vpcRanges.cidr } : { vpcCidrs: net.vpcRanges.cidrList }),
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    const lb = new NetworkLoadBalancer(this, 'load-balancer', {
      name,
      vpcId: net.vpcId,
      subnetIds: net.loadBalancerSubnetIds,
      targetSecurityGroupId: nodeGroup.id,
      ports: nlbPorts(tls, adminCidrs),
      dependsOn: net.internetAccess,
    });
    // Everything between Terraform and the API: the Helm and Kubernetes resources wait for it on create
    // and, being its dependents, are destroyed before it.
    const apiPath: ITerraformDependable[] = [...net.internetAccess, ...lb.rules];
    for (const port of lb.targetGroups.keys()) {
      apiPath.push(
        nodeGroup.allowFrom(`from-lb-${port}`, { protocol: 'tcp', from: port, to: port, description: 'From the load balancer' }, {
          securityGroupId: lb.securityGroup.id,
        }),
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
    const snapshots = k3s ? undefined : new SnapshotBucket(this, 'etcd-snapshots', { namePrefix: `${name}-etcd-`, forceDestroy: s.etcdSnapshots.forceDestroyBucket });

    const parameterPath = `/${settings.name}/${stackId}`;
    const role = new NodeRole(this, 'node-role', { name, parameterPath, snapshotBucketArn: snapshots?.arn });
    const pki = new ClusterPki(this, 'pki', { clusterName: name });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    // The secure form: a joining server checks that the cluster it reaches serves this CA (the hash is over
    // server-ca.crt as written on the first server, byte for byte the parameter below).
    const token = Fn.format('K10%s::server:%s', [Fn.sha256(pki.serverCa.certPem), joinToken.result]);
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      values: {
        token,
        'server-ca-cert': pki.serverCa.certPem,
        'server-ca-key': pki.serverCa.privateKeyPem,
        'client-ca-cert': pki.clientCa.certPem,
        'client-ca-key': pki.clientCa.privateKeyPem,
        ...(datastore ? { 'datastore-endpoint': datastore.endpointUrl } : {}),
      },
    });
    const ami = new UbuntuAmi(this, 'ami', { amiId: s.amiId });

    // Node-to-node, pod and service traffic never go through the proxy; nor does Rancher's own name, unless
    // egress is closed (the name resolves to the load balancer's public addresses, reachable only via the proxy).
    const directNetworks = [vpcRangesEntry(net.vpcRanges), RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR, ...(settings.proxy.egressOnlyTo.length ? [] : [props.hostname])];
    const proxy = chartProxy(settings.proxy, directNetworks);
    const common = {
      tlsSans: [props.hostname, lb.dnsName],
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
              etcdSnapshots: { ...s.etcdSnapshots, servers: nodeCount, bucket: snapshots.name, region: settings.region, folder: stackId },
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
          securityGroupIds: [nodeGroup.id],
          instanceProfileName: role.instanceProfile.name,
          rootVolumeGb: s.rootVolumeGb,
          keyName: s.sshKeyName,
          userData: userData({
            role: i === 0 ? 'init' : 'join',
            nodeIp: addresses[i].current,
            peerIps: peerCandidates(addresses, i),
            previousServerIps: previousServer(addresses, i),
            region: settings.region,
            parameterPrefix: bootParameters.prefix,
          }),
          dependsOn: [...bootParameters.parameters, ...role.grants],
        }),
    );
    this.servers = nodes;
    const registrations = nodes.flatMap((node, i) => lb.addInstanceTarget(`server-${i}`, node.id));

    const zone = publicZone(this, 'hosted-zone', props.hostedZone);
    let front: { dnsName: string; zoneId: string } = lb;
    const frontRegistrations: ITerraformDependable[] = [];
    if (tls.atLoadBalancer && tls.acm) {
      const certificate = new LoadBalancerCertificate(this, 'certificate', { source: tls.acm, hostname: props.hostname, zoneId: zone.zoneId, certificates });
      const alb = new ApplicationLoadBalancer(this, 'application-load-balancer', {
        name,
        vpcId: net.vpcId,
        subnetIds: net.loadBalancerSubnetIds,
        certificateArn: certificate.arn,
        targetSecurityGroupId: nodeGroup.id,
        dependsOn: net.internetAccess,
      });
      nodeGroup.allowFrom('from-alb-80', { protocol: 'tcp', from: 80, to: 80, description: 'From the application load balancer' }, { securityGroupId: alb.securityGroup.id });
      nodes.forEach((node, i) => frontRegistrations.push(alb.addInstanceTarget(`server-${i}`, node.id)));
      front = alb;
    }
    const dns = new AliasRecord(this, 'dns', { zone, recordName: props.hostname, target: front });

    // Terraform reaches the API by Rancher's name where the NLB serves it: a name every server certificate
    // carries (tls-san) and that survives a replaced NLB. With TLS at an ALB the name points there, so the NLB's own.
    const apiHost = tls.atLoadBalancer ? lb.dnsName : props.hostname;
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
      hostname: props.hostname,
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
      hostname: props.hostname,
      trust: readinessTrust(tls, certificates),
      minutes: t.pingMinutes,
      dependsOn: [rancher.release, ...(certificateReady ? [certificateReady] : []), dns.record, ...frontRegistrations],
    });

    this.url = ready.url;
    this.bootstrapPassword = rancher.bootstrapPassword;
    this.kubeconfig = kubeconfig(name, access);
    this.joinToken = token;
    this.loadBalancerDnsName = front.dnsName;
    if (snapshots) this.etcdSnapshotBucket = snapshots.name;
    if (datastore) this.datastoreAddress = datastore.instance.address;
    this.serversPendingReplacement = reportStaleServers(this, { nodes, amiPinned: s.amiId !== undefined, checkName: stackLevelName(this, 'servers_up_to_date') });
  }
}
