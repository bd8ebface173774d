import { awsOf, FakeCloud, holderOf, stateOf } from '../helpers/fake-cloud';
import { synthLibrary, type LibraryModule } from '../helpers/library-modules';
import { checkEveryCluster, clusterOf, mutating, roll, withoutLeaseCalls } from '../helpers/roll-world';
import { useFakeAwsEndpoint } from '../helpers/fake-cloud';
import { codesOf, said } from '../helpers/plain-output';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// Issue 33.1: the operations commands on modules a library user synthesizes (the construct under an id of their own,
// nested in a construct of theirs, two stacks of one app, two deployments in one stack), against the same fake cloud
// as the app's stacks. The commands find servers, stores and guards through the deployment record the construct
// writes, not through the app's addresses.
checkEveryCluster();

const json = (module: LibraryModule, stack = 'platform') => synthLibrary(module)[stack];
const rkeCluster = (module: LibraryModule, stack = 'platform', change?: (world: any) => void) =>
  clusterOf(json(module, stack), module === 'nested K3s', change);

/** A teardown world: the state after a successful apply, the AWS objects with their protection, snapshots in the buckets. */
const clouds: FakeCloud[] = [];
function teardownCloud(module: LibraryModule, stack = 'platform', change?: (world: any) => void): FakeCloud {
  const state = stateOf(json(module, stack));
  const world = { state, aws: awsOf(state), cluster: { apiUp: true } };
  // The user's own bucket beside the deployment: empty, or the destroy of the module (which takes it too) stops there.
  world.aws.buckets['rancher-audit-exports-0a1b'].objects = [];
  change?.(world);
  const c = new FakeCloud(json(module, stack), world);
  clouds.push(c);
  return c;
}
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
  }
});

/** Takes the deployment records out of a state, as a module applied by a version before them has it. */
const withoutRecord = (world: any) => {
  world.state.resources = world.state.resources.filter((r: any) => !/(^|_)deployment-record(_[0-9A-F]{8})?$/.test(r.name));
};

describe('roll of a library-made module', () => {
  it.each([
    ['id rancher', 'rancher_'],
    ['nested', 'platform_rancher_'],
  ] as const)('%s: --dry-run lists the three servers at their own addresses, and changes nothing', (module, prefix) => {
    const c = rkeCluster(module);
    const result = roll(c, '--dry-run');
    expect(result).toSucceed();
    expect(result.out).toContain(`Roll of acme (${c.moduleDir}, RKE2 with embedded etcd, 3 servers):`);
    for (const n of [0, 1, 2]) expect(result.out).toMatch(new RegExp(`server-${n} \\(aws_instance\\.${prefix}server-${n}_instance_[0-9A-F]{8}\\):`));
    expect(result.out).toContain('Dry run: nothing was changed.');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('nested: the real roll, one server at a time, the same steps as for the app stack', () => {
    const c = rkeCluster('nested');
    const result = roll(c);
    expect(result).toSucceed();
    const world = c.world();
    expect(world.replaced).toEqual(['server-0', 'server-1', 'server-2']);
    const calls = withoutLeaseCalls(c.calls());
    for (const n of [0, 1, 2]) {
      const drain = calls.findIndex((call) => call.includes(`drain ip-10-0-${n}-10 `));
      const remove = calls.findIndex((call) => call.endsWith(`delete node ip-10-0-${n}-10 --wait=false`));
      // The apply of the saved plan that replaces it (the plan before the snapshot is only checked, never applied).
      const replace = calls.findIndex(
        (call, i) =>
          call.startsWith('terraform apply -input=false ') &&
          new RegExp(`^terraform plan -replace=aws_instance\\.platform_rancher_server-${n}_instance_[0-9A-F]{8} -out=`).test(calls[i - 2]),
      );
      const snapshot = calls.findIndex((call) => call.startsWith('aws ssm send-command') && call.includes(`snapshot before server-${n}`));
      expect([snapshot, drain, remove].every((i, k, all) => i > -1 && (k === 0 || i > all[k - 1]))).toBe(true);
      expect(replace).toBeGreaterThan(remove);
    }
    // The roll's snapshots carry the deployment's name.
    expect(world.cluster.snapshots.every((s: string) => s.includes('--name acme-roll-server-'))).toBe(true);
    expect(holderOf(world.lease)).toBeUndefined();
  });

  // One server: where the datastore is found in a library's module shows at the first server; the roll through every
  // server of a library's module is the nested case's above, and the roll's own steps per server are cli/roll's.
  it('nested K3s: the datastore snapshot of the deployment, no etcd checks', () => {
    const c = rkeCluster('nested K3s');
    expect(roll(c, '--server', 'server-0')).toSucceed();
    const snapshots = c.calls().filter((call) => call.startsWith('aws rds create-db-snapshot'));
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toContain('--db-instance-identifier rancher-platform_rancher_datastore_instance');
    expect(c.calls().some((call) => call.startsWith('aws ssm send-command') && call.includes('etcd'))).toBe(false);
    expect(c.world().replaced).toEqual(['server-0']);
  });

  it('--new-image: the recorded image under the construct path first', () => {
    const c = rkeCluster('id rancher');
    expect(roll(c, '--new-image')).toSucceed();
    const calls = withoutLeaseCalls(c.calls());
    expect(calls.find((call) => call.startsWith('terraform plan -replace='))).toMatch(
      /^terraform plan -replace=terraform_data\.rancher_ami_recorded-image_[0-9A-F]{8} /,
    );
    expect(c.world().replaced).toEqual(['server-0', 'server-1', 'server-2']);
  });

  it('upgrade state: an in-place upgrade running on the servers of the record refuses the roll (exit 2), touching nothing', () => {
    const c = rkeCluster('nested', 'platform', (world) => {
      world.cluster.upgrade = { target: 'v1.35.7+rke2r1', running: 'v1.35.7+rke2r1', plan: { latestHash: 'h-new', applying: [] } };
      world.cluster.servers[2].planHash = 'h-old';
    });
    const result = roll(c);
    expect(result.code).toBe(2);
    expect(result.out).toContain('An in-place Kubernetes upgrade is pending or running');
    expect(result.out).toContain('has yet to run on ip-10-0-2-10');
    expect(mutating(c.calls())).toEqual([]);
  });

  it('two stacks of one app: each module folder rolls its own deployment', () => {
    for (const [stack, name, prefix] of [
      ['eu', 'eu', 'rancher_'],
      ['backup-site', 'site', 'site_'],
    ]) {
      const c = rkeCluster('two stacks', stack);
      const result = roll(c, '--server', 'server-1');
      expect(result).toSucceed();
      expect(result.out).toContain(`Roll of ${name} (`);
      expect(c.calls().some((call) => call.startsWith(`terraform plan -replace=aws_instance.${prefix}server-1_instance_`))).toBe(true);
      expect(c.world().replaced).toEqual(['server-1']);
    }
  });

  it('two deployments in one stack: asks for --deployment, then rolls the one named; a docker one has no servers to roll', () => {
    const c = rkeCluster('two in one stack');
    const ask = roll(c, '--dry-run');
    expect(ask.code).toBe(2);
    expect(ask.out).toContain('This module holds 2 deployments: ');
    expect(ask.out).toContain('acme (rke-ha, construct rancher)');
    expect(ask.out).toContain('demo (docker, construct demo)');
    expect(ask.out).toContain('Name the one to act on with --deployment <name>');
    const docker = roll(c, '--deployment', 'demo', '--dry-run');
    expect(docker.code).toBe(2);
    expect(docker.out).toContain(`demo (${c.moduleDir}) is a docker deployment and has no servers of its own to roll`);
    expect(roll(c, '--deployment', 'nope').out).toContain('--deployment nope: no such deployment in this module');
    expect(c.calls()).toEqual(Array(3).fill('terraform state pull'));
    expect(roll(c, '--deployment', 'acme', '--server', 'server-2')).toSucceed();
    expect(c.world().replaced).toEqual(['server-2']);
  });

  it('a module applied by a version before the record: the servers found by their addresses under the guard’s prefix', () => {
    const c = rkeCluster('nested', 'platform', withoutRecord);
    const result = roll(c, '--dry-run');
    expect(result).toSucceed();
    expect(result.out).toContain('Roll of acme (');
    expect(result.out).toMatch(/server-2 \(aws_instance\.platform_rancher_server-2_instance_[0-9A-F]{8}\):/);
  });
});

describe('teardown of a library-made module', () => {
  it.each(['id rancher', 'nested'] as const)(
    '%s: --dry-run takes the stores out of the state and lifts the guards, as for the app stack',
    (module) => {
      const c = teardownCloud(module);
      const result = c.run(['teardown', '--dir', 'module', '--dry-run']);
      expect(result).toSucceed();
      expect(codesOf(result.out)).toEqual(['TEARDOWN_PLAN', 'TEARDOWN_DRY_RUN']);
      const plan = said(result.out, 'TEARDOWN_PLAN');
      expect(plan).toContain(`Teardown of acme (${c.moduleDir}, eu-west-1, module ${c.moduleDir}):`);
      expect(plan).toMatch(
        /2\. Take the data stores out of the state \(terraform state rm, nothing changes in AWS\): .*aws_s3_bucket\.[a-z_]*rancher_etcd-snapshots_bucket_/,
      );
      expect(plan).not.toContain('No data store left in the state');
      expect(plan).toContain('3. Lift AWS deletion protection of the load balancer');
      expect(plan).toMatch(/5\. Delete on purpose, after everything else: S3 bucket /);
      expect(c.calls()).toEqual(['terraform state pull']);
    },
  );

  it('nested: the teardown runs through (snapshot data never unguarded), and a second run finds nothing', () => {
    const c = teardownCloud('nested');
    const result = c.run(['teardown', '--dir', 'module', '--yes']);
    expect(result).toSucceed();
    expect(said(result.out, 'TEARDOWN_REPORT')).toMatch(/^Teardown of acme finished\./);
    const world = c.world();
    expect(world.state.resources).toEqual([]);
    for (const bucket of Object.values(world.aws.buckets) as any[]) if (bucket.objects.length) expect(bucket.exists).toBe(false);
    expect(Object.values(world.aws.lbs)).toEqual([]);
    expect(codesOf(c.run(['teardown', '--dir', 'module', '--yes']).out)).toEqual(['TEARDOWN_NOTHING_LEFT']);
  });

  it('--keep-snapshots: the stores stay with their guards', () => {
    const c = teardownCloud('id rancher');
    expect(c.run(['teardown', '--dir', 'module', '--yes', '--keep-snapshots'])).toSucceed();
    const buckets = Object.values(c.world().aws.buckets) as any[];
    expect(buckets.filter((b) => b.exists && b.guarded).length).toBeGreaterThan(0);
  });

  it('asks on a terminal for the deployment name, never the folder path', async () => {
    const c = teardownCloud('nested');
    const question = 'Type the deployment name (acme) to tear it down: ';
    const wrong = await c.runInTerminal(['teardown', '--dir', c.moduleDir], question, c.moduleDir);
    expect(wrong.screen).toContain(`'${c.moduleDir}' is not 'acme': nothing was changed.`);
    expect(wrong.code).toBe(1);
    // CI=false: a CI's environment (CI=true) chooses plain lines even on a terminal, as it should.
    const right = await c.runInTerminal(['teardown', '--dir', c.moduleDir], question, 'acme', { CI: 'false' });
    expect(right.screen).toContain('Teardown of acme finished.');
    expect(right.code).toBe(0);
    // On a terminal: no codes, and the steps in the status line (step n of m, its time) while they run.
    expect(right.screen).not.toContain('TEARDOWN_');
    expect(right.screen).toMatch(/destroy \(3 of 4, \d+s\) · terraform apply -destroy of \d+ resources/);
  });

  it('two stacks of one app: each folder tears down its own deployment', () => {
    for (const [stack, name] of [
      ['eu', 'eu'],
      ['backup-site', 'site'],
    ]) {
      const c = teardownCloud('two stacks', stack);
      const dry = c.run(['teardown', '--dir', 'module', '--dry-run', '--deployment', name]);
      expect(dry).toSucceed();
      expect(said(dry.out, 'TEARDOWN_PLAN')).toContain(`Teardown of ${name} (`);
      expect(c.run(['teardown', '--dir', 'module', '--yes'])).toSucceed();
      expect(c.world().state.resources).toEqual([]);
    }
  });

  it('--deployment naming another deployment than the module holds: refused, nothing changed', () => {
    const c = teardownCloud('two stacks', 'eu');
    const result = c.run(['teardown', '--dir', 'module', '--yes', '--deployment', 'site']);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['TEARDOWN_OTHER_DEPLOYMENT_NAMED']);
    expect(said(result.out, 'TEARDOWN_OTHER_DEPLOYMENT_NAMED')).toContain('holds eu (rke-ha), not site');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('two deployments in one stack: refused (the destroy would take both), nothing changed', () => {
    const c = teardownCloud('two in one stack');
    const result = c.run(['teardown', '--dir', 'module', '--yes', '--deployment', 'acme']);
    expect(result.code).toBe(2);
    expect(codesOf(result.out)).toEqual(['TEARDOWN_SEVERAL_DEPLOYMENTS']);
    expect(said(result.out, 'TEARDOWN_SEVERAL_DEPLOYMENTS')).toContain('2 deployments (acme: rke-ha, demo: docker)');
    expect(c.calls()).toEqual(['terraform state pull']);
  });

  it('a module applied by a version before the record: the stores found by their addresses under the guard’s prefix', () => {
    const c = teardownCloud('nested', 'platform', withoutRecord);
    const dry = c.run(['teardown', '--dir', 'module', '--dry-run']);
    expect(said(dry.out, 'TEARDOWN_PLAN')).toMatch(
      /2\. Take the data stores out of the state .*aws_s3_bucket\.platform_rancher_etcd-snapshots_bucket_/,
    );
    expect(c.run(['teardown', '--dir', 'module', '--yes'])).toSucceed();
    expect(c.world().state.resources).toEqual([]);
  });
});
