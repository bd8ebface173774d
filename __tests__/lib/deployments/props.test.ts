import type { SettingsInput } from '../../../lib/config/schema';
import type { AirGapProps, DnsProps, ProxyProps, RancherProps, TimeoutsProps, VersionsProps } from '../../../lib/deployments/props';
import type { K8sHaProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import type { DockerProps } from '../../../lib/deployments/rancher-on-docker-props';
import type { RkeHaProps } from '../../../lib/deployments/rancher-on-rke-props';

/**
 * The props are declared apart from the settings schema, and the constructs
 * check them with it (resolveProps). Every value the props' types allow must
 * be one the schema's input type takes, or a prop would be refused by its
 * type's own promise: checked by the type-check (npm test runs tsc).
 */
type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
type Fits<Props, Section> = Writable<Props> extends NonNullable<Section> ? true : false;

const FITS: {
  rkeHa: Fits<RkeHaProps, SettingsInput['rkeHa']>;
  k8sHa: Fits<K8sHaProps, SettingsInput['k8sHa']>;
  docker: Fits<DockerProps, SettingsInput['docker']>;
  rancher: Fits<RancherProps, SettingsInput['rancher']>;
  versions: Fits<VersionsProps, SettingsInput['versions']>;
  proxy: Fits<ProxyProps, SettingsInput['proxy']>;
  airGap: Fits<AirGapProps, SettingsInput['airGap']>;
  timeouts: Fits<TimeoutsProps, SettingsInput['timeouts']>;
  dns: Fits<DnsProps, SettingsInput['dns']>;
} = { rkeHa: true, k8sHa: true, docker: true, rancher: true, versions: true, proxy: true, airGap: true, timeouts: true, dns: true };

describe('props and the settings schema', () => {
  it('every props section fits the schema section the constructs check it with (a type-check; listed here)', () => {
    expect(Object.values(FITS).every(Boolean)).toBe(true);
    expect(Object.keys(FITS)).toHaveLength(9);
  });
});
