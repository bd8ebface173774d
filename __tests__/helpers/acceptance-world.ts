/**
 * The acceptance run's world, shared by its tools files (cli/acceptance/acceptance*.tools.test.ts, split by what
 * they prove so jest runs them side by side): `npm run acceptance -- <stack>` as a person runs it (`accept`: the
 * bundled CLI; acceptance-in-process.ts drives the same run in jest's process), with terraform and kubectl stubbed
 * and AWS the fake AWS endpoint, whose calls of the run's own the stubs answer
 * (fake-aws-endpoint/world-stubs.ts; no aws on PATH) (ops-stubs/fake-cloud.js with fake-acceptance.js, the roll's cluster of
 * fake-roll.js and the drill's throwaway of fake-drill.js), the app's synth stubbed (fake-acceptance-synth.js, writing
 * real synths each file makes once), and Rancher a local HTTP server of the test that /ping, /cacerts (docker) and the
 * first login reach through the real curl. Every run, passing, failing or killed, must end with the deployment's state
 * empty, a report, and the stubs' invariants kept (checkEveryRun). k8s-ha runs onto a fake cluster of the user's (its
 * own kubeconfig file and context).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { notApplicable } from '../../cli/acceptance/acceptance';
import { ACCEPTANCE_PHASES, OPTIONAL_PHASES } from '../../cli/acceptance/acceptance-report';
import { acceptanceSettings } from '../../cli/acceptance/acceptance-settings';
import { throwawaySettings } from '../../cli/drill/drill-settings';
import { acceptanceRancher, PASSWORD, type Rancher } from './acceptance-rancher';
import { runDir, statuses } from './acceptance-run';
import { writeBackup } from './backup-file';
import { awsOf, FAKE_BACKUP_ENCRYPTION_CONFIG, FakeCloud, stateOf, withoutLongValues, worldKubeconfig } from './fake-cloud';
import { fakeCluster, serverInstances } from './roll-world';
import type { TerraformJson } from './synth';
import { synthSettings } from './variants';
import { seedStandby, seedStandbyFacts, standbyRunSettings, withStandby, writeStandbyModules } from './acceptance-standby-world';

// The CA the local Rancher serves (its record in the standby's copy names it).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { DEFAULT_CA } = require('./ops-stubs/fake-acceptance.js') as { DEFAULT_CA: string };

export const REGION = 'eu-west-1';
export const PLACEHOLDER = 'zzzzzz';
export const ZONE = 'acme-test.net';
const IN_BACKUP = {
  'clusters.management.cattle.io': 1,
  'users.management.cattle.io': 2,
  'projects.management.cattle.io': 2,
  'settings.management.cattle.io': 3,
};
export const SYNTH = join(__dirname, 'ops-stubs', 'fake-acceptance-synth.js');
/** The flags of a k8s-ha run onto the user's cluster (the world's user-kubeconfig.yaml and its context). */
export const K8S_HA = ['--kubeconfig', 'user-kubeconfig.yaml', '--context', 'user-admin', '--hosted-zone', ZONE];

// The synths, each once for the file that asks for it: the run's deployment of each stack (its run id a placeholder
// the synth stub replaces) and the drill's throwaway of rke-ha's.
const synths = new Map<string, TerraformJson>();
const once = (key: string, make: () => TerraformJson) => synths.get(key) ?? (synths.set(key, make()), synths.get(key)!);
// The rke-ha run's from-version is the previous release's default, whose sums are recorded: no settings of the user's.
const rkeHaSettings = () => acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION });
const stackJson = (stack: string): TerraformJson =>
  once(
    stack,
    () =>
      synthSettings(
        stack as never,
        (stack === 'rke-ha'
          ? rkeHaSettings()
          : acceptanceSettings({}, {
              name: `acc-${PLACEHOLDER}`,
              runId: PLACEHOLDER,
              region: REGION,
              stack,
              ...(stack === 'k8s-ha' ? { hostedZone: ZONE } : {}),
            } as never)) as never,
      ).json,
  );
// rke-ha with standby.region and --hosted-zone: the run's deployment when its failover phase runs.
const standbyStackJson = (): TerraformJson => once('rke-ha-standby', () => synthSettings('rke-ha', standbyRunSettings() as never).json);
const throwawayJson = (): TerraformJson =>
  once(
    'throwaway',
    () =>
      synthSettings(
        'rke-ha',
        throwawaySettings(rkeHaSettings(), {
          name: `acc-${PLACEHOLDER}-drill`,
          file: 'rancher-aws-acceptance-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-25T12-00-00Z.tar.gz.enc',
          bucket: `acc-${PLACEHOLDER}-rke-ha-backups`,
          productionName: `acc-${PLACEHOLDER}`,
        }) as never,
      ).json,
  );

const worlds: { c: FakeCloud; r: Rancher }[] = [];
/** Registers, in the calling test file, the check after every test of the worlds it made (no violation), and their clean-up. */
export function checkEveryRun(): void {
  afterEach(async () => {
    for (const { c, r } of worlds.splice(0)) {
      expect(c.violations()).toBe('');
      c.remove();
      await new Promise((done) => r.server.close(done));
    }
  });
}

/**
 * A fake cloud for one acceptance run of `stack`, with its local Rancher; `change` edits the world first. `standby`:
 * rke-ha with standby.region and --hosted-zone, and what its failover phase meets (acceptance-standby-world.ts).
 */
export async function world(
  change?: (w: any) => void,
  stack = 'rke-ha',
  options: { readonly standby?: boolean } = {},
): Promise<{ c: FakeCloud; r: Rancher }> {
  const r = await acceptanceRancher();
  const json = options.standby ? standbyStackJson() : stackJson(stack);
  const applyState = withoutLongValues(stateOf(json));
  const servers = stack === 'rke-ha' ? serverInstances(applyState) : [];
  const backupBucket = applyState.resources.find((x: any) => x.type === 'aws_s3_bucket' && x.name.startsWith('rancher-backups_bucket'))?.instances[0]
    .attributes.bucket;
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    ...(stack === 'rke-ha'
      ? {
          kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true },
          servers_pending_replacement: { value: { 'server-0': [], 'server-1': [], 'server-2': [] } },
        }
      : {}),
    ...(backupBucket ? { rancher_backup_bucket: { value: backupBucket } } : {}),
    ...(stack === 'docker' ? { instance_id: { value: 'i-server' } } : {}),
  });
  const throwawayState = withoutLongValues(stateOf(throwawayJson(), 'drill'));
  throwawayState.outputs = {
    rancher_url: { value: 'https://3-250-1-2.sslip.io' },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n# the throwaway deployment\n', sensitive: true },
    rancher_backup_bucket: { value: 'rancher-drill-rke-ha-backups' },
  };
  const empty = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] };
  const w: any = {
    roll: stack === 'rke-ha',
    state: empty,
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    // k8s-ha: the user's cluster, its nodes the user's (never one of the run's); docker: none.
    cluster:
      stack === 'k8s-ha'
        ? { apiUp: true, servers: [{ name: 'node-a', node: 'ip-10-9-0-1', ready: true, member: true, nodePresent: true }] }
        : stack === 'rke-ha'
          ? fakeCluster(servers, false)
          : undefined,
    acceptance: {
      ...(stack === 'k8s-ha'
        ? { kubelet: 'v1.34.2+eks', cluster: { context: 'user-admin', namespaces: ['default', 'kube-system', 'ingress-nginx'] } }
        : {}),
      applyState,
      applyAws: awsOf(applyState),
      events: [
        { EventSource: 'ec2.amazonaws.com', EventName: 'RunInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'DescribeInstances' },
        { EventSource: 'ec2.amazonaws.com', EventName: 'CreateFleet' },
        { EventSource: 's3.amazonaws.com', EventName: 'PutBucketEncryption' },
        { EventSource: 's3.amazonaws.com', EventName: 'PutBucketReplication' },
      ],
      // IAM's events are in us-east-1's event history only, whatever the run's region.
      globalEvents: [{ EventSource: 'iam.amazonaws.com', EventName: 'CreateRole' }],
    },
    drill: {
      productionDir: 'none',
      backupBucket: 'none',
      applyState: throwawayState,
      applyAws: awsOf(throwawayState),
      encryptionConfig: FAKE_BACKUP_ENCRYPTION_CONFIG,
      restored: { ...IN_BACKUP, serverUrl: r.url },
      ping: 'pong',
    },
  };
  // rke-ha with standby.region and a zone: what its failover phase meets (acceptance-standby-world.ts).
  if (options.standby) withStandby(w, r.url, DEFAULT_CA);
  const c = new FakeCloud(json, w);
  r.dir = c.dir;
  c.update((x) => {
    // The deployment's kubeconfig, once applied, names the world's Kubernetes API (the roll's and rotations' Leases).
    if (x.acceptance.applyState.outputs.kubeconfig) x.acceptance.applyState.outputs.kubeconfig.value = worldKubeconfig(c.dir);
    x.drill.backupFile = writeBackup(c.dir, IN_BACKUP);
    // The drill's throwaway, or with a standby the standby (its one-time Backup: the failover phase's).
    x.drill.applyState.outputs.kubeconfig.value = worldKubeconfig(c.dir, options.standby ? 'standby' : 'drill');
    if (x.acceptance.cluster) x.acceptance.cluster.kubeconfig = join(c.dir, 'user-kubeconfig.yaml');
    if (options.standby) {
      seedStandby(x, c.dir, DEFAULT_CA);
      seedStandbyFacts(x, json);
    }
    change?.(x);
  });
  // k8s-ha: the user's kubeconfig names their cluster in its context `user-admin` (K8S_HA's --context), not its current one.
  writeFileSync(join(c.dir, 'user-kubeconfig.yaml'), worldKubeconfig(c.dir, 'user', 'user-admin'));
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, `acceptance.${stack}.cdk.tf.json`));
  writeFileSync(join(c.dir, 'throwaway.cdk.tf.json'), JSON.stringify(throwawayJson()));
  if (options.standby) writeStandbyModules(c.dir);
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', 'package.json'), join(c.dir, 'package.json'));
  // The tools an acceptance run starts: no aws (AWS through the SDK, to the fake AWS endpoint), so a call to it fails;
  // kubectl for rke-ha's roll alone (its drain), so any other kubectl fails.
  c.tools = stack === 'rke-ha' ? ACCEPTANCE_TOOLS : ACCEPTANCE_TOOLS.filter((tool) => tool !== 'kubectl');
  worlds.push({ c, r });
  return { c, r };
}

/** The tools an rke-ha acceptance run needs on PATH (cli/main.ts: terraform, kubectl for the roll's drain, curl) and nothing else. */
export const ACCEPTANCE_TOOLS: readonly string[] = ['terraform', 'kubectl', 'curl'];

/** An rke-ha run as the README gives it: no settings file unless the case gives one. */
export const accept = (c: FakeCloud, ...extra: string[]) => {
  return c.runAsync(['acceptance', 'rke-ha', '--region', REGION, '--yes', '--wait-minutes', '1', ...extra], { env: { RANCHER_HA_AWS_SYNTH: SYNTH } });
};

/**
 * The cost of a case bounded: the downstream cluster, the roll and the drill (most of a run's stub calls) left out of the cases of other
 * phases; the passing run has them all.
 */
export const skipping = (phase: string) => ['--skip', ['downstream', 'roll', 'drill'].filter((p) => p !== phase).join(',')];

/** The statuses a run stopped at `phase` reports: before it passed (or not chosen), after it skipped. */
export function expectStoppedAt(report: any, phase: string, there: readonly string[]): void {
  const at = ACCEPTANCE_PHASES.indexOf(phase as never);
  // rke-ha's runs: the optional phases not named, the migration, which does not apply (it starts from docker), and
  // the failover (the world's settings keep no standby).
  const chosen = (p: string) =>
    !skipping(phase)[1].split(',').includes(p) && !OPTIONAL_PHASES.includes(p as never) && !notApplicable('rke-ha', p as never, {});
  const s = statuses(report);
  for (const [i, p] of ACCEPTANCE_PHASES.entries()) {
    const expected = p === 'teardown' || p === 'sweep' ? ['passed'] : i === at ? there : i < at && chosen(p) ? ['passed'] : ['skipped'];
    expect({ phase: p, status: s[p], expected: expected.includes(s[p]) }).toEqual({ phase: p, status: s[p], expected: true });
  }
}

/** Torn down: the state empty, the run's buckets gone, its load balancer gone, its record done. */
export function expectTornDown(c: FakeCloud): void {
  const w = c.world();
  expect(w.state.resources).toEqual([]);
  for (const [name, bucket] of Object.entries(w.aws.buckets) as [string, any][])
    expect({ name, exists: bucket.exists }).toEqual({ name, exists: false });
  expect(Object.keys(w.aws.lbs)).toEqual([]);
  expect(JSON.parse(readFileSync(join(runDir(c), 'run.json'), 'utf8')).done).toBe(true);
  expect(existsSync(join(runDir(c), 'kubeconfig.yaml'))).toBe(false);
  expect(existsSync(join(runDir(c), 'report.md'))).toBe(true);
}
