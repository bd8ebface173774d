import type { z } from 'zod';
import type { rancherOnExistingClusterSchema, rancherOnRkeSchema } from '../../../lib/config/deployment-schema';
import type { DOCKER_FIELDS } from '../../../lib/config/docker-schema';
import type { K8S_HA_FIELDS } from '../../../lib/config/k8s-ha-schema';
import type { RKE_HA_FIELDS } from '../../../lib/config/rke-ha-schema';
import type { AirGapProps, DnsProps, ProxyProps, RancherProps, TimeoutsProps, VersionsProps } from '../../../lib/deployments/props';
import type { RancherOnExistingClusterProps } from '../../../lib/deployments/rancher-on-existing-cluster-props';
import type { RancherOnDockerProps } from '../../../lib/deployments/rancher-on-docker-props';
import type { RancherOnRkeProps } from '../../../lib/deployments/rancher-on-rke-props';

/**
 * The props are declared apart from the schemas, and each construct checks
 * them with its own (lib/config/deployment-schema.ts, through resolveProps).
 * Every value the props' types allow must be one that schema's input type
 * takes, or a prop would be refused by its type's own promise: checked by the
 * type-check (`npm run lint` runs tsc).
 */
type RkeInput = z.input<typeof rancherOnRkeSchema>;
type ExistingClusterInput = z.input<typeof rancherOnExistingClusterSchema>;
/** Each construct's own fields as its schema takes them (flat in the props and in the construct's schema). */
type RkeSection = z.input<z.ZodObject<typeof RKE_HA_FIELDS>>;
type K8sSection = z.input<z.ZodObject<typeof K8S_HA_FIELDS>>;
type DockerSection = z.input<z.ZodObject<typeof DOCKER_FIELDS>>;
type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
type Fits<Props, Section> = Writable<Props> extends NonNullable<Section> ? true : false;
/**
 * A construct's props of its own section (flat on the props, nested in a settings file): the keys the section has,
 * but `existingNetwork`, whose VPC and subnet objects resolveProps turns into the section's ids (held in
 * rancher-on-rke.test.ts and rancher-on-docker.test.ts by synthesizing both forms).
 */
type SectionProps<Props, Section> = Omit<Pick<Props, Extract<keyof Props, keyof NonNullable<Section>>>, 'existingNetwork'>;

const FITS: {
  rkeHa: Fits<SectionProps<RancherOnRkeProps, RkeSection>, RkeSection>;
  k8sHa: Fits<SectionProps<RancherOnExistingClusterProps, K8sSection>, K8sSection>;
  docker: Fits<SectionProps<RancherOnDockerProps, DockerSection>, DockerSection>;
  rancher: Fits<RancherProps, ExistingClusterInput['rancher']>;
  versions: Fits<VersionsProps, ExistingClusterInput['versions']>;
  proxy: Fits<ProxyProps, ExistingClusterInput['proxy']>;
  airGap: Fits<AirGapProps, ExistingClusterInput['airGap']>;
  timeouts: Fits<TimeoutsProps, ExistingClusterInput['timeouts']>;
  dns: Fits<DnsProps, RkeInput['dns']>;
} = { rkeHa: true, k8sHa: true, docker: true, rancher: true, versions: true, proxy: true, airGap: true, timeouts: true, dns: true };

describe("props and the constructs' schemas", () => {
  it('every props section fits the schema section the constructs check it with (a type-check; listed here)', () => {
    expect(Object.values(FITS).every(Boolean)).toBe(true);
    expect(Object.keys(FITS)).toHaveLength(9);
  });
});
