import { DataAwsAmi } from '@cdktn/provider-aws/lib/data-aws-ami';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { defaultAwsProvider } from '../common/providers';
import { TerraformData } from '../common/terraform-data';
import { partitionOf, type AwsPartition } from '../config/aws-regions';
import { IMAGE_OWNERS } from '../config/image-owners';
import type { Architecture } from '../config/instance-types';
import type { ServerOperatingSystem } from '../config/sections';

/** Canonical's AWS account in the commercial partition, the publisher of the official Ubuntu images there. */
export const CANONICAL_OWNER_ID = '099720109477';
export const UBUNTU_2404_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

/** How to find the newest image of an operating system, per architecture (docs/design-notes.md, "Operating systems"). */
interface ImageFamily {
  /** The id of the lookup's data source in the construct tree (the Ubuntu one is the 0.x address). */
  readonly lookupId: string;
  /** The name pattern per architecture, the same in every partition the publisher publishes to. */
  readonly names: Readonly<Record<Architecture, string>>;
}

/**
 * The publishers and names, as they publish them: Canonical's `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-<arch>-server-<date>`
 * (amd64, arm64); Red Hat's pay-as-you-go images `RHEL-9.<minor>.0_HVM-<date>-<arch>-<n>-Hourly2-GP3` (the
 * `_HVM_BETA` previews left out by the `_HVM-`), whose architecture the filter below matches; the Rocky Enterprise
 * Software Foundation's `Rocky-9-EC2-Base-9.<minor>-<date>.<n>.<x86_64|aarch64>` (the LVM variant left out).
 */
const IMAGE_FAMILIES: Readonly<Record<ServerOperatingSystem, ImageFamily>> = {
  'ubuntu-24.04': {
    lookupId: 'ubuntu',
    names: { x86_64: UBUNTU_2404_NAME, arm64: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*' },
  },
  'rhel-9': { lookupId: 'rhel', names: { x86_64: 'RHEL-9.*_HVM-*-Hourly2-GP3', arm64: 'RHEL-9.*_HVM-*-Hourly2-GP3' } },
  'rocky-9': { lookupId: 'rocky', names: { x86_64: 'Rocky-9-EC2-Base-9.*', arm64: 'Rocky-9-EC2-Base-9.*' } },
};

/** The publisher's account of an operating system's images in a partition, where one is known (for the docs and tests). */
export function imageOwner(os: ServerOperatingSystem, partition: AwsPartition = 'aws'): string | undefined {
  return IMAGE_OWNERS[os][partition];
}

/** A pinned image, or the operating system and architecture to look the newest one up for. */
export interface ServerImageProps {
  /** Use exactly this image instead of looking one up. @default the newest image of `operatingSystem` and `architecture` at the first apply */
  readonly amiId?: string;
  /** @default 'ubuntu-24.04' */
  readonly operatingSystem?: ServerOperatingSystem;
  /** @default 'x86_64' */
  readonly architecture?: Architecture;
  /**
   * The region the servers run in (a literal): its partition chooses the publisher's account, since each partition's
   * images have their own (Canonical's `837727238323` in China, `513442679011` in GovCloud).
   * @default the region of the stack's AWS provider when it is a literal; the commercial partition otherwise
   */
  readonly region?: string;
}

/**
 * The node image a deployment runs, recorded once: the newest image of the
 * operating system and architecture at the first apply (Canonical's Ubuntu
 * 24.04 LTS for amd64 by default), or a pinned id. The record (a
 * `terraform_data` ignoring later changes of its input) is what the servers
 * launch and what the stale-server check compares with, so an image the
 * publisher releases later changes no plan and no output; servers added later
 * launch the recorded image too. Moving to the newest image is deliberate:
 * `terraform apply -replace=<the record's address>`, then roll the servers
 * (docs/day-2.md, "Day 2"). A pinned id is recorded the same way and replaces
 * the record when the pin changes, so a new pin is reported for every server;
 * so does a change of operating system or architecture (the user data follows
 * the setting, so the image must too).
 */
export class ServerImage extends Construct {
  /** The recorded image id (the record's `output`). */
  readonly id: string;
  /** The record: a `terraform_data` that keeps the first image it was given (replace it to move on). */
  readonly record: TerraformData;

  constructor(scope: Construct, id: string, props: ServerImageProps = {}) {
    super(scope, id);
    const os = props.operatingSystem ?? 'ubuntu-24.04';
    const architecture = props.architecture ?? 'x86_64';
    const wanted = props.amiId ?? this.lookup(os, architecture, props.region ?? defaultAwsProvider(this)?.region).id;
    // The default image has no trigger, as before operating systems and architectures could be chosen: its record
    // stays as it is. Any other choice replaces the record when it changes, and so does going back to the default.
    const chosen = os === 'ubuntu-24.04' && architecture === 'x86_64' ? undefined : `${os}/${architecture}`;
    this.record = new TerraformData(this, 'recorded-image', {
      input: wanted,
      triggersReplace: props.amiId ?? chosen,
      lifecycle: { ignoreChanges: ['input'] },
    });
    this.id = this.record.output;
  }

  private lookup(os: ServerOperatingSystem, architecture: Architecture, region: string | undefined): DataAwsAmi {
    const family = IMAGE_FAMILIES[os];
    const partition = region === undefined || Token.isUnresolved(region) ? 'aws' : partitionOf(region);
    const owner = imageOwner(os, partition);
    if (owner === undefined) {
      // The deployments' settings refuse this first (rkeHa.operatingSystem); a library user gets the same reason.
      throw new Error(
        `${this.node.path}: no ${os} images are known to be published in ${region} (partition ${partition}), so the lookup would find nothing; give amiId (an image of yours there), or use ubuntu-24.04 (docs/design-notes.md "Partitions")`,
      );
    }
    return new DataAwsAmi(this, family.lookupId, {
      owners: [owner],
      mostRecent: true,
      filter: [
        { name: 'name', values: [family.names[architecture]] },
        { name: 'architecture', values: [architecture] },
        { name: 'virtualization-type', values: ['hvm'] },
        { name: 'root-device-type', values: ['ebs'] },
      ],
    });
  }
}
