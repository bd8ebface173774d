import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSandbox } from '../helpers/node-sandbox';
import { explore, FIXED_RULES, leaseVerdictOf, planReached, timerGuard, type Lease } from '../helpers/restart-protocol';

// The servers' copy of the protocol's rule (cluster-lib.sh lease_verdict, used by cert-renewal.sh) fed every Lease
// the model reaches, for every actor, in one real bash: it must decide as the model does.

const CLUSTER_LIB = readFileSync(join(__dirname, '../../lib/kubernetes/cluster-lib.sh'), 'utf8');
const NOW = Math.floor(Date.parse('2026-11-24T12:00:00Z') / 1000);

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z');

describe('restart protocol: the renewal timer decides as the model does', () => {
  it('lease_verdict agrees with the model on every Lease reached, for every actor', () => {
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 }).reached;
    const leases = [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
    const cases: { lease: Lease | null; me: string }[] = leases.flatMap((lease) => ['roll', 'timer-1', 'timer-2'].map((me) => ({ lease, me })));
    const calls = cases.map(({ lease, me }) => {
      const holder = lease?.holder ?? '';
      const renewed = lease ? iso(NOW - (lease.fresh ? 60 : 7200)) : '';
      const out = lease?.out === null || lease === null ? '' : `10.0.${lease.out}.10`;
      return `lease_verdict '${holder}' '${renewed}' 1800 '${out}' '${me}' ${NOW}`;
    });
    const result = spawnSync('bash', ['-c', `${CLUSTER_LIB}\nlog() { :; }\n${calls.join('\n')}`], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    const verdicts = result.stdout.trim().split('\n');
    expect(verdicts).toHaveLength(cases.length);
    cases.forEach(({ lease, me }, i) => expect([me, lease, verdicts[i]]).toEqual([me, lease, leaseVerdictOf(lease, me, FIXED_RULES)]));
    expect([...new Set(verdicts)].sort()).toEqual(['free', 'held', 'held-out', 'mine', 'stale']);
  });
});

describe("restart protocol: the renewal timer's cluster guard decides as the model does", () => {
  it('cluster_healthy with the expected count, on every server state the model reaches (3 servers)', () => {
    const reached = explore({ servers: 3, rules: FIXED_RULES, maxFaults: 2, rollTarget: 0, timers: [1, 2], upgradeTarget: 1 }).reached;
    const serverStates = [...new Map(reached.map((s) => [s.servers.join(','), s.servers] as const)).values()];
    const ips = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
    const name = (ip: string) => `ip-${ip.replaceAll('.', '-')}`;
    const token = 'K10e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855::server:s3cret';
    for (const servers of serverStates) {
      const cluster = mkdtempSync(join(tmpdir(), 'cluster-'));
      // The timer runs on a server that is up (server-1 or server-2); a server out has neither Node nor member, one
      // restarting or hung is NotReady and its member unhealthy.
      const here = servers.findIndex((s, i) => i > 0 && s === 'up');
      const present = ips.filter((_, i) => servers[i] !== 'out');
      writeFileSync(join(cluster, 'nodes'), `${present.map(name).join('\n')}\n`);
      writeFileSync(
        join(cluster, 'not-ready'),
        `${ips
          .filter((_, i) => servers[i] === 'down' || servers[i] === 'hung')
          .map(name)
          .join('\n')}\n`,
      );
      writeFileSync(join(cluster, 'members'), `${present.map((ip) => `${ip} voting`).join('\n')}\n`);
      writeFileSync(join(cluster, 'etcd-unhealthy'), `${ips.filter((_, i) => servers[i] === 'down' || servers[i] === 'hung').join('\n')}\n`);
      writeFileSync(join(cluster, 'events'), '');
      writeFileSync(join(cluster, 'lease'), '');
      const b = new NodeSandbox({
        NODE_IP: ips[Math.max(here, 1)],
        NODE_NAME: name(ips[Math.max(here, 1)]),
        PEER_IPS: ips.join(' '),
        AWS_REGION: 'us-east-1',
        PARAMETER_PREFIX: '/rancher/rke-ha',
      });
      try {
        b.write('etc/rancher/rke2/token', token);
        b.parameter('server-count', '3');
        const r = b.run(
          { source: 'server_paths rke2\nif cluster_healthy "$(expected_servers)"; then echo WHOLE; else echo NOT-WHOLE; fi' },
          { CLUSTER: cluster },
        );
        expect([servers, r.output.split('\n').find((l) => l === 'WHOLE' || l === 'NOT-WHOLE')]).toEqual([
          servers,
          timerGuard({ servers, applying: null }, FIXED_RULES) ? 'WHOLE' : 'NOT-WHOLE',
        ]);
      } finally {
        b.dispose();
        rmSync(cluster, { recursive: true, force: true });
      }
    }
    console.log(`restart protocol conformance: cluster_healthy fed ${serverStates.length} server states the model reached`);
    expect(serverStates.length).toBeGreaterThan(3);
  });
});

describe("restart protocol: the renewal timer's upgrade check decides as the model does (system-upgrade-controller v0.20.1)", () => {
  it('no_upgrade_running on every (applying, Plan version, kubelet versions) the model reaches with an in-place upgrade of server-1', () => {
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 0, rollTarget: 0, timers: [2], upgradeTarget: 1 };
    const reached = explore(config).reached;
    const ips = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
    const name = (ip: string) => `ip-${ip.replaceAll('.', '-')}`;
    // The model's upgrade is the Plan's last server: before the apply every server runs the old version and the Plan
    // names it; from the apply on, the Plan names the new one, the other servers run it, and server-1 does once its
    // Job is done and its service back (killed, it still runs the old kubelet; restarting, it reports none).
    const views = new Map<string, { applying: number | null; planned: boolean; newOnOne: boolean; expected: boolean }>();
    for (const s of reached) {
      const upgrade = s.actors.upgrade;
      const view = {
        applying: s.applying,
        planned: upgrade.pc === 'planned',
        newOnOne: upgrade.pc === 'done' && s.servers[1] === 'up',
        expected: s.applying === null && planReached(s, config),
      };
      views.set(JSON.stringify(view), view);
    }
    const NEW = 'v1.35.7+rke2r1';
    const OLD = 'v1.34.9+rke2r1';
    const extract = (fn: string) =>
      new RegExp(`^${fn}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(readFileSync(join(__dirname, '../../lib/kubernetes/cert-renewal.sh'), 'utf8'))![0];
    for (const view of views.values()) {
      const cluster = mkdtempSync(join(tmpdir(), 'cluster-'));
      writeFileSync(join(cluster, 'nodes'), `${ips.map(name).join('\n')}\n`);
      if (view.applying !== null) writeFileSync(join(cluster, 'plan-applying'), `["${name(ips[view.applying])}"]`);
      writeFileSync(join(cluster, 'plan-version'), (view.planned ? OLD : NEW).replace('+', '-'));
      const version = (i: number) => (view.planned ? OLD : i === 1 && !view.newOnOne ? OLD : NEW);
      writeFileSync(join(cluster, 'kubelet-versions'), ips.map((ip, i) => `${name(ip)} ${version(i)}`).join('\n'));
      const b = new NodeSandbox({
        NODE_IP: ips[2],
        NODE_NAME: name(ips[2]),
        PEER_IPS: ips.join(' '),
        AWS_REGION: 'us-east-1',
        PARAMETER_PREFIX: '/p',
      });
      try {
        const r = b.run(
          {
            source: `server_paths rke2\nUPGRADE_PLAN=server-plan\nUPGRADE_NAMESPACE=system-upgrade\n${extract('no_upgrade_running')}\nif no_upgrade_running; then echo NONE; else echo RUNNING; fi`,
          },
          { CLUSTER: cluster },
        );
        expect([view, r.output.split('\n').find((l) => l === 'NONE' || l === 'RUNNING')]).toEqual([view, view.expected ? 'NONE' : 'RUNNING']);
      } finally {
        b.dispose();
        rmSync(cluster, { recursive: true, force: true });
      }
    }
    console.log(`restart protocol conformance: no_upgrade_running fed ${views.size} upgrade views the model reached`);
    expect([...views.values()].map((v) => v.expected).sort()).toEqual(expect.arrayContaining([false, true]));
  });
});
