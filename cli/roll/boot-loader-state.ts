import type { Aws } from '../shared/aws';
import { waitUntil } from '../shared/poll';

// A replaced server whose boot loader gave up (lib/nodes/boot-loader.sh, docs/recover.md "A server whose boot loader
// has not succeeded"): the loader retries every failure to read its document without end, but a document it refuses
// exits 78, which its unit does not restart (RestartPreventExitStatus=78): no retry changes those bytes, and the
// server never joins. systemd keeps that outcome as the unit's state (systemctl(1) `show`: ActiveState=failed,
// ExecMainStatus=78, until the unit is started again), and the loader's reason is its last line in the unit's
// journal. The roll reads both through SSM Run Command (the agent runs whatever the loader did) while it waits for
// the new server to register, instead of waiting out its whole budget for a server that will never join.

/** The loader's unit (lib/nodes/private/boot-loader.ts BOOT_LOADER_UNIT: a test holds them equal; the CLI bundles no cdktf). */
export const BOOT_LOADER_UNIT = 'rancher-aws-boot-loader.service';
/** The exit status of a refused document (boot-loader.sh; the unit's RestartPreventExitStatus). */
export const LOADER_GAVE_UP_STATUS = 78;

/** What the roll asks the new server: the unit's state and status, then the loader's last refusal, if any. */
export const LOADER_STATE_COMMAND = `systemctl show ${BOOT_LOADER_UNIT} -p ActiveState -p ExecMainStatus; journalctl -u ${BOOT_LOADER_UNIT} -o cat --no-pager -n 50 | grep 'refusing' | tail -n 1`;

/** How often the rejoin looks at the loader while the new server has not registered a Node: every sixth look (a minute at 10 s). */
export const LOADER_LOOK_EVERY = 6;

/** The SSM command's budget: three looks at its invocation. */
const LOADER_LOOK_MS = 30_000;

/** The loader's refusal from the command's output, or undefined while it has not given up (running, retrying, applied). */
export function loaderGaveUp(output: string): string | undefined {
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(output)?.[1]?.trim();
  if (field('ActiveState') !== 'failed' || field('ExecMainStatus') !== String(LOADER_GAVE_UP_STATUS)) return undefined;
  const reason = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.includes('refusing'));
  return reason ?? `${BOOT_LOADER_UNIT} exited ${LOADER_GAVE_UP_STATUS} (a refused boot document)`;
}

/**
 * Whether the loader of the server on `instanceId` gave up: its reason, or undefined (it has not, or SSM does not reach
 * the instance yet: its agent not registered, the command not ended within its budget).
 */
export async function bootLoaderGaveUp(
  c: { readonly aws: Aws; readonly interrupted: () => boolean },
  instanceId: string,
): Promise<string | undefined> {
  const { side, clients } = await c.aws.sdk();
  const commandId = await side.sendShellCommand(clients, {
    instanceIds: [instanceId],
    commands: [LOADER_STATE_COMMAND],
    comment: 'rancher-ha-aws roll: boot loader state',
    timeoutSeconds: LOADER_LOOK_MS / 1000,
  });
  if (commandId === undefined) return undefined;
  const result = await waitUntil(LOADER_LOOK_MS, c.interrupted, () => side.invocationResult(clients, commandId, instanceId));
  return result === undefined ? undefined : loaderGaveUp(result.output);
}
