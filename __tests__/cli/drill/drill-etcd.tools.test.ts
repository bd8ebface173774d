import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRestored, TOKEN_PARAMETER } from '../../../cli/drill/drill-etcd';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runBounded } from '../../helpers/subprocess';
import { runValidator } from '../../helpers/validators';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The script `npm run drill -- rke-ha --etcd` sends through SSM to the throwaway's first server, run for real in a
// bash sandbox (NodeSandbox: boot-lib.sh and cluster-lib.sh as the servers get them, SSM and the peers through its
// curl stub, systemctl's), with rke2, rke2-killall.sh and kubectl replaced by the restored cluster's stubs
// (helpers/drill-restore-stubs): the reset turns the snapshot's objects into the cluster's, if the token file holds
// production's token. The drill's own tools test (drill.tools.test.ts) stands in for the script's outcome.

const SCRIPT = 'cli/drill/drill-etcd-restore.sh';
const STUBS = join(__dirname, '..', '..', 'helpers', 'drill-restore-stubs');
const SNAPSHOT = 'etcd-snapshot-ip-10-0-0-10-1795413600';
const PRODUCTION_TOKEN = 'K10aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44cc55dd66::server:production-secret-part';
const OWN_TOKEN = 'K10ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100::server:throwaway-secret';
const ME = 'ip-10-200-0-10';
const PRODUCTION_NODES = ['ip-10-0-0-10', 'ip-10-0-16-10', 'ip-10-0-32-10'];
const WRITER = 'cattle-resources-system/rancher-aws-backup-s3-1a2b3c';
// Production's credentials Rancher holds: cloud credentials (Secrets of type provisioning.cattle.io/cloud-credential,
// in cattle-global-data or in a provisioning cluster's own namespace: rancher/webhook release/v0.10,
// pkg/resources/provisioning.cattle.io/v1/cluster/validator.go, getCloudCredentialSecretInfo) and what else
// cattle-global-data holds (a downstream cluster's service account token, an older cloud credential without the type).
const CLOUD_CREDENTIALS = ['cattle-global-data/cc-production-aws', 'fleet-default/cc-machine-pools'];
const GLOBAL_DATA = ['cattle-global-data/cluster-serviceaccounttoken-x7k2p', 'cattle-global-data/cc-untyped-older'];
// The node drivers' Secrets of fleet-default (rancher-backup 109.0.7+up10.0.8, sensitive-resourceset-contents/
// provisioningv2.yaml): the driver's copy of a credential, a Harvester kubeconfig, a machine's state; a machine's plan
// (the agent that reads it dials production's hostname) stays.
const MACHINE_STATE = 'fleet-default/pool1-7d9f-machine-state';
const NODE_DRIVER = ['fleet-default/pool1-7d9f-machine-driver-secret', 'fleet-default/harvesterconfig8kz2p', MACHINE_STATE];
const MACHINE_PLAN = 'fleet-default/pool1-7d9f-machine-plan';
// The admission webhooks the snapshot brings back: rancher-webhook's pair, and another of production's charts.
const WEBHOOKS = { validating: ['rancher.cattle.io', 'rke2-ingress-nginx-admission'], mutating: ['rancher.cattle.io'] };
const CA = '-----BEGIN CERTIFICATE-----\nproduction CA\n-----END CERTIFICATE-----\n';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** The throwaway's first server, its other servers stopped, and production's snapshot as the reset will restore it. */
function server(): NodeSandbox {
  const b = new NodeSandbox({
    NODE_NAME: ME,
    NODE_IP: '10.200.0.10',
    PEER_IPS: '10.200.16.10 10.200.32.10',
    AWS_REGION: 'eu-west-1',
    PARAMETER_PREFIX: '/rancher/rancher-drill/rke-ha',
  });
  for (const name of readdirSync(STUBS)) {
    copyFileSync(join(STUBS, name), b.path(`bin/${name}`));
    chmodSync(b.path(`bin/${name}`), 0o755);
  }
  b.write('etc/rancher/rke2/token', OWN_TOKEN);
  b.write('production-token', PRODUCTION_TOKEN);
  b.parameter(TOKEN_PARAMETER, PRODUCTION_TOKEN);
  b.write('active', 'rke2-server.service\n');
  b.write('events', '');
  b.write('snapshot/nodes', `${PRODUCTION_NODES.join('\n')}\n`);
  b.write(
    'snapshot/secrets',
    [
      WRITER,
      'cattle-resources-system/rancher-aws-backup-encryption',
      ...CLOUD_CREDENTIALS,
      ...GLOBAL_DATA,
      ...NODE_DRIVER,
      MACHINE_PLAN,
      ...PRODUCTION_NODES.map((n) => `kube-system/${n}.node-password.rke2`),
      '',
    ].join('\n'),
  );
  b.write('snapshot/cloud-credentials', `${CLOUD_CREDENTIALS.join('\n')}\n`);
  b.write('snapshot/machine-states', `${MACHINE_STATE}\n`);
  b.write('snapshot/validatingwebhookconfigurations', `${WEBHOOKS.validating.join('\n')}\n`);
  b.write('snapshot/mutatingwebhookconfigurations', `${WEBHOOKS.mutating.join('\n')}\n`);
  b.write('snapshot/backups.resources.cattle.io', 'rancher-aws-scheduled\n');
  b.write('snapshot/clusters.management.cattle.io', 'local\nc-m-downstream\n');
  b.write('snapshot/users.management.cattle.io', 'user-admin\nu-agent\nuser-person\n');
  b.write('snapshot/projects.management.cattle.io', 'local/p-system\nlocal/p-default\nc-m-downstream/p-apps\n');
  b.write('snapshot/settings.management.cattle.io', `server-url=https://rancher.example.com\ncacerts=${CA.replaceAll('\n', '\\n')}\n`);
  boxes.push(b);
  return b;
}

/** The script as SSM runs it (`bash script SNAPSHOT PARAMETER`), its pid in $T/pid for the stubs that kill it. */
function restore(b: NodeSandbox, env: Record<string, string> = {}): { status: number | null; signal: string | null; output: string } {
  const path = b.prepare({ file: SCRIPT });
  const result = runBounded('bash', ['-c', 'echo $$ >"$T/pid"; exec bash "$@"', 'restore', path, SNAPSHOT, TOKEN_PARAMETER], {
    env: b.environment({ READY_SECONDS: '60', DRILL_LOG: b.path('drill-restore.log'), ...env }),
  });
  return { status: result.status, signal: result.signal, output: `${result.stdout}${result.stderr}` };
}

const events = (b: NodeSandbox) => b.read('events').split('\n').filter(Boolean);
const resets = (b: NodeSandbox) => b.calls().filter((c) => c.startsWith('rke2 server'));
const started = (b: NodeSandbox) => b.calls().filter((c) => c === 'systemctl start --no-block rke2-server.service');
const lines = (b: NodeSandbox, file: string) => b.read(file).split('\n').filter(Boolean);
const RESTORED = {
  nodes: 3,
  counts: {
    'clusters.management.cattle.io': 2,
    'users.management.cattle.io': 3,
    'projects.management.cattle.io': 3,
    'settings.management.cattle.io': 2,
  },
  serverUrl: 'https://rancher.example.com',
  cacerts: CA,
};

/** Every file of the sandbox that holds production's token, but the fake SSM's parameter and the test's own copy. */
function holdingToken(b: NodeSandbox): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(b.path(dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile() && readFileSync(b.path(relative), 'utf8').includes('production-secret-part')) found.push(relative);
    }
  };
  walk('');
  return found.filter((f) => f !== `ssm/${TOKEN_PARAMETER}.json` && f !== 'production-token');
}

/** The end state of a restore that went through, however many runs it took. */
function expectRestored(b: NodeSandbox, output: string): void {
  expect(parseRestored(output)).toEqual(RESTORED);
  expect(lines(b, 'restored/nodes')).toEqual([]);
  expect(lines(b, 'restored/backups.resources.cattle.io')).toEqual([]);
  expect(lines(b, 'restored/secrets')).toEqual(['cattle-resources-system/rancher-aws-backup-encryption', MACHINE_PLAN]);
  expect(lines(b, 'restored/cloud-credentials')).toEqual([]);
  expect(lines(b, 'restored/validatingwebhookconfigurations')).toEqual([]);
  expect(lines(b, 'restored/mutatingwebhookconfigurations')).toEqual([]);
  expect(b.read('etc/rancher/rke2/token')).toBe(PRODUCTION_TOKEN);
  expect(statSync(b.path('etc/rancher/rke2/token')).mode & 0o777).toBe(0o600);
  expect(holdingToken(b)).toEqual(['etc/rancher/rke2/token']);
  expect(output).not.toContain('production-secret-part');
  expect(output).toContain(`restored from ${SNAPSHOT}`);
}

/**
 * Production's admission webhooks go first (no Secret can be deleted while rancher-webhook's mutator is registered
 * and cannot be called), then its backup writer and every credential, all before any of production's Nodes: no pod
 * of production's, Rancher's controllers included, can run with them. No DELETE was refused.
 */
function expectWriterFirst(b: NodeSandbox): void {
  const all = events(b);
  const firstNode = all.findIndex((e) => e.startsWith('deleted node '));
  const firstSecret = all.findIndex((e) => e.startsWith('deleted secret '));
  expect(all.filter((e) => e.startsWith('refused '))).toEqual([]);
  for (const config of [...WEBHOOKS.validating.map((c) => `validating ${c}`), ...WEBHOOKS.mutating.map((c) => `mutating ${c}`)]) {
    const [kind, name] = config.split(' ');
    expect(all.indexOf(`deleted ${kind}webhookconfiguration ${name}`)).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(`deleted ${kind}webhookconfiguration ${name}`)).toBeLessThan(firstSecret);
  }
  for (const secret of [WRITER, ...CLOUD_CREDENTIALS, ...GLOBAL_DATA, ...NODE_DRIVER]) {
    expect(all.indexOf(`deleted secret ${secret}`)).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(`deleted secret ${secret}`)).toBeLessThan(firstNode);
  }
  expect(all.indexOf('deleted backup rancher-aws-scheduled')).toBeLessThan(firstNode);
}

describe('drill-etcd-restore.sh', () => {
  it('passes shellcheck as committed', () => {
    const script = readFileSync(join(__dirname, '../../../cli/drill/drill-etcd-restore.sh'), 'utf8');
    expect(runValidator('shellcheck', ['--severity=style'], script, 'drill-etcd-restore.sh')).toEqual({ status: 0, output: '' });
  });

  it("restores: production's token 0600 in the token file, the reset, the writer out, then production's Nodes; the drill reads what it prints", () => {
    const b = server();
    const r = restore(b);
    expect(r.status).toBe(0);
    expectRestored(b, r.output);
    expectWriterFirst(b);
    expect(events(b)).toEqual([
      ...WEBHOOKS.validating.map((c) => `deleted validatingwebhookconfiguration ${c}`),
      ...WEBHOOKS.mutating.map((c) => `deleted mutatingwebhookconfiguration ${c}`),
      'deleted backup rancher-aws-scheduled',
      `deleted secret ${WRITER}`,
      ...[...CLOUD_CREDENTIALS, ...GLOBAL_DATA, ...NODE_DRIVER].sort().map((c) => `deleted secret ${c}`),
      ...PRODUCTION_NODES.flatMap((n) => [`deleted node ${n}`, `deleted secret kube-system/${n}.node-password.rke2`]),
      `untainted node ${ME} rancher-ha-aws/drill-restore`,
    ]);
    // The token read once; the server stopped before the reset and started after it; RKE2's output in the log.
    expect(b.calls().filter((c) => c.startsWith('ssm '))).toEqual([`ssm ${TOKEN_PARAMETER}`]);
    const order = b.calls().filter((c) => /^(systemctl (stop|start)|rke2 |rke2-killall|ssm )/.test(c));
    expect(order).toEqual([
      'systemctl stop rke2-server.service',
      'rke2-killall.sh',
      `ssm ${TOKEN_PARAMETER}`,
      `rke2 server --cluster-reset --cluster-reset-restore-path=${SNAPSHOT}`,
      'systemctl start --no-block rke2-server.service',
    ]);
    expect(b.read('drill-restore.log')).toContain(`S3 download complete for ${SNAPSHOT}`);
    expect(b.exists(`etc/rancher/rke2/token.new`)).toBe(false);
  });

  it("production's pods evicted from its NotReady Nodes at the restored API's first answer find no Node here until those Nodes are gone: this server's Node registers tainted NoSchedule, untainted last", () => {
    const b = server();
    b.write('evict-after', '1');
    const r = restore(b);
    expect(r.status).toBe(0);
    expectRestored(b, r.output);
    expect(events(b).filter((e) => e.startsWith('scheduled '))).toEqual([]);
    const all = events(b);
    expect(all[all.length - 1]).toBe(`untainted node ${ME} rancher-ha-aws/drill-restore`);
    expect(all.indexOf(`untainted node ${ME} rancher-ha-aws/drill-restore`)).toBeGreaterThan(
      Math.max(...PRODUCTION_NODES.map((n) => all.indexOf(`deleted node ${n}`))),
    );
    expect(lines(b, 'restored/own-node')).toEqual([]);
    expect(b.exists('etc/rancher/rke2/config.yaml.d/90-rancher-aws-drill-restore.yaml')).toBe(false);
  });

  it("the taint file is written before the reset (a reset that fails leaves it): the drill's taint, appended to the server's own (node-taint+)", () => {
    const b = server();
    b.write('download-fails', 'always');
    expect(restore(b).status).toBe(1);
    expect(b.read('etc/rancher/rke2/config.yaml.d/90-rancher-aws-drill-restore.yaml')).toBe(
      'node-taint+:\n  - "rancher-ha-aws/drill-restore=disarming:NoSchedule"\n',
    );
  });

  it('the download fails twice, then succeeds: retried with growing pauses (counted, not timed), one restore', () => {
    const b = server();
    b.write('download-fails', '2');
    const r = restore(b);
    expect(r.status).toBe(0);
    expect(resets(b)).toHaveLength(3);
    expect(r.output).toContain(`the download of ${SNAPSHOT} failed (attempt 1 of 3`);
    expect(r.output).toContain('trying again in 30 s');
    // 20 s of peer probes (three looks), 15 + 30 s between the downloads.
    expect(b.slept()).toBe(20 + 15 + 30);
    expectRestored(b, r.output);
  });

  it('the download keeps failing: stops after 3 attempts with the reason, rke2-server not started; a rerun after the drill deleted the parameter finishes', () => {
    const b = server();
    b.write('download-fails', 'always');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(resets(b)).toHaveLength(3);
    expect(r.output).toContain('failed to download snapshot from S3: RequestError');
    expect(r.output).toContain(
      `the download of ${SNAPSHOT} from this deployment's snapshot bucket failed 3 times (above): rke2-server was not started`,
    );
    expect(started(b)).toEqual([]);
    expect(b.exists('restored')).toBe(false);
    expect(events(b)).toEqual([]);
    // What it left a rerun can finish: the token is in place and named, the parameter may go.
    b.remove('download-fails');
    b.remove(`ssm/${TOKEN_PARAMETER}.json`);
    const again = restore(b);
    expect(again.status).toBe(0);
    expect(again.output).toContain(`the parameter ${TOKEN_PARAMETER} is gone; the token a run placed from it before is in`);
    expectRestored(b, again.output);
  });

  it('a reset that fails after its download (another token) is not retried, and says so', () => {
    const b = server();
    b.write('production-token', 'K10-some-other-cluster::server:other');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(resets(b)).toHaveLength(1);
    expect(r.output).toContain('bootstrap data already found and encrypted with different token');
    expect(r.output).toContain(`the cluster reset from ${SNAPSHOT} failed after its download (the token or the snapshot; above)`);
    expect(started(b)).toEqual([]);
  });

  it('the parameter cannot be read: SSM errors retried 5 times, then nothing is restored; a missing parameter never placed refuses at once', () => {
    const throttled = server();
    throttled.failing(TOKEN_PARAMETER, 99);
    const r = restore(throttled);
    expect(r.status).toBe(1);
    expect(r.output).toContain(`cannot read the parameter ${TOKEN_PARAMETER} (5 attempts): nothing was restored`);
    expect(throttled.calls().filter((c) => c.startsWith('ssm '))).toHaveLength(5);
    expect(resets(throttled)).toEqual([]);
    expect(throttled.read('etc/rancher/rke2/token')).toBe(OWN_TOKEN);
    const missing = server();
    missing.remove(`ssm/${TOKEN_PARAMETER}.json`);
    const m = restore(missing);
    expect(m.status).toBe(1);
    expect(m.output).toContain(`the parameter ${TOKEN_PARAMETER} does not exist (the drill deletes it once its restore ended)`);
    expect(resets(missing)).toEqual([]);
  });

  it('a throwaway server that still answers: refused before anything changes', () => {
    const b = server();
    b.write('live', '10.200.16.10\n');
    const r = restore(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('the server at 10.200.16.10 answers: the drill stops the other servers before the restore; nothing was changed');
    expect(b.calls().some((c) => /^(systemctl stop|rke2|ssm )/.test(c))).toBe(false);
  });

  it('killed in the middle of the reset: a rerun (the parameter deleted meanwhile) resets again and ends as one run does', () => {
    const b = server();
    b.write('kill-in-reset', '');
    const killed = restore(b);
    expect(killed.signal).toBe('SIGKILL');
    expect(started(b)).toEqual([]);
    b.remove(`ssm/${TOKEN_PARAMETER}.json`);
    const again = restore(b);
    expect(again.status).toBe(0);
    expect(resets(b)).toHaveLength(2);
    expectRestored(b, again.output);
    expectWriterFirst(b);
  });

  it("killed while production's Nodes go (the restored cluster up, the writer out): a rerun starts over from the snapshot, the counts are the snapshot's", () => {
    const b = server();
    b.write('kill-at-delete-node', '');
    const killed = restore(b);
    expect(killed.signal).toBe('SIGKILL');
    expect(parseRestored(killed.output)).toEqual(RESTORED);
    expect(lines(b, 'restored/nodes')).toEqual(PRODUCTION_NODES.slice(1));
    const again = restore(b);
    expect(again.status).toBe(0);
    // Stopped (and every container with it) before the second reset, which brings production's Nodes and writer back.
    const second = b.calls().slice(b.calls().lastIndexOf('systemctl stop rke2-server.service'));
    expect(second.slice(0, 2)).toEqual(['systemctl stop rke2-server.service', 'rke2-killall.sh']);
    expectRestored(b, again.output);
    const afterRerun = events(b).slice(events(b).indexOf(`deleted node ${PRODUCTION_NODES[0]}`) + 1);
    expect(afterRerun.indexOf(`deleted secret ${WRITER}`)).toBeLessThan(afterRerun.indexOf(`deleted node ${PRODUCTION_NODES[0]}`));
  });

  it("the restored API answers late: a bounded wait; it never answers: stopped again, production's Nodes untouched", () => {
    const late = server();
    late.write('api-polls', '3');
    const r = restore(late);
    expect(r.status).toBe(0);
    expectRestored(late, r.output);
    const never = server();
    never.write('api-polls', '1000');
    const n = restore(never);
    expect(n.status).toBe(1);
    expect(n.output).toContain('the restored API did not answer within 60 s: stopped again');
    expect(never.calls().slice(-2)).toEqual(['systemctl stop rke2-server.service', 'rke2-killall.sh']);
    expect(events(never)).toEqual([]);
    // 20 s of peer probes and the 60 s budget, in 10 s looks.
    expect(never.slept()).toBe(80);
  });
});
