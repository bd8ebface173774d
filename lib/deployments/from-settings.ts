import type { DeploymentVariables } from '../config/deployment-variables';
import type { Settings } from '../config/schema';
import type { AwsDeploymentProps, CommonDeploymentProps, PublicNameProps } from './props';

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
    alarms: settings.alarms,
  };
}

/** Whether the settings name Rancher after an address (`dns.mode: wildcard`): no hostname or zone variables then. */
export const wildcardName = (settings: Pick<Settings, 'dns'>): boolean => settings.dns.mode === 'wildcard';

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
