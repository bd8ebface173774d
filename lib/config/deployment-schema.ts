import { z } from 'zod';
import { acceptAgentChangeSchema } from './accept-agent-change-schema';
import { alarmsSchema } from './alarms-schema';
import { auditLogSchema } from './audit-log-schema';
import { airGapSchema } from './air-gap-schema';
import { backupsSchema } from './backups-schema';
import { bootstrapSchema } from './bootstrap-schema';
import { proxySchema } from './proxy-schema';
import { DOCKER_FIELDS, dockerRules } from './docker-schema';
import { dnsSchema } from './dns-schema';
import { coversWholeInternet, coversWholeIpv6Internet, parseCidr, parseCidr6 } from './cidr';
import { withRules } from './deployment-rules';
import { RANCHER_ON_DOCKER_RULES } from './docker-rules';
import { RANCHER_ON_EXISTING_CLUSTER_RULES } from './k8s-ha-rules';
import { RANCHER_ON_RKE_RULES } from './rke-ha-rules';
import { adminCidr, awsRegion, fqdn, lengthBounds, rancherVersion, version, wholeNumber } from './primitives';
import { DEFAULT_REGION } from './aws-regions';
import { nameProblem } from './resource-names';
import { K8S_HA_FIELDS } from './k8s-ha-schema';
import { RKE_HA_FIELDS, rkeHaRules } from './rke-ha-schema';
import { rulesOver } from './rules-over';
import { timeoutsSchema } from './timeouts-schema';
import { tlsSchema } from './tls-schema';
import { vpcSchema } from './vpc-schema';
import { propsPath, type SectionName } from './setting-names';
import { suppliedSumProblems } from './release-sums';
import { STANDBY_FIELDS } from './standby-schema';
import { MIN_CERT_MANAGER_MINOR, certManagerMinor } from './versions';

/**
 * The deployment schema: the fields every Rancher deployment has, shared by the settings file
 * (app/config/settings-schema.ts adds its file-only sections: tags, the state backend, all three stacks' sections)
 * and the three L3 constructs, which each check their flat props with the fields they take and their own section's
 * fields beside them (`rancherOnRkeSchema`, `rancherOnExistingClusterSchema`, `rancherOnDockerSchema`, which
 * resolveProps applies), and the rules over those props (rke-ha-rules.ts, k8s-ha-rules.ts, docker-rules.ts). Each
 * default is stated once, here or in a section's schema.
 */

/** A SHA-256 as sha256sum prints it. */
const SHA256 = /^[0-9a-f]{64}$/;

/** The fields of a deployment, in the settings file's order (error messages follow it). */
export const deploymentFields = {
  /** Prefix of every resource name; distinct per deployment sharing an account and region. */
  name: z
    .string()
    .superRefine((name, ctx) => {
      const problem = nameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: name });
    })
    .meta(lengthBounds(2, 16))
    .default('rancher'),
  /** AWS region, of the commercial, China (`cn-north-1`, `cn-northwest-1`) or GovCloud (`us-gov-east-1`, `us-gov-west-1`) partition: ARNs, endpoints, service principals and the image publishers' accounts follow its partition (docs/design-notes.md, "Partitions") */
  region: awsRegion.default(DEFAULT_REGION),
  /** Rancher's public name. Unset: the `rancher_hostname` Terraform variable is required at plan time. */
  hostname: fqdn('a hostname').optional(),
  /** Existing public Route53 hosted zone that holds `hostname`. Unset: `route53_zone_name` variable. */
  hostedZone: fqdn('a hosted zone name').optional(),
  /** Rancher's name from your Route53 zone (default) or from a wildcard DNS service (rke-ha, docker; no domain needed). */
  dns: dnsSchema,
  /**
   * Networks allowed to reach admin ports (6443, SSH). Empty: the deployer's own public IP (/32). IPv6 networks
   * only with `rkeHa.dualStack`. Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
   * 2001:db8::/32) are refused. rke-ha's plan warns when a list
   * leaves out the planning machine's IPv4 address (variable `check_deployer_address`).
   */
  adminCidrs: z
    .array(adminCidr)
    .superRefine((cidrs, ctx) => {
      // A single /0 is reported at its own position already.
      if (Array.isArray(cidrs) && !cidrs.some((c) => parseCidr(c)?.prefix === 0) && coversWholeInternet(cidrs)) {
        ctx.addIssue({
          code: 'custom',
          message: `these ${cidrs.length} blocks together cover the whole internet (0.0.0.0/0), which admin ports must never be open to; list the networks you administer from`,
          input: cidrs,
        });
      }
      if (Array.isArray(cidrs) && !cidrs.some((c) => parseCidr6(c)?.prefix === 0) && coversWholeIpv6Internet(cidrs)) {
        ctx.addIssue({
          code: 'custom',
          message: `these ${cidrs.length} blocks together cover the whole IPv6 internet (::/0), which admin ports must never be open to; list the networks you administer from`,
          input: cidrs,
        });
      }
    })
    .default([]),
  proxy: proxySchema,
  airGap: airGapSchema,
  vpc: vpcSchema,
  versions: z
    .strictObject({
      rke2: version('rke2', 'v1.35.0+rke2r1'),
      k3s: version('k3s', 'v1.35.7+k3s1'),
      certManager: version('certManager', 'v1.21.1').refine((v) => (certManagerMinor(v) ?? Infinity) >= MIN_CERT_MANAGER_MINOR, {
        message: `Rancher needs cert-manager v1.${MIN_CERT_MANAGER_MINOR} or newer`,
      }),
      rancher: rancherVersion('2.14.0'),
      /**
       * SHA-256 sums of release files this project records none for, per version: `"<version>": { "<file>": "<sha256>" }`,
       * the file `rke2.linux-amd64.tar.gz`, `rke2.linux-arm64.tar.gz`, `k3s` or `k3s-arm64`, each sum read from the
       * release's `sha256sum-<arch>.txt` and checked by you (docs/day-2.md, "Sums of a new release"). One that
       * contradicts a recorded sum is refused.
       */
      releaseSums: z
        .record(
          z.string(),
          z.record(
            z.string(),
            z.string().regex(SHA256, { message: 'expected a SHA-256: 64 lower-case hexadecimal characters, as sha256sum prints it' }),
          ),
        )
        .superRefine((sums, ctx) => {
          for (const p of suppliedSumProblems(sums)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: p.value });
        })
        .default({}),
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
      /** Rancher server pods (1–15) */
      replicas: wholeNumber(1, 15).default(3),
      tls: tlsSchema,
      auditLog: auditLogSchema,
      bootstrap: bootstrapSchema,
      /** A change of Rancher's name or of the CA its agents trust, accepted on purpose (docs/day-2.md, "Rancher's name and CA"). */
      acceptAgentChange: acceptAgentChangeSchema,
    })
    .prefault({}),
  timeouts: timeoutsSchema,
  /** Rancher's backups by the rancher-backup operator (rke-ha, k8s-ha): docs/backups.md. */
  backups: backupsSchema,
  alarms: alarmsSchema,
};

const { dns: _dns, adminCidrs: _adminCidrs, vpc: _vpc, ...withoutAwsFields } = deploymentFields;

/** Each construct's own props: its section's fields, flat beside the deployment's in its props and schema. */
export const SECTION_FIELDS = { rkeHa: RKE_HA_FIELDS, k8sHa: K8S_HA_FIELDS, docker: DOCKER_FIELDS } as const;

/** How a construct's messages name its own props (an existing network is checked in its settings-file form: setting-names.ts). */
const propsName = (section: SectionName) => (prop: string) => propsPath(prop, section);

/** RancherOnRke's props, checked and completed, flat as the props are: the deployment's fields and `rkeHa`'s. */
export const rancherOnRkeSchema = withRules(
  rulesOver(z.strictObject({ ...deploymentFields, ...RKE_HA_FIELDS, ...STANDBY_FIELDS }), rkeHaRules(propsName('rkeHa'))),
  RANCHER_ON_RKE_RULES,
  propsName('rkeHa'),
);

/** RancherOnExistingCluster's props: the deployment's fields but the AWS side's (dns, adminCidrs, vpc), `k8sHa`'s and `standby`. */
export const rancherOnExistingClusterSchema = withRules(
  z.strictObject({ ...withoutAwsFields, ...K8S_HA_FIELDS, ...STANDBY_FIELDS }),
  RANCHER_ON_EXISTING_CLUSTER_RULES,
  propsName('k8sHa'),
);

/** RancherOnDocker's props: the deployment's fields and `docker`'s. */
export const rancherOnDockerSchema = withRules(
  rulesOver(z.strictObject({ ...deploymentFields, ...DOCKER_FIELDS }), dockerRules(propsName('docker'))),
  RANCHER_ON_DOCKER_RULES,
  propsName('docker'),
);

/** What every construct's resolved props hold (RancherOnExistingCluster's lack the AWS side's fields). */
export type ResolvedDeploymentProps = z.output<z.ZodObject<typeof deploymentFields>>;

/** RancherOnRke's props checked and completed: every default filled in, flat as the props are. */
export type ResolvedRancherOnRkeProps = z.output<typeof rancherOnRkeSchema>;
/** RancherOnExistingCluster's props checked and completed. */
export type ResolvedRancherOnExistingClusterProps = z.output<typeof rancherOnExistingClusterSchema>;
/** RancherOnDocker's props checked and completed. */
export type ResolvedRancherOnDockerProps = z.output<typeof rancherOnDockerSchema>;
