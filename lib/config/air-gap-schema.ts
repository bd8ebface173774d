import { z } from 'zod';
import { PORT } from './primitives';
import type { AirGapSettings, Expect, SameType } from './sections';

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
    /** Installer script of RKE2 / K3s. Default: get.rke2.io / get.k3s.io. */
    installerUrl: installerUrl.optional(),
  })
  .prefault({});

/** The schema's output is the plain section type (a compile error otherwise). */
export type AirGapSettingsHeld = Expect<SameType<z.output<typeof airGapSchema>, AirGapSettings>>;
