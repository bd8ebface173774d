import { rootFile, type WriteFile } from '../../nodes/private/boot-files';
import type { ServerDistribution } from './server-units';

/**
 * How long a start of the server unit may take, its ExecStartPre steps included (the registry login, the datastore
 * endpoint's read, the wait for the IPv6 address), until the service says it is ready. RKE2's own unit
 * (`bundle/lib/systemd/system/rke2-server.service`, Type=notify) and K3s' (its install.sh) set `TimeoutStartSec=0`:
 * no bound at all, so a step that hangs holds `systemctl start` (and the bootstrap waiting in it) for ever. An hour is
 * far above a first start (the runtime and control-plane images pulled through a slow mirror, an etcd member
 * catching up), and what passes it is stuck: systemd stops the start (KillMode=process, as the unit says) and the
 * unit's own `Restart=always` starts it again five seconds later, which is what a person would do.
 */
export const SERVER_START_TIMEOUT = '1h';

const SERVICES: Record<ServerDistribution, string> = { rke2: 'rke2-server', k3s: 'k3s' };

/** The drop-in that bounds the server unit's start: written before the installer creates the unit; systemd merges it in. */
export function startTimeoutFiles(distribution: ServerDistribution): WriteFile[] {
  return [
    rootFile(
      `/etc/systemd/system/${SERVICES[distribution]}.service.d/rancher-aws-start-timeout.conf`,
      '0644',
      `[Service]\nTimeoutStartSec=${SERVER_START_TIMEOUT}\n`,
    ),
  ];
}
