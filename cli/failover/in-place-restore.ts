import { existsSync, readdirSync } from 'node:fs';
import { SECRET_BASES } from '../../lib/rancher/backup-objects';
import type { IoHost } from '../shared/io/io-host';
import { type ModuleJson, readModuleJson, type Stoppable } from '../shared/throwaway';
import { RETIRED_FAILOVER_RECORD } from '../shared/failover-record';
import { standbyStateResources } from './pilot-light';
import type { StateResource } from './prepared-deployer';

// A failover onto a standby whose cluster restored a backup before (issue 91 item 5: failover, failback, failover,
// failback): a standby a failback kept (`failback --keep-standby`, and every k8s-ha failback). Rancher's migration
// Restore (backup-objects.ts MIGRATION_RESTORE, prune off) is for a cluster without Rancher, and the operator runs a
// Restore object once (rancher/backup-restore-operator, OnRestoreChange returns once the object's status has a
// completion time): applied again with another file it would restore nothing. So that standby restores production's
// newer backup as Rancher's in-place restore (`restoreFrom.inPlace`: a Restore named after its file, prune on), as the
// failback restores onto production: what production deleted since the failback does not come back on the standby.
//
// Prune deletes, besides, what of the backup's resource set the file lacks, and the chart's full resource set takes
// every Secret of the cattle- namespaces that Helm does not own (rancher-backup chart, files/default/
// sensitive-resourceset-contents/rancher.yaml): the standby's own suffixed Secrets of the operator's namespace (its
// encryption configuration, its writer's key, the restore's), which production's file does not hold. Terraform's
// state still holds them, and the failover's apply does not refresh (a refresh of the pilot light is a call to a
// control plane of us-east-1), so a second apply replaces them (`-replace`): the kubernetes provider's delete of a
// Secret already gone succeeds (its secret resource's delete returns on NotFound), and the create makes it again.

/** Whether the failover's folder holds a failover its failback retired (cli/shared/failover-record.ts). */
const failedBackBefore = (root: string): boolean => existsSync(root) && readdirSync(root).some((f) => RETIRED_FAILOVER_RECORD.test(f));

/** Whether the standby's state holds a restore's release: its cluster restored a backup before. */
export const restoredIn = (resources: readonly (StateResource & { readonly name: string })[]): boolean =>
  resources.some((r) => r.mode === 'managed' && r.type === 'helm_release' && r.name.includes('migration-restore'));

/**
 * Whether the standby's cluster restored a backup before: the failover's folder holds a retired failover record (a
 * failback happened: only then can a standby be kept) and the standby's state, read through the module the earlier
 * failover synthesized there, holds a restore's release. A standby torn down since holds none. Nothing is read in
 * the usual first failover (no retired record), so it costs that one nothing.
 */
export async function restoredBefore(o: Stoppable & { readonly io: IoHost; readonly root: string; readonly moduleDir: string }): Promise<boolean> {
  if (!failedBackBefore(o.root) || !readModuleJson(o.moduleDir)) return false;
  return restoredIn(await standbyStateResources(o.moduleDir, o));
}

/** The module's Secrets an in-place restore prunes: the operator's namespace's, named by SECRET_BASES and the suffix. */
export function prunedSecrets(json: ModuleJson): string[] {
  const bases = Object.values(SECRET_BASES).map((base) => `${base}-`);
  return Object.entries(json.resource?.kubernetes_secret_v1 ?? {})
    .filter(([, body]) => {
      const name = (body.metadata as { name?: unknown } | undefined)?.name;
      return typeof name === 'string' && bases.some((base) => name.startsWith(base));
    })
    .map(([name]) => `kubernetes_secret_v1.${name}`)
    .sort();
}

/** The second apply's arguments: the first's, with each pruned Secret replaced. */
export const replacingPruned = (apply: readonly string[], json: ModuleJson): string[] => [
  ...apply,
  ...prunedSecrets(json).map((address) => `-replace=${address}`),
];
