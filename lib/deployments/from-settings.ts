import type { Settings } from '../config/schema';
import type { DeploymentProps } from './props';

/**
 * The props sections a settings file gives every Rancher construct (the
 * mode's own section, the hostname, zone and admin networks are the stack's
 * to add: they come from its Terraform variables).
 */
export function deploymentProps(settings: Settings): Omit<DeploymentProps, 'hostname' | 'hostedZone'> {
  return {
    name: settings.name,
    region: settings.region,
    rancher: settings.rancher,
    versions: settings.versions,
    proxy: settings.proxy,
    airGap: settings.airGap,
    timeouts: settings.timeouts,
  };
}
