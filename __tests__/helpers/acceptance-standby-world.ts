import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptanceSettings } from '../../cli/acceptance/acceptance-settings';
import { failbackSettings } from '../../cli/failback/failback-settings';
import { caChecksum } from '../../cli/failover/failover';
import { standbyName, standbySettings } from '../../cli/failover/failover-settings';
import { standbyStateParameter, standbyTargetParameter } from '../../cli/failover/pilot-light';
import { FAILED_OVER_METRIC, failedOverAlarmName, failedOverNamespace } from '../../lib/standby/standby-facts-keys';
import { writeBackup } from './backup-file';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, stateOf, withoutLongValues } from './fake-cloud';
import { CA_MEMBER, HEALTH_CHECK, STANDBY_LB, STANDBY_LB_ZONE } from './failover-world';
import { STANDBY_CONFIG } from './failback-world';
import { IN_BACKUP, STANDBY_REGION, UID } from './drill-world';
import type { TerraformJson } from './synth';
import { synthSettings } from './variants';
import { heldAsApplied, putStandbyFacts } from './standby-facts-world';

/**
 * The acceptance world of an rke-ha run with `standby.region` and `--hosted-zone` (acceptance-world.ts, option
 * standby): what its failover phase (cli/acceptance/acceptance-failover.ts) meets, with the failover's tools world's
 * names (failover-world.ts, failback-world.ts) where they carry over:
 * - the deploy's apply makes the standby's copy of the backup bucket (COPY, in STANDBY_REGION, named by the
 *   replication of production's state) with a backup 30 minutes old that carries the CA's Secret, and the record of
 *   the CA Rancher serves (`rancher-aws/record-ca/ca=rancher-ca-<sum>`, as production's apply writes it);
 * - production's state owns the hostname's A and AAAA records in ZONE_ID, and Route 53 (world.aws.route53) holds them,
 *   aliased to production's load balancer; each complete apply of production makes them failover routing as its
 *   module does (fake-acceptance.js routeHostname): PRIMARY on a health check of the failed-over alarm in
 *   STANDBY_REGION, with a SECONDARY to the standby's load balancer only once the prepare wrote the standby-target (the
 *   failover phase's second apply of production). The hostname is the local Rancher's host (127.0.0.1:<port>), which the
 *   failover reads from production's rancher_url output: the records the failover moves are those of that name;
 * - the standby's apply (the failover's folder: fake-drill.js's throwaway) makes the standby's state, its NLB
 *   STANDBY_LB; world.failover says what curl meets (fake-acceptance.js curl, as fake-drill.js failoverCurl);
 * - production's apply names the standby's state bucket in STANDBY_REGION (SSM `/<name>/rke-ha/standby-state`, as
 *   lib/standby/standby-state.ts does): the failover phase's --prepare applies the pilot light into it, and the
 *   failover finds it there;
 * - the synth stub writes the standby's and the failback's modules (failover.cdk.tf.json, failback.cdk.tf.json; the
 *   standby's with that bucket as its backend, for the prepare and the failover alike).
 * The drill's throwaway (world.drill.applyState) is the standby here: a case runs the failover phase without the drill.
 * The standby's state keeps the placeholder run id (fake-drill.js applies world.drill.applyState as it is).
 */
const PLACEHOLDER = 'zzzzzz';
const REGION = 'eu-west-1';
const ZONE = 'acme-test.net';
export const ZONE_ID = 'Z0ACCEPTANCEZONE';
const PRODUCTION_LB_ZONE = 'Z2IFOLAFXWLO4F';
/**
 * Production's NLB, which Route 53's records alias from the start (the world holds them as the deploy's apply leaves
 * them; without the run id, which the world's Route 53 is not rewritten with).
 */
export const PRODUCTION_LB = 'acc-nlb-9f8e7d.elb.eu-west-1.amazonaws.com';
/** The standby's copy of the run's backup bucket. */
export const COPY = `acc-${PLACEHOLDER}-rke-ha-backups-sb-0a1b2c`;
/** The bucket production's apply made for the standby's state in STANDBY_REGION, as its parameter names it. */
export const STANDBY_STATE_BUCKET = `acc-${PLACEHOLDER}-rke-ha-state-sb-0a1b2c`;
/** The copy's newest backup: the one the failover restores (its RPO: 30 minutes). */
export const STANDBY_FILE = `rancher-aws-scheduled-${UID}-2026-11-28T06-00-00Z.tar.gz.enc`;
/** The file the standby's one-time Backup writes (fake-acceptance.js names it so in any cluster). */
export const FAILBACK_FILE = 'rancher-aws-acceptance-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T12-00-00Z.tar.gz.enc';

/** The run's settings as acceptanceSettings makes them from a settings file with standby.region and --hosted-zone. */
export const standbyRunSettings = (): Record<string, unknown> =>
  acceptanceSettings({ standby: { region: STANDBY_REGION } }, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, hostedZone: ZONE });

let modules: { failover: TerraformJson; failback: TerraformJson } | undefined;
/** The standby's and the failback's modules, synthesized once per file (their run id the placeholder). */
function standbyModules(): { failover: TerraformJson; failback: TerraformJson } {
  if (modules) return modules;
  const settings = standbyRunSettings();
  const failover = synthSettings(
    'rke-ha',
    standbySettings(settings, {
      name: standbyName(`acc-${PLACEHOLDER}`),
      region: STANDBY_REGION,
      file: STANDBY_FILE,
      bucket: COPY,
      productionName: `acc-${PLACEHOLDER}`,
      stack: 'rke-ha',
      state: { bucket: STANDBY_STATE_BUCKET },
    }) as never,
  ).json;
  const failback = synthSettings('rke-ha', failbackSettings(settings, { file: FAILBACK_FILE }) as never).json;
  return (modules = { failover, failback });
}

/** The record of the CA agents trust, as a deployment's apply writes it (`rancher-aws/record-ca/ca=rancher-ca-<sum>`). */
const caRecord = (ca: string, version: string) => ({
  key: `rancher-aws/record-ca/ca=rancher-ca-${caChecksum(ca)}`,
  version,
  lastModified: new Date(Date.now() - 90 * 60_000).toISOString(),
  size: 60,
});

/** The standby's own backup bucket (its state's, as the standby's apply makes it): where its one-time backup lands. */
export const standbyBucket = (): string =>
  stateOf(standbyModules().failover, 'drill', STANDBY_REGION).resources.find(
    (r: any) => r.type === 'aws_s3_bucket' && r.name.startsWith('rancher-backups_'),
  ).instances[0].attributes.bucket;

/** The hostname's records as Route 53 holds them, aliased to `dnsName`. */
const records = (host: string, dnsName: string, zoneId: string) =>
  ['A', 'AAAA'].map((type) => ({
    Name: `${host}.`,
    Type: type,
    AliasTarget: { HostedZoneId: zoneId, DNSName: `${dnsName}.`, EvaluateTargetHealth: true },
  }));

/** The world `w` of acceptance-world.ts (its applyState made) given what the failover phase meets; `url` Rancher's. */
export function withStandby(w: any, url: string, servedCa: string): void {
  const host = new URL(url).host;
  const state = w.acceptance.applyState;
  const backupBucket = state.outputs.rancher_backup_bucket.value;
  // Production's replication to the copy, named as the outputs name the buckets (the fake state's own names are not S3's).
  const replication = state.resources.find(
    (r: any) => r.type === 'aws_s3_bucket_replication_configuration' && r.name.startsWith('standby_rancher-backups'),
  ).instances[0].attributes;
  replication.bucket = backupBucket;
  replication.rule[0].destination[0].bucket = `arn:aws:s3:::${COPY}`;
  // What production's standby facts read of its state, as Terraform holds it (standby-facts-world.ts).
  heldAsApplied(state, { bucket: backupBucket, copy: COPY, ca: `rancher-ca-${caChecksum(servedCa)}`, hostname: host });
  // Parameter Store's parameters of the run's apply (its standby facts' pointer) land here.
  w.aws.parameters ??= {};
  // The run's apply names the standby's state bucket (its placeholder replaced with the run's id at the apply).
  const statePointer = standbyStateParameter(`acc-${PLACEHOLDER}`, 'rke-ha');
  state.outputs.rancher_backup_encryption_config = { value: FAKE_BACKUP_ENCRYPTION_CONFIG, sensitive: true };
  // The hostname's records in production's state, as Terraform stores them (resolved): an A and an AAAA record (a
  // dual-stack module's), made failover routing at each complete apply (fake-acceptance.js routeHostname).
  state.resources = state.resources.filter((r: any) => !String(r.name).startsWith('standby_dns_secondary-'));
  const record = state.resources.find((r: any) => r.type === 'aws_route53_record');
  const { set_identifier: _s, failover_routing_policy: _f, health_check_id: _h, ...simple } = record.instances[0].attributes;
  record.instances[0].attributes = simple;
  Object.assign(record.instances[0].attributes, { name: host, zone_id: ZONE_ID, type: 'A' });
  state.resources.push({
    ...record,
    name: `${record.name}-aaaa`,
    instances: [{ ...record.instances[0], attributes: { ...record.instances[0].attributes, type: 'AAAA' } }],
  });
  const lb = state.resources.find((r: any) => r.type === 'aws_lb').instances[0].attributes;
  lb.dns_name = PRODUCTION_LB;
  lb.zone_id = PRODUCTION_LB_ZONE;
  w.aws.route53 = { zones: { [ZONE_ID]: { records: records(host, lb.dns_name, PRODUCTION_LB_ZONE) } }, changes: {} };
  w.acceptance.applyAws = awsOf(state);
  w.acceptance.applyAws.parameters = {
    ...w.acceptance.applyAws.parameters,
    [statePointer]: { value: STANDBY_STATE_BUCKET, version: 1, type: 'String', region: STANDBY_REGION, tags: [] },
  };
  // The standby's apply: its state with the NLB the record moves to.
  const standby = withoutLongValues(stateOf(standbyModules().failover, 'drill', STANDBY_REGION));
  Object.assign(standby.resources.find((r: any) => r.type === 'aws_lb').instances[0].attributes, { dns_name: STANDBY_LB, zone_id: STANDBY_LB_ZONE });
  const ownBucket = standbyBucket();
  standby.outputs = {
    rancher_url: { value: url },
    rancher_backup_bucket: { value: ownBucket },
    rancher_backup_encryption_config: { value: STANDBY_CONFIG, sensitive: true },
    load_balancer_dns_name: { value: STANDBY_LB },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the standby deployment\n', sensitive: true },
  };
  w.drill.applyState = standby;
  w.drill.applyAws = awsOf(standby);
  // The standby's apply writes the record of the CA it serves, as production's does (the failback checks the primary against it).
  w.drill.applyAws.buckets[ownBucket].objects.push(caRecord(servedCa, 's9'));
  // primaryAnswers: the primary's /ping answers with its instances stopped (what answers is not the instances the run stops).
  // routing: what production's module makes with standby.region (fake-acceptance.js routeHostname, at each complete
  // apply of production): the hostname's records PRIMARY on this health check of the alarm in the standby region, and
  // SECONDARY ones to the load balancer the standby-target parameter names once the prepare wrote it.
  const deployment = `acc-${PLACEHOLDER}-rke-ha`;
  w.failover = {
    routing: {
      targetParameter: standbyTargetParameter(`acc-${PLACEHOLDER}`, 'rke-ha'),
      region: STANDBY_REGION,
      zoneId: ZONE_ID,
      healthCheck: HEALTH_CHECK,
      alarm: failedOverAlarmName(deployment),
      namespace: failedOverNamespace(deployment),
      metricName: FAILED_OVER_METRIC,
    },
  };
  // The failback's module acts on production's state (fake-failback.js); its restore is decrypted with the standby's configuration.
  w.failback = { encryptionConfig: STANDBY_CONFIG };
}

/** The copy's objects, made by the deploy's apply: its backup's archive written in the world's folder `dir`. */
export function seedStandby(x: any, dir: string, servedCa: string): void {
  const backup = writeBackup(join(dir, 'standby-backup'), IN_BACKUP, [CA_MEMBER]);
  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
  x.acceptance.applyAws.buckets[COPY] = {
    exists: true,
    guarded: true,
    objects: [{ key: `rancher/${STANDBY_FILE}`, version: 's1', lastModified: minutesAgo(30), size: 1100, body: backup }, caRecord(servedCa, 's2')],
  };
  x.drill.backupFile = backup;
}

/**
 * Production's facts in the standby region, as the deploy's apply writes them (standby-facts-world.ts) from its state
 * and `json`, its module: its URL the local Rancher's (HTTP, where the module's is `https://<hostname>`), its records
 * both the A and the AAAA this world's state holds (a dual-stack module's local names both; this module is
 * single-stack).
 */
export function seedStandbyFacts(x: any, json: TerraformJson): void {
  const state = x.acceptance.applyState;
  const records = state.resources.filter((r: any) => r.type === 'aws_route53_record').map((r: any) => r.instances[0].attributes);
  putStandbyFacts({ state, aws: x.acceptance.applyAws }, json, {
    document: { url: state.outputs.rancher_url.value, dns: { hostedZone: ZONE, records } },
  });
}

/** The standby's and the failback's modules, where the synth stub (fake-acceptance-synth.js) copies them from. */
export function writeStandbyModules(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'failover.cdk.tf.json'), JSON.stringify(standbyModules().failover));
  writeFileSync(join(dir, 'failback.cdk.tf.json'), JSON.stringify(standbyModules().failback));
}
