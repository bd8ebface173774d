import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';
import type { Architecture } from '../config/instance-types';
import type { ServerOperatingSystem } from '../config/sections';

/** Canonical's AWS account, the publisher of the official Ubuntu images. */
export const CANONICAL_OWNER_ID = '099720109477';
export const UBUNTU_2404_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

/** How to find the newest image of an operating system, per architecture (docs/design-notes.md, "Operating systems"). */
interface ImageFamily {
  /** The id of the lookup's data source in the construct tree (the Ubuntu one is the 0.x address). */
  readonly lookupId: string;
  /** The publisher's AWS account (commercial partition). */
  readonly owner: string;
  /** The name pattern per architecture. */
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
    owner: CANONICAL_OWNER_ID,
    names: { x86_64: UBUNTU_2404_NAME, arm64: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*' },
  },
  'rhel-9': { lookupId: 'rhel', owner: '309956199498', names: { x86_64: 'RHEL-9.*_HVM-*-Hourly2-GP3', arm64: 'RHEL-9.*_HVM-*-Hourly2-GP3' } },
  'rocky-9': { lookupId: 'rocky', owner: '792107900819', names: { x86_64: 'Rocky-9-EC2-Base-9.*', arm64: 'Rocky-9-EC2-Base-9.*' } },
};

/** The publisher's account of an operating system's images (for the docs and tests). */
export function imageOwner(os: ServerOperatingSystem): string {
  return IMAGE_FAMILIES[os].owner;
}

export interface ServerImageProps {
  /** Use exactly this image instead of looking one up. @default the newest image of `operatingSystem` and `architecture` at the first apply */
  readonly amiId?: string;
  /** @default 'ubuntu-24.04' */
  readonly operatingSystem?: ServerOperatingSystem;
  /** @default 'x86_64' */
  readonly architecture?: Architecture;
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
  readonly record: TerraformData;

  constructor(scope: Construct, id: string, props: ServerImageProps = {}) {
    super(scope, id);
    const os = props.operatingSystem ?? 'ubuntu-24.04';
    const architecture = props.architecture ?? 'x86_64';
    const wanted = props.amiId ?? this.lookup(os, architecture).id;
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

  private lookup(os: ServerOperatingSystem, architecture: Architecture): DataAwsAmi {
    const family = IMAGE_FAMILIES[os];
    return new DataAwsAmi(this, family.lookupId, {
      owners: [family.owner],
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
