import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTH_STUB, worldKubeconfig, type FakeCloud } from './fake-cloud';
import { writeBackup } from './backup-file';
import { IN_BACKUP, RANCHER_CA, UID } from './drill-world';
import { CA_MEMBER, failover, failoverK8s, failoverWorld, k8sFailoverWorld, K8S_SETTINGS, PRODUCTION_LB, RECORDED, SETTINGS } from './failover-world';
import { inWorld } from './in-world';
import { synthSettings } from './variants';
import { failbackSettings } from '../../cli/failback/failback-settings';
import { failback as failbackCommand, type FailbackOptions } from '../../cli/failback/failback';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { teardown } from '../../cli/teardown/teardown';

/**
 * `npm run failback -- rke-ha` after a failover: the failover's world (failover-world.ts) with the failover run to
 * its end (the hostname's A and AAAA records alias the standby's NLB, failover.out/failover.json done), and besides:
 * - production's state names its NLB as Route 53 did before the failover (PRODUCTION_LB), and its region's EC2
 *   answers (world.aws.downRegions: the regions in an outage, helpers/fake-aws-endpoint/server.ts);
 * - the standby's state has its backups' outputs, and its backup bucket (with its guards, in its state as the
 *   failover's apply made it) is STANDBY_BUCKET, which holds its newest backup (30 minutes old) and its CA record (the
 *   same CA as production's: the failover checked it);
 * - the failback's synth writes a real synth of failbackSettings; its terraform calls act on production's state
 *   (ops-stubs/fake-failback.js), and the primary serves world.failover.primaryCa once asked at its NLB.
 */
export const STANDBY_BUCKET = 'rancher-sb-rke-ha-backups-0d9e8f';
export const STANDBY_CONFIG = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration # the standby\n';
export const FAILBACK_FILE = `rancher-aws-scheduled-${UID}-2026-11-27T22-00-00Z.tar.gz.enc`;
const PRODUCTION_LB_ZONE = 'Z2IFOLAFXWLO4F';
export const expectedFailback = failbackSettings(SETTINGS, { file: FAILBACK_FILE });
const failbackJson = synthSettings('rke-ha', expectedFailback as never).json;

/** k8s-ha's failback settings (its record held out by k8sHa.dns.hostnameRecord). */
export const expectedK8sFailback = failbackSettings(K8S_SETTINGS, { file: FAILBACK_FILE }, 'k8s-ha');

/**
 * `k8sTarget`: the failback of k8s-ha after k8sFailoverWorld's failover to that target. Production's state is the rke-ha
 * world's with k8s-ha's record (failover-world.ts), so the failback's synth writes production's rke-ha module as the
 * stand-in for its own (what a failback synthesizes is production's configuration of its state; the settings it was
 * given are failbackSettings of k8s-ha's, checked apart).
 */
/**
 * `regionLoss`: the failover before the failback runs with production's region lost (region-loss-world.ts), which
 * answers again before the failback (the primary's return).
 */
export function failbackWorld(
  change?: (w: any) => void,
  options: {
    caMember?: boolean;
    failedOver?: boolean;
    k8sTarget?: string;
    regionLoss?: { region: string; controlPlanes?: boolean };
    /** Production's records failover routing (failover-world.ts routeFailover): moved by the metric both ways. @default simple records */
    failoverRouting?: boolean;
  } = {},
): FakeCloud {
  const production = (w: any) => {
    const lb = w.state.resources.find((r: any) => r.type === 'aws_lb');
    Object.assign(lb.instances[0].attributes, { dns_name: PRODUCTION_LB, zone_id: PRODUCTION_LB_ZONE });
    if (options.regionLoss) w.aws.regionLoss = options.regionLoss;
  };
  const c = options.k8sTarget
    ? k8sFailoverWorld(options.k8sTarget, production, { failoverRouting: options.failoverRouting })
    : failoverWorld(production, { failoverRouting: options.failoverRouting ? undefined : false });
  if (options.failedOver !== false) {
    const failedOver = (options.k8sTarget ? failoverK8s : failover)(c, '--yes');
    if (failedOver.code !== 0) throw new Error(`the failover before the failback failed: ${failedOver.out}${failedOver.err}`);
  }
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
  c.update((w) => {
    // The primary's region is back; what it serves once restored.
    delete w.aws.regionLoss;
    w.failover.primary = 'pong';
    w.failover.primaryCa = RANCHER_CA;
    if (w.drill.state) {
      // The standby's backup bucket under the name its output gives: the one its teardown must keep.
      const own = w.drill.state.resources.find((r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('rancher-backups_'));
      const name = own?.instances[0].attributes.bucket;
      if (name) {
        w.drill.state = JSON.parse(JSON.stringify(w.drill.state).split(name).join(STANDBY_BUCKET));
        delete w.aws.buckets[name];
      }
      Object.assign(w.drill.state.outputs, {
        // rke-ha's standby: its cluster-admin kubeconfig names the world's standby cluster (fake-drill.js standbyKubectl).
        ...(options.k8sTarget ? {} : { kubeconfig: { value: worldKubeconfig(c.dir, 'standby'), sensitive: true } }),
        rancher_backup_bucket: { value: STANDBY_BUCKET },
        rancher_backup_encryption_config: { value: STANDBY_CONFIG, sensitive: true },
      });
    }
    w.drill.backupFile = writeBackup(join(w.drill.productionDir, '..', 'failback-backup'), IN_BACKUP, options.caMember === false ? [] : [CA_MEMBER]);
    w.aws.buckets[STANDBY_BUCKET] = {
      exists: true,
      guarded: true,
      objects: [
        // A scheduled backup, taken while the standby's Rancher ran (fake-drill.js standbyBackups: what it wrote since is not in it).
        { key: `rancher/${FAILBACK_FILE}`, version: 'f1', lastModified: minutesAgo(30), size: 1300, body: w.drill.backupFile, rancherReplicas: 3 },
        { key: `rancher-aws/record-ca/ca=${RECORDED}`, version: 'f2', lastModified: minutesAgo(90), size: 60 },
      ],
    };
    w.failback = {
      dir: join(c.dir, 'failback.out', 'cdktf.out', 'stacks', options.k8sTarget ? 'k8s-ha' : 'rke-ha'),
      encryptionConfig: STANDBY_CONFIG,
      // The file the failback's module was synthesized for (failback.cdk.tf.json): the synth stub renders another's.
      moduleFile: FAILBACK_FILE,
    };
    change?.(w);
  });
  // The failback's synth (fake-synth.js: into failback.out/); the failover's stays throwaway.cdk.tf.json.
  writeFileSync(join(c.dir, 'failback.cdk.tf.json'), JSON.stringify(failbackJson, null, 1));
  return c;
}

/** The failback as users run it, on a PATH of the terraform and curl stubs and node only: AWS through the SDK alone. */
export const failback = (c: FakeCloud, ...extra: string[]) =>
  c.run(['failback', 'rke-ha', '--dir', 'module', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB }, tools: ['terraform', 'curl'] });

/** The failback of k8s-ha, as users run it. */
export const failbackK8s = (c: FakeCloud, ...extra: string[]) =>
  c.run(['failback', 'k8s-ha', '--dir', 'module', ...extra], {
    env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB, HOME: join(c.dir, 'home') },
    tools: ['terraform', 'curl'],
  });

/**
 * The failback driven as a function in this process, as a library user (or the acceptance run) calls it, from the
 * world's folder: terraform and curl are the world's stubs (processes), AWS the fake AWS endpoint behind the SDK's
 * own clients (the environment names it, as for the CLI); inWorld puts the environment back, and returns what the
 * failback left in `process.env` for the test to see (`leftInEnvironment`).
 */
export async function failbackHere(
  c: FakeCloud,
  options: Partial<Omit<FailbackOptions, 'teardown' | 'interrupted' | 'io'>> = {},
): Promise<{ code: number; out: string; leftInEnvironment: Record<string, string | undefined> }> {
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const { result: code, leftInEnvironment } = await inWorld(c, c.awsEnvironment(), () =>
    failbackCommand({
      stack: 'rke-ha',
      productionDir: c.moduleDir,
      settingsPath: join(c.dir, 'rancher.yaml'),
      failoverRoot: join(c.dir, 'failover.out'),
      root: join(c.dir, 'failback.out'),
      synthScript: SYNTH_STUB,
      yes: true,
      interrupted: () => false,
      teardown,
      ...options,
      io,
    }),
  );
  return { code, out, leftInEnvironment };
}
