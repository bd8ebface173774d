import type { Construct } from 'constructs';
import { ServerImage } from './server-image';

export { CANONICAL_OWNER_ID, UBUNTU_2404_NAME } from './server-image';

/** A pinned Ubuntu image, or the region to look the newest one up in. */
export interface UbuntuAmiProps {
  /** Use exactly this image instead of looking one up. @default Canonical's newest Ubuntu 24.04 at the first apply */
  readonly amiId?: string;
  /** The region the servers run in: its partition chooses Canonical's account. @default the stack's AWS provider's, when a literal */
  readonly region?: string;
}

/**
 * Canonical's newest Ubuntu 24.04 LTS (amd64, gp3) at the first apply, or a
 * pinned id, recorded once: a ServerImage of the default operating system
 * and architecture, kept under its earlier name for the library's users.
 */
export class UbuntuAmi extends ServerImage {
  constructor(scope: Construct, id: string, props: UbuntuAmiProps = {}) {
    super(scope, id, { amiId: props.amiId, region: props.region });
  }
}
