import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSandbox } from '../helpers/node-sandbox';
import { explore, FIXED_RULES, leaseVerdictOf, planReached, prepareLeaseFree, steps, timerGuard, type Lease } from '../helpers/restart-protocol';

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

describe("restart protocol: the renewal timer's take_lease run on the model's states (a write read back after it reported failure)", () => {
  it('take_lease on every Lease a timer takes in the model, as the write succeeds, commits and then reports failure, or loses a race: held or not, and the Lease after it, as the model says', () => {
    // The timer of server-2 beside the roll and an upgrade (the world of path 5a), every fix, one fault.
    const config = { servers: 3, rules: FIXED_RULES, maxFaults: 1, rollTarget: 0, timers: [2], upgradeTarget: 1 };
    const ips = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
    const name = (ip: string) => `ip-${ip.replaceAll('.', '-')}`;
    const holderOf = (actor: string) =>
      actor === '' ? '-' : actor === 'roll' ? 'ci-runner/4242/2026-11-24T11:00:00.000Z' : name(ips[Number(actor.slice(6))]);
    // The model's successors of a timer at `take`: its write applied (version current), the same write answered by a
    // timeout (the fault), or a Conflict (another wrote since its read: a racing write between read and replace).
    type Case = { lease: Lease | null; outcome: 'written' | 'commits-then-fails' | 'conflict' };
    const cases = new Map<string, Case>();
    for (const s of explore(config).reached) {
      const timer = s.actors['timer-2'];
      if (timer.pc !== 'take' || !timer.alive) continue;
      const current = timer.rv === (s.lease ? 1 : 0);
      const outcomes: Case['outcome'][] = current ? (s.lease ? ['written', 'commits-then-fails'] : ['written']) : ['conflict'];
      for (const outcome of outcomes) cases.set(JSON.stringify([s.lease && { ...s.lease, rv: 0 }, outcome]), { lease: s.lease, outcome });
    }
    const extract = (fn: string) =>
      new RegExp(`^${fn}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(readFileSync(join(__dirname, '../../lib/kubernetes/cert-renewal.sh'), 'utf8'))![0];
    const functions = ['lease_manifest', 'read_lease', 'take_lease'].map(extract).join('\n');
    for (const { lease, outcome } of cases.values()) {
      const cluster = mkdtempSync(join(tmpdir(), 'cluster-'));
      writeFileSync(join(cluster, 'events'), '');
      const renewed = lease && iso(Math.floor(Date.now() / 1000) - (lease.fresh ? 60 : 7200));
      writeFileSync(
        join(cluster, 'lease'),
        lease ? `${holderOf(lease.holder)} ${renewed} 1800 7 ${lease.out === null ? '-' : ips[lease.out]}\n` : '',
      );
      if (outcome === 'commits-then-fails') writeFileSync(join(cluster, 'replace-commits-then-fails'), '');
      const b = new NodeSandbox({
        NODE_IP: ips[2],
        NODE_NAME: name(ips[2]),
        PEER_IPS: ips.join(' '),
        AWS_REGION: 'us-east-1',
        PARAMETER_PREFIX: '/p',
      });
      try {
        if (outcome === 'conflict') {
          // Another actor's write lands between this run's read and its replace (the version moves on).
          const stub = b.read('bin/kubectl');
          const anchor = '  "replace -f")\n    manifest=$(cat)';
          b.write(
            'bin/kubectl',
            stub.replace(
              anchor,
              `${anchor}\n    read -r h r d v o <"$C/lease"; echo "ci-runner/4243/2026-11-24T11:30:00.000Z $r $d $((v + 1)) -" >"$C/lease"`,
            ),
          );
        }
        const r = b.run(
          {
            source: `server_paths rke2\nLEASE=rancher-aws-server-restart\nLEASE_SECONDS=1800\nHELD_OUT=/var/lib/rancher/rancher-aws/cert-renewal-held-out\n${functions}\nif take_lease; then echo HELD; else echo NOT-HELD; fi`,
          },
          { CLUSTER: cluster },
        );
        const [holder, , , , out] = readFileSync(join(cluster, 'lease'), 'utf8').trim().split(' ');
        const real = {
          held: r.output.split('\n').includes('HELD'),
          marker: b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out'),
          lease: holder === name(ips[2]) ? { holder: 'timer-2', out: out === ips[2] ? 2 : out } : 'not its own',
        };
        // The model: written or read back, the timer holds the Lease naming its server out (and resumes from the
        // marker if killed); a Conflict ends the run holding nothing.
        const held = outcome !== 'conflict';
        expect([lease, outcome, real]).toEqual([
          lease,
          outcome,
          {
            held,
            marker: held,
            lease: held ? { holder: 'timer-2', out: 2 } : 'not its own',
          },
        ]);
      } finally {
        b.dispose();
        rmSync(cluster, { recursive: true, force: true });
      }
    }
    console.log(`restart protocol conformance: take_lease run on ${cases.size} (Lease, outcome) pairs the model reaches`);
    expect(new Set([...cases.values()].map((c) => c.outcome))).toEqual(new Set(['written', 'commits-then-fails', 'conflict']));
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

describe("restart protocol: the upgrade Job's prepare step decides on the restart Lease as the model does (dual stack)", () => {
  it("restart_lease_free on every Lease the model reaches, for each server's Job, its Node listing an IPv4 and an IPv6 InternalIP", () => {
    // Every actor together, dual stack, every fix, one fault: the roll's Leases (its server out), the timers', stale ones.
    const reached = explore({
      servers: 3,
      rules: FIXED_RULES,
      maxFaults: 1,
      rollTarget: 0,
      timers: [2],
      oldTimers: [1],
      upgradeTarget: 1,
      dualStack: true,
      newNodeJobs: true,
      leaseFaults: true,
    }).reached;
    const leases = [...new Map(reached.map((s) => [JSON.stringify(s.lease && { ...s.lease, rv: 0 }), s.lease] as const)).values()];
    const ips = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
    const ipv6 = (i: number) => `2600:1f18:1:${i}00::10`;
    const holderOf = (actor: string) =>
      actor === ''
        ? ''
        : actor.startsWith('roll')
          ? `ci-runner/${actor === 'roll' ? 4242 : 4243}/2026-11-24T11:00:00.000Z`
          : `ip-10-0-${actor.slice(6)}-10`;
    const cases = leases.flatMap((lease) => [0, 1, 2].map((target) => ({ lease, target })));
    // One bash: a kubectl function answering the Lease as the real one prints the jsonpath (or NotFound), then the
    // real restart_lease_free with the Job's Node's InternalIPs as others_ready passes them ("v4 v6").
    const gates = readFileSync(join(__dirname, '../../lib/kubernetes/readiness-gates.sh'), 'utf8');
    const fn = /^restart_lease_free\(\) \{\n[\s\S]*?^\}$/m.exec(gates)![0];
    const calls = cases.map(({ lease, target }) => {
      const answer =
        lease === null
          ? `echo 'Error from server (NotFound): leases.coordination.k8s.io "rancher-aws-server-restart" not found'; return 1`
          : `echo '${holderOf(lease.holder)}|${iso(NOW - (lease.fresh ? 60 : 7200))}|1800|${lease.out === null ? '' : ips[lease.out]}'`;
      return `kubectl() { ${answer}; }\nif restart_lease_free '${ips[target]} ${ipv6(target)}'; then echo FREE; else echo HELD; fi`;
    });
    const script = `RESTART_LEASE=rancher-aws-server-restart\ndate() { if [ "$*" = +%s ]; then echo ${NOW}; else command date "$@"; fi; }\n${fn}\n${calls.join('\n')}`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    const answers = result.stdout.trim().split('\n');
    expect(answers).toHaveLength(cases.length);
    cases.forEach(({ lease, target }, i) =>
      expect([lease, target, answers[i]]).toEqual([lease, target, prepareLeaseFree(lease, target, FIXED_RULES, true) ? 'FREE' : 'HELD']),
    );
    console.log(`restart protocol conformance: restart_lease_free fed ${leases.length} Leases x 3 Jobs the model reached (dual stack)`);
    // Its own server named out (free to its Job only), another's, stale, free: each answer occurs.
    expect(new Set(answers)).toEqual(new Set(['FREE', 'HELD']));
    expect(cases.some(({ lease, target }, i) => lease?.out === target && lease.fresh && answers[i] === 'FREE')).toBe(true);
  });
});
