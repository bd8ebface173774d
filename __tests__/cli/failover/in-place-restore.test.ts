import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prunedSecrets, replacingPruned, restoredBefore, restoredIn } from '../../../cli/failover/in-place-restore';
import { retiredFailoverRecord } from '../../../cli/shared/failover-record';
import { IoHost } from '../../../cli/shared/io/io-host';
import { SECRET_BASES } from '../../../lib/rancher/backup-objects';

// A failover onto a standby whose cluster restored before (cli/failover/in-place-restore.ts; issue 91 item 5): which
// Secrets the in-place restore prunes, and when the failover decides so.

// The module's Secrets as the synth writes them (kubernetes_secret_v1, metadata an object, the name with the suffix's
// interpolation): the backups' three and a TLS Secret of cattle-system (lib/rancher/tls-secrets.ts), which production's
// backup holds and the restore brings back, so it is not replaced. The synthesized module's are checked in
// failback.tools.test.ts, where the fake operator prunes them and the second apply must replace each.
const suffix = '${random_id.rancher-backups_secret-suffix_577C7B33.hex}';
const namespace = '${kubernetes_namespace_v1.rancher-backups_namespace_DB610384.metadata[0].name}';
const json = {
  resource: {
    kubernetes_secret_v1: {
      'rancher-backups_credentials_1A2B3C4D': { metadata: { name: `${SECRET_BASES.credentials}-${suffix}`, namespace } },
      'rancher-backups_encryption_AB7D35B6': { metadata: { name: `${SECRET_BASES.encryption}-${suffix}`, namespace } },
      'rancher-backups_restore-encryption_9676BEC3': { metadata: { name: `${SECRET_BASES.restoreEncryption}-${suffix}`, namespace } },
      tls_ingress_5E6F7A8B: { metadata: { name: 'tls-rancher-ingress', namespace: 'cattle-system' } },
    },
  },
};

describe("the standby's in-place restore", () => {
  it("prunes the module's Secrets of the operator's namespace: every one SECRET_BASES names (the writer's key, both encryption configurations), and no other", () => {
    expect(prunedSecrets(json)).toEqual([
      'kubernetes_secret_v1.rancher-backups_credentials_1A2B3C4D',
      'kubernetes_secret_v1.rancher-backups_encryption_AB7D35B6',
      'kubernetes_secret_v1.rancher-backups_restore-encryption_9676BEC3',
    ]);
    expect(replacingPruned(['apply', '-refresh=false'], json)).toEqual([
      'apply',
      '-refresh=false',
      ...prunedSecrets(json).map((a) => `-replace=${a}`),
    ]);
  });

  it("counts a cluster as restored before by a restore's release in the standby's state, managed", () => {
    expect(restoredIn([{ mode: 'managed', type: 'helm_release', name: 'rancher-backups_jobs_migration-restore_EF4C670E' }])).toBe(true);
    expect(restoredIn([{ mode: 'managed', type: 'helm_release', name: 'rancher_release_1A2B3C4D' }])).toBe(false);
    expect(restoredIn([])).toBe(false);
  });

  it('reads no state without a failover its failback retired in the folder, or without an earlier module there (the usual first failover costs nothing)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'in-place-'));
    try {
      const moduleDir = join(root, 'cdktf.out', 'stacks', 'rke-ha');
      const io = new IoHost({ message: () => undefined, status: () => undefined, close: () => undefined } as never);
      // Any read would run terraform: an `interrupted` that is asked means one began.
      const o = {
        io,
        root,
        moduleDir,
        interrupted: () => {
          throw new Error('terraform ran');
        },
      };
      mkdirSync(moduleDir, { recursive: true });
      writeFileSync(join(moduleDir, 'cdk.tf.json'), '{}');
      expect(await restoredBefore(o)).toBe(false);
      rmSync(join(moduleDir, 'cdk.tf.json'));
      writeFileSync(retiredFailoverRecord(root, '2026-11-20T10:00:00.000Z'), '{}');
      expect(await restoredBefore(o)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
