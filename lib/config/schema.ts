import { z } from 'zod';
import { auditLogSchema } from './audit-log-schema';
import { airGapSchema } from './air-gap-schema';
import { backendSchema } from './backend-schema';
import { proxySchema } from './proxy-schema';
import { dockerSchema } from './docker-schema';
import { adminCidr, awsRegion, fqdn, version, wholeNumber } from './primitives';
import { k8sHaSchema } from './k8s-ha-schema';
import { effectiveIngressController, rkeHaSchema } from './rke-ha-schema';
import { timeoutsSchema } from './timeouts-schema';
import { tlsProblems, tlsSchema } from './tls-schema';
import {
  MIN_CERT_MANAGER_MINOR,
  COMMUNITY_LAST_PATCH,
  RANCHER_KUBERNETES_RANGE,
  RKE2_INGRESS_NGINX_LAST_MINOR,
  certManagerMinor,
  primeOnly,
  rancherLine,
  k3sKubernetesMinor,
  rke2KubernetesMinor,
} from './versions';

/**
 * The settings file schema. Every field has a documented default so that an
 * empty (or missing) file synthesizes; values only a real deploy can know
 * (hostname, hosted zone) stay unset and become required Terraform variables.
 *
 * Keep `rancher.example.yaml` and the README settings reference in step: a test
 * fails when a field here is missing from either. Each stack's section lives
 * in its own module (`<stack>-schema.ts`); rules that span sections are here.
 */


export const settingsSchema = z
  .strictObject({
    /** Prefix of every resource name; distinct per deployment sharing an account and region. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, { message: 'expected 2-16 lower-case letters, digits or dashes, starting with a letter' })
      // SSM parameter paths start with the name, and AWS reserves these prefixes.
      .refine((n) => !/^(aws|ssm)/.test(n), { message: 'must not start with "aws" or "ssm" (reserved by SSM Parameter Store)' })
      .default('rancher'),
    region: awsRegion.default('us-east-1'),
    /** Rancher's public name. Unset: the `rancher_hostname` Terraform variable is required at plan time. */
    hostname: fqdn('a hostname').optional(),
    /** Existing public Route53 hosted zone that holds `hostname`. Unset: `route53_zone_name` variable. */
    hostedZone: fqdn('a hosted zone name').optional(),
    /** Networks allowed to reach admin ports (6443, SSH). Empty: the deployer's own public IP (/32). */
    adminCidrs: z.array(adminCidr).default([]),
    /** Extra tags on every AWS resource. */
    tags: z
      .record(
        z
          .string()
          .min(1)
          .max(128)
          .refine((k) => !/^(aws:|rancher-aws:)/i.test(k), { message: 'tag keys starting with "aws:" are AWS\'s, "rancher-aws:" this project\'s' }),
        z.string().max(256),
      )
      .default({}),
    backend: backendSchema,
    proxy: proxySchema,
    airGap: airGapSchema,
    versions: z
      .strictObject({
        rke2: version('rke2', 'v1.35.0+rke2r1'),
        k3s: version('k3s', 'v1.35.7+k3s1'),
        certManager: version('certManager', 'v1.21.1').refine((v) => (certManagerMinor(v) ?? Infinity) >= MIN_CERT_MANAGER_MINOR, {
          message: `Rancher needs cert-manager v1.${MIN_CERT_MANAGER_MINOR} or newer`,
        }),
        rancher: version('rancher', '2.14.0'),
      })
      .prefault({}),
    rancher: z
      .strictObject({
        /**
         * Helm repository of the Rancher chart: `stable` (community, the releases promoted to stable),
         * `latest` (community, every release) or `prime` (Rancher Prime). `airGap.rancherChartRepository`
         * overrides it with a mirror.
         */
        repository: z.enum(['stable', 'latest', 'prime']).default('stable'),
        replicas: wholeNumber(1, 15).default(3),
        tls: tlsSchema,
        auditLog: auditLogSchema,
      })
      .prefault({}),
    timeouts: timeoutsSchema,
    rkeHa: rkeHaSchema,
    k8sHa: k8sHaSchema,
    docker: dockerSchema,
  })
  // Cross-field rules run even when other fields failed, so one run reports
  // everything; each rule therefore checks the types it relies on.
  .superRefine((s, ctx) => {
    if (!s || typeof s !== 'object') return;
    const problem = (path: (string | number)[], message: string, input: unknown) =>
      ctx.addIssue({ code: 'custom', path, message, input });
    const str = (v: unknown): v is string => typeof v === 'string';

    if (str(s.hostname) && str(s.hostedZone) && s.hostname !== s.hostedZone && !s.hostname.endsWith(`.${s.hostedZone}`)) {
      problem(['hostname'], `must be inside hostedZone "${s.hostedZone}"`, s.hostname);
    }

    const rke2 = s.versions?.rke2;
    const rancher = s.versions?.rancher;
    const kubeMinor = str(rke2) ? rke2KubernetesMinor(rke2) : undefined;
    const k3s = s.versions?.k3s;
    const line = str(rancher) ? rancherLine(rancher) : undefined;
    const range = line === undefined ? undefined : RANCHER_KUBERNETES_RANGE[line];
    if (line !== undefined && !range) {
      problem(['versions', 'rancher'], `unknown Rancher line ${line}; supported: ${Object.keys(RANCHER_KUBERNETES_RANGE).join(', ')}`, rancher);
    }
    const repository = s.rancher?.repository;
    if (str(rancher) && primeOnly(rancher) && repository !== 'prime' && s.airGap?.rancherChartRepository === undefined) {
      problem(
        ['versions', 'rancher'],
        `Rancher publishes ${rancher} to Rancher Prime only (community releases of ${line} ended with ${line}.${COMMUNITY_LAST_PATCH[line as string]}), so the ${repository ?? 'stable'} repository does not serve it; set rancher.repository: prime, or a community version`,
        rancher,
      );
    }
    // The pin of the distribution in use (the other one is not installed anywhere).
    const distributionPins = s.rkeHa?.distribution === 'k3s' ? ([['k3s', str(k3s) ? k3sKubernetesMinor(k3s) : undefined, k3s]] as const) : ([['rke2', kubeMinor, rke2]] as const);
    for (const [key, minor, value] of distributionPins) {
      if (range && minor !== undefined && (minor < range.min || minor >= range.maxExclusive)) {
        problem(['versions', key], `Kubernetes 1.${minor} is outside Rancher ${line}'s supported range 1.${range.min}-1.${range.maxExclusive - 1}`, value);
      }
    }
    if (s.rancher?.tls) {
      for (const p of tlsProblems(s.rancher.tls, effectiveIngressController(s.rkeHa))) problem(['rancher', 'tls', ...p.path], p.message, p.value);
    }
    if (kubeMinor !== undefined && kubeMinor > RKE2_INGRESS_NGINX_LAST_MINOR && s.rkeHa?.distribution !== 'k3s' && effectiveIngressController(s.rkeHa) === 'ingress-nginx') {
      problem(['rkeHa', 'ingressController'], `RKE2 1.${kubeMinor} no longer ships ingress-nginx; use traefik`, 'ingress-nginx');
    }
  }, { when: () => true });

export type Settings = z.output<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type BackendSettings = Settings['backend'];
