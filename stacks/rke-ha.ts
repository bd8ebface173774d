import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Password } from '@cdktf/provider-random/lib/password';
import { TerraformOutput, TerraformStack, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { rancherOutputs, stackFoundation } from '../lib/common/stack-foundation';
import { cidrHost } from '../lib/config/cidr';
import type { Settings } from '../lib/config/schema';
import { AliasRecord, publicZone } from '../lib/dns/alias-record';
import { BootParameters } from '../lib/kubernetes/boot-parameters';
import { ClusterPki } from '../lib/kubernetes/cluster-pki';
import { forwardedHeadersChartConfig } from '../lib/kubernetes/ingress-nginx-config';
import { kubeconfig } from '../lib/kubernetes/kubeconfig';
import { k3sUserData } from '../lib/kubernetes/k3s-user-data';
import type { ServerNodeIdentity } from '../lib/kubernetes/node-identity';
import { rke2UserData } from '../lib/kubernetes/rke2-user-data';
import { ExternalDatastore } from '../lib/database/external-datastore';
import { effectiveIngressController, effectiveNodeCount } from '../lib/config/rke-ha-schema';
import { chartProxy, proxyEnvironment } from '../lib/network/proxy';
import { RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR } from '../lib/config/primitives';
import { SnapshotBucket } from '../lib/kubernetes/snapshot-bucket';
import { ApplicationLoadBalancer } from '../lib/loadbalancer/application-load-balancer';
import { NetworkLoadBalancer, type ForwardedPort } from '../lib/loadbalancer/network-load-balancer';
import { PrivateSubnets } from '../lib/network/private-subnets';
import { PublicNetwork } from '../lib/network/public-network';
import { NodeRole } from '../lib/nodes/node-role';
import { NodeSecurityGroup } from '../lib/nodes/node-security-group';
import { K3S_SERVER_PORTS, KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS, RKE2_SERVER_PORTS } from '../lib/nodes/ports';
import { ServerNode } from '../lib/nodes/server-node';
import { UbuntuAmi } from '../lib/nodes/ubuntu-ami';
import { ApiReadiness } from '../lib/rancher/api-readiness';
import { CertManager } from '../lib/rancher/cert-manager';
import { INGRESS_CLASS } from '../lib/rancher/chart-values';
import { configureClusterProviders, type ClusterAccess } from '../lib/rancher/cluster-access';
import { RancherReadiness } from '../lib/rancher/rancher-readiness';
import { readinessTrust } from '../lib/rancher/readiness-trust';
import { RancherNamespace } from '../lib/rancher/namespace';
import { RancherServer } from '../lib/rancher/rancher-server';
import { rancherServerSettings } from '../lib/rancher/rancher-settings';
import { RancherTlsSecrets } from '../lib/rancher/tls-secrets';
import { LoadBalancerCertificate } from '../lib/tls/acm-certificate';
import { CertificateVariables } from '../lib/tls/certificate-variables';
import { tlsPlan, type TlsPlan } from '../lib/tls/tls-plan';

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
    const { name, inputs } = stackFoundation(this, settings);
    const tls = tlsPlan(settings.rancher.tls);
    const certificates = new CertificateVariables(this, 'certificates', tls.material);

    const k3s = s.distribution === 'k3s';
    const ingressController = effectiveIngressController(s);
    const network = new PublicNetwork(this, 'network', { cidr: s.vpcCidr, name });
    // Nodes go one per zone; a single-node install uses the first zone, and growing adds the others.
    const nodeSubnets = (s.privateNodes ? new PrivateSubnets(this, 'private-subnets', { network, name, natGateways: s.natGateways }).subnets : network.subnets).slice(
      0,
      effectiveNodeCount(s),
    );
    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', {
      vpcId: network.vpc.id,
      name,
      clusterPorts: k3s ? K3S_SERVER_PORTS : RKE2_SERVER_PORTS,
      vpcCidr: s.vpcCidr,
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    const lb = new NetworkLoadBalancer(this, 'load-balancer', {
      name,
      vpcId: network.vpc.id,
      subnetIds: network.subnets.map((subnet) => subnet.id),
      targetSecurityGroupId: nodeGroup.id,
      ports: nlbPorts(tls, inputs.adminCidrs),
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
    const snapshots = k3s ? undefined : new SnapshotBucket(this, 'etcd-snapshots', { namePrefix: `${name}-etcd-`, forceDestroy: s.etcdSnapshots.forceDestroyBucket });

    const parameterPath = `/${settings.name}/${id}`;
    const role = new NodeRole(this, 'node-role', { name, parameterPath, snapshotBucketArn: snapshots?.arn });
    const pki = new ClusterPki(this, 'pki', { clusterName: name });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      values: {
        token: joinToken.result,
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
              etcdSnapshots: { ...s.etcdSnapshots, bucket: snapshots.name, region: settings.region, folder: id },
            },
            node,
          )
        : k3sUserData({ ...common, version: settings.versions.k3s }, node);
    const nodeIps = nodeSubnets.map((subnet) => cidrHost(subnet.cidr, NODE_HOST_NUMBER));
    const nodes = nodeSubnets.map((subnet, i) => {
      const node = new ServerNode(this, `server-${i}`, {
        name: `${name}-server-${i}`,
        amiId: ami.id,
        instanceType: s.instanceType,
        subnetId: subnet.id,
        privateIp: nodeIps[i],
        securityGroupIds: [nodeGroup.id],
        instanceProfileName: role.instanceProfile.name,
        rootVolumeGb: s.rootVolumeGb,
        keyName: s.sshKeyName,
        userData: userData({
          role: i === 0 ? 'init' : 'join',
          nodeIp: nodeIps[i],
          peerIps: nodeIps.filter((_, j) => j !== i),
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
        dependsOn: network.internetAccess,
      });
      nodeGroup.allowFrom('from-alb-80', { protocol: 'tcp', from: 80, to: 80, description: 'From the application load balancer' }, { securityGroupId: alb.securityGroup.id });
      nodes.forEach((node, i) => frontRegistrations.push(alb.addInstanceTarget(`server-${i}`, node.id)));
      front = alb;
    }
    const dns = new AliasRecord(this, 'dns', { zone, recordName: inputs.hostname, target: front });

    const access: ClusterAccess = {
      host: `https://${lb.dnsName}:${KUBERNETES_API_PORT}`,
      clusterCaCertificate: pki.serverCa.certPem,
      clientCertificate: pki.adminCertPem,
      clientKey: pki.adminKeyPem,
    };
    configureClusterProviders(this, access);
    const api = new ApiReadiness(this, 'api-readiness', { access, dependsOn: [...nodes.map((n) => n.instance), ...registrations, ...apiPath] });
    // Read by a replaced first server: the cluster exists, join it (boot-lib.sh guard_init).
    new SsmParameter(this, 'cluster-initialized', {
      name: `${parameterPath}/${CLUSTER_INITIALIZED}`,
      type: 'String',
      value: 'true',
      description: 'Written once the Kubernetes API answered; a first server booting later joins instead of initializing',
      dependsOn: [api.gate],
    });
    const certManager = tls.certManager
      ? new CertManager(this, 'cert-manager', {
          version: settings.versions.certManager,
          repository: settings.airGap.certManagerChartRepository,
          proxy,
          dependsOn: [api.gate],
        })
      : undefined;
    const namespace = new RancherNamespace(this, 'rancher-namespace', { dependsOn: [api.gate] });
    const secrets = new RancherTlsSecrets(this, 'tls-secrets', { plan: tls, certificates, namespace: namespace.name });
    const rancher = new RancherServer(this, 'rancher', {
      ...rancherServerSettings(settings, proxy),
      hostname: inputs.hostname,
      ingressClassName: INGRESS_CLASS[ingressController],
      extraObjects: tls.forwardedHeaders ? [forwardedHeadersChartConfig()] : [],
      namespace: namespace.name,
      // The record too: Let's Encrypt's HTTP-01 check, and the certificate wait, need the name to resolve.
      dependsOn: [certManager?.release ?? api.gate, ...secrets.resources, dns.record],
    });
    const ready = new RancherReadiness(this, 'rancher-readiness', {
      hostname: inputs.hostname,
      trust: readinessTrust(tls, certificates),
      dependsOn: [rancher.release, dns.record, ...frontRegistrations],
    });

    rancherOutputs(this, { ping: ready.ping, bootstrapPassword: rancher.bootstrapPassword });
    new TerraformOutput(this, 'kubeconfig', {
      value: kubeconfig(name, access),
      sensitive: true,
      description: 'Cluster-admin kubeconfig (terraform output -raw kubeconfig > kubeconfig.yaml)',
    });
    new TerraformOutput(this, 'load_balancer_dns_name', { value: front.dnsName, description: 'Load balancer name the Rancher record points at' });
    if (snapshots) new TerraformOutput(this, 'etcd_snapshot_bucket', { value: snapshots.name, description: 'Bucket holding scheduled etcd snapshots' });
    if (datastore) new TerraformOutput(this, 'datastore_address', { value: datastore.instance.address, description: 'K3s datastore (RDS) host name' });
  }
}

/** NLB listeners: the API always (admin CIDRs only); 80/443 unless an ALB ends TLS. */
function nlbPorts(tls: TlsPlan, adminCidrs: string[]): ForwardedPort[] {
  const api: ForwardedPort = { port: KUBERNETES_API_PORT, description: 'Kubernetes API from admin networks', from: { cidrList: adminCidrs } };
  if (tls.atLoadBalancer) return [api];
  return [...RANCHER_PUBLIC_PORTS.map((rule) => ({ port: rule.from, description: rule.description, from: { cidr: '0.0.0.0/0' } })), api];
}
