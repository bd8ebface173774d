import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { Construct } from 'constructs';
import { TerraformData } from '../common/terraform-data';

/** Canonical's AWS account, the publisher of the official Ubuntu images. */
export const CANONICAL_OWNER_ID = '099720109477';
export const UBUNTU_2404_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

export interface UbuntuAmiProps {
  /** Use exactly this image instead of looking one up. @default Canonical's newest Ubuntu 24.04 at the first apply */
  readonly amiId?: string;
}

/**
 * The node image a deployment runs, recorded once: Canonical's newest Ubuntu
 * 24.04 LTS (amd64, gp3) at the first apply, or a pinned id. The record (a
 * `terraform_data` ignoring later changes of its input) is what the servers
 * launch and what the stale-server check compares with, so an image Canonical
 * publishes later changes no plan and no output; servers added later launch
 * the recorded image too. Moving to the newest image is deliberate:
 * `terraform apply -replace=<the record's address>`, then roll the servers
 * (docs/day-2.md, "Day 2"). A pinned id is recorded the same way and replaces the
 * record when the pin changes, so a new pin is reported for every server.
 */
export class UbuntuAmi extends Construct {
  /** The recorded image id (the record's `output`). */
  readonly id: string;
  readonly record: TerraformData;

  constructor(scope: Construct, id: string, props: UbuntuAmiProps = {}) {
    super(scope, id);
    const wanted = props.amiId ?? this.lookup().id;
    this.record = new TerraformData(this, 'recorded-image', {
      input: wanted,
      triggersReplace: props.amiId,
      lifecycle: { ignoreChanges: ['input'] },
    });
    this.id = this.record.output;
  }

  private lookup(): DataAwsAmi {
    return new DataAwsAmi(this, 'ubuntu', {
      owners: [CANONICAL_OWNER_ID],
      mostRecent: true,
      filter: [
        { name: 'name', values: [UBUNTU_2404_NAME] },
        { name: 'architecture', values: ['x86_64'] },
        { name: 'virtualization-type', values: ['hvm'] },
        { name: 'root-device-type', values: ['ebs'] },
      ],
    });
  }
}
