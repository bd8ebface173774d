import type { RecordedSetting } from '../../common/deployment-guard';
import { wildcardDomain } from '../../config/dns-schema';
import type { ResolvedDeploymentProps } from '../../config/deployment-schema';

/** What a switch of Rancher's name costs, per construct, for the guard's messages. */
export interface NameSwitch {
  /** What else the switch replaces or removes, e.g. the load balancer. */
  readonly replaces: string;
  /** How to move from a wildcard name to a domain of one's own instead. */
  readonly toDomain: string;
}

/**
 * `dns.mode` (and, with `wildcard`, `dns.wildcardDomain`) as guard records:
 * Rancher's name becomes its `server-url`, which every downstream cluster's
 * agent dials, so the name a deployment started with is kept unless the
 * change is accepted deliberately.
 */
export function dnsRecordedSettings(settings: Pick<ResolvedDeploymentProps, 'dns'>, change: NameSwitch): RecordedSetting[] {
  const accept = (setting: string) =>
    `To switch this deployment anyway, accept it: terraform apply -replace=<the ${setting} record>; then set Rancher's server-url to the new name, and reconnect downstream clusters registered under the old one.`;
  const recorded: RecordedSetting[] = [
    {
      setting: 'dns.mode',
      value: settings.dns.mode,
      // The message shows only when the recorded mode is the other one, so the settings' mode says the direction.
      procedure: `Rancher's name changes with it (its server-url, which every downstream cluster's agent uses), and ${change.replaces}. ${
        settings.dns.mode === 'route53'
          ? change.toDomain
          : 'Keep dns.mode route53 for a deployment that has a domain; a trial without one is a deployment of its own.'
      } ${accept('dns.mode')}`,
    },
  ];
  if (settings.dns.mode === 'wildcard') {
    recorded.push({
      setting: 'dns.wildcardDomain',
      value: wildcardDomain(settings.dns),
      procedure: `Rancher's name (its server-url, which every downstream cluster's agent uses) would move to the other domain. Keep it. ${accept('dns.wildcardDomain')}`,
    });
  }
  return recorded;
}
