import { partitionOf, type AwsPartition } from './aws-regions';
import type { ServerOperatingSystem } from './sections';

/**
 * The AWS account that publishes each operating system's images, per partition. An account and its public images
 * belong to one partition, so a lookup with the commercial publisher finds nothing in China or GovCloud. Missing
 * (undefined): no source found that the publisher's images of that family are there, and the settings refuse the
 * pair unless `amiId` pins an image (docs/design-notes.md, "Partitions", gives each source).
 *
 * - Canonical: its "Find Ubuntu images on AWS" page (canonical/ubuntu-cloud-docs,
 *   `docs/aws/aws-how-to/instances/find-ubuntu-images.rst`, "Ownership verification") names one owner per partition.
 * - Red Hat: `309956199498` commercial, `841258680906` China, `219670896067` GovCloud (Red Hat's own cloudigrade
 *   service lists the three as its RHEL image accounts; AWS ParallelCluster's tests look RHEL 9 up with them;
 *   Rancher Government's rancherfederal/rke2-aws-tf quickstart looks RHEL up in us-gov-west-1 with the GovCloud one).
 * - Rocky (RESF): `792107900819` commercial only; no source names an account of its elsewhere.
 */
export const IMAGE_OWNERS: Readonly<Record<ServerOperatingSystem, Readonly<Partial<Record<AwsPartition, string>>>>> = {
  'ubuntu-24.04': { aws: '099720109477', 'aws-cn': '837727238323', 'aws-us-gov': '513442679011' },
  'rhel-9': { aws: '309956199498', 'aws-cn': '841258680906', 'aws-us-gov': '219670896067' },
  'rocky-9': { aws: '792107900819' },
};

/** The publisher of `os`'s images in `region`'s partition, or undefined where none is known to publish them. */
export function imageOwnerIn(os: ServerOperatingSystem, region: string): string | undefined {
  return IMAGE_OWNERS[os][partitionOf(region)];
}
