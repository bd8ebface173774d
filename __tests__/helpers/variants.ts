import type { App, TerraformStack } from 'cdktf';
import type { Settings, SettingsInput } from '../../app/config/settings-schema';
import { NODE_ENDPOINTS } from '../../lib/config/vpc-schema';
import type * as DockerModule from '../../app/stacks/docker';
import type * as K8sHaModule from '../../app/stacks/k8s-ha';
import type * as RkeHaModule from '../../app/stacks/rke-ha';
import { keepResult, runCached } from './memo';
import { sharedSynth, shareText } from './synth-share';
import { RESTORE_FILE } from './backup-file';
import { DB, LB, NODES, VPC } from './sample-network';
import { settings, sortedKeys, synthStack, synthStackFolder, type StackFolder, type TerraformJson } from './synth';

/*
 * The stacks, loaded on first build. Jest evaluates every module again in each test file, and a stack with cdktf and
 * the provider bindings it uses is about 900 modules (0.2-0.3 s of CPU a file): a file whose synths another file of
 * the run has shared (synth-share.ts), or that only reads the variants' settings, does not pay for them. Their names
 * are spelled here, and the test files take them from here rather than from the stack modules (an import of a name
 * from a stack module evaluates the stack); each is typed as its stack module's constant, so `tsc` refuses a
 * spelling that differs.
 */
export const DOCKER_STACK: typeof DockerModule.DOCKER_STACK = 'docker';
export const K8S_HA_STACK: typeof K8sHaModule.K8S_HA_STACK = 'k8s-ha';
export const RKE_HA_STACK: typeof RkeHaModule.RKE_HA_STACK = 'rke-ha';
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first build, typed by the modules' own types */
const stackModules = {
  docker: () => require('../../app/stacks/docker') as typeof DockerModule,
  k8sHa: () => require('../../app/stacks/k8s-ha') as typeof K8sHaModule,
  rkeHa: () => require('../../app/stacks/rke-ha') as typeof RkeHaModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The settings variants the stack tests synthesize, so the checks every
 * synthesized root module must pass (version floor, JSON and HCL loaded by
 * terraform, provider blocks) cover each shape the stacks take: the rke-ha
 * TLS pairs in rke-ha-tls.test.ts, which synthesizes them anyway, everything
 * else in root-module.test.ts.
 */

export type Tls = NonNullable<NonNullable<SettingsInput['rancher']>['tls']>;

const ACME = { acme: { email: 'ops@example.com' } };

/** Every rke-ha TLS pair (mode + issuer), as the Rancher docs name them. */
export const RKE_HA_TLS_VARIANTS: Record<string, Tls> = {
  'ingress+rancher': {},
  'ingress+blank': { issuer: 'blank' },
  'ingress+blank+privateCA': { issuer: 'blank', privateCA: true },
  'ingress+ca': { issuer: 'ca' },
  'ingress+acme': { issuer: 'acme', ...ACME },
  'ingress+acme staging': { issuer: 'acme', acme: { email: 'ops@example.com', environment: 'staging' } },
  'external+blank': { mode: 'external', issuer: 'blank' },
  'external+ca': { mode: 'external', issuer: 'ca' },
  'external+acme': { mode: 'external', issuer: 'acme' },
  'rancher+rancher': { mode: 'rancher' },
  'rancher+acme': { mode: 'rancher', issuer: 'acme', ...ACME },
};

export type StackName = typeof RKE_HA_STACK | typeof K8S_HA_STACK | typeof DOCKER_STACK;

export interface StackVariant {
  readonly name: string;
  readonly stack: StackName;
  readonly settings: SettingsInput;
}

const SITE = { hostname: 'rancher.acme.io', hostedZone: 'acme.io' };
/**
 * The Route53 name of the stack tests that read one change at a time (gates,
 * day 2, the deployer policy's TLS pairs): one spelling, so the same settings
 * are one synth in a run, whichever file asks first.
 */
export const EXAMPLE_DOMAIN = { hostname: 'rancher.example.com', hostedZone: 'example.com' } as const;
const S3_BACKEND = { type: 's3', bucket: 'acme-terraform-state' } as const;
const PROXY = { http: 'http://proxy.internal:3128', noProxy: ['.corp.example'], egressOnlyTo: ['10.9.0.0/24'] };
// The restores' source (backup-file.ts, where the lib tests take it from without this file's app imports).
export { RESTORE_FILE };
/** Every air-gap source mirrored. */
export const AIR_GAP = {
  systemDefaultRegistry: 'registry.internal:5000',
  registryMirrors: { 'docker.io': ['https://registry.internal:5000'], 'quay.io': ['https://registry.internal:5000/quay'] },
  useBundledSystemChart: true,
  rancherChartRepository: 'https://charts.internal/rancher',
  certManagerChartRepository: 'https://charts.internal/jetstack',
  rancherBackupChartRepository: 'https://charts.internal/rancher-charts',
  installerUrl: 'https://mirror.internal/rke2/install.sh',
};

/** The private registry's login from an SSM SecureString, by name (airGap.registryCredentials). */
export const REGISTRY_LOGIN_SSM = { registry: 'registry.internal:5000', ssmParameter: '/rancher/registry-login' } as const;
/** The same from a Secrets Manager secret, by its full ARN, in another region and account. */
export const REGISTRY_LOGIN_SECRET_ARN = {
  registry: 'registry.internal:5000',
  secretsManagerSecret: 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:rancher/registry-login-AbC123',
} as const;

/** Every variant but the rke-ha TLS pairs (RKE_HA_TLS_VARIANTS). */
export const STACK_VARIANTS: readonly StackVariant[] = [
  { name: 'rke-ha defaults', stack: RKE_HA_STACK, settings: {} },
  {
    name: 'rke-ha single private node, SSH, site, admin CIDRs, S3 backend, eu-west-1, alarm e-mail',
    stack: RKE_HA_STACK,
    settings: {
      ...SITE,
      region: 'eu-west-1',
      alarms: { email: 'ops@acme.io' },
      adminCidrs: ['10.8.0.0/24'],
      backend: S3_BACKEND,
      rkeHa: { nodeCount: 1, privateNodes: true, natGateways: 'single', sshKeyName: 'ops' },
    },
  },
  { name: 'rke-ha k3s on PostgreSQL', stack: RKE_HA_STACK, settings: { rkeHa: { distribution: 'k3s' } } },
  { name: 'rke-ha k3s on MySQL', stack: RKE_HA_STACK, settings: { rkeHa: { distribution: 'k3s', datastore: { engine: 'mysql' } } } },
  {
    name: 'rke-ha proxy, closed egress, air gap, audit log',
    stack: RKE_HA_STACK,
    settings: { proxy: PROXY, airGap: AIR_GAP, rancher: { auditLog: { enabled: true, destination: 'hostPath' } } },
  },
  {
    name: "rke-ha DNS round robin (no load balancer), Let's Encrypt, SSH, site, admin CIDRs",
    stack: RKE_HA_STACK,
    settings: {
      ...SITE,
      adminCidrs: ['10.8.0.0/24'],
      rancher: { tls: { issuer: 'acme', ...ACME } },
      rkeHa: { loadBalancer: { type: 'dns' }, sshKeyName: 'ops' },
    },
  },
  { name: 'rke-ha no domain (dns wildcard, sslip.io)', stack: RKE_HA_STACK, settings: { dns: { mode: 'wildcard' } } },
  {
    name: 'rke-ha existing network',
    stack: RKE_HA_STACK,
    settings: { rkeHa: { existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB, nodeSubnetIds: NODES } } },
  },
  {
    name: 'rke-ha existing network, k3s, proxy with closed egress, host 20',
    stack: RKE_HA_STACK,
    settings: {
      rkeHa: {
        distribution: 'k3s',
        existingNetwork: {
          vpcId: VPC,
          loadBalancerSubnetIds: LB.slice(0, 2),
          nodeSubnetIds: NODES.slice(0, 2),
          datastoreSubnetIds: DB,
          nodeHostNumber: 20,
        },
      },
      proxy: PROXY,
    },
  },
  {
    name: 'rke-ha closed egress without a proxy, air gap',
    stack: RKE_HA_STACK,
    settings: { proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: AIR_GAP },
  },
  {
    name: 'rke-ha closed egress without a proxy, air gap, registry login from SSM',
    stack: RKE_HA_STACK,
    settings: { proxy: { egressOnlyTo: ['10.9.0.0/24'] }, airGap: { ...AIR_GAP, registryCredentials: REGISTRY_LOGIN_SSM } },
  },
  {
    name: 'rke-ha k3s, registry login from a Secrets Manager ARN in another region',
    stack: RKE_HA_STACK,
    settings: {
      rkeHa: { distribution: 'k3s' },
      airGap: { systemDefaultRegistry: 'registry.internal:5000', registryCredentials: REGISTRY_LOGIN_SECRET_ARN },
    },
  },
  {
    name: 'rke-ha every security option, private nodes',
    stack: RKE_HA_STACK,
    settings: {
      rkeHa: { privateNodes: true, etcdSnapshots: { accessLogging: true, eventNotifications: true, objectLock: true } },
      vpc: { flowLogs: { destination: 'cloudwatch' }, endpoints: [...NODE_ENDPOINTS] },
    },
  },
  {
    name: 'rke-ha standby in a second region, snapshots with access logging and Object Lock',
    stack: RKE_HA_STACK,
    settings: { standby: { region: 'us-west-2' }, rkeHa: { etcdSnapshots: { accessLogging: true, objectLock: true } } },
  },
  { name: 'rke-ha CIS profile', stack: RKE_HA_STACK, settings: { rkeHa: { profile: 'cis' } } },
  {
    name: 'rke-ha k3s every security option, private nodes',
    stack: RKE_HA_STACK,
    settings: {
      rkeHa: {
        distribution: 'k3s',
        privateNodes: true,
        datastore: { monitoringInterval: 60, logExports: true, iamAuthentication: true, port: 5433 },
      },
      vpc: { flowLogs: { destination: 's3' }, endpoints: [...NODE_ENDPOINTS] },
    },
  },
  {
    name: 'rke-ha dual-stack, private nodes, TLS at the load balancer, IPv6 admin networks, SSH',
    stack: RKE_HA_STACK,
    settings: {
      ...SITE,
      adminCidrs: ['10.8.0.0/24', 'fd12:3456:789a::/48'],
      rkeHa: { dualStack: true, privateNodes: true, sshKeyName: 'ops' },
      rancher: { tls: { mode: 'external', issuer: 'acme' } },
    },
  },
  {
    name: 'rke-ha dual-stack existing network, k3s',
    stack: RKE_HA_STACK,
    settings: {
      ...SITE,
      rkeHa: {
        dualStack: true,
        distribution: 'k3s',
        existingNetwork: { vpcId: VPC, loadBalancerSubnetIds: LB, nodeSubnetIds: NODES, datastoreSubnetIds: DB },
      },
    },
  },
  { name: 'rke-ha backups off (bucket kept)', stack: RKE_HA_STACK, settings: { backups: { enabled: false } } },
  {
    name: 'rke-ha migration: restore an encrypted backup of another deployment, schedule and retention',
    stack: RKE_HA_STACK,
    settings: {
      rancher: { bootstrap: { enabled: false } },
      backups: {
        schedule: '30 2 * * *',
        retentionCount: 14,
        restoreFrom: { file: RESTORE_FILE, bucket: 'rancher-old-rke-ha-backups-20261101000000000000000001' },
      },
    },
  },
  { name: 'k8s-ha defaults', stack: K8S_HA_STACK, settings: {} },
  { name: 'k8s-ha backups off (bucket kept)', stack: K8S_HA_STACK, settings: { backups: { enabled: false } } },
  {
    name: 'k8s-ha restore of an unencrypted backup in its own bucket',
    stack: K8S_HA_STACK,
    settings: { rancher: { bootstrap: { enabled: false } }, backups: { restoreFrom: { file: RESTORE_FILE.replace(/\.enc$/, '') } } },
  },
  {
    name: 'k8s-ha variables, cert-manager present, DNS target, site',
    stack: K8S_HA_STACK,
    settings: {
      ...SITE,
      k8sHa: {
        access: { variables: true },
        certManager: { install: false },
        dns: { target: 'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com' },
      },
    },
  },
  {
    name: 'k8s-ha kubeconfig context, S3 backend',
    stack: K8S_HA_STACK,
    settings: { backend: S3_BACKEND, k8sHa: { access: { kubeconfig: { path: '~/.kube/prod', context: 'prod' } } } },
  },
  { name: 'k8s-ha tls ingress+ca', stack: K8S_HA_STACK, settings: { rancher: { tls: { issuer: 'ca' } } } },
  {
    name: 'k8s-ha tls external+blank+privateCA',
    stack: K8S_HA_STACK,
    settings: { rancher: { tls: { mode: 'external', issuer: 'blank', privateCA: true } } },
  },
  {
    name: 'k8s-ha tls rancher with traefik (plan-time precondition)',
    stack: K8S_HA_STACK,
    settings: { rancher: { tls: { mode: 'rancher' } }, k8sHa: { ingress: { className: 'traefik' } } },
  },
  { name: 'k8s-ha proxy, air gap', stack: K8S_HA_STACK, settings: { proxy: PROXY, airGap: AIR_GAP } },
  {
    name: 'k8s-ha standby in a second region',
    stack: K8S_HA_STACK,
    settings: { standby: { region: 'us-west-2', k8sHa: { access: { kubeconfig: { path: '~/.kube/config', context: 'standby' } } } } },
  },
  // What a failover makes on the standby cluster: no record of the hostname (production's state owns it).
  {
    name: "k8s-ha without the hostname's record (a failover's standby)",
    stack: K8S_HA_STACK,
    settings: { k8sHa: { dns: { hostnameRecord: false } }, rancher: { bootstrap: { enabled: false } } },
  },
  // Two `removed` blocks in one stack (the bootstrap and cert-manager forgotten).
  {
    name: 'k8s-ha SSO platform: no first-login bootstrap, cert-manager present',
    stack: K8S_HA_STACK,
    settings: { rancher: { bootstrap: { enabled: false } }, k8sHa: { certManager: { install: false } } },
  },
  { name: 'docker defaults', stack: DOCKER_STACK, settings: {} },
  {
    name: 'docker flow logs and VPC endpoints',
    stack: DOCKER_STACK,
    settings: { vpc: { flowLogs: { destination: 'cloudwatch' }, endpoints: [...NODE_ENDPOINTS] } },
  },
  { name: 'docker tls blank+privateCA', stack: DOCKER_STACK, settings: { docker: { tls: { issuer: 'blank', privateCA: true } } } },
  { name: 'docker tls acme', stack: DOCKER_STACK, settings: { docker: { tls: { issuer: 'acme' } } } },
  {
    name: 'docker behind an ALB, ACM issues the certificate',
    stack: DOCKER_STACK,
    settings: { ...SITE, docker: { tls: { mode: 'external', issuer: 'acme' } } },
  },
  {
    name: 'docker behind an ALB, your certificate from a private CA',
    stack: DOCKER_STACK,
    settings: { docker: { tls: { mode: 'external', issuer: 'blank', privateCA: true } } },
  },
  {
    name: 'docker no domain (dns wildcard, nip.io), tls ca',
    stack: DOCKER_STACK,
    settings: { dns: { mode: 'wildcard', wildcardDomain: 'nip.io' }, docker: { tls: { issuer: 'ca' } } },
  },
  {
    name: 'docker existing network, proxy with closed egress',
    stack: DOCKER_STACK,
    settings: { docker: { existingNetwork: { vpcId: VPC, subnetId: LB[0], hostNumber: 30 } }, proxy: PROXY },
  },
  {
    name: 'docker tls ca, SSH, audit log, proxy, air gap, restore',
    stack: DOCKER_STACK,
    settings: {
      ...SITE,
      docker: { tls: { issuer: 'ca' }, sshKeyName: 'ops', dataVolume: { restoreSnapshotId: 'snap-0123456789abcdef0' } },
      rancher: { auditLog: { enabled: true } },
      proxy: { https: 'http://proxy.internal:3128', egressOnlyTo: ['10.99.0.0/24'] },
      airGap: {
        systemDefaultRegistry: 'registry.internal:5000',
        useBundledSystemChart: true,
        registryMirrors: { 'docker.io': ['https://mirror.internal'] },
      },
    },
  },
];

/** The settings of a variant of STACK_VARIANTS, by name (a test that checks more of one shares its synth). */
export function variantSettings(name: string): SettingsInput {
  const variant = STACK_VARIANTS.find((v) => v.name === name);
  if (!variant) throw new Error(`no stack variant named ${name}`);
  return variant.settings;
}

/** Settings `b` laid over `a`: objects merged key by key, anything else (lists too) replaced. */
export function mergeSettings(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] ? mergeSettings(a[k], v) : v;
  return out;
}

/** Adds the variant's stack to an app, as main.ts does. */
export function buildVariant(app: App, variant: StackVariant): TerraformStack {
  return buildStack(app, variant.stack, variant.settings);
}

/** Adds a stack built from settings to an app, as main.ts does. */
export function buildStack(app: App, stack: StackName, input: SettingsInput): TerraformStack {
  return buildParsed(app, stack, settings(input));
}

function buildParsed(app: App, stack: StackName, s: Settings): TerraformStack {
  switch (stack) {
    case RKE_HA_STACK:
      return new (stackModules.rkeHa().RkeHaStack)(app, RKE_HA_STACK, s);
    case K8S_HA_STACK:
      return new (stackModules.k8sHa().K8sHaStack)(app, K8S_HA_STACK, s);
    case DOCKER_STACK:
      return new (stackModules.docker().DockerStack)(app, DOCKER_STACK, s);
  }
}

/**
 * What a synthesized stack depends on: the stack and the settings as parsed
 * (defaults filled in, keys sorted), so `{}` and the defaults spelled out
 * are one synth.
 */
const synthKey = (stack: StackName, parsed: Settings) => `synthStack\0${stack}\0${JSON.stringify(sortedKeys(parsed))}`;

/**
 * The stack main.ts builds from these settings, synthesized as synthStack
 * does. The same settings recur across a file's tests (defaults in most of
 * them): the text is kept for the rest of the test file (memo.ts) and for
 * the other files of a unit-tier run (synth-share.ts), and
 * each caller gets a fresh parse, so no test sees another's changes.
 */
export function synthSettings(stack: StackName, input: SettingsInput): { json: TerraformJson; text: string } {
  // One parse for the key and the stack (a parse is 1-10 ms): the stacks only read the settings. The key is kept by
  // the input's text too, so the same input asked again (rke-ha-day2 asks for its base settings in most of its
  // cases) is neither parsed nor keyed again; a synth of this file or another parses it once more. The parse reads
  // nothing but the input and the working directory (relative paths in the settings).
  let parsed: Settings | undefined;
  const key = runCached(`synthKey\0${stack}\0${process.cwd()}\0${JSON.stringify(input)}`, () => synthKey(stack, (parsed = settings(input))));
  const text = runCached(key, () => sharedSynth(key, () => synthStack((app) => buildParsed(app, stack, parsed ?? settings(input))).text));
  return { json: JSON.parse(text) as TerraformJson, text };
}

/**
 * The stack synthesized as `cdktf synth --hcl` leaves it (synthStackFolder);
 * the JSON cdktf wrote is what synthSettings returns for these settings, so it
 * is kept for the rest of the test file too.
 */
export function synthSettingsFolder(stack: StackName, input: SettingsInput): StackFolder {
  const parsed = settings(input);
  const folder = synthStackFolder((app) => buildParsed(app, stack, parsed), 'hcl');
  const key = synthKey(stack, parsed);
  keepResult(key, shareText(key, JSON.stringify(folder.json, null, 2)));
  return folder;
}
