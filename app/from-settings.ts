import type { DeploymentVariables } from './deployment-variables';
import type { Settings } from '../lib/config/schema';
import { wildcardName } from '../lib/deployments/private/rancher-name';
import type { AwsDeploymentProps, CommonDeploymentProps, PublicNameProps } from '../lib/deployments/props';

/**
 * The props sections a settings file gives every Rancher construct (the
 * mode's own section, the hostname, zone and admin networks are the stack's
 * to add: they come from its Terraform variables).
 */
export function deploymentProps(settings: Settings): CommonDeploymentProps {
  return {
    name: settings.name,
    region: settings.region,
    rancher: settings.rancher,
    versions: settings.versions,
    proxy: settings.proxy,
    airGap: settings.airGap,
    timeouts: settings.timeouts,
    backups: settings.backups,
    alarms: settings.alarms,
  };
}

/**
 * Rancher's name as the settings give it to RancherOnRke and RancherOnDocker:
 * the stack's hostname and zone variables, or none with `dns.mode: wildcard`.
 */
export function publicNameProps(settings: Pick<Settings, 'dns'>, inputs: DeploymentVariables): PublicNameProps {
  if (wildcardName(settings)) return { dns: settings.dns };
  return { dns: settings.dns, hostname: inputs.hostname, hostedZone: inputs.zoneName };
}

/** What a stack gives RancherOnRke or RancherOnDocker besides the mode's section: the settings and its Terraform variables. */
export function awsDeploymentProps(settings: Settings, inputs: DeploymentVariables): AwsDeploymentProps {
  return {
    ...deploymentProps(settings),
    vpc: settings.vpc,
    ...publicNameProps(settings, inputs),
    adminCidrs: inputs.adminCidrs,
    deployerArns: inputs.deployerArns,
  };
}
