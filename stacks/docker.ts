import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { Password } from '@cdktf/provider-random/lib/password';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { DeploymentGuard } from '../lib/common/deployment-guard';
import { rancherOutputs, stackFoundation } from '../lib/common/stack-foundation';
import { cidrHost } from '../lib/config/cidr';
import type { Settings } from '../lib/config/schema';
import { ARecord } from '../lib/dns/a-record';
import { DataVolume } from '../lib/docker/data-volume';
import { DockerCertificate } from '../lib/docker/docker-certificate';
import { DockerReadiness } from '../lib/docker/docker-readiness';
import { dockerUserData } from '../lib/docker/docker-user-data';
import { adaptToDataVolume } from '../lib/docker/host-lifecycle';
import { PublicAddress } from '../lib/docker/public-address';
import { publicPorts } from '../lib/docker/rancher-container';
import { BootParameters } from '../lib/kubernetes/boot-parameters';
import { PublicNetwork } from '../lib/network/public-network';
import { addVpcOptions } from '../lib/network/vpc-options';
import { NodeRole } from '../lib/nodes/node-role';
import { NodeSecurityGroup } from '../lib/nodes/node-security-group';
import { ServerNode } from '../lib/nodes/server-node';
import { UbuntuAmi } from '../lib/nodes/ubuntu-ami';

export const DOCKER_STACK = 'docker';

/** Host number of the instance's fixed address inside its subnet. */
const HOST_NUMBER = 10;

/**
 * Rancher's Docker install: one EC2 instance running the rancher/rancher
 * container, its data on a separate snapshotted EBS volume, an Elastic IP and
 * a Route53 record, in one apply that ends when Rancher answers on its hostname.
 */
export class DockerStack extends TerraformStack {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const s = settings.docker;
    const { name, inputs } = stackFoundation(this, settings);
    // Refuses, at plan time, the changes that would orphan the host and its data volume.
    new DeploymentGuard(this, 'deployment-guard', {
      recorded: [
        {
          setting: 'name',
          value: settings.name,
          procedure: 'Resource names and the SSM path derive from it. Keep it; a second deployment needs a state of its own.',
        },
        {
          setting: 'region',
          value: settings.region,
          procedure:
            'The host and its data volume live in that region: another region would build a second deployment and orphan this one with its data. Keep it; move Rancher with a snapshot copied to the new region (README, "The docker stack").',
        },
      ],
    });

    const network = new PublicNetwork(this, 'network', { cidr: s.vpcCidr, name, zoneCount: 1 });
    const subnet = network.subnets[0];
    const group = new NodeSecurityGroup(this, 'security-group', {
      vpcId: network.vpc.id,
      name,
      clusterPorts: [],
      vpcCidr: s.vpcCidr,
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    // Nothing here is prevent_destroy (tests and demos): a flow log bucket goes with the stack.
    addVpcOptions(this, { network, settings: settings.vpc, name, nodeRouteTableIds: [network.routeTableId], forceDestroyLogs: true, proxy: settings.proxy, nodeGroup: group });
    for (const rule of publicPorts(s.tls)) group.allowFrom(`public-${rule.from}`, rule, { cidr: '0.0.0.0/0' });
    if (s.sshKeyName) group.allowSsh(inputs.adminCidrs);

    const certificate = new DockerCertificate(this, 'certificate', { tls: s.tls, hostname: inputs.hostname });
    const password = new Password(this, 'bootstrap-password', { length: 32, special: false });
    const role = new NodeRole(this, 'node-role', { name, parameterPath: `/${settings.name}/${id}` });
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: `/${settings.name}/${id}`,
      readerRoleArn: role.role.arn,
      deployerArns: inputs.deployerArns,
      values: {
        'bootstrap-password': password.result,
        ...Object.fromEntries([...certificate.files].map(([file, pem]) => [`tls-${file}`, pem])),
      },
    });
    const ami = new UbuntuAmi(this, 'ami', { amiId: s.amiId });

    const data = new DataVolume(this, 'data', {
      name,
      availabilityZone: subnet.availabilityZone,
      sizeGb: s.dataVolume.sizeGb,
      snapshots: s.dataVolume.snapshots,
      snapshotId: s.dataVolume.restoreSnapshotId,
      finalSnapshot: s.dataVolume.finalSnapshot,
    });
    const host = new ServerNode(this, 'server', {
      name: `${name}-server`,
      amiId: ami.id,
      instanceType: s.instanceType,
      subnetId: subnet.id,
      privateIp: cidrHost(subnet.cidr, HOST_NUMBER),
      // Egress from the first boot on, before the Elastic IP is associated (which then takes its place).
      publicAddress: true,
      securityGroupIds: [group.id],
      instanceProfileName: role.instanceProfile.name,
      rootVolumeGb: s.rootVolumeGb,
      keyName: s.sshKeyName,
      userData: dockerUserData({
        region: settings.region,
        parameterPrefix: bootParameters.prefix,
        dataVolumeId: data.id,
        version: settings.versions.rancher,
        hostname: inputs.hostname,
        tls: s.tls,
        auditLog: settings.rancher.auditLog,
        proxy: settings.proxy,
        airGap: settings.airGap,
        vpcCidr: s.vpcCidr,
        certificateFingerprint: certificate.fingerprint,
      }),
      dependsOn: [...bootParameters.parameters, ...role.grants],
    });
    adaptToDataVolume(host, `${name}-server`);
    const attachment = data.attachTo('attachment', host.id);

    const igw = network.node.tryFindChild('igw');
    if (!(igw instanceof InternetGateway)) throw new Error('PublicNetwork has no internet gateway "igw"');
    const address = new PublicAddress(this, 'address', { name, instanceId: host.id, dependsOn: [igw] });
    const dns = new ARecord(this, 'dns', { zoneName: inputs.zoneName, recordName: inputs.hostname, addresses: [address.ip] });

    const ready = new DockerReadiness(this, 'rancher-readiness', {
      hostname: inputs.hostname,
      issuer: s.tls.issuer,
      caCertPem: certificate.caCertPem,
      minutes: settings.timeouts.pingMinutes,
      dependsOn: [attachment, address.association, dns.record],
    });

    rancherOutputs(this, { ping: ready.ping, bootstrapPassword: password.result });
    new TerraformOutput(this, 'public_ip', { value: address.ip, description: 'Elastic IP of the Rancher host (the DNS record points at it)' });
    new TerraformOutput(this, 'data_volume_id', { value: data.id, description: 'EBS volume holding /var/lib/rancher; its snapshots are the backups' });
    new TerraformOutput(this, 'instance_id', { value: host.id, description: 'For a shell: aws ssm start-session --target <instance_id>' });
  }
}
