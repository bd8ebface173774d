import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../helpers/node-sandbox';
import { explore, FIXED_RULES, leaseVerdictOf, steps, type Lease } from '../helpers/restart-protocol';

// The servers' copy of the protocol's rule (cluster-lib.sh lease_verdict, used by cert-renewal.sh) fed every Lease
// the model reaches, for every actor, in one real bash: it must decide as the model does; and the no-Lease rotation
// (rotate_expired) in a sandbox. The guards that read the cluster (cluster_healthy, no_upgrade_running, take_lease,
// restart_lease_free) are fed the model's states through the fake API server and Debian's kubectl:
// restart-protocol-cluster.tools.test.ts.

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

describe("restart protocol: the no-Lease rotation run on the model's states (a certificate that ended while its member ran)", () => {
  it("rotate_expired on every state of a server whose membership certificate ended: refused while its member is a voter (started before the end), done for one its peers refuse, as the model's rotation step", () => {
    // Two servers whose etcd peer certificate ended while they ran, beside their renewal timers (the world of
    // path 3), every fix, one fault (a restart that hangs: the member restarted after the end, refused by its peers).
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [1, 2], rotations: [1, 2], upgradeTarget: null };
    // The states in which the timer's run meets its own service running: a voter (up: its service started before the
    // end, its peer streams standing) or a member its peers refuse (hung: started after the end). Restarting or
    // killed, the service is not running and a rotation takes nothing from the cluster; the model has no step there.
    const views = new Map<string, { state: 'up' | 'hung'; rotates: boolean }>();
    for (const s of explore(config).reached)
      for (const i of [1, 2]) {
        const server = s.servers[i];
        if (s.actors[`rotate-${i}`].pc !== 'ended' || (server !== 'up' && server !== 'hung')) continue;
        const rotates = steps(s, config).some((step) => step.name === `rotate-${i}: stops, rotates and starts server-${i} without the Lease`);
        views.set(`${server} ${rotates}`, { state: server, rotates });
      }
    const extract = (fn: string) =>
      new RegExp(`^${fn}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(readFileSync(join(__dirname, '../../lib/kubernetes/cert-renewal.sh'), 'utf8'))![0];
    const functions = ['certificate_end', 'rotate_expired', 'renewed_and_active'].map(extract).join('\n');
    const peer = 'var/lib/rancher/rke2/server/tls/etcd/peer-server-client.crt';
    const ips = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
    for (const view of views.values()) {
      const b = new NodeSandbox({
        NODE_IP: ips[1],
        NODE_NAME: 'ip-10-0-16-10',
        PEER_IPS: ips.join(' '),
        AWS_REGION: 'us-east-1',
        PARAMETER_PREFIX: '/p',
      });
      try {
        // Ended ten days ago; the service started 30 days ago (before the end) or an hour ago (after it).
        b.write(peer, 'days=-10\n');
        b.write(`renewed/${peer}`, 'days=365\n');
        b.write('active', 'rke2-server\n');
        b.write(
          'active-since-rke2-server',
          new Date(Date.now() - (view.state === 'up' ? 30 * 86400_000 : 3600_000))
            .toISOString()
            .replace('T', ' ')
            .replace(/\.\d+Z$/, ' UTC'),
        );
        const r = b.run({
          source: `server_paths rke2\nSTUCK=/var/lib/rancher/rancher-aws/cert-renewal-stuck\nRESTART_WAIT_SECONDS=5\n${functions}\nrotate_expired`,
        });
        const rotated = b.calls().includes('systemctl stop rke2-server') && b.calls().includes('rke2 certificate rotate');
        expect([view, r.status, rotated]).toEqual([view, 0, view.rotates]);
      } finally {
        b.dispose();
      }
    }
    console.log(`restart protocol conformance: rotate_expired run on ${views.size} server states the model reaches`);
    expect([...views.values()].map((v) => v.rotates).sort()).toEqual([false, true]);
  });
});
