import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOLLARS_PER_HOUR } from '../shared/hourly-cost';
import { DRILL_PHASES, ETCD_PHASES, type DrillPhase } from './drill-report';
import { defaultThrowawayName } from './drill-settings';

/** What each step of a drill does, for the dry run (docs/drill.md, "What it does"). */
const MEANINGS: Readonly<Record<'backup' | 'etcd', Partial<Record<DrillPhase, string>>>> = {
  backup: {
    synth:
      "production's settings made a throwaway's (its own name and network, a wildcard DNS name and no Route53 record, its state in drill.out, alarms off, a restore of the backup with production's credentials disarmed), synthesized by the app; a module that would manage production's buckets is refused",
    apply:
      "terraform apply of the throwaway: the backup restored before Rancher is installed, the restored operators' pods held and production's cloud, node-driver and hosted-cluster credentials deleted first",
    ping: "/ping of the throwaway answers pong with a certificate of Rancher's CA",
    login: "a user of the drill's own, made through the throwaway's kubeconfig, logs in through Rancher's API (deleted afterwards)",
    compare: "clusters, users, projects and settings counted through Rancher's API against the backup; server-url against production's URL",
    teardown: 'the throwaway destroyed with its buckets, also when a step fails or the drill is interrupted',
  },
  etcd: {
    synth: "as for a Rancher backup, without Rancher's restore, in a VPC range other than production's",
    apply: 'terraform apply of an empty throwaway',
    restore:
      "the snapshot copied into the throwaway's bucket and restored on its first server with production's token (its other servers stopped); production's webhook configurations, backup writer and credentials deleted before its Nodes",
    ping: "/ping at production's hostname through the throwaway's load balancer",
    compare: "Nodes and Rancher's objects counted against production; server-url",
    teardown: 'the throwaway destroyed with its buckets and the token parameter, also when a step fails or the drill is interrupted',
  },
};

/** How long a drill stands, in hours, at most as docs/drill.md ("How long") states it: about an hour, two with a slow restore. */
const HOURS = [1, 2] as const;

/**
 * The plan of a drill, for `--dry-run`: from the settings file and the command line alone (no terraform, no AWS
 * call, no credentials), so anyone reads the steps, what it creates, how long and what it costs before anything runs.
 */
export function drillPlan(props: {
  readonly stack: string;
  readonly productionDir: string;
  readonly settingsPath: string;
  readonly settings: Record<string, unknown>;
  readonly name?: string;
  readonly etcd: boolean;
  readonly keep: boolean;
  /** `--standby`: the standby's region (production's `standby.region`). */
  readonly standby?: string;
}): string[] {
  const { settings } = props;
  const productionName = typeof settings.name === 'string' ? settings.name : 'rancher';
  const region = typeof settings.region === 'string' ? settings.region : 'us-east-1';
  const name = props.name ?? defaultThrowawayName(productionName);
  const synthesized = existsSync(join(props.productionDir, 'cdk.tf.json')) || existsSync(join(props.productionDir, 'cdk.tf'));
  const [low, high] = HOURS.map((h) => `$${(h * DOLLARS_PER_HOUR).toFixed(2)}`);
  const kind = props.etcd ? 'etcd' : 'backup';
  const lines = [
    `${props.standby ? 'Standby drill' : 'Drill'} of ${productionName} (${props.stack}, ${region}${props.standby ? `, in its standby region ${props.standby}` : ''}, from ${props.settingsPath}; a dry run: no terraform, no AWS call, no credentials needed):`,
    `  production's module: ${props.productionDir}${synthesized ? '' : ' (not synthesized here yet: the drill needs it, `npm run synth` or --dir)'}`,
    props.etcd
      ? "  restores: production's newest etcd snapshot (its etcd_snapshot_bucket output), with production's cluster token (its join_token output); read only"
      : props.standby
        ? `  restores: the newest Rancher backup in the standby's copy in ${props.standby} (the bucket production's state replicates rancher_backup_bucket to, under rancher/), decrypted with its rancher_backup_encryption_config output; read only; refused when older than backups.schedule allows (its age is the RPO). Production's region, buckets and DNS record are not touched`
        : "  restores: production's newest Rancher backup (its rancher_backup_bucket output, under rancher/), decrypted with its rancher_backup_encryption_config output; read only",
    `  throwaway deployment: ${name}${props.standby ? ` in ${props.standby}` : ''}, tagged rancher-ha-aws-drill-of=${productionName}`,
  ];
  for (const p of props.etcd ? ETCD_PHASES : DRILL_PHASES) {
    const skipped = p === 'teardown' && props.keep;
    lines.push(`  ${skipped ? '(skipped: --keep) ' : ''}${p}: ${MEANINGS[kind][p]}`);
  }
  lines.push(
    `  What it creates: a throwaway rke-ha deployment with production's versions and sizes: a VPC with its subnets and NAT gateway, a network load balancer, the servers with their volumes, KMS keys, S3 buckets, IAM roles and instance profiles, SSM parameters, log groups; in its cluster cert-manager, rancher-backup and Rancher. No Route53 record.`,
    `  How long: about an hour from apply to teardown, up to two (docs/drill.md, "How long").`,
    `  Cost: about ${low}-${high} with the default sizes (docs/cost.md's rke-ha month, by the hour); production's larger servers cost more for that time.`,
    `  Before it creates anything the drill reads production's state (terraform state pull in its module: no refresh, no lock, no write), checks that the settings file is production's, and lists ${props.standby ? "the standby's copy" : "production's bucket"}${props.etcd ? " (and reads the snapshot's first byte)" : ''}; a dry run does none of it.`,
    'Dry run: nothing was changed.',
  );
  return lines;
}
