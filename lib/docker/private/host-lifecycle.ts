import type { ServerNode } from '../../nodes/server-node';

/**
 * Adapts a ServerNode to a single host whose data lives on a separate volume.
 *
 * - It is replaced, not left stale, when its user data changes (a new Rancher
 *   version, certificate or proxy): the new instance mounts the same volume and
 *   carries on. The RKE2 servers ignore user data changes on purpose (etcd
 *   members are rolled one at a time); a newer AMI alone still replaces nothing.
 * - Its root volume is tagged through `root_block_device.tags`, not
 *   `volume_tags`: the AWS provider applies `volume_tags` to every attached
 *   volume, and would rewrite (and strip the snapshot tag of) the data volume.
 */
export function adaptToDataVolume(node: ServerNode, name: string): void {
  const instance = node.instance;
  instance.userDataReplaceOnChange = true;
  instance.lifecycle = { ...instance.lifecycle, ignoreChanges: ['ami'] };
  instance.resetVolumeTags();
  instance.rootBlockDevice.tags = { Name: name };
}
