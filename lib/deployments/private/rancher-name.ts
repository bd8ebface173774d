import { Annotations } from 'cdktf';
import type { Construct } from 'constructs';
import { acmeOnWildcardWarning, wildcardDomain } from '../../config/dns-schema';
import type { ResolvedDeploymentProps } from '../../config/deployment-schema';
import { wildcardHostname } from '../../dns/private/wildcard-name';
import { requiredName } from './resolve-props';

/** Whether the settings name Rancher after an address (`dns.mode: wildcard`): no hostname or zone variables then. */
export const wildcardName = (settings: Pick<ResolvedDeploymentProps, 'dns'>): boolean => settings.dns.mode === 'wildcard';

export interface RancherNameSource {
  /** The hostname given (`dns.mode: route53`). */
  readonly hostname?: string;
  /** The public address a wildcard name is made of (asked only with `dns.mode: wildcard`). */
  readonly address: () => string;
  /** The issuer of Rancher's certificate, and the setting that names it (for the warning). */
  readonly issuer: string;
  readonly issuerSetting: string;
}

/**
 * Rancher's name for a construct that owns its public address (RancherOnRke,
 * RancherOnDocker): the hostname given, or the address through the wildcard
 * DNS service, with a warning on the construct when Let's Encrypt would issue
 * on that shared domain.
 */
export function rancherName(scope: Construct, settings: Pick<ResolvedDeploymentProps, 'dns'>, source: RancherNameSource): string {
  if (!wildcardName(settings)) return requiredName(source.hostname);
  const domain = wildcardDomain(settings.dns);
  if (source.issuer === 'acme') Annotations.of(scope).addWarning(acmeOnWildcardWarning(domain, source.issuerSetting));
  return wildcardHostname(source.address(), domain);
}
