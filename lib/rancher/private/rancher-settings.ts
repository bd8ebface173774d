import type { ResolvedDeploymentProps } from '../../config/deployment-schema';
import type { ChartProxy } from '../../network/chart-proxy';
import { RANCHER_REPOSITORIES, type RancherServerProps } from '../rancher-server';

/**
 * The RancherServer props that come straight from the settings, the same in
 * every Helm-installed stack: version and chart source, proxy, air gap,
 * replicas, TLS choice, audit log, install budget.
 */
export function rancherServerSettings(
  settings: Pick<ResolvedDeploymentProps, 'versions' | 'airGap' | 'rancher' | 'timeouts'>,
  proxy: ChartProxy | undefined,
): Pick<RancherServerProps, 'version' | 'repository' | 'proxy' | 'airGap' | 'replicas' | 'tls' | 'auditLog' | 'minutes'> {
  return {
    version: settings.versions.rancher,
    repository: settings.airGap.rancherChartRepository ?? RANCHER_REPOSITORIES[settings.rancher.repository],
    minutes: settings.timeouts.rancherMinutes,
    proxy,
    airGap: settings.airGap,
    replicas: settings.rancher.replicas,
    tls: settings.rancher.tls,
    auditLog: settings.rancher.auditLog,
  };
}
