import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { standbySettings } from '../../../cli/failover/failover-settings';
import { prunedSecrets, replacingPruned, restoredBefore, restoredIn } from '../../../cli/failover/in-place-restore';
import { retiredFailoverRecord } from '../../../cli/shared/failover-record';
import { IoHost } from '../../../cli/shared/io/io-host';
import { SECRET_BASES } from '../../../lib/rancher/backup-objects';
import { RKE_HA_STACK, synthSettings } from '../../helpers/variants';

// A failover onto a standby whose cluster restored before (cli/failover/in-place-restore.ts; issue 91 item 5): which
// Secrets the in-place restore prunes, read from the module the failover applies, and when the failover decides so.

const FILE = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T00-00-00Z.tar.gz.enc';
const json = synthSettings(
  RKE_HA_STACK,
  standbySettings(
    { name: 'rancher', region: 'eu-west-1', hostname: 'rancher.example.com', hostedZone: 'example.com', backups: { credentials: 'accessKey' } },
    {
      name: 'rancher-sb',
      region: 'us-west-2',
      file: FILE,
      bucket: 'rancher-rke-ha-backups-sb-1',
      productionName: 'rancher',
      state: { bucket: 'rancher-rke-ha-state-sb-1' },
      inPlace: true,
    },
  ) as never,
).json as any;

describe("the standby's in-place restore", () => {
  it("the settings ask for Rancher's in-place restore of the copy's file", () => {
    const restore = Object.entries(json.resource.helm_release).find(([name]) => name.includes('migration-restore'))![1] as any;
    expect(String(restore.values[0])).toMatch(/\\*"prune\\*":true/);
  });

  it("prunes the module's Secrets of the operator's namespace: every one SECRET_BASES names (the writer's key, both encryption configurations)", () => {
    const pruned = prunedSecrets(json);
    const names = pruned.map((address) => json.resource.kubernetes_secret_v1[address.slice('kubernetes_secret_v1.'.length)].metadata.name);
    expect(names.map((n: string) => n.replace(/-\$\{random_id\.[^}]+\.hex\}$/, '')).sort()).toEqual(Object.values(SECRET_BASES).sort());
    expect(pruned).toHaveLength(3);
    expect(replacingPruned(['apply', '-refresh=false'], json)).toEqual(['apply', '-refresh=false', ...pruned.map((a) => `-replace=${a}`)]);
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
