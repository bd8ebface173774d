import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, DEPLOYER_SESSION, SYNTH_STUB, stateOf, withoutLongValues, worldKubeconfig, type FakeCloud } from './fake-cloud';
import { writeBackup } from './backup-file';
import { COPY, IN_BACKUP, RANCHER_CA, STANDBY_NEWEST, STANDBY_REGION, world } from './drill-world';
import { synthSettings } from './variants';
import { caChecksum, failover as failoverCommand, type FailoverOptions } from '../../cli/failover/failover';
import { IoHost } from '../../cli/shared/io/io-host';
import { PlainRenderer } from '../../cli/shared/io/plain-renderer';
import { awsOfWorldWithStubs } from './fake-cloud-aws-stubs';
import { inWorld } from './in-world';
import type { TerraformJson } from './synth';
import { standbySettings } from '../../cli/failover/failover-settings';
import { FAILED_OVER_METRIC, failedOverAlarmName, failedOverNamespace } from '../../lib/standby/standby-facts-keys';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { routeStateRecords } = require('./ops-stubs/failover-routing.js') as {
  routeStateRecords(
    state: any,
    o: { primary: (attributes: any) => boolean; healthCheck: string; target?: { dnsName: string; zoneId: string }; module?: any },
  ): any[];
};

/**
 * `npm run failover -- rke-ha` in the drill's standby world (drill-world.ts, mode 'standby'): production in eu-west-1
 * with its copy in us-west-2, and besides:
 * - production's settings name the hostname and zone, its state holds the hostname's A and AAAA aliases in zone
 *   PRODUCTION_ZONE, and Route 53 (world.aws.route53) holds the same records, aliased to production's NLB;
 * - the copy holds the CA record (`rancher-aws/record-ca/ca=rancher-ca-<sum of RANCHER_CA>`), and the backup the
 *   fake hands out carries `secrets.#v1/cattle-system/tls-rancher.json`;
 * - the standby's module is a real synth of standbySettings, its apply creates a state whose NLB is STANDBY_LB;
 * - world.failover: what curl meets (ops-stubs/fake-drill.js, failoverCurl): the primary's /ping at the hostname and
 *   at its NLB PRODUCTION_LB (`pong`, `down` or `other`; `primaryByName` at the hostname alone) and the CA the standby
 *   publishes; the name leads where Route 53's A record points.
 */
export const HOSTNAME = 'rancher.example.com';
export const PRODUCTION_ZONE = 'Z0PRODUCTIONZONE';
export const STANDBY_LB = 'rancher-sb-nlb-0a1b2c.elb.us-west-2.amazonaws.com';
export const STANDBY_LB_ZONE = 'Z1H1FL5HABSF5';
export const PRODUCTION_LB = 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com';
export const SETTINGS = { name: 'rancher', region: 'eu-west-1', hostname: HOSTNAME, hostedZone: 'example.com', standby: { region: STANDBY_REGION } };
export const CA_MEMBER = 'secrets.#v1/cattle-system/tls-rancher.json';
export const RECORDED = `rancher-ca-${caChecksum(RANCHER_CA)}`;
/** The bucket production's apply made for the standby's state in us-west-2 (lib/standby/standby-state.ts), as its parameter names it. */
export const STANDBY_STATE_BUCKET = 'rancher-rke-ha-state-sb-0a1b2c';

export const expectedStandby = standbySettings(SETTINGS, {
  name: 'rancher-sb',
  region: STANDBY_REGION,
  file: STANDBY_NEWEST,
  bucket: COPY,
  productionName: 'rancher',
  state: { bucket: STANDBY_STATE_BUCKET },
});
const rke2StandbyJson = synthSettings('rke-ha', expectedStandby as never).json;

/** The hostname's records as Route 53 and production's state hold them, aliased to `dnsName`. */
const records = (dnsName: string, zoneId: string) =>
  ['A', 'AAAA'].map((type) => ({
    Name: `${HOSTNAME}.`,
    Type: type,
    AliasTarget: { HostedZoneId: zoneId, DNSName: `${dnsName}.`, EvaluateTargetHealth: true },
  }));

let k3sModules: { production: TerraformJson; standby: TerraformJson } | undefined;
/** Production and its standby with `rkeHa.distribution: k3s`, synthesized once a file, when a case asks. */
function k3s(): { production: TerraformJson; standby: TerraformJson } {
  const settings = { ...SETTINGS, rkeHa: { distribution: 'k3s' } };
  const production = { name: 'rancher', region: 'eu-west-1', standby: { region: STANDBY_REGION }, rkeHa: { distribution: 'k3s' } };
  const standby = standbySettings(settings, {
    name: 'rancher-sb',
    region: STANDBY_REGION,
    file: STANDBY_NEWEST,
    bucket: COPY,
    productionName: 'rancher',
    state: { bucket: STANDBY_STATE_BUCKET },
  });
  return (k3sModules ??= { production: synthSettings('rke-ha', production as never).json, standby: synthSettings('rke-ha', standby as never).json });
}

/** The health check of production's PRIMARY records, and the alarm of the standby region it follows. */
export const HEALTH_CHECK = 'hc-0a1b2c3d-failover';
export const FAILED_OVER_ALARM = failedOverAlarmName('rancher-rke-ha');

/**
 * Production's records of the hostname as production applied with a standby makes them (lib/standby/standby-dns.ts):
 * each A and AAAA record PRIMARY on HEALTH_CHECK (its alias's evaluate_target_health false), a SECONDARY of the same
 * name and type aliased to `standby` (the standby-target parameter's load balancer), in the state and in Route 53; the
 * health check on FAILED_OVER_ALARM in the standby region, which nothing has written to yet (INSUFFICIENT_DATA).
 */
export function routeFailover(w: any, standby: { dnsName: string; zoneId: string; secondary?: false }, stack = 'rke-ha'): void {
  // The SECONDARY records under the names production's module gives them, so the facts the module's local makes of the
  // state hold them too.
  const module = w.drill?.productionDir ? JSON.parse(readFileSync(join(w.drill.productionDir, 'cdk.tf.json'), 'utf8')) : undefined;
  routeStateRecords(w.state, {
    primary: (a: any) => a.name === HOSTNAME,
    healthCheck: HEALTH_CHECK,
    target: standby.secondary === false ? undefined : standby,
    module,
  });
  const zone = w.aws.route53.zones[PRODUCTION_ZONE];
  zone.records = zone.records.flatMap((r: any) =>
    r.Name === `${HOSTNAME}.` && r.AliasTarget
      ? [
          {
            ...r,
            AliasTarget: { ...r.AliasTarget, EvaluateTargetHealth: false },
            Failover: 'PRIMARY',
            SetIdentifier: 'primary',
            HealthCheckId: HEALTH_CHECK,
          },
          ...(standby.secondary === false
            ? []
            : [
                {
                  ...r,
                  AliasTarget: { HostedZoneId: standby.zoneId, DNSName: `${standby.dnsName}.`, EvaluateTargetHealth: false },
                  Failover: 'SECONDARY',
                  SetIdentifier: 'standby',
                },
              ]),
        ]
      : [r],
  );
  const alarm = failedOverAlarmName(`rancher-${stack}`);
  w.aws.route53.healthChecks = { [HEALTH_CHECK]: { alarmName: alarm, alarmRegion: STANDBY_REGION, insufficientDataHealthStatus: 'LastKnownStatus' } };
  w.aws.alarms = {
    ...w.aws.alarms,
    [alarm]: {
      region: STANDBY_REGION,
      namespace: failedOverNamespace(`rancher-${stack}`),
      metricName: FAILED_OVER_METRIC,
      threshold: 1,
      state: 'INSUFFICIENT_DATA',
    },
  };
}

/**
 * `productionBackend`: production's state backend (drill-world.ts world), for the region-loss world's S3 backend;
 * `k3s`: production and its standby with `rkeHa.distribution: k3s` (its settings file says so); `failoverRouting`:
 * production's records failover routing to that load balancer (routeFailover, after `change`; the default STANDBY_LB;
 * `secondary: false`, no SECONDARY: the standby-target parameter absent when production was applied),
 * or false for simple records (a production applied before that version: the failover moves them through Route 53's API).
 */
export function failoverWorld(
  change?: (w: any) => void,
  options: {
    caMember?: boolean;
    productionBackend?: Record<string, unknown>;
    k3s?: boolean;
    failoverRouting?: false | { dnsName: string; zoneId: string; stack?: string; secondary?: false };
  } = {},
): FakeCloud {
  const modules = options.k3s ? k3s() : undefined;
  const standbyJson = modules?.standby ?? rke2StandbyJson;
  const standbyWorld = (build: (w: any) => void) =>
    world(build, 'standby', { productionBackend: options.productionBackend, productionJson: modules?.production });
  const c = standbyWorld((w) => {
    // Production's records of the hostname, in its state (resolved, as Terraform stores them).
    const record = w.state.resources.find((r: any) => r.type === 'aws_route53_record');
    Object.assign(record.instances[0].attributes, { name: HOSTNAME, zone_id: PRODUCTION_ZONE, type: 'A' });
    w.state.resources.push({
      ...record,
      name: `${record.name}-aaaa`,
      instances: [{ ...record.instances[0], attributes: { ...record.instances[0].attributes, type: 'AAAA' } }],
    });
    w.aws.route53 = { zones: { [PRODUCTION_ZONE]: { records: records(PRODUCTION_LB, 'Z2IFOLAFXWLO4F') } }, changes: {} };
    // Production's facts list both records (standby-facts-world.ts): the AAAA one stands for a dual-stack module's,
    // whose facts' local names both (lib/standby/standby-facts.ts), this world's module being single-stack.
    w.drill.standbyFacts = {
      document: {
        dns: {
          hostedZone: 'example.com',
          records: w.state.resources.filter((r: any) => r.type === 'aws_route53_record').map((r: any) => r.instances[0].attributes),
        },
      },
    };
    // Production's NLB, which the failover probes directly besides the hostname (its state's, and its output).
    const productionLb = w.state.resources.find((r: any) => r.type === 'aws_lb');
    Object.assign(productionLb.instances[0].attributes, { dns_name: PRODUCTION_LB, zone_id: 'Z2IFOLAFXWLO4F' });
    w.state.outputs.load_balancer_dns_name = { value: PRODUCTION_LB };
    w.aws.buckets[COPY].objects.push({
      key: `rancher-aws/record-ca/ca=${RECORDED}`,
      version: 's4',
      lastModified: new Date().toISOString(),
      size: 60,
    });
    // The standby's apply: its state with the NLB the record moves to.
    const state = withoutLongValues(stateOf(standbyJson, 'drill', STANDBY_REGION));
    const lb = state.resources.find((r: any) => r.type === 'aws_lb');
    Object.assign(lb.instances[0].attributes, { dns_name: STANDBY_LB, zone_id: STANDBY_LB_ZONE });
    state.outputs = { rancher_url: { value: `https://${HOSTNAME}` }, load_balancer_dns_name: { value: STANDBY_LB } };
    w.drill.applyState = state;
    w.drill.applyAws = awsOf(state);
    w.drill.backupFile = writeBackup(join(w.drill.productionDir, '..', 'failover-backup'), IN_BACKUP, options.caMember === false ? [] : [CA_MEMBER]);
    // The copy's backups are that archive, read through the SDK (S3 GetObject of the fake AWS).
    for (const o of w.aws.buckets[COPY]?.objects ?? []) if (o.key.endsWith('.tar.gz.enc')) o.body = w.drill.backupFile;
    w.failover = { primary: 'down', servedCa: RANCHER_CA };
    // Whoever fails over does it through a role's session (SSO, a pipeline): what the standby's plan reads of IAM.
    w.aws.caller = DEPLOYER_SESSION;
    // Production's apply named the standby's state bucket in us-west-2 (both stacks' parameters: k8s-ha's world is this one).
    w.aws.parameters = {
      ...w.aws.parameters,
      ...Object.fromEntries(
        ['rke-ha', 'k8s-ha'].map((stack) => [`/rancher/${stack}/standby-state`, { value: STANDBY_STATE_BUCKET, version: 1, tags: [] }]),
      ),
    };
    change?.(w);
    const routing = options.failoverRouting ?? { dnsName: STANDBY_LB, zoneId: STANDBY_LB_ZONE };
    if (routing) routeFailover(w, routing, routing.stack);
    else {
      // As production's state held them before failover routing: simple records, no secondary.
      w.state.resources = w.state.resources.filter((r: any) => !String(r.name).startsWith('standby_dns_secondary-'));
      for (const r of w.state.resources.filter((x: any) => x.type === 'aws_route53_record')) {
        const { set_identifier: _s, failover_routing_policy: _f, health_check_id: _h, ...simple } = r.instances[0].attributes;
        r.instances[0].attributes = simple;
      }
    }
    // Production's facts list its records of the hostname as its apply left them: the PRIMARY ones, then their
    // SECONDARY ones (lib/deployments/rancher-on-rke.ts), as the state now holds them.
    const named = (r: any) => r.type === 'aws_route53_record' && r.instances[0]?.attributes.name === HOSTNAME;
    const secondary = (r: any) => (String(r.name).startsWith('standby_dns_secondary-') ? 1 : 0);
    if (w.drill.standbyFacts?.document?.dns)
      w.drill.standbyFacts.document.dns.records = w.state.resources
        .filter(named)
        .sort((a: any, b: any) => secondary(a) - secondary(b))
        .map((r: any) => r.instances[0].attributes);
  });
  c.update((w) => {
    if (w.drill.synthStack === 'k8s-ha') return;
    // rke-ha's standby: its cluster-admin kubeconfig output names the world's standby cluster (fake-drill.js
    // standbyKubectl), and its backup bucket output the bucket its state holds.
    const own = w.drill.applyState.resources.find((r: any) => r.type === 'aws_s3_bucket' && String(r.name).startsWith('rancher-backups_'));
    Object.assign(w.drill.applyState.outputs, {
      kubeconfig: { value: worldKubeconfig(c.dir, 'standby'), sensitive: true },
      ...(own ? { rancher_backup_bucket: { value: own.instances[0].attributes.bucket } } : {}),
    });
  });
  writeFileSync(
    join(c.dir, 'rancher.yaml'),
    `name: rancher\nregion: eu-west-1\nhostname: ${HOSTNAME}\nhostedZone: example.com\nstandby:\n  region: ${STANDBY_REGION}\n${options.k3s ? 'rkeHa:\n  distribution: k3s\n' : ''}`,
  );
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(standbyJson, null, 1));
  return c;
}

/** `failover --prepare` as users run it after a deploy: the standby's pilot light applied (pilot-light.ts). */
export const prepare = (c: FakeCloud, stack = 'rke-ha') =>
  c.run(['failover', stack, '--dir', 'module', '--prepare'], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB }, tools: ['terraform', 'curl'] });

/** The failover as users run it, on a PATH of the terraform and curl stubs and node only: AWS through the SDK alone. */
export const failover = (c: FakeCloud, ...extra: string[]) =>
  c.run(['failover', 'rke-ha', '--dir', 'module', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB }, tools: ['terraform', 'curl'] });

/**
 * The failover of rke-ha as a function in this process (as drill-world.ts drillHere): AWS the fake behind the SDK's
 * clients, terraform and curl the world's stubs, no terminal to confirm on (a run without `yes` stops after its plan),
 * the primary probed 7 times with no pause between them unless `options` say otherwise.
 */
export async function failoverHere(c: FakeCloud, options: Partial<Omit<FailoverOptions, 'io'>> = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const io = new IoHost(new PlainRenderer({ write: (text: string) => (out += text) }));
  const { result: code } = await inWorld(c, {}, () =>
    failoverCommand({
      stack: 'rke-ha',
      productionDir: c.moduleDir,
      settingsPath: join(c.dir, 'rancher.yaml'),
      root: join(c.dir, 'failover.out'),
      synthScript: SYNTH_STUB,
      interrupted: () => false,
      clients: awsOfWorldWithStubs(c),
      probes: { count: 7, intervalMs: 0 },
      ...options,
      io,
    }),
  );
  return { code, out };
}

/** Where Route 53's A record of the hostname leads now, as a resolver gets it (failover routing followed). */
export const aliasOf = (c: FakeCloud, type = 'A'): string | undefined => {
  const { route53, alarms } = c.world().aws;
  return (answer(route53.zones, route53.healthChecks, alarms, HOSTNAME, type) as any)?.AliasTarget?.DNSName;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { answer } = require('./ops-stubs/route53-answer.js') as { answer: (...args: unknown[]) => unknown };

/**
 * `npm run failover -- k8s-ha` in the same world: production's state holds k8s-ha's one record of the hostname (an A
 * alias to its ingress NLB, `dns_target` naming it), the settings name the standby's cluster (standby.k8sHa), and the
 * standby's apply leaves a k8s-ha state whose ingress target is `target`: another name (the record becomes a CNAME)
 * or an IPv4 address (an A record). curl meets the standby at that target (ops-stubs/fake-drill.js, failoverCurl).
 */
export const K8S_SETTINGS = {
  ...SETTINGS,
  k8sHa: { access: { kubeconfig: { path: '~/.kube/config', context: 'prod' } } },
  standby: { region: STANDBY_REGION, k8sHa: { access: { kubeconfig: { path: '~/.kube/standby' } } } },
};
export const expectedK8sStandby = standbySettings(K8S_SETTINGS, {
  name: 'rancher-sb',
  region: STANDBY_REGION,
  file: STANDBY_NEWEST,
  bucket: COPY,
  productionName: 'rancher',
  stack: 'k8s-ha',
  state: { bucket: STANDBY_STATE_BUCKET },
});
/** The standby's module: k8s-ha's synth of its settings (no record of its own: `dns.hostnameRecord: false`). */
const k8sStandbyJson = synthSettings('k8s-ha', expectedK8sStandby as never).json;
let k8sGuard: any[] | undefined;
/**
 * What production's k8s-ha apply leaves in its cluster to honour the fence (lib/standby/fence-guard.ts): the guard's
 * CronJob, as the state of k8s-ha's synth of these settings holds it (none when the synth makes none). Synthesized once.
 */
const k8sProductionGuard = (): any[] =>
  (k8sGuard ??= stateOf(synthSettings('k8s-ha', K8S_SETTINGS as never).json).resources.filter((r: any) => r.type === 'kubernetes_cron_job_v1'));

export function k8sFailoverWorld(
  target: string,
  change?: (w: any) => void,
  options: { productionBackend?: Record<string, unknown>; failoverRouting?: boolean } = {},
): FakeCloud {
  // Simple records unless asked (the record's type follows the target's here; failover routing keeps the A alias, its
  // SECONDARY aliased to the target: an AWS load balancer's name).
  const routing = options.failoverRouting ? { dnsName: target, zoneId: STANDBY_LB_ZONE, stack: 'k8s-ha' } : false;
  const k8sWorld = (build: (w: any) => void) => failoverWorld(build, { productionBackend: options.productionBackend, failoverRouting: routing });
  const c = k8sWorld((w) => {
    const records = w.state.resources.filter((r: any) => r.type === 'aws_route53_record');
    w.state.resources = w.state.resources.filter((r: any) => !records.slice(1).includes(r));
    Object.assign(records[0], { name: 'dns_alias_0A1B2C' });
    records[0].instances[0].index_key = 0;
    Object.assign(records[0].instances[0].attributes, {
      alias: [{ name: PRODUCTION_LB, zone_id: 'Z2IFOLAFXWLO4F', evaluate_target_health: true }],
      records: null,
      ttl: null,
    });
    w.state.outputs.dns_target = { value: PRODUCTION_LB };
    w.state.resources.push(...structuredClone(k8sProductionGuard()));
    // Production's facts as k8s-ha's apply writes them (standby-facts-world.ts): this world's production module is
    // rke-ha's, so the fields that differ are k8s-ha's, from the state above.
    w.drill.standbyFacts = {
      stack: 'k8s-ha',
      document: {
        kind: 'k8s-ha',
        distribution: null,
        loadBalancer: null,
        ingress: { target: PRODUCTION_LB, recordType: 'alias' },
        dns: { hostedZone: 'example.com', records: records[0].instances.map((i: any) => i.attributes) },
      },
    };
    const zone = w.aws.route53.zones[PRODUCTION_ZONE];
    zone.records = zone.records.filter((r: any) => r.Type === 'A');
    const state = withoutLongValues(stateOf(k8sStandbyJson, 'drill', STANDBY_REGION));
    state.outputs = {
      rancher_url: { value: `https://${HOSTNAME}` },
      dns_target: { value: target },
      rancher_backup_bucket: { value: 'rancher-sb-backups' },
    };
    w.drill.applyState = state;
    w.drill.applyAws = awsOf(state);
    w.drill.synthStack = 'k8s-ha';
    change?.(w);
  });
  writeFileSync(
    join(c.dir, 'rancher.yaml'),
    [
      'name: rancher',
      'region: eu-west-1',
      `hostname: ${HOSTNAME}`,
      'hostedZone: example.com',
      'k8sHa:\n  access:\n    kubeconfig:\n      path: ~/.kube/config\n      context: prod',
      `standby:\n  region: ${STANDBY_REGION}\n  k8sHa:\n    access:\n      kubeconfig:\n        path: ~/.kube/standby`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(k8sStandbyJson, null, 1));
  // The standby's cluster as its settings name it (`~/.kube/standby`), under the runs' HOME (failoverK8s).
  mkdirSync(join(c.dir, 'home', '.kube'), { recursive: true });
  writeFileSync(join(c.dir, 'home', '.kube', 'standby'), worldKubeconfig(c.dir, 'standby'));
  return c;
}

/** The failover of k8s-ha, as users run it. */
export const failoverK8s = (c: FakeCloud, ...extra: string[]) =>
  c.run(['failover', 'k8s-ha', '--dir', 'module', ...extra], {
    env: { RANCHER_HA_AWS_SYNTH: SYNTH_STUB, HOME: join(c.dir, 'home') },
    tools: ['terraform', 'curl'],
  });

/** Route 53's record sets of the hostname now. */
export const recordsOf = (c: FakeCloud): any[] => c.world().aws.route53.zones[PRODUCTION_ZONE].records.filter((r: any) => r.Name === `${HOSTNAME}.`);
