import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { configureBackend } from '../lib/backend/state-backend';
import { configureBaseProviders } from '../lib/common/providers';
import { cidrHost } from '../lib/config/cidr';
import { DeploymentVariables } from '../lib/config/deployment-variables';
import type { Settings } from '../lib/config/schema';
import { AliasRecord } from '../lib/dns/alias-record';
import { BootParameters } from '../lib/kubernetes/boot-parameters';
import { ClusterPki } from '../lib/kubernetes/cluster-pki';
import { kubeconfig } from '../lib/kubernetes/kubeconfig';
import { rke2UserData } from '../lib/kubernetes/rke2-user-data';
import { SnapshotBucket } from '../lib/kubernetes/snapshot-bucket';
import { NetworkLoadBalancer } from '../lib/loadbalancer/network-load-balancer';
import { PublicNetwork } from '../lib/network/public-network';
import { NodeRole } from '../lib/nodes/node-role';
import { NodeSecurityGroup } from '../lib/nodes/node-security-group';
import { KUBERNETES_API_PORT, RANCHER_PUBLIC_PORTS } from '../lib/nodes/ports';
import { ServerNode } from '../lib/nodes/server-node';
import { UbuntuAmi } from '../lib/nodes/ubuntu-ami';
import { ApiReadiness } from '../lib/rancher/api-readiness';
import { CertManager } from '../lib/rancher/cert-manager';
import { INGRESS_CLASS } from '../lib/rancher/chart-values';
import { configureClusterProviders, type ClusterAccess } from '../lib/rancher/cluster-access';
import { RancherReadiness } from '../lib/rancher/rancher-readiness';
import { RancherServer } from '../lib/rancher/rancher-server';

export const RKE_HA_STACK = 'rke-ha';

/** Host number of each server's fixed address inside its subnet. */
const NODE_HOST_NUMBER = 10;

/**
 * RancherOnRKE: three RKE2 servers (etcd + control plane + worker each) over
 * three zones behind a TCP NLB, a Route53 alias, then cert-manager and Rancher
 * from Helm, in one apply that ends when Rancher answers on its hostname.
 */
export class RkeHaStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const name = `${settings.name}-${id}`;
    const s = settings.rkeHa;

    configureBackend(this, id, settings.backend, settings.region);
    configureBaseProviders(this, { region: settings.region, tags: { 'rancher-aws:deployment': name, ...settings.tags } });
    const inputs = new DeploymentVariables(this, 'inputs', settings);

    const network = new PublicNetwork(this, 'network', { cidr: s.vpcCidr, name });
    const nodeGroup = new NodeSecurityGroup(this, 'node-security-group', { vpcId: network.vpc.id, name });
    const lb = new NetworkLoadBalancer(this, 'load-balancer', {
      name,
      vpcId: network.vpc.id,
      subnetIds: network.subnets.map((subnet) => subnet.id),
      targetSecurityGroupId: nodeGroup.id,
      ports: [
        ...RANCHER_PUBLIC_PORTS.map((rule) => ({ port: rule.from, description: rule.description, from: { cidr: '0.0.0.0/0' } })),
        { port: KUBERNETES_API_PORT, description: 'Kubernetes API from admin networks', from: { cidrList: inputs.adminCidrs } },
      ],
    });
    for (const port of lb.targetGroups.keys()) {
      nodeGroup.allowFrom(`from-lb-${port}`, { protocol: 'tcp', from: port, to: port, description: 'From the load balancer' }, {
        securityGroupId: lb.securityGroup.id,
      });
    }
    if (s.sshKeyName) nodeGroup.allowSsh(inputs.adminCidrs);

    const pki = new ClusterPki(this, 'pki', { clusterName: name });
    const joinToken = new Password(this, 'join-token', { length: 48, special: false });
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: `/${settings.name}/${id}`,
      values: {
        token: joinToken.result,
        'server-ca-cert': pki.serverCa.certPem,
        'server-ca-key': pki.serverCa.privateKeyPem,
        'client-ca-cert': pki.clientCa.certPem,
        'client-ca-key': pki.clientCa.privateKeyPem,
      },
    });
    const snapshots = new SnapshotBucket(this, 'etcd-snapshots', {
      namePrefix: `${name}-etcd-`,
      forceDestroy: s.etcdSnapshots.forceDestroyBucket,
    });
    const role = new NodeRole(this, 'node-role', { name, parameterArns: bootParameters.arns, snapshotBucketArn: snapshots.arn });
    const ami = new UbuntuAmi(this, 'ami', { amiId: s.amiId });

    const rke2 = {
      version: settings.versions.rke2,
      tlsSans: [inputs.hostname, lb.dnsName],
      ingressController: s.ingressController,
      etcdSnapshots: { ...s.etcdSnapshots, bucket: snapshots.name, region: settings.region, folder: id },
    };
    const nodeIps = network.subnets.map((subnet) => cidrHost(subnet.cidr, NODE_HOST_NUMBER));
    const nodes = network.subnets.map((subnet, i) => {
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
        userData: rke2UserData(rke2, {
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

    const dns = new AliasRecord(this, 'dns', { zoneName: inputs.zoneName, recordName: inputs.hostname, target: lb });

    const access: ClusterAccess = {
      host: `https://${lb.dnsName}:${KUBERNETES_API_PORT}`,
      clusterCaCertificate: pki.serverCa.certPem,
      clientCertificate: pki.adminCertPem,
      clientKey: pki.adminKeyPem,
    };
    configureClusterProviders(this, access);
    const api = new ApiReadiness(this, 'api-readiness', { access, dependsOn: [...nodes.map((n) => n.instance), ...registrations] });
    const certManager = new CertManager(this, 'cert-manager', { version: settings.versions.certManager, dependsOn: [api.gate] });
    const rancher = new RancherServer(this, 'rancher', {
      version: settings.versions.rancher,
      hostname: inputs.hostname,
      replicas: settings.rancher.replicas,
      ingressClassName: INGRESS_CLASS[s.ingressController],
      tls: settings.rancher.tls,
      dependsOn: [certManager.release],
    });
    const ready = new RancherReadiness(this, 'rancher-readiness', { hostname: inputs.hostname, dependsOn: [rancher.release, dns.record] });

    new TerraformOutput(this, 'rancher_url', {
      // Derived from the readiness probe, so the URL is only reported once Rancher answered.
      value: Fn.trimsuffix(ready.ping.url, '/ping'),
      description: 'Rancher, answering /ping when the apply finished',
    });
    new TerraformOutput(this, 'rancher_bootstrap_password', {
      value: rancher.bootstrapPassword,
      sensitive: true,
      description: 'First login password of the admin user (terraform output -raw rancher_bootstrap_password)',
    });
    new TerraformOutput(this, 'kubeconfig', {
      value: kubeconfig(name, access),
      sensitive: true,
      description: 'Cluster-admin kubeconfig (terraform output -raw kubeconfig > kubeconfig.yaml)',
    });
    new TerraformOutput(this, 'load_balancer_dns_name', { value: lb.dnsName, description: 'NLB name the Rancher record points at' });
    new TerraformOutput(this, 'etcd_snapshot_bucket', { value: snapshots.name, description: 'Bucket holding scheduled etcd snapshots' });
  }
}
