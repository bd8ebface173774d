import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentGuard } from '../common/deployment-guard';
import type { Settings } from '../config/schema';
import { ARecord } from '../dns/a-record';
import { DataVolume } from '../docker/data-volume';
import { DockerCertificate } from '../docker/docker-certificate';
import { DockerReadiness } from '../docker/docker-readiness';
import { dockerUserData } from '../docker/docker-user-data';
import { adaptToDataVolume } from '../docker/host-lifecycle';
import { PublicAddress } from '../docker/public-address';
import { publicPorts } from '../docker/rancher-container';
import { BootParameters } from '../kubernetes/boot-parameters';
import { NodeRole } from '../nodes/node-role';
import { NodeSecurityGroup } from '../nodes/node-security-group';
import { ServerNode } from '../nodes/server-node';
import { UbuntuAmi } from '../nodes/ubuntu-ami';
import type { RancherOnDockerProps } from './rancher-on-docker-props';
import { dockerNetwork } from './docker-network';
import { resolveProps } from './resolve-props';
import { deploymentPrefix } from './stack-level-names';

/**
 * Rancher's Docker install: one EC2 instance running the rancher/rancher
 * container, its data on a separate snapshotted EBS volume, an Elastic IP and
 * a Route53 record, in one apply that ends when Rancher answers on its
 * hostname. For tests and demos (Rancher's docs: not for production).
 *
 * Needs the aws, tls, random and http providers in the stack.
 */
export class RancherOnDocker extends Construct {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** First login password of the admin user (sensitive). */
  readonly bootstrapPassword: string;
  /** The host's Elastic IP (the DNS record points at it). */
  readonly publicIp: string;
  /** The EBS volume holding /var/lib/rancher; its snapshots are the backups. */
  readonly dataVolumeId: string;
  readonly instanceId: string;
  /** The settings the props resolved to (defaults filled in). */
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: RancherOnDockerProps) {
    super(scope, id);
    const settings = resolveProps(props, { docker: props.docker }, `RancherOnDocker ${this.node.path}`, { docker: TerraformStack.of(this).node.id });
    this.settings = settings;
    const s = settings.docker;
    const name = deploymentPrefix(this, settings.name);
    const adminCidrs = [...props.adminCidrs];
    const parameterPath = `/${settings.name}/${TerraformStack.of(this).node.id}`;
    const network = dockerNetwork(this, settings, name);
    const subnet = network.subnet;
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
      conditions: network.conditions,
    });

    const group = new NodeSecurityGroup(this, 'security-group', {
      vpcId: network.vpcId,
      name,
      clusterPorts: [],
      ...network.vpcRanges,
      egressOnlyTo: settings.proxy.egressOnlyTo,
    });
    for (const rule of publicPorts(s.tls)) group.allowFrom(`public-${rule.from}`, rule, { cidr: '0.0.0.0/0' });
    if (s.sshKeyName) group.allowSsh(adminCidrs);

    const certificate = new DockerCertificate(this, 'certificate', { tls: s.tls, hostname: props.hostname });
    const password = new Password(this, 'bootstrap-password', { length: 32, special: false });
    const role = new NodeRole(this, 'node-role', { name, parameterPath: parameterPath });
    const bootParameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
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
      privateIp: network.hostAddress,
      securityGroupIds: [group.id],
      instanceProfileName: role.instanceProfile.name,
      rootVolumeGb: s.rootVolumeGb,
      keyName: s.sshKeyName,
      userData: dockerUserData({
        region: settings.region,
        parameterPrefix: bootParameters.prefix,
        dataVolumeId: data.id,
        version: settings.versions.rancher,
        hostname: props.hostname,
        tls: s.tls,
        auditLog: settings.rancher.auditLog,
        proxy: settings.proxy,
        airGap: settings.airGap,
        vpcRanges: 'vpcCidr' in network.vpcRanges ? network.vpcRanges.vpcCidr : Fn.join(',', network.vpcRanges.vpcCidrs),
        certificateFingerprint: certificate.fingerprint,
      }),
      dependsOn: [...bootParameters.parameters, ...role.grants],
    });
    adaptToDataVolume(host, `${name}-server`);
    const attachment = data.attachTo('attachment', host.id);

    const address = new PublicAddress(this, 'address', { name, instanceId: host.id, dependsOn: network.internetGateway });
    const dns = new ARecord(this, 'dns', { zoneName: props.hostedZone, recordName: props.hostname, addresses: [address.ip] });

    const ready = new DockerReadiness(this, 'rancher-readiness', {
      hostname: props.hostname,
      issuer: s.tls.issuer,
      caCertPem: certificate.caCertPem,
      minutes: settings.timeouts.pingMinutes,
      dependsOn: [attachment, address.association, dns.record],
    });


    this.url = ready.url;
    this.bootstrapPassword = password.result;
    this.publicIp = address.ip;
    this.dataVolumeId = data.id;
    this.instanceId = host.id;
  }
}
