import { z } from 'zod';
import { lengthBounds, PORT } from './primitives';
import type { AirGapSettings, Expect, SameType } from './sections';
import {
  registryHostsOf,
  SECRETS_MANAGER_ARN,
  SECRETS_MANAGER_NAME,
  SECRETS_MANAGER_NAME_LENGTH,
  SSM_PARAMETER_ARN,
  SSM_PARAMETER_NAME,
  SSM_PARAMETER_NAME_LENGTH,
} from './registry-credentials';

export type { AirGapSettings } from './sections';

/** host[:port], optionally with a path: where mirrored images live. */
const registry = z.string().regex(new RegExp(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:${PORT})?(\\/[a-z0-9._\\/-]+)?$`), {
  message: 'expected a registry such as registry.internal:5000',
});

/** https://host[:port][/path]: no credentials, no quotes, spaces or template characters (the values reach user data and chart values). */
const HTTPS_URL = `^https:\\/\\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:${PORT})?(\\/[A-Za-z0-9.\\/_~%+-]*)?`;
const httpsUrl = z.string().regex(new RegExp(`${HTTPS_URL}$`), { message: 'expected an https:// URL' });
/** An installer may sit behind a signed or versioned download link: a query string is allowed there. */
const installerUrl = z
  .string()
  .regex(new RegExp(`${HTTPS_URL}(\\?[A-Za-z0-9._~%+=&\\/-]*)?$`), { message: 'expected an https:// URL (a query string is allowed)' });

/** host[:port] as containerd names a registry (a registries.yaml key). */
const REGISTRY_HOST = new RegExp(`^[a-z0-9.-]+(:${PORT})?$`);

/** A name or ARN: an ARN is checked as one (its service, region, account, resource), a name by the service's characters. */
const nameOrArn = (arn: RegExp, name: RegExp, arnForm: string, nameForm: string, maxNameLength: number) =>
  z
    .string()
    .superRefine((value, ctx) => {
      if (value.startsWith('arn:') ? arn.test(value) : name.test(value)) return;
      ctx.addIssue({
        code: 'custom',
        message: value.startsWith('arn:') ? `is not a well-formed ARN: expected ${arnForm}` : `expected ${nameForm}, or its ARN`,
        input: value,
      });
    })
    .meta(lengthBounds(1, maxNameLength, 'name'));

/**
 * Credentials for a private registry, read by rke-ha's servers at boot with their instance role and written to
 * registries.yaml (`configs.<registry>.auth`, mode 0600); never in user data or Terraform state (docs/air-gap.md,
 * "A registry that needs a login").
 */
const registryCredentials = z
  .strictObject({
    /** The private registry the servers log in to, as host[:port]: the host of `systemDefaultRegistry` or of a `registryMirrors` endpoint. */
    registry: z.string().regex(REGISTRY_HOST, { message: 'expected a registry host such as registry.internal:5000 (a port from 1 to 65535)' }),
    /** SSM Parameter Store SecureString (name or ARN) holding JSON `{"username": "...", "password": "..."}`. */
    ssmParameter: nameOrArn(
      SSM_PARAMETER_ARN,
      SSM_PARAMETER_NAME,
      'arn:<partition>:ssm:<region>:<account>:parameter/<name>',
      'a parameter name such as /rancher/registry-login (letters, digits, _ . - /)',
      SSM_PARAMETER_NAME_LENGTH,
    ).optional(),
    /** Secrets Manager secret (name or full ARN) holding the same JSON; instead of `ssmParameter`. */
    secretsManagerSecret: nameOrArn(
      SECRETS_MANAGER_ARN,
      SECRETS_MANAGER_NAME,
      'arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the full ARN, as the console shows it)',
      'a secret name such as rancher/registry-login (letters, digits, / _ + = . @ -)',
      SECRETS_MANAGER_NAME_LENGTH,
    ).optional(),
  })
  .superRefine((c, ctx) => {
    const given = [c.ssmParameter, c.secretsManagerSecret].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          given === 0
            ? 'names no store: set ssmParameter (a SecureString) or secretsManagerSecret'
            : 'sets both ssmParameter and secretsManagerSecret; set one: the servers read the credentials from one store',
        input: c,
      });
    }
  });

/**
 * `airGap`: installs that cannot (or must not) pull from the internet.
 * Every source the deploy downloads from can point at a mirror; what must be
 * mirrored is listed in docs/air-gap.md.
 */
export const airGapSchema = z
  .strictObject({
    /** Registry for every system image (RKE2/K3s `system-default-registry`, chart `systemDefaultRegistry`, the Docker install's image). */
    systemDefaultRegistry: registry.optional(),
    /** Pull-through mirrors per upstream registry (RKE2/K3s `registries.yaml`), e.g. `docker.io: [https://mirror.internal]`. */
    registryMirrors: z
      .record(
        z.string().regex(new RegExp(`^[a-z0-9.-]+(:${PORT})?$`), { message: 'expected a registry host such as docker.io (a port from 1 to 65535)' }),
        z.array(httpsUrl).min(1),
      )
      .default({}),
    /** Rancher uses the system charts packaged in its image instead of fetching them from Git. */
    useBundledSystemChart: z.boolean().default(false),
    /** Helm repository of the Rancher chart. Default: Rancher's stable repository. */
    rancherChartRepository: httpsUrl.optional(),
    /** Helm repository of the cert-manager chart. Default: charts.jetstack.io. */
    certManagerChartRepository: httpsUrl.optional(),
    /** Helm repository of the rancher-backup and rancher-backup-crd charts. Default: charts.rancher.io. */
    rancherBackupChartRepository: httpsUrl.optional(),
    /**
     * A mirror of the RKE2 / K3s installer script, serving upstream's byte for byte; the release file comes from its
     * folder (`<folder>/<version>/<file>`). Both are checked against the recorded sums. Default: GitHub, at fixed commits.
     */
    installerUrl: installerUrl.optional(),
    /**
     * A login for one private registry (rke-ha's RKE2 and K3s servers): `registry` and one of `ssmParameter` or
     * `secretsManagerSecret`, read on the servers at boot and before every start of RKE2 / K3s.
     */
    registryCredentials: registryCredentials.optional(),
  })
  .superRefine((a, ctx) => {
    // containerd looks a login up by the host of the endpoint it pulls from: a login for any other host is never used.
    const login = a.registryCredentials?.registry;
    // A malformed one is reported as such already.
    if (typeof login !== 'string' || !REGISTRY_HOST.test(login)) return;
    const hosts = registryHostsOf(a);
    if (!hosts.includes(login)) {
      ctx.addIssue({
        code: 'custom',
        path: ['registryCredentials', 'registry'],
        message:
          hosts.length === 0
            ? 'names a registry, and neither systemDefaultRegistry nor registryMirrors pulls from one: set them to pull from it'
            : `is not a registry the servers pull from; they pull from ${hosts.join(', ')} (systemDefaultRegistry and the registryMirrors endpoints)`,
        input: login,
      });
    }
  })
  .prefault({});

/** The schema's output is the plain section type (a compile error otherwise). */
export type AirGapSettingsHeld = Expect<SameType<z.output<typeof airGapSchema>, AirGapSettings>>;
