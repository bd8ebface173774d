/**
 * The roll tests' fake cluster (split over three test files so jest runs them side by side).
 */
import { awsOf, FakeCloud, stateOf, useFakeAwsEndpoint, withoutLongValues } from './fake-cloud';
import { STANDBY_TOKEN_PARAMETER } from '../../lib/standby/standby-facts-keys';
import type { TerraformJson } from './synth';
import { synthSettings } from './variants';

// The real roll command (the bundled CLI) against stubbed terraform, kubectl and
// aws simulating a cluster of N servers (fake-roll.js): Nodes with their Ready and
// EtcdIsVoter conditions, etcd membership (a Node's deletion removes its member;
// a replacement joins as a learner, then votes), SSM commands, the Lease API.
// The stub checks after EVERY call that no two servers are down at once (not
// Ready, or not a voting member); every test asserts the stub saw no violation.
// The CLI sends its SSM commands through the SDK: the fake AWS endpoint hands them to the same stub.
useFakeAwsEndpoint();

const synths = new Map<string, TerraformJson>();
function synth(key: string, settings: Record<string, unknown>): TerraformJson {
  if (!synths.has(key)) synths.set(key, synthSettings('rke-ha', settings as never).json);
  return synths.get(key)!;
}

const VARIANTS = {
  three: { settings: {}, k3s: false },
  one: { settings: { rkeHa: { nodeCount: 1 } }, k3s: false },
  k3s: { settings: { rkeHa: { distribution: 'k3s' } }, k3s: true },
  'k3s-one': { settings: { rkeHa: { distribution: 'k3s', nodeCount: 1 } }, k3s: true },
  // Both address families: every Node lists an IPv4 and an IPv6 InternalIP (fake-roll.js nodeAddresses).
  'dual-stack': { settings: { rkeHa: { dualStack: true } }, k3s: false },
  // A standby in us-west-2: the token's copy there (lib/standby/etcd-break-glass.ts), which a rotation writes too.
  standby: { settings: { standby: { region: 'us-west-2' } }, k3s: false },
} as const;

export function cluster(variant: keyof typeof VARIANTS, change?: (world: any) => void): FakeCloud {
  const dualStack = variant === 'dual-stack';
  return clusterOf(synth(variant, VARIANTS[variant].settings), VARIANTS[variant].k3s, (world) => {
    world.cluster.dualStack = dualStack;
    change?.(world);
  });
}

/** A server's aws_instance in the state, under any construct path (`server-0_instance_<hash>`, `rancher_server-0_instance_<hash>`). */
const SERVER_INSTANCE = /(^|_)(server-\d+)_instance_[0-9A-F]{8}$/;

/**
 * The fake cluster of any synthesized rke-ha module (the app's stack or a library user's): its servers are the
 * aws_instance resources named `server-<n>_instance` under whatever construct path. The state has the outputs
 * `kubeconfig` and `servers_pending_replacement` where the module declares them (the app's stacks do; a library
 * user's stack does when it outputs them, docs/library.md).
 */
export function clusterOf(json: TerraformJson, k3s: boolean, change?: (world: any) => void): FakeCloud {
  const state = withoutLongValues(stateOf(json));
  const servers = serverInstances(state);
  const serverName = (r: any) => SERVER_INSTANCE.exec(r.name)![2];
  if (json.output?.kubeconfig) state.outputs.kubeconfig = { value: 'apiVersion: v1\nkind: Config\n', sensitive: true };
  if (json.output?.servers_pending_replacement)
    state.outputs.servers_pending_replacement = { value: Object.fromEntries(servers.map((r: any) => [serverName(r), ['user_data']])) };
  const world = { roll: true, state, aws: awsOf(state), cluster: fakeCluster(servers, k3s) };
  change?.(world);
  return track(new FakeCloud(json, world));
}

/** The cluster fake-roll.js simulates, of these server instances (their state resources): all Ready, all voters. */
export function fakeCluster(servers: any[], k3s: boolean): any {
  const serverName = (r: any) => SERVER_INSTANCE.exec(r.name)![2];
  return {
    apiUp: true,
    k3s,
    joinAfter: 2,
    servers: servers.map((r: any, i: number) => ({
      name: serverName(r),
      instance: r.instances[0].attributes.id,
      ip: `10.0.${i}.10`,
      // Its IPv6 InternalIP, listed only on a dual-stack cluster (cluster.dualStack).
      ipv6: `2600:1f18:1:${i}00::10`,
      node: `ip-10-0-${i}-10`,
      ready: true,
      member: true,
      nodePresent: true,
    })),
  };
}

/** A server's aws_instance resources of a state, with the private addresses fakeCluster gives them. */
export function serverInstances(state: any): any[] {
  const servers = state.resources.filter((r: any) => r.type === 'aws_instance' && SERVER_INSTANCE.test(r.name));
  servers.forEach((r: any, i: number) => Object.assign(r.instances[0].attributes, { private_ip: `10.0.${i}.10` }));
  return servers;
}

// The invariant, asserted after EVERY test on every fake cluster it made: never two servers down at once.
const clouds: FakeCloud[] = [];
const track = (c: FakeCloud) => (clouds.push(c), c);
/** Registers, in the calling test file, the check after every test (and the clean-up) of the clusters it made. */
export function checkEveryCluster(): void {
  afterEach(() => {
    for (const c of clouds.splice(0)) {
      expect(c.violations()).toBe('');
      c.remove();
    }
  });
}

/**
 * The upgrade controller modelled (system-upgrade-controller v0.20.1, fake-roll.js upgradeController) with its Plan
 * done on every server: the target is what runs, so only a new Node gets a Job.
 */
export function withUpgradeController(world: any): void {
  world.cluster.upgrade = {
    target: 'v1.35.7+rke2r1',
    running: 'v1.35.7+rke2r1',
    plan: { latestHash: 'h1', applying: [] },
    controller: { restartLooks: 2 },
  };
  for (const s of world.cluster.servers) s.planHash = 'h1';
}

/** A cluster token in its secure form, with this secret part. */
export const tokenWith = (secret: string) => `K10${'c'.repeat(64)}::server:${secret}`;

/**
 * The cluster token modelled (fake-roll.js tokenScript): the deployment's token parameter in SSM as Terraform wrote
 * it (its name, key, tier and description from the state), the same token in every server's token file and data
 * directory, and the datastore's bootstrap data encrypted with it.
 */
export function withToken(world: any, secret = 'first0secret0of0the0deployment0000000000000000'): void {
  const token = tokenWith(secret);
  const r = world.state.resources.find((x: any) => x.type === 'aws_ssm_parameter' && String(x.instances[0].attributes.name).endsWith('/token'));
  const a = r.instances[0].attributes;
  world.parameters = { [a.name]: { name: a.name, value: token, version: 1, keyId: a.key_id, tier: a.tier, description: a.description } };
  // With a standby, the token's copy in its region (its ARN's), as Terraform wrote it from the parameter above.
  const copy = world.state.resources.find(
    (x: any) => x.type === 'aws_ssm_parameter' && String(x.instances[0].attributes.name).endsWith(STANDBY_TOKEN_PARAMETER),
  );
  if (copy) {
    const c = copy.instances[0].attributes;
    world.parameters[c.name] = {
      name: c.name,
      value: token,
      version: 1,
      keyId: c.key_id,
      tier: c.tier,
      description: c.description,
      region: String(c.arn).split(':')[3],
    };
  }
  world.cluster.token = token;
  for (const s of world.cluster.servers) s.token = { config: token, server: token, startedAfterConfig: true };
}

export const roll = (c: FakeCloud, ...extra: string[]) => c.run(['roll', '--dir', 'module', ...extra]);
export const mutating = (calls: string[]) => calls.filter((call) => /apply|cordon|drain|delete node|send-command|create-db-snapshot/.test(call));

/**
 * The calls without the Lease reads and writes: the roll renews its Leases on a timer while its long steps run
 * (cli/shared/lease-keeper.ts), so they fall between any two calls of a step.
 */
export const withoutLeaseCalls = (calls: string[]) =>
  // Through the client layer, the fake world's Kubernetes API logs each as its request (ops-stubs/stub-server.js).
  calls.filter((call) => !/^kubectl .*( get lease | replace -f -$)/.test(call) && !/^kube-api (GET|PUT) \/apis\/coordination\.k8s\.io\//.test(call));

/** The active key name every RKE2 server starts with (its first: aescbckey-<time>, k3s AppendNewEncryptionKey). */
export const FIRST_KEY = 'aescbckey-2026-01-01T00:00:00Z';

/**
 * RKE2's secrets-encryption modelled (fake-roll.js encryptionScript): enabled, every server at the stage `start` with
 * the first key, the datastore's bootstrap data holding the same configuration.
 */
export function withEncryption(world: any): void {
  world.cluster.encryption = { saved: { stage: 'start', active: FIRST_KEY } };
  for (const s of world.cluster.servers) s.enc = { stage: 'start', active: FIRST_KEY };
}
