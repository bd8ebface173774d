import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { Construct } from 'constructs';

/** Canonical's AWS account, the publisher of the official Ubuntu images. */
export const CANONICAL_OWNER_ID = '099720109477';
export const UBUNTU_2404_NAME = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

export interface UbuntuAmiProps {
  /** Use exactly this image instead of looking one up. */
  readonly amiId?: string;
}

/**
 * The node image: Canonical's newest Ubuntu 24.04 LTS (amd64, gp3) at the
 * time of the lookup, or a pinned id. Nodes ignore later changes of the
 * lookup (see ServerNode), so a new image never replaces running servers.
 */
export class UbuntuAmi extends Construct {
  readonly id: string;

  constructor(scope: Construct, id: string, props: UbuntuAmiProps = {}) {
    super(scope, id);
    if (props.amiId) {
      this.id = props.amiId;
      return;
    }
    const image = new DataAwsAmi(this, 'ubuntu', {
      owners: [CANONICAL_OWNER_ID],
      mostRecent: true,
      filter: [
        { name: 'name', values: [UBUNTU_2404_NAME] },
        { name: 'architecture', values: ['x86_64'] },
        { name: 'virtualization-type', values: ['hvm'] },
        { name: 'root-device-type', values: ['ebs'] },
      ],
    });
    this.id = image.id;
  }
}
