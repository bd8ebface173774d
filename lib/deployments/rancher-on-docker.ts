import { Password } from '@cdktn/provider-random/lib/password';
import { Lazy, TerraformStack, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DeploymentAlarms } from '../alarms/deployment-alarms';
import { adminNetworks } from '../common/private/admin-networks';
import { DeploymentGuard } from '../common/deployment-guard';
import { addDeploymentRecord } from '../common/deployment-record';
import { agentTrustRecords } from './private/agent-trust';
import { bootstrapEnabled } from '../config/bootstrap-schema';
import { rancherOnDockerSchema, type ResolvedRancherOnDockerProps } from '../config/deployment-schema';
import { ARecord } from '../dns/a-record';
import { AliasRecord, publicZone } from '../dns/alias-record';
import { DataVolume, UPGRADE_SNAPSHOT_TAG, upgradeSnapshotName } from '../docker/data-volume';
import { AppliedRecord, DATA_SOURCE_KEY, NOT_RESTORED, RANCHER_VERSION_KEY } from '../docker/private/applied-record';
import { upgradeSnapshotCheck } from '../docker/private/upgrade-snapshot-check';
import {
  K3S_CERTIFICATE_END_PATH,
  K3S_CERTIFICATE_WARNING_DAYS,
  K3S_RENEW_WITHIN_DAYS,
  k3sCertificateCheck,
} from '../docker/private/k3s-certificate-check';
import { restartMetricNamespace, serverMetric } from '../kubernetes/server-metrics';
import { type Metric, type MetricOptions, metricWith } from '../common/metric';
import { rancherUpgradeRules } from '../kubernetes/private/upgrade-rules';
import { hclString } from '../common/terraform-template';
import { DockerCertificate } from '../docker/docker-certificate';
import { DockerReadiness } from '../docker/docker-readiness';
import { dockerUserData } from '../docker/private/docker-user-data';
import { adaptToDataVolume } from '../docker/private/host-lifecycle';
import { PublicAddress } from '../network/public-address';
import { publicPorts } from '../docker/private/rancher-container';
import { BootParameters } from '../nodes/boot-parameters';
import { ApplicationLoadBalancer, type AlbHealthCheck } from '../loadbalancer/application-load-balancer';
import { forPartition } from '../nodes/private/partition-endpoints';
import { addVpcOptions } from './private/vpc-options';
import { vpcRangesEntry } from '../network/private/vpc-ranges';
import { NodeRole } from '../nodes/node-role';
import { NodeSecurityGroup } from '../nodes/node-security-group';
import { ServerNode } from '../nodes/server-node';
import { HTTP_PORT } from '../nodes/private/ports';
import { ServerImage } from '../nodes/server-image';
import { warnOnArm64 } from './private/server-architecture';
import { LoadBalancerCertificate } from '../tls/acm-certificate';
import { acmSource } from '../tls/tls-plan';
import type { RancherOnDockerProps } from './rancher-on-docker-props';
import { dnsRecordedSettings } from './private/dns-recorded-settings';
import { dockerNetwork } from './private/docker-network';
import { dockerNetworkPlan } from './private/network-plan';
import { rancherName, wildcardName } from './private/rancher-name';
import { providerRegion } from './private/provider-region';
import { requireTerraformVersion } from '../common/terraform-version';
import { requiredName, requireProps, resolveProps } from './private/resolve-props';
import { firstLoginAfter } from './private/rancher-ready';
import { deploymentParameterPath, deploymentPrefix, stackLevelName } from './private/stack-level-names';
import { RancherDeployment } from './rancher-deployment';

/**
 * The balancer's check of the container: Rancher's listener answers `/ping` over plain HTTP without redirecting
 * it to HTTPS (dynamiclistener exempts `/ping`, `/health` and `/.well-known/`), with `pong` once Rancher serves.
 */
const PING_OVER_HTTP: AlbHealthCheck = { path: '/ping', matcher: '200' };

/**
 * Rancher's Docker install: one EC2 instance running the rancher/rancher
 * container, its data on a separate snapshotted EBS volume, an Elastic IP and
 * a Route53 record (or, with `dns.mode: wildcard`, a name derived from the
 * Elastic IP: `<a-b-c-d>.sslip.io`), in one apply that ends when Rancher
 * answers on its hostname and its first login is done (`rancher.bootstrap`).
 * For tests and demos (Rancher's docs: not for production).
 *
 * With `tls.mode: external` (the Docker install docs' external load
 * balancer) an ALB with an ACM certificate ends TLS in front of the container:
 * the ALB takes a second public subnet in another zone (the host's subnet
 * stays as it is), forwards plain HTTP to the container's port 80, the only
 * port the host opens (to the ALB alone), and the record becomes an alias to
 * the ALB. The Elastic IP stays the host's fixed egress address.
 *
 * Needs the aws, tls, random and http providers in the stack; brings its own
 * rancher2 provider for the first login.
 */
export class RancherOnDocker extends RancherDeployment {
  /** `https://<hostname>`, known once Rancher answered `/ping` at the end of the apply. */
  readonly url: string;
  /** Rancher's name: `hostname` as given, or the wildcard name derived from the host's Elastic IP. */
  readonly hostname: string;
  /** The generated password Rancher starts with (sensitive); with the first-login bootstrap on, the admin password too. */
  readonly bootstrapPassword: string;
  /** The admin password the first-login bootstrap set (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminPassword?: string;
  /** The admin API token of the first-login bootstrap (sensitive); unset with `rancher.bootstrap.enabled: false`. */
  readonly adminToken?: string;
  /** The host's Elastic IP (the DNS record points at it, unless a load balancer ends TLS). */
  readonly publicIp: string;
  /** The ALB the record points at (`tls.mode: external`). */
  readonly loadBalancerDnsName?: string;
  /** The EBS volume holding /var/lib/rancher; its snapshots are the backups. */
  readonly dataVolumeId: string;
  /** The id of the EC2 instance running the Rancher container (a Terraform reference); Rancher's data is on the data volume, not on it. */
  readonly instanceId: string;
  /** The alarms and their SNS topic (`alarms.enabled`). */
  readonly alarms?: DeploymentAlarms;
  /** The host (`host.metricStatusCheckFailed()`, ...). */
  readonly host: ServerNode;
  /** `<name>-<stack id>`: the prefix of the deployment's resource names and its metric namespace. */
  private readonly name: string;

  constructor(scope: Construct, id: string, props: RancherOnDockerProps) {
    super(scope, id);
    const d = this.resolve(props);
    this.name = d.name;
    const network = dockerNetwork(this, dockerNetworkPlan(d.props), d.name, { loadBalancerZones: d.external ? 2 : 0 });
    const { applied, runningVersion, guard } = this.addDeploymentGuard(d, network);
    const traffic = this.allowTraffic(d, props, network);
    const naming = this.nameRancher(d, props, network, guard);
    this.hostname = naming.hostname;
    const boot = this.addBootParameters(d, props, naming, () => host.dataVolumeId);
    const host = this.addHost(d, network, traffic, naming, boot);
    const entry = this.addEntry(d, props, network, traffic, naming, host);
    this.loadBalancerDnsName = entry.loadBalancerDnsName;
    const { ready, firstLogin } = this.awaitRancher(d, naming, boot, host, entry, applied, runningVersion);

    this.url = ready.url;
    this.bootstrapPassword = boot.password.result;
    this.adminPassword = firstLogin.adminPassword;
    this.adminToken = firstLogin.adminToken;
    this.publicIp = naming.address.ip;
    this.dataVolumeId = host.dataVolumeId;
    this.instanceId = host.node.id;
    this.host = host.node;
    if (d.props.alarms.enabled) {
      this.alarms = new DeploymentAlarms(this, 'alarms', {
        name: d.name,
        region: d.props.region,
        key: boot.parameters.key,
        email: d.props.alarms.email,
        dependsOn: [ready.ping],
      });
      this.addOwnAlarms(d, this.alarms, host.node, entry.acmCertificate, naming.hostname);
    }
    // What the operations commands read of this deployment, under whatever id it has (docs/day-2.md).
    addDeploymentRecord(this, { name: d.props.name, kind: 'docker', region: d.props.region });
  }

  /** The props checked and resolved once, with the names every step uses. */
  private resolve(props: RancherOnDockerProps): DockerDeployment {
    const label = `RancherOnDocker ${this.node.path}`;
    requireProps(props, label);
    requireTerraformVersion(this);
    const resolved = resolveProps(
      rancherOnDockerSchema,
      { ...props, region: providerRegion(this, props.region, label) },
      'docker',
      label,
      { docker: TerraformStack.of(this).node.id },
      props,
    );
    return {
      props: resolved,
      name: deploymentPrefix(this, resolved.name),
      parameterPath: deploymentParameterPath(this, resolved.name),
      // An ALB needs subnets in two zones: the second is only the ALB's. Adding it leaves the first (the host's) alone.
      external: resolved.tls.mode === 'external',
    };
  }

  /**
   * What the last successful apply left running, read by this plan (the version rule and the upgrade snapshot's
   * warning), and the guard that refuses, at plan time, the changes that would orphan the host and its data volume,
   * and a Rancher version the data cannot be moved to: one minor at a time, never down but with a restore of data the
   * lower version wrote.
   */
  private addDeploymentGuard(
    d: DockerDeployment,
    network: DockerNetwork,
  ): { applied: AppliedRecord; runningVersion: string; guard: DeploymentGuard } {
    const { props } = d;
    const restoredFrom = props.dataVolume.restoreSnapshotId ?? NOT_RESTORED;
    const applied = new AppliedRecord(this, 'applied', {
      parameterPath: d.parameterPath,
      values: { [RANCHER_VERSION_KEY]: props.versions.rancher, [DATA_SOURCE_KEY]: restoredFrom },
    });
    const runningVersion = applied.recorded(RANCHER_VERSION_KEY);
    const guard = new DeploymentGuard(this, 'deployment-guard', {
      recorded: [
        {
          setting: 'name',
          value: props.name,
          procedure: 'Resource names and the SSM path derive from it. Keep it; a second deployment needs a state of its own.',
        },
        {
          setting: 'region',
          value: props.region,
          procedure:
            'The host and its data volume live in that region: another region would build a second deployment and orphan this one with its data. Keep it; move Rancher with a snapshot copied to the new region (docs/docker.md, "The docker stack").',
        },
        ...dnsRecordedSettings(props, {
          replaces:
            'the Route53 record goes or comes; with issuer ca or acme the host is replaced for a certificate of the new name (the Elastic IP and the data volume stay)',
          toDomain:
            'For a domain of your own, build a new deployment with dns.mode route53 from a snapshot of the data volume (dataVolume.restoreSnapshotId).',
        }),
      ],
      conditions: [
        ...network.conditions,
        ...rancherUpgradeRules({
          version: props.versions.rancher,
          running: runningVersion,
          // A snapshot asked for that the last apply did not restore: this apply makes the volume again from it.
          // (Unsetting the setting restores nothing: the volume keeps the snapshot it was made from.)
          restoring: props.dataVolume.restoreSnapshotId ? `${hclString(restoredFrom)} != ${applied.recorded(DATA_SOURCE_KEY)}` : undefined,
          downgradeProcedure: `a restore: set dataVolume.restoreSnapshotId to the snapshot taken before the upgrade (tag ${UPGRADE_SNAPSHOT_TAG}) in the same change`,
        }),
      ],
    });
    return { applied, runningVersion, guard };
  }

  /** The host's security group, the VPC's options in a network the stack created, and what reaches the host. */
  private allowTraffic(d: DockerDeployment, given: RancherOnDockerProps, network: DockerNetwork): DockerTraffic {
    const { props, name } = d;
    const group = new NodeSecurityGroup(this, 'security-group', {
      vpcId: network.vpcId,
      name,
      clusterPorts: [],
      ...network.vpcRanges,
      egressOnlyTo: props.proxy.egressOnlyTo,
    });
    // Flow logs and VPC endpoints in a network the stack created. Nothing here is prevent_destroy (tests and
    // demos): a flow log bucket goes with the stack.
    // The endpoints are what the nodes reach AWS through with closed egress: they boot after them.
    const vpcEndpoints = network.created
      ? addVpcOptions(this, {
          network: network.created,
          settings: props.vpc,
          name,
          nodeRouteTableIds: [network.created.routeTableId],
          forceDestroyLogs: true,
          proxy: props.proxy,
          nodeGroup: group,
        }).endpoints
      : undefined;
    // What /ping comes in through (besides the ALB's, with one).
    const publicRules = publicPorts(props.tls).map((rule) => group.allowFrom(`public-${rule.from}`, rule, { cidr: '0.0.0.0/0' }));
    // The admin networks reach SSH only: without a key pair they open nothing (and need no address lookup).
    if (props.sshKeyName) group.allowSsh(adminNetworks(this, given.adminCidrs));
    return { group, vpcEndpoints, publicRules };
  }

  /** Rancher's name (from the Elastic IP with a wildcard name), its certificate, and what agents trust of them. */
  private nameRancher(d: DockerDeployment, given: RancherOnDockerProps, network: DockerNetwork, guard: DeploymentGuard): DockerNaming {
    const { props, name } = d;
    // Allocated before the host, which a wildcard name tells its own address; associated once the host exists.
    const address = new PublicAddress(this, 'address', { name, dependsOn: network.internetGateway });
    const hostname = rancherName(this, props, {
      hostname: given.hostname,
      address: () => address.ip,
      issuer: props.tls.issuer,
      issuerSetting: 'tls.issuer',
    });
    const certificate = new DockerCertificate(this, 'certificate', { tls: props.tls, hostname });
    // Rancher's name (unless it is made of the address, which the dns records hold) and the CA agents trust.
    for (const record of agentTrustRecords({
      tlsSetting: 'tls',
      tls: props.tls,
      caCertificate: () => certificate.variables.get('caCertificate'),
      hostname: wildcardName(props) ? undefined : hostname,
      accept: props.rancher.acceptAgentChange,
    }))
      guard.record(record);
    return { address, hostname, certificate };
  }

  /**
   * The bootstrap password, the host's role and the SSM parameters it boots from. The role comes before the volume
   * (its partition lookup is the stack's, a recorded address) and names it lazily (`volumeId`, read at synth, once
   * the volume exists).
   */
  private addBootParameters(d: DockerDeployment, given: RancherOnDockerProps, naming: DockerNaming, volumeId: () => string): DockerBoot {
    const { props, name, parameterPath } = d;
    const password = new Password(this, 'bootstrap-password', { length: 32, special: false });
    const role = new NodeRole(this, 'node-role', {
      name,
      parameterPath: parameterPath,
      volumeSnapshots: { volumeId: Lazy.stringValue({ produce: volumeId }), tagKey: UPGRADE_SNAPSHOT_TAG, tagValue: name },
      // The K3s certificate renewal's report (read by every plan) and, with alarms, its metrics.
      reportPath: `${parameterPath}/${K3S_CERTIFICATE_END_PATH}`,
      metricNamespace: props.alarms.enabled ? restartMetricNamespace(name) : undefined,
    });
    k3sCertificateCheck(this, { parameterPath, checkName: stackLevelName(this, 'k3s_certificate') });
    const parameters = new BootParameters(this, 'boot-parameters', {
      prefix: parameterPath,
      readerRoleArn: role.role.arn,
      deployerArns: given.deployerArns ? [...given.deployerArns] : undefined,
      readsDeployerSession: given.readsDeployerSession,
      values: {
        'bootstrap-password': password.result,
        ...Object.fromEntries([...naming.certificate.files].map(([file, pem]) => [`tls-${file}`, pem])),
      },
    });
    return { password, role, parameters };
  }

  /** The data volume, the host that mounts it and runs the rancher container, and the Elastic IP's association. */
  private addHost(d: DockerDeployment, network: DockerNetwork, traffic: DockerTraffic, naming: DockerNaming, boot: DockerBoot): DockerHost {
    const { props, name } = d;
    // The host runs Ubuntu on either architecture: apt's docker.io and the rancher/rancher image (a manifest list with an
    // arm64 build) fit both.
    const ami = new ServerImage(this, 'ami', { amiId: props.amiId, architecture: props.architecture, region: props.region });
    warnOnArm64(this, props.architecture, 'architecture', props.versions.rancher);
    const data = new DataVolume(this, 'data', {
      name,
      availabilityZone: network.subnet.availabilityZone,
      sizeGb: props.dataVolume.sizeGb,
      snapshots: props.dataVolume.snapshots,
      snapshotId: props.dataVolume.restoreSnapshotId,
      finalSnapshot: props.dataVolume.finalSnapshot,
    });
    const node = new ServerNode(this, 'server', {
      name: `${name}-server`,
      amiId: ami.id,
      instanceType: props.instanceType,
      subnetId: network.subnet.id,
      privateIp: network.hostAddress,
      // Egress from the first boot on, before the Elastic IP is associated (which then takes its place).
      publicAddress: true,
      securityGroupIds: [traffic.group.id],
      instanceProfileName: boot.role.instanceProfile.name,
      rootVolumeGb: props.rootVolumeGb,
      keyName: props.sshKeyName,
      userData: forPartition(
        dockerUserData({
          region: props.region,
          parameterPrefix: boot.parameters.prefix,
          dataVolumeId: data.id,
          deploymentName: name,
          metricNamespace: props.alarms.enabled ? restartMetricNamespace(name) : undefined,
          version: props.versions.rancher,
          hostname: naming.hostname,
          tls: props.tls,
          auditLog: props.rancher.auditLog,
          proxy: props.proxy,
          airGap: props.airGap,
          vpcRanges: vpcRangesEntry(network.vpcRanges),
          certificateFingerprint: naming.certificate.fingerprint,
        }),
        props.region,
      ),
      dependsOn: [
        ...boot.parameters.parameters,
        ...boot.role.grants,
        ...traffic.group.egress,
        ...network.hostEgress,
        ...(traffic.vpcEndpoints?.endpoints.values() ?? []),
      ],
    });
    adaptToDataVolume(node, `${name}-server`);
    const attachment = data.attachTo('attachment', node.id);
    const association = naming.address.associate(node.id);
    return { node, dataVolumeId: data.id, attachment, association };
  }

  /**
   * What /ping reaches Rancher through: with `tls.mode: external` an ALB with an ACM certificate and an alias record;
   * otherwise the A record of the Elastic IP (none with a wildcard name, which resolves from the name itself: the
   * association is what makes it lead to the host).
   */
  private addEntry(
    d: DockerDeployment,
    given: RancherOnDockerProps,
    network: DockerNetwork,
    traffic: DockerTraffic,
    naming: DockerNaming,
    host: DockerHost,
  ): DockerEntry {
    const { props, name } = d;
    const { hostname } = naming;
    // What the final probe reaches Rancher through besides the record: the balancer's listeners and registration.
    const publicListeners: ITerraformDependable[] = [...traffic.publicRules];
    if (d.external) {
      const source = acmSource(props.tls.issuer);
      if (!source) throw new Error(`tls.issuer ${props.tls.issuer} has no certificate for a load balancer`);
      const zoneName = requiredName(given.hostedZone);
      const acmCertificate = new LoadBalancerCertificate(this, 'load-balancer-certificate', {
        source,
        hostname,
        // Its own lookup of the zone: the record's (below) keeps the address it has without a balancer.
        zoneId: source === 'issue' ? publicZone(this, 'certificate-zone', zoneName).zoneId : undefined,
        certificates: naming.certificate.variables,
        expiryCheckName: stackLevelName(this, 'load_balancer_certificate'),
      });
      const alb = new ApplicationLoadBalancer(this, 'load-balancer', {
        name,
        vpcId: network.vpcId,
        subnetIds: network.loadBalancerSubnetIds,
        certificateArn: acmCertificate.arn,
        targetSecurityGroupId: traffic.group.id,
        healthCheck: PING_OVER_HTTP,
        // The Docker install is for tests and demos: nothing of it is kept from a destroy (FSBP ELB.6 fails here).
        deletionProtection: false,
        dependsOn: network.internetGateway,
      });
      const fromAlb = traffic.group.allowFrom(
        `from-alb-${HTTP_PORT}`,
        { protocol: 'tcp', from: HTTP_PORT, to: HTTP_PORT, description: 'From the application load balancer' },
        {
          securityGroupId: alb.securityGroup.id,
        },
      );
      publicListeners.push(fromAlb, ...alb.addInstanceTarget('server', host.node.id), ...alb.listeners, ...alb.rules);
      // The same construct id and record as the A record's: a switch updates the record in place.
      const dnsRecords = [new AliasRecord(this, 'dns', { zoneName, recordName: hostname, target: alb }).record];
      return { publicListeners, dnsRecords, acmCertificate, loadBalancerDnsName: alb.dnsName };
    }
    const dnsRecords = wildcardName(props)
      ? []
      : [new ARecord(this, 'dns', { zoneName: requiredName(given.hostedZone), recordName: hostname, addresses: [naming.address.ip] }).record];
    return { publicListeners, dnsRecords };
  }

  /** Rancher answering /ping through its name, the record of what this apply left running, and the first login. */
  private awaitRancher(
    d: DockerDeployment,
    naming: DockerNaming,
    boot: DockerBoot,
    host: DockerHost,
    entry: DockerEntry,
    applied: AppliedRecord,
    runningVersion: string,
  ): { ready: DockerReadiness; firstLogin: ReturnType<typeof firstLoginAfter> } {
    const { props, name } = d;
    const ready = new DockerReadiness(this, 'rancher-readiness', {
      hostname: naming.hostname,
      issuer: props.tls.issuer,
      caCertPem: naming.certificate.caCertPem,
      minutes: props.timeouts.pingMinutes,
      dependsOn: [host.attachment, host.association, ...entry.dnsRecords, ...entry.publicListeners],
    });
    applied.writtenAfter(ready.ping);
    upgradeSnapshotCheck(this, {
      checkName: stackLevelName(this, 'rancher_upgrade_snapshot'),
      version: props.versions.rancher,
      running: runningVersion,
      snapshotName: upgradeSnapshotName(name, props.versions.rancher),
      volumeOutput: 'data_volume_id',
    });
    const firstLogin = firstLoginAfter(this, ready, {
      enabled: bootstrapEnabled(props.rancher, false),
      hostname: naming.hostname,
      password: boot.password.result,
      minutes: props.timeouts.bootstrapMinutes,
    });
    return { ready, firstLogin };
  }

  /** The host's status checks, its K3s certificates, /ping through a Route53 name (none with a wildcard name), the ALB's ACM certificate. */
  private addOwnAlarms(
    d: DockerDeployment,
    alarms: DeploymentAlarms,
    host: ServerNode,
    acmCertificate: LoadBalancerCertificate | undefined,
    hostname: string,
  ): void {
    alarms.alarmOnStatusCheck('server', host.metricStatusCheckFailed());
    alarms.addAlarm('k3s-certificate-days-left', {
      alarmDescription:
        `The K3s certificates inside the rancher container end within ${K3S_CERTIFICATE_WARNING_DAYS} days, or the host sent no report for two days ` +
        `(its renewal timer restarts the container ${K3S_RENEW_WITHIN_DAYS} days ahead); docs/day-2.md "Alarms"`,
      metric: this.metricK3sCertificateDaysLeft(),
      comparisonOperator: 'LessThanThreshold',
      threshold: K3S_CERTIFICATE_WARNING_DAYS,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // Sent once a day: two days without it means the timer does not run. FILL makes a day without a report breach
      // at once: on the bare metric CloudWatch would judge the older days its evaluation range still holds. One
      // host, so one series, no dimension: a replaced host carries it on, and no other host can hide it.
      fillMissing: 0,
      treatMissingData: 'breaching',
    });
    alarms.alarmOnServerSignal(
      'k3s-certificate-renewal',
      this.metricK3sCertificateRenewalFailed(),
      "The host's restart of the rancher container did not renew its K3s certificates (the container is kept as it was)",
    );
    if (acmCertificate) alarms.alarmOnCertificateExpiry(acmCertificate.metricDaysToExpiry());
    if (!wildcardName(d.props)) alarms.addPingCheck(hostname);
  }

  /** Days until the earliest K3s certificate inside the container ends, as the host sends it daily (alarms on). */
  metricK3sCertificateDaysLeft(options: MetricOptions = {}): Metric {
    return metricWith({ ...serverMetric(this.metricNamespace(), 'K3sCertificateDaysLeft'), statistic: 'Minimum', period: 86_400 }, options);
  }

  /** 1 after a renewal restart that failed, 0 after one that worked (alarms on). */
  metricK3sCertificateRenewalFailed(options: MetricOptions = {}): Metric {
    return metricWith(serverMetric(this.metricNamespace(), 'K3sCertificateRenewalFailed'), options);
  }

  private metricNamespace(): string {
    if (!this.alarms) throw new Error(`RancherOnDocker ${this.node.path}: the host sends its metrics only with alarms.enabled`);
    return restartMetricNamespace(this.name);
  }
}

/** The props resolved once, and the names every step of RancherOnDocker uses. */
interface DockerDeployment {
  /** The props checked and completed (rancherOnDockerSchema): every default filled in. */
  readonly props: ResolvedRancherOnDockerProps;
  /** `<name>-<stack id>`. */
  readonly name: string;
  readonly parameterPath: string;
  /** TLS ends at an ALB (`tls.mode: external`). */
  readonly external: boolean;
}
type DockerNetwork = ReturnType<typeof dockerNetwork>;

interface DockerTraffic {
  readonly group: NodeSecurityGroup;
  readonly vpcEndpoints?: ReturnType<typeof addVpcOptions>['endpoints'];
  readonly publicRules: ITerraformDependable[];
}

interface DockerNaming {
  readonly address: PublicAddress;
  readonly hostname: string;
  readonly certificate: DockerCertificate;
}

interface DockerBoot {
  readonly password: Password;
  readonly role: NodeRole;
  readonly parameters: BootParameters;
}

interface DockerHost {
  readonly node: ServerNode;
  readonly dataVolumeId: string;
  readonly attachment: ITerraformDependable;
  readonly association: ITerraformDependable;
}

interface DockerEntry {
  readonly publicListeners: ITerraformDependable[];
  readonly dnsRecords: ITerraformDependable[];
  readonly acmCertificate?: LoadBalancerCertificate;
  readonly loadBalancerDnsName?: string;
}
