import { Annotations } from 'cdktf';
import type { Construct } from 'constructs';
import { partitionOf } from '../../config/aws-regions';
import type { Architecture as ServerArchitecture } from '../../config/instance-types';
import { recordedRelease, releaseArchitecture, type SuppliedSums } from '../../config/release-sums';
import type { ServerOperatingSystem } from '../../config/sections';

/**
 * What this project relies on and could not confirm from these machines (docs/settings.md, "Unconfirmed here"), warned
 * at synth so that whoever deploys knows what the first apply will settle; the acceptance run's report records what it
 * saw of each (cli/acceptance/acceptance-observed.ts).
 */

/** The operating systems whose image names are not confirmed in a partition, though its publisher's account is known there. */
export const UNCONFIRMED_IMAGE_NAMES: Readonly<Partial<Record<ServerOperatingSystem, readonly string[]>>> = {
  // Red Hat's China and GovCloud accounts are named by its own service and others' lookups, the image names there by none.
  'rhel-9': ['aws-cn', 'aws-us-gov'],
};

/** The independent records a release sum needs before this project calls it confirmed. */
export const CONFIRMING_RECORDS = 2;

/**
 * The warning on a release file whose sum the servers check comes from fewer than two records and was not supplied by
 * the operator (who would have read it from the release's own sums file): undefined otherwise.
 */
export function unconfirmedSumWarning(
  distribution: 'rke2' | 'k3s',
  version: string,
  serverArchitecture: ServerArchitecture,
  supplied: SuppliedSums | undefined,
  setting: string,
): string | undefined {
  const architecture = releaseArchitecture(serverArchitecture);
  const recorded = recordedRelease(distribution, version)?.artifacts[architecture];
  if (recorded === undefined || recorded.sources.length >= CONFIRMING_RECORDS) return undefined;
  if (supplied?.[version]?.[recorded.file] === recorded.sha256) return undefined;
  return (
    `${setting} ${version} on ${architecture}: the SHA-256 of ${recorded.file} the servers check comes from one record ` +
    `(${recorded.sources.join('; ')}), not confirmed here. A wrong sum fails closed (the servers refuse the file and never start). ` +
    `Confirm it from the release's sha256sum-${architecture}.txt and write it into versions.releaseSums ` +
    `({ "${version}": { "${recorded.file}": "${recorded.sha256}" } }), or let the acceptance run record it (docs/settings.md, "Unconfirmed here")`
  );
}

/** The warning on an image looked up by name where that name is not confirmed (no amiId pinned): undefined otherwise. */
export function unconfirmedImageWarning(
  operatingSystem: ServerOperatingSystem,
  region: string,
  amiId: string | undefined,
  setting: string,
): string | undefined {
  const partition = partitionOf(region);
  if (amiId !== undefined || !(UNCONFIRMED_IMAGE_NAMES[operatingSystem] ?? []).includes(partition)) return undefined;
  return (
    `${setting} ${operatingSystem} in ${region} (partition ${partition}): the image names the lookup matches are not confirmed ` +
    `there; if none matches, the plan fails at the lookup before creating anything. Pin an image you checked (amiId), ` +
    `or let the acceptance run record the name it found (docs/settings.md, "Unconfirmed here")`
  );
}

/** The warning on a K3s datastore without a standby in a second zone. */
export function singleZoneDatastoreWarning(setting: string): string {
  return (
    `${setting} false: the K3s datastore is one database instance in one zone, and every server reads and writes the ` +
    `cluster's state there; while that zone is out the Kubernetes API of all servers stops, whatever zones they run in ` +
    `(FSBP RDS.5 fails)`
  );
}

/** Attaches each warning that applies to the construct. */
export function warnOnUnconfirmed(scope: Construct, warnings: readonly (string | undefined)[]): void {
  for (const warning of warnings) if (warning !== undefined) Annotations.of(scope).addWarning(warning);
}
