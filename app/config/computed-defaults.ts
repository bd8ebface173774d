import { bootstrapEnabled } from '../../lib/config/bootstrap-schema';
import { DEFAULT_WILDCARD_DOMAIN } from '../../lib/config/dns-schema';
import { effectiveDockerVpcCidr } from '../../lib/config/docker-schema';
import { DEFAULT_HOST_NUMBER } from '../../lib/config/existing-network-schema';
import { effectiveIngressController, effectiveNatGateways, effectiveNodeCount, effectiveVpcCidr } from '../../lib/config/rke-ha-schema';
import type { Settings } from '../../lib/config/schema';
import { DEFAULT_ACME_ENVIRONMENT } from '../../lib/config/sections';
import { defaultPort } from '../../lib/database/external-datastore';
import { CERT_MANAGER_REPOSITORY } from '../../lib/rancher/cert-manager';
import { RANCHER_CHARTS_REPOSITORY } from '../../lib/rancher/rancher-backups';

/**
 * A default the schema leaves unset because it depends on another setting, or because the field's absence means
 * something of its own (a VPC range only for a network the stack creates): the function the constructs call resolves
 * it, and this table names that function for the settings reference and the tests, so the reference shows the value
 * ("3 with rke2, 2 with k3s") instead of "unset". Each case is the resolver run on a settings file that leaves the
 * field out and sets only what the case names.
 */
export interface ComputedDefault {
  readonly cases: readonly { readonly when?: string; readonly value: (defaults: Settings) => unknown }[];
}

const withRkeHa = (d: Settings, change: Partial<Settings['rkeHa']>): Settings['rkeHa'] => ({ ...d.rkeHa, ...change });

export const COMPUTED_DEFAULTS: Readonly<Record<string, ComputedDefault>> = {
  'rancher.tls.acme.environment': { cases: [{ value: () => DEFAULT_ACME_ENVIRONMENT }] },
  'rancher.bootstrap.enabled': {
    cases: [
      { value: (d) => bootstrapEnabled(d.rancher, true) },
      {
        when: "Let's Encrypt staging, TLS ending in the cluster",
        value: (d) => bootstrapEnabled({ ...d.rancher, tls: { ...d.rancher.tls, issuer: 'acme', acme: { environment: 'staging' } } }, true),
      },
    ],
  },
  'dns.wildcardDomain': { cases: [{ value: () => DEFAULT_WILDCARD_DOMAIN }] },
  'airGap.certManagerChartRepository': { cases: [{ value: () => CERT_MANAGER_REPOSITORY }] },
  'airGap.rancherBackupChartRepository': { cases: [{ value: () => RANCHER_CHARTS_REPOSITORY }] },
  'rkeHa.nodeCount': {
    cases: [
      { when: 'rke2', value: (d) => effectiveNodeCount(withRkeHa(d, { distribution: 'rke2' })) },
      { when: 'k3s', value: (d) => effectiveNodeCount(withRkeHa(d, { distribution: 'k3s' })) },
    ],
  },
  'rkeHa.ingressController': {
    cases: [
      { when: 'rke2', value: (d) => effectiveIngressController(withRkeHa(d, { distribution: 'rke2' })) },
      { when: 'k3s', value: (d) => effectiveIngressController(withRkeHa(d, { distribution: 'k3s' })) },
    ],
  },
  'rkeHa.datastore.port': {
    cases: [
      { when: 'postgres', value: () => defaultPort('postgres') },
      { when: 'mysql', value: () => defaultPort('mysql') },
    ],
  },
  'rkeHa.vpcCidr': { cases: [{ when: 'a network of its own', value: (d) => effectiveVpcCidr(d.rkeHa) }] },
  'rkeHa.natGateways': { cases: [{ value: (d) => effectiveNatGateways(d.rkeHa) }] },
  'rkeHa.existingNetwork.nodeHostNumber': { cases: [{ value: () => DEFAULT_HOST_NUMBER }] },
  'docker.vpcCidr': { cases: [{ when: 'a network of its own', value: (d) => effectiveDockerVpcCidr(d.docker) }] },
  'docker.existingNetwork.hostNumber': { cases: [{ value: () => DEFAULT_HOST_NUMBER }] },
};

/** How the settings reference shows a computed default: `3` (rke2), `2` (k3s). */
export function shownComputedDefault(path: string, defaults: Settings): string | undefined {
  const computed = COMPUTED_DEFAULTS[path];
  if (!computed) return undefined;
  return computed.cases.map((c) => `\`${JSON.stringify(c.value(defaults))}\`${c.when ? ` (${c.when})` : ''}`).join(', ');
}
