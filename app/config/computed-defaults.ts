import { bootstrapEnabled } from '../../lib/config/bootstrap-schema';
import { DEFAULT_WILDCARD_DOMAIN } from '../../lib/config/dns-schema';
import { requiredArchitecture } from '../../lib/config/instance-types';
import { DEFAULT_HOST_NUMBER } from '../../lib/config/existing-network-schema';
import type { Settings } from './settings-schema';
import { DEFAULT_ACME_ENVIRONMENT } from '../../lib/config/sections';
import { defaultPort } from '../../lib/database/external-datastore';
import { clusterPlan } from '../../lib/deployments/private/cluster-plan';
import { existingIngressPlan } from '../../lib/config/private/existing-ingress-plan';
import { dockerNetworkPlan, rkeNetworkPlan } from '../../lib/deployments/private/network-plan';
import { backupsSchema } from '../../lib/config/backups-schema';
import { CERT_MANAGER_REPOSITORY } from '../../lib/rancher/cert-manager';
import { rancherServerSettings } from '../../lib/rancher/private/rancher-settings';
import { RANCHER_CHARTS_REPOSITORY } from '../../lib/rancher/rancher-backups';
import { releaseInstaller } from '../../lib/config/release-sums';
import { httpsProxy } from '../../lib/network/private/proxy';

/**
 * A default the schema leaves unset because it depends on another setting, or because the field's absence means
 * something of its own (a VPC range only for a network the stack creates): the constructs' plans resolve it
 * (lib/deployments/private/*-plan.ts, each computed once per deployment), and this table runs the same plan for the
 * settings reference and the tests, so the reference shows the value
 * ("3 with rke2, 2 with k3s") instead of "unset". Each case is the resolver run on a settings file that leaves the
 * field out and sets only what the case names.
 */
export interface ComputedDefault {
  readonly cases: readonly { readonly when?: string; readonly value: (defaults: Settings) => unknown }[];
}

/** The network plan of a settings file that creates its network (the defaults do). */
function createdNetwork(d: Settings): Exclude<ReturnType<typeof rkeNetworkPlan>, { existing: object }> {
  const plan = rkeNetworkPlan(d.rkeHa);
  if (plan.existing) throw new Error('the defaults create a network');
  return plan;
}

/** `backups.restoreFrom` as the schema completes it when only its file is given. */
function restoreFromDefaults(): NonNullable<Settings['backups']['restoreFrom']> {
  const file = 'rancher-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc';
  const restoreFrom = backupsSchema.parse({ restoreFrom: { file } }).restoreFrom;
  if (!restoreFrom) throw new Error('backups.restoreFrom did not parse');
  return restoreFrom;
}

/** The proxy rancher.example.yaml names, for the case of `proxy.https` with only `proxy.http` given. */
const EXAMPLE_PROXY = 'http://proxy.internal:3128';

/** RancherOnRke's props as the plans take them: the file's `rkeHa` beside the deployment's fields, with `change`. */
const rkeProps = (d: Settings, change: Partial<Settings['rkeHa']> = {}) => ({ ...d, ...d.rkeHa, ...change });

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
  'proxy.https': {
    cases: [
      { when: 'no proxy', value: (d) => httpsProxy(d.proxy) },
      { when: `proxy.http: ${EXAMPLE_PROXY}`, value: (d) => httpsProxy({ ...d.proxy, http: EXAMPLE_PROXY }) },
    ],
  },
  'airGap.rancherChartRepository': {
    cases: (['stable', 'latest', 'prime'] as const).map((repository) => ({
      when: `rancher.repository ${repository}`,
      value: (d: Settings) => rancherServerSettings({ ...d, rancher: { ...d.rancher, repository } }, undefined).repository,
    })),
  },
  'airGap.certManagerChartRepository': { cases: [{ value: () => CERT_MANAGER_REPOSITORY }] },
  'airGap.rancherBackupChartRepository': { cases: [{ value: () => RANCHER_CHARTS_REPOSITORY }] },
  'airGap.installerUrl': {
    cases: [
      // Without it, the recorded installer at its commit (lib/config/release-sums.ts); with it, a mirror of the same bytes.
      { when: 'rke2', value: (d) => releaseInstaller('rke2', d.versions.rke2).url },
      { when: 'k3s', value: (d) => releaseInstaller('k3s', d.versions.k3s).url },
    ],
  },
  // Inside a section that is absent by default: its defaults are the schema's, with the one required field given.
  'backups.restoreFrom.newHostname': { cases: [{ value: () => restoreFromDefaults().newHostname }] },
  'backups.restoreFrom.unrecordedSource': { cases: [{ value: () => restoreFromDefaults().unrecordedSource }] },
  'backups.restoreFrom.disarm': { cases: [{ value: () => restoreFromDefaults().disarm }] },
  'backups.restoreFrom.inPlace': { cases: [{ value: () => restoreFromDefaults().inPlace }] },
  'rkeHa.nodeCount': {
    cases: [
      { when: 'rke2', value: (d) => clusterPlan(rkeProps(d, { distribution: 'rke2' })).nodeCount },
      { when: 'k3s', value: (d) => clusterPlan(rkeProps(d, { distribution: 'k3s' })).nodeCount },
    ],
  },
  'rkeHa.ingressController': { cases: [{ value: (d) => clusterPlan(rkeProps(d)).ingressController }] },
  'k8sHa.ingress.className': {
    cases: [
      { value: (d) => existingIngressPlan(d.k8sHa.ingress, d.rancher.tls.mode).className },
      { when: 'rancher.tls.mode rancher', value: (d) => existingIngressPlan(d.k8sHa.ingress, 'rancher').className },
    ],
  },
  'k8sHa.ingress.service.namespace': {
    cases: [
      { when: 'class traefik', value: (d) => existingIngressPlan({ ...d.k8sHa.ingress, className: 'traefik' }).service.namespace },
      { when: 'any other class', value: (d) => existingIngressPlan({ ...d.k8sHa.ingress, className: 'nginx' }).service.namespace },
    ],
  },
  'k8sHa.ingress.service.name': {
    cases: [
      { when: 'class traefik', value: (d) => existingIngressPlan({ ...d.k8sHa.ingress, className: 'traefik' }).service.name },
      { when: 'any other class', value: (d) => existingIngressPlan({ ...d.k8sHa.ingress, className: 'nginx' }).service.name },
    ],
  },
  'rkeHa.architecture': { cases: [{ when: 'no amiId', value: (d) => clusterPlan(rkeProps(d)).architecture }] },
  'rkeHa.datastore.port': {
    cases: [
      { when: 'postgres', value: () => defaultPort('postgres') },
      { when: 'mysql', value: () => defaultPort('mysql') },
    ],
  },
  'rkeHa.vpcCidr': { cases: [{ when: 'a network of its own', value: (d) => createdNetwork(d).vpcCidr }] },
  'rkeHa.natGateways': { cases: [{ value: (d) => createdNetwork(d).natGateways }] },
  'rkeHa.existingNetwork.nodeHostNumber': { cases: [{ value: () => DEFAULT_HOST_NUMBER }] },
  'docker.vpcCidr': { cases: [{ when: 'a network of its own', value: (d) => dockerNetworkPlan(d.docker).vpcCidr }] },
  'docker.architecture': { cases: [{ when: 'no amiId', value: (d) => requiredArchitecture(d.docker) }] },
  'docker.existingNetwork.hostNumber': { cases: [{ value: () => DEFAULT_HOST_NUMBER }] },
};

/** How the settings reference shows a computed default: `3` (rke2), `2` (k3s); a case that leaves it undefined, unset. */
export function shownComputedDefault(path: string, defaults: Settings): string | undefined {
  const computed = COMPUTED_DEFAULTS[path];
  if (!computed) return undefined;
  const shown = (value: unknown) => (value === undefined ? 'unset' : `\`${JSON.stringify(value)}\``);
  return computed.cases.map((c) => `${shown(c.value(defaults))}${c.when ? ` (${c.when})` : ''}`).join(', ');
}
