import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOT_REPORTED } from '../../../lib/kubernetes/private/api-certificate-check';
import { SERVER_PLAN_NAME, SYSTEM_UPGRADE_NAMESPACE } from '../../../lib/kubernetes/private/upgrade-plan';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { nodeName, stubCluster } from '../../helpers/stub-cluster';
import { runBounded } from '../../helpers/subprocess';
import { runCached } from '../../helpers/memo';
import { runValidator } from '../../helpers/validators';

const SCRIPT = 'lib/kubernetes/cert-renewal.sh';
const TOKEN = 'K10e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855::server:s3cret';
const IPS = ['10.0.0.10', '10.0.16.10', '10.0.32.10'];
const TLS = 'var/lib/rancher/rke2/server/tls';
const CERTS = [
  `${TLS}/serving-kube-apiserver.crt`,
  `${TLS}/client-admin.crt`,
  `${TLS}/etcd/server-client.crt`,
  'var/lib/rancher/rke2/agent/serving-kubelet.crt',
];

const stub = stubCluster(IPS);

/** Server `i` of the three, its leaf certificates expiring in `days` days; `env` adds to its bootstrap.env. */
function server(i: number, days: number, env: Record<string, string> = {}): NodeSandbox {
  const b = new NodeSandbox({
    NODE_IP: IPS[i],
    NODE_NAME: nodeName(IPS[i]),
    PEER_IPS: IPS.filter((_, j) => j !== i).join(' '),
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
    ...env,
  });
  b.write('etc/rancher/rke2/token', TOKEN);
  // The deployment's server count, as Terraform writes it (BootParameters server-count).
  b.parameter('server-count', String(IPS.length));
  for (const cert of CERTS) b.write(cert, `days=${days}\n`);
  stub.keep(b);
  return b;
}

const ENV = () => ({ CLUSTER: stub.dir });
const renew = (b: NodeSandbox, env: Record<string, string> = {}) => b.run({ file: SCRIPT, args: ['rke2'] }, { ...ENV(), ...env });
const events = () => stub.events();
const setLease = (holder: string, secondsAgo: number, out = '-') =>
  writeFileSync(
    join(stub.dir, 'lease'),
    `${holder} ${new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, '.000000Z')} 1800 7 ${out}\n`,
  );
const restarted = (b: NodeSandbox) => b.calls().some((c) => c.startsWith('systemctl restart'));
/** The deployment's metric namespace (alarms on). */
const NAMESPACE = 'RancherHA/demo-rke-ha';
/** The RestartHeld values a server's runs sent, in order. */
const restartHeld = (b: NodeSandbox) => b.calls().filter((c) => c.startsWith('metric ') && c.includes(' RestartHeld '));
/** The SSM parameters a server's runs wrote (PutParameter). */
const puts = (b: NodeSandbox) => b.calls().filter((c) => c.startsWith('ssm-put '));
/** The Nodes cordoned in the stub cluster. */
const cordoned = () => {
  try {
    return readFileSync(join(stub.dir, 'cordoned'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** Adds `line` to the stub kubectl of `b` right after `anchor` (a case of its command switch). */
function patchKubectl(b: NodeSandbox, anchor: string, line: string): void {
  const stub = b.read('bin/kubectl');
  if (!stub.includes(anchor)) throw new Error(`the stub kubectl has no ${JSON.stringify(anchor)}`);
  b.write('bin/kubectl', stub.replace(anchor, `${anchor}\n${line}`));
}

/** Every restart is followed by that server's return before another server restarts. */
function oneAtATime(log: string[]): void {
  expect(log.filter((e) => e.startsWith('OVERLAP'))).toEqual([]);
  let down: string | undefined;
  for (const e of log) {
    const [what, who] = e.split(' ');
    if (what === 'restart') {
      expect(down).toBeUndefined();
      down = who;
    } else if (what === 'up') {
      expect(who).toBe(down);
      down = undefined;
    }
  }
}

describe('cert-renewal.sh (rancher-aws-cert-renewal)', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'cert-renewal.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  // One run, nothing due, alarms off, the Plan's last Job failed, the API certificate's parameter made by Terraform:
  // what such a run reads, sends and writes.
  it("does nothing while every certificate is valid for longer than the window (80 days): only reads (the restore record, the Lease), sends nothing without a namespace (alarms off, a failed upgrade Job notwithstanding), and writes the API certificate's end (RFC 3339) over the parameter Terraform made for this server", () => {
    const b = server(0, 81).parameter(IPS[0], NOT_REPORTED);
    writeFileSync(join(stub.dir, 'plan-reason'), 'JobFailed');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(restarted(b)).toBe(false);
    // Only the reads every run makes: the restore record and the Lease (a Lease the restore put back is given back).
    expect(b.calls().filter((c) => c.startsWith('kubectl') && !/^kubectl .*get (configmap|lease) /.test(c))).toEqual([]);
    expect(b.calls().filter((c) => c.startsWith('metric'))).toEqual([]);
    expect(events()).toEqual([]);
    const [put, ...more] = puts(b);
    expect(more).toEqual([]);
    const [, name, end] = put.split(' ');
    expect(name).toBe(IPS[0]);
    expect(end).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // 81 days from the stub's clock (the real one), to the second: within a day of it either way.
    expect(Math.abs(Date.parse(end) - (Date.now() + 81 * 86_400_000))).toBeLessThan(86_400_000);
  });

  it('renewal due, cluster whole: takes the Lease, cordons its own Node and reads the Lease again before the restart, restarts, waits until this server is back and etcd healthy, releases and uncordons; creates no API certificate parameter where Terraform made none', () => {
    const b = server(0, 79);
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('expires within 80 days');
    expect(r.output).toContain('rke2-server restarted on ip-10-0-0-10: certificates renewed');
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
    expect(b.calls()).toContain('systemctl restart --no-block rke2-server');
    // Health was read from the local supervisor and every member's /health, with the server token's password.
    expect(b.calls()).toContain('db/info 127.0.0.1 user = "server:s3cret"');
    expect(b.calls().filter((c) => c.startsWith('etcd-health')).length).toBeGreaterThanOrEqual(6);
    expect(b.read(CERTS[0])).toBe('days=365\n');
    // Polled, 10 s apart, until back: never a fixed wait.
    expect(b.slept()).toBeGreaterThan(0);
    expect(b.slept()).toBeLessThan(900);
    // Write first, read second (beside a timer of the previous script, below): its own Node cordoned once it holds the
    // Lease and before the restart, the Lease read again after the cordon, the cordon lifted when it gives it back.
    const calls = b.calls();
    const cordon = calls.findIndex((c) => /^kubectl .* cordon ip-10-0-0-10$/.test(c));
    const restart = calls.findIndex((c) => c.startsWith('systemctl restart'));
    expect(cordon).toBeGreaterThan(-1);
    expect(cordon).toBeLessThan(restart);
    expect(calls.slice(cordon, restart).some((c) => / get lease /.test(c))).toBe(true);
    expect(calls.some((c) => /^kubectl .* uncordon ip-10-0-0-10$/.test(c))).toBe(true);
    expect(cordoned()).toEqual([]);
    // No parameter api-certificate-end/<ip> (one a destroy would leave behind): none created, and the run went on.
    expect(puts(b)).toEqual([]);
  });

  it('does not restart while another server holds the Lease, and leaves that Lease alone', () => {
    const b = server(0, 30);
    setLease('ip-10-0-16-10', 60);
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('ip-10-0-16-10 holds the restart Lease: trying again at the next run');
    expect(restarted(b)).toBe(false);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^ip-10-0-16-10 /);
  });

  it('takes over a Lease that expired (its holder died mid-run: a roll with no server out), at the version it read', () => {
    const b = server(0, 30);
    // A server's Lease with no out marker is the previous script's: never taken by age (below).
    setLease('laptop/4242/2026-11-24T10:00:00.000Z', 7200);
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('taking over the restart Lease left by laptop/4242/2026-11-24T10:00:00.000Z');
    expect(events()).toEqual(['lease ip-10-0-0-10 (taken over)', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
  });

  it('never restarts when a peer is not Ready (retries at the next run)', () => {
    const b = server(0, 30);
    writeFileSync(join(stub.dir, 'not-ready'), 'ip-10-0-32-10\n');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('servers not Ready: ip-10-0-32-10=False');
    expect(r.output).toContain('the cluster is not whole or an upgrade is under way: not restarting rke2-server now');
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual([]);
  });

  it('never restarts when etcd is not at full membership or a member is unhealthy', () => {
    const b = server(0, 30);
    writeFileSync(join(stub.dir, 'members'), '10.0.0.10 voting\n10.0.16.10 voting\n10.0.32.10 learner\n');
    expect(renew(b).output).toContain('etcd does not have 3 voting members');
    writeFileSync(join(stub.dir, 'members'), `${IPS.map((ip) => `${ip} voting`).join('\n')}\n`);
    writeFileSync(join(stub.dir, 'etcd-unhealthy'), '10.0.16.10\n');
    expect(renew(b).output).toContain('etcd member https://10.0.16.10:2379 is not healthy');
    expect(restarted(b)).toBe(false);
  });

  it('never restarts while a server is cordoned (an upgrade, a roll or a drain under way), nor holding the Lease', () => {
    const b = server(0, 30);
    writeFileSync(join(stub.dir, 'cordoned'), 'ip-10-0-16-10\n');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('servers cordoned (an upgrade, a roll or a drain is under way): ip-10-0-16-10');
    expect(r.output).toContain('an upgrade is under way: not restarting rke2-server now; trying again at the next run');
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual([]);
  });

  it('never restarts while the server upgrade Plan is applying, or when the Plan cannot be read; restarts when there is no Plan CRD yet', () => {
    const b = server(0, 30);
    writeFileSync(join(stub.dir, 'plan-applying'), '["ip-10-0-32-10"]');
    const applying = renew(b);
    expect(applying.status).toBe(0);
    expect(applying.output).toContain(`the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} is applying on ["ip-10-0-32-10"]`);
    expect(b.calls()).toContain(
      `kubectl --kubeconfig ${b.path('etc/rancher/rke2/rke2.yaml')} --request-timeout=15s get plans.upgrade.cattle.io -n ${SYSTEM_UPGRADE_NAMESPACE} ${SERVER_PLAN_NAME} -o jsonpath={.status.applying}|{.status.latestVersion}`,
    );
    rmSync(join(stub.dir, 'plan-applying'));
    writeFileSync(join(stub.dir, 'plan-error'), '');
    expect(renew(b).output).toContain('could not read the upgrade Plan: Error from server (InternalError)');
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual([]);
    rmSync(join(stub.dir, 'plan-error'));
    writeFileSync(join(stub.dir, 'no-plan-crd'), '');
    expect(renew(b).status).toBe(0);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
  });

  it('checks again once it holds the Lease: an upgrade that started in between holds the restart, and the Lease is given back', () => {
    const b = server(0, 30);
    // The Plan starts applying right after the first check (the second read of the Plan sees it).
    writeFileSync(join(stub.dir, 'plan-applying-after'), '1');
    patchKubectl(
      b,
      '  "get plans.upgrade.cattle.io")',
      '    if [ -f "$C/plan-applying-after" ]; then n=$(<"$C/plan-applying-after"); if [ "$n" -le 0 ]; then echo \'["ip-10-0-16-10"]\' >"$C/plan-applying"; fi; echo $((n - 1)) >"$C/plan-applying-after"; fi',
    );
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('is applying on ["ip-10-0-16-10"]');
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'released ip-10-0-0-10']);
  });

  it('a restart that never comes back: bounded wait, loud failure, RestartHeld=1 sent, the Lease kept (marking this server out since the take) and 1 sent again at each run, given back once it is back, then 0', () => {
    const b = server(0, 30, { RESTART_METRIC_NAMESPACE: NAMESPACE, SERVER_NAME: 'server-0' });
    b.write('restart-polls', 'never');
    const r = renew(b, { RESTART_WAIT_SECONDS: '120' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('CRITICAL: rke2-server on ip-10-0-0-10 is not back (Ready, etcd healthy) within 120 s');
    expect(r.output).toContain('It holds the restart Lease, marked out');
    expect(b.slept()).toBe(120);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10']);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^ip-10-0-0-10 \S+ 1800 \d+ 10\.0\.0\.10\n$/);
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out')).toBe(true);
    // Before the take, the Lease was free: 0; after the wait: 1, signed with the instance role for CloudWatch.
    expect(restartHeld(b)).toEqual([`metric ${NAMESPACE} RestartHeld 0`, `metric ${NAMESPACE} RestartHeld 1`]);
    expect(r.output).toContain(`RestartHeld=1 sent to CloudWatch (${NAMESPACE})`);
    // Still not back at the next run: the Lease stays, and 1 is sent again (a send that failed before is made good).
    const sent = restartHeld(b).length;
    const still = renew(b);
    expect(still.status).toBe(1);
    expect(restartHeld(b).slice(sent)).toEqual([`metric ${NAMESPACE} RestartHeld 1`]);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^ip-10-0-0-10 /);
    // Another server's timer, even once the Lease is past its duration, neither takes it nor restarts.
    const other = server(1, 30);
    setLease('ip-10-0-0-10', 3600, '10.0.0.10');
    const blocked = renew(other);
    expect(blocked.output).toMatch(/the cluster is not whole|holds the restart Lease with 10\.0\.0\.10 out of the cluster: never taken by age/);
    expect(restarted(other)).toBe(false);
    // The server comes back: its next run gives the Lease back (and renews nothing more: certificates renewed), then 0.
    rmSync(join(stub.dir, 'down', nodeName(IPS[0])), { force: true });
    b.remove('restart-polls');
    const resumed = renew(b);
    expect(resumed.status).toBe(0);
    expect(resumed.output).toContain('ip-10-0-0-10 is back and the cluster is whole: giving the restart Lease back');
    expect(events().at(-1)).toBe('released ip-10-0-0-10');
    expect(restartHeld(b).at(-1)).toBe(`metric ${NAMESPACE} RestartHeld 0`);
  });

  it('an unexpected failure while holding the Lease (the restart command fails) still gives the Lease back', () => {
    const b = server(0, 30);
    b.write('restart-fails', '');
    const r = renew(b);
    expect(r.status).not.toBe(0);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'released ip-10-0-0-10']);
    // Released, conditionally: the Lease stays with no holder and a one-second duration (free to any taker).
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^- \S+ 1 \d+ -\n$/);
  });

  it('counts the servers the deployment expects, not the Nodes that exist: with one removed (a roll has it out), two Ready voters are not whole', () => {
    const b = server(0, 30);
    writeFileSync(join(stub.dir, 'nodes'), `${IPS.slice(0, 2).map(nodeName).join('\n')}\n`);
    writeFileSync(
      join(stub.dir, 'members'),
      `${IPS.slice(0, 2)
        .map((ip) => `${ip} voting`)
        .join('\n')}\n`,
    );
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain("2 of the deployment's 3 servers are Ready");
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual([]);
  });

  it('fails closed when the expected count cannot be read (SSM down)', () => {
    const b = server(0, 30);
    b.remove('ssm/server-count.json');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain("could not read the deployment's server count");
    expect(restarted(b)).toBe(false);
  });

  it('never takes a Lease marking a server out by age (a roll whose machine was lost with a server out)', () => {
    const b = server(0, 30);
    setLease('laptop/4242/2026-11-24T10:00:00.000Z', 7200, '10.0.32.10');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('holds the restart Lease with 10.0.32.10 out of the cluster: never taken by age');
    expect(restarted(b)).toBe(false);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^laptop\/4242\//);
  });

  it("after the upgrade controller cleared applying: a server still on the old kubelet (its Job killed the service, its old pods serve) is an upgrade running; all on the Plan's version restarts", () => {
    const b = server(0, 30);
    // system-upgrade-controller v0.20.1 clears status.applying when the Job completes; rke2-upgrade completes it by
    // killing the service, so the Node is still Ready on the old kubelet until the service is back.
    writeFileSync(join(stub.dir, 'plan-version'), 'v1.35.7-rke2r1');
    writeFileSync(join(stub.dir, 'kubelet-versions'), 'ip-10-0-16-10 v1.34.9+rke2r1\n');
    const behind = renew(b);
    expect(behind.status).toBe(0);
    expect(behind.output).toContain(
      `the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} is at v1.35.7-rke2r1 and not every server runs it yet: ip-10-0-16-10(v1.34.9+rke2r1)`,
    );
    expect(restarted(b)).toBe(false);
    expect(events()).toEqual([]);
    writeFileSync(join(stub.dir, 'kubelet-versions'), '');
    expect(renew(b).status).toBe(0);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
  });

  it('a Lease write that commits and then reports failure (a timeout) is read back: the Lease names this server, so this run holds it, restarts and gives it back', () => {
    const b = server(0, 30);
    // A released Lease (the create fails, the replace is the take).
    writeFileSync(join(stub.dir, 'lease'), `- ${new Date().toISOString().replace(/\.\d+Z$/, '.000000Z')} 1 7 -\n`);
    writeFileSync(join(stub.dir, 'replace-commits-then-fails'), '');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('the restart Lease write reported failure, but the Lease names ip-10-0-0-10: it committed, and this run holds it');
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^- /);
  });

  it('of two takers of a stale Lease, the one that writes second gets a Conflict and does not restart', () => {
    const b = server(0, 30);
    setLease('laptop/4242/2026-11-24T10:00:00.000Z', 7200);
    // Another taker writes between this server's read and its replace (the version moves on).
    patchKubectl(
      b,
      '  "replace -f")\n    manifest=$(cat)',
      '    if [ ! -f "$C/raced" ]; then touch "$C/raced"; read -r h r d v o <"$C/lease"; echo "ip-10-0-32-10 $r 1800 $((v + 1)) -" >"$C/lease"; fi',
    );
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('another took the restart Lease first');
    expect(restarted(b)).toBe(false);
  });

  it('fails loudly when the restart did not renew the certificates', () => {
    const b = server(0, 30);
    b.write('renewal-fails', '');
    const r = renew(b);
    expect(r.status).toBe(1);
    expect(r.output).toContain('CRITICAL: rke2-server restarted but a certificate still expires within 80 days');
    expect(events().at(-1)).toBe('released ip-10-0-0-10');
    // And it does not restart the server again every run: the next runs stop before the Lease, loudly, until a person
    // removes the marker.
    const again = renew(b);
    expect(again.status).toBe(1);
    expect(again.output).toContain('rancher-aws/cert-renewal-stuck is removed');
    expect(events().filter((e) => e.startsWith('restart'))).toHaveLength(1);
    b.remove('var/lib/rancher/rancher-aws/cert-renewal-stuck');
    b.remove('renewal-fails');
    expect(renew(b).status).toBe(0);
    expect(events().filter((e) => e.startsWith('restart'))).toHaveLength(2);
  });

  it('three servers due at once, run together again and again: each restarts once, never two at a time', () => {
    const servers = [0, 1, 2].map((i) => server(i, 30));
    for (let round = 0; round < 6 && servers.some((b) => b.read(CERTS[0]) !== 'days=365\n'); round++) {
      const results = NodeSandbox.runTogether(servers.map((box) => ({ box, script: { file: SCRIPT, args: ['rke2'] }, env: ENV() })));
      results.forEach((r) => expect(r.status).toBe(0));
    }
    const log = events();
    oneAtATime(log);
    expect(log.filter((e) => e.startsWith('restart')).sort()).toEqual(IPS.map((ip) => `restart ${nodeName(ip)}`));
    servers.forEach((b) => expect(b.read(CERTS[0])).toBe('days=365\n'));
  });

  it('K3s: no etcd of its own to check; restarts k3s with the same Lease', () => {
    const b = server(0, 30);
    b.write('var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt', 'days=30\n');
    b.write('etc/rancher/k3s/token', TOKEN);
    const r = b.run({ file: SCRIPT, args: ['k3s'] }, ENV());
    expect(r.status).toBe(0);
    expect(b.calls()).toContain('systemctl restart --no-block k3s');
    expect(b.calls().filter((c) => c.startsWith('etcd-health') || c.startsWith('db/info'))).toEqual([]);
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10', 'up ip-10-0-0-10', 'released ip-10-0-0-10']);
  });
});

describe('cert-renewal.sh in China (the endpoints as a stack in cn-north-1 ships them)', () => {
  const aws = (b: NodeSandbox) => new Set(b.endpoints().filter((e) => e.includes('amazonaws')));

  it('reads the server count at ssm.cn-north-1.amazonaws.com.cn and sends RestartHeld to monitoring.cn-north-1.amazonaws.com.cn', () => {
    const b = server(0, 30, { AWS_REGION: 'cn-north-1', RESTART_METRIC_NAMESPACE: NAMESPACE }).inRegion('cn-north-1');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(restarted(b)).toBe(true);
    expect(aws(b)).toEqual(new Set(['ssm.cn-north-1.amazonaws.com.cn', 'monitoring.cn-north-1.amazonaws.com.cn']));
    expect(r.output).toContain(`RestartHeld=0 sent to CloudWatch (${NAMESPACE})`);
  });

  it('CloudWatch unreachable there: the send fails loudly, the run goes on, nothing is sent to a commercial endpoint', () => {
    const b = server(0, 30, { AWS_REGION: 'cn-north-1', RESTART_METRIC_NAMESPACE: NAMESPACE }).inRegion('cn-north-1');
    b.write('metric-down', '');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('could not send RestartHeld=0 to CloudWatch (HTTP 000); the next run sends it again');
    expect(restarted(b)).toBe(true);
    expect(aws(b)).toEqual(new Set(['ssm.cn-north-1.amazonaws.com.cn', 'monitoring.cn-north-1.amazonaws.com.cn']));
  });
});

describe('cert-renewal.sh: the RestartHeld metric the alarm watches', () => {
  const withMetric = (i: number, days: number) => server(i, days, { RESTART_METRIC_NAMESPACE: NAMESPACE, SERVER_NAME: `server-${i}` });
  const lease = () => readFileSync(join(stub.dir, 'lease'), 'utf8');

  it("every run sends CertificateDaysLeft into the server's own series (dimension Server): whole days to the earliest end of its leaf certificates, due or not", () => {
    const b = withMetric(1, 300);
    b.write(CERTS[2], 'days=120\n');
    expect(renew(b).status).toBe(0);
    const daysLeft = b.calls().filter((c) => c.includes(' CertificateDaysLeft '));
    expect(daysLeft).toHaveLength(1);
    expect(daysLeft[0]).toMatch(new RegExp(`^metric ${NAMESPACE} CertificateDaysLeft 1(19|20) Server=server-1$`));
    // Nothing else happened: nothing was due.
    expect(restarted(b)).toBe(false);
  });

  it('an env file without SERVER_NAME sends no CertificateDaysLeft and says why: a series without the server would feed no alarm', () => {
    const b = server(0, 300, { RESTART_METRIC_NAMESPACE: NAMESPACE });
    b.write(CERTS[2], 'days=120\n');
    const run = renew(b);
    expect(run.status).toBe(0);
    expect(b.calls().filter((c) => c.includes(' CertificateDaysLeft '))).toEqual([]);
    expect(run.output).toContain('could not send CertificateDaysLeft=');
    expect(run.output).toContain('no SERVER_NAME in the env file');
  });

  it.each([
    ['no connection to CloudWatch', 'metric-down', '000'],
    ['CloudWatch refuses (a role without the grant)', 'metric-errors', '403'],
  ])('a failed send (%s) neither releases the Lease nor ends the run early', (_, file, status) => {
    const b = withMetric(0, 30);
    b.write('restart-polls', 'never');
    b.write(file, '');
    const r = renew(b, { RESTART_WAIT_SECONDS: '60' });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`could not send RestartHeld=1 to CloudWatch (HTTP ${status}); the next run sends it again`);
    // The run went on to its own end: the CRITICAL line came first, and nothing was released.
    expect(r.output).toContain('It holds the restart Lease, marked out');
    expect(events()).toEqual(['lease ip-10-0-0-10', 'restart ip-10-0-0-10']);
    expect(lease()).toMatch(/^ip-10-0-0-10 \S+ 1800 \d+ 10\.0\.0\.10\n$/);
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out')).toBe(true);
    // And the resume, sending still failing, gives the Lease back once the server is back.
    rmSync(join(stub.dir, 'down', nodeName(IPS[0])), { force: true });
    b.remove('restart-polls');
    expect(renew(b).status).toBe(0);
    expect(events().at(-1)).toBe('released ip-10-0-0-10');
  });

  it("another server's run reports what the cluster shows: 1 for a Lease marking a server out past its duration, nothing while a restart is under way, 0 once free", () => {
    const peer = withMetric(1, 200);
    // A restart under way (taken 5 minutes ago, within its 30 minutes): nothing sent.
    setLease('ip-10-0-0-10', 300, '10.0.0.10');
    expect(renew(peer).status).toBe(0);
    expect(restartHeld(peer)).toEqual([]);
    // Not renewed for an hour: that server's restart did not come back (or its machine is gone): 1, from a peer.
    setLease('ip-10-0-0-10', 3600, '10.0.0.10');
    const held = renew(peer);
    expect(held.output).toContain('CRITICAL: ip-10-0-0-10 holds the restart Lease with 10.0.0.10 out');
    expect(restartHeld(peer)).toEqual([`metric ${NAMESPACE} RestartHeld 1`]);
    // A roll stopped with a server out, its Lease not renewed: the same.
    setLease('laptop/4242/2026-11-24T10:00:00.000Z', 7200, '10.0.32.10');
    renew(peer);
    expect(restartHeld(peer).at(-1)).toBe(`metric ${NAMESPACE} RestartHeld 1`);
    // Given back (no holder): 0. No Lease at all: 0.
    writeFileSync(join(stub.dir, 'lease'), `- ${new Date().toISOString()} 1 9 -\n`);
    renew(peer);
    expect(restartHeld(peer).at(-1)).toBe(`metric ${NAMESPACE} RestartHeld 0`);
    writeFileSync(join(stub.dir, 'lease'), '');
    renew(peer);
    expect(restartHeld(peer)).toHaveLength(4);
    expect(restartHeld(peer).at(-1)).toBe(`metric ${NAMESPACE} RestartHeld 0`);
    // Nothing was restarted by any of these runs (nothing due).
    expect(restarted(peer)).toBe(false);
  });

  it('a Lease naming this server out that no run here holds (put back by a restore of a snapshot taken during its restart): its next run resumes it and gives it back once the cluster is whole, nothing due', () => {
    const b = withMetric(0, 200);
    setLease('ip-10-0-0-10', 3600, '10.0.0.10');
    // Before issue 62 every run only reported it (RestartHeld 1, every other restart waiting) until a renewal was due.
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(
      'the restart Lease names ip-10-0-0-10 with 10.0.0.10 out and no run here holds it (put back by a restore): resuming it',
    );
    expect(r.output).toContain('ip-10-0-0-10 is back and the cluster is whole: giving the restart Lease back');
    expect(events()).toEqual(['released ip-10-0-0-10']);
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out')).toBe(false);
    expect(restarted(b)).toBe(false);
    expect(restartHeld(b)).toEqual([`metric ${NAMESPACE} RestartHeld 0`]);
    // Another server's Lease is not this server's to give back.
    setLease('ip-10-0-16-10', 3600, '10.0.16.10');
    renew(b);
    expect(lease()).toMatch(/^ip-10-0-16-10 /);
  });

  it('an upgrade Job that failed (the next server waits for one that did not come back) is reported as held; an API that does not answer, not at all', () => {
    const peer = withMetric(1, 200);
    writeFileSync(join(stub.dir, 'plan-reason'), 'JobFailed');
    const r = renew(peer);
    expect(r.output).toContain(`CRITICAL: a Job of the upgrade Plan ${SYSTEM_UPGRADE_NAMESPACE}/${SERVER_PLAN_NAME} failed`);
    expect(restartHeld(peer)).toEqual([`metric ${NAMESPACE} RestartHeld 1`]);
    writeFileSync(join(stub.dir, 'plan-reason'), 'Complete');
    renew(peer);
    expect(restartHeld(peer).at(-1)).toBe(`metric ${NAMESPACE} RestartHeld 0`);
    // This server's API down: it cannot tell, and sends nothing (a peer's run, or the holder's, does).
    mkdirSync(join(stub.dir, 'down'), { recursive: true });
    writeFileSync(join(stub.dir, 'down', nodeName(IPS[1])), 'never');
    renew(peer);
    expect(restartHeld(peer)).toHaveLength(2);
  });
});

describe('cert-renewal.sh: a Lease the restore put back is given back by any run, alarms on or off', () => {
  // setLease writes version 7: the record names it (the Lease as the restore put it back, not written since).
  const record = (version = 7) =>
    writeFileSync(join(stub.dir, 'configmap-rancher-aws-restore'), `restoredLeaseVersion=${version}\nresetBegan=2026-11-26T10:00:00Z\n`);
  const lease = () => readFileSync(join(stub.dir, 'lease'), 'utf8');
  const DEAD_ROLL = 'laptop/4242/2026-11-24T10:00:00.000Z';

  it.each([
    ['alarms off', {}],
    ['alarms on', { RESTART_METRIC_NAMESPACE: 'RancherHA/demo-rke-ha', SERVER_NAME: 'server-1' }],
  ])("%s: a dead roll's Lease renewed before the restore, a server marked out, is given back by a peer's run with nothing due", (_, env) => {
    const b = server(1, 200, env);
    record();
    setLease(DEAD_ROLL, 3600, '10.0.0.10');
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`gave back the restart Lease the restore put back (${DEAD_ROLL} with 10.0.0.10 out)`);
    expect(events()).toEqual([`released ${DEAD_ROLL}`]);
    expect(lease()).toMatch(/^- \S+ 1 8 -\n$/);
    expect(restarted(b)).toBe(false);
  });

  it('alarms off: a Lease naming this very server out, put back by the restore, is given back by its own next run', () => {
    const b = server(0, 200);
    record();
    setLease('ip-10-0-0-10', 3600, '10.0.0.10');
    expect(renew(b).status).toBe(0);
    expect(events()).toEqual(['released ip-10-0-0-10']);
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-held-out')).toBe(false);
  });

  it("a Lease written since the restore (a roll at work, a renewal under way) is left alone, whatever its renewTime (a roll's clock behind the servers'); without a record, or with an earlier version's (restoredAt only), nothing is given back", () => {
    const b = server(1, 200);
    // Another version than the record's, renewed an hour ago: the clock of the machine that wrote it is no matter.
    record(6);
    setLease(DEAD_ROLL, 3600, '10.0.0.10');
    expect(renew(b).status).toBe(0);
    expect(lease()).toMatch(new RegExp(`^${DEAD_ROLL} `));
    writeFileSync(join(stub.dir, 'configmap-rancher-aws-restore'), `restoredAt=${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\n`);
    setLease(DEAD_ROLL, 3600, '10.0.0.10');
    expect(renew(b).status).toBe(0);
    expect(lease()).toMatch(new RegExp(`^${DEAD_ROLL} `));
    writeFileSync(join(stub.dir, 'configmap-rancher-aws-restore'), '');
    setLease(DEAD_ROLL, 3600, '10.0.0.10');
    expect(renew(b).status).toBe(0);
    expect(lease()).toMatch(new RegExp(`^${DEAD_ROLL} `));
    expect(events()).toEqual([]);
  });
});

/**
 * Real certificates, signed by one CA with openssl 3.0 (no -not_after): one that ended on 2025-01-01 (`openssl ca`
 * with -startdate/-enddate in the past) and one valid for a year, as a start or a rotation would write it.
 */
function realCertificates(): { expired: string; valid: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'expired-pki-'));
  const sh = (script: string) => {
    const r = runBounded('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  };
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n[v3_ca]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\n`,
  );
  sh(
    [
      // The CA from before the leaf (Terraform's, ten years), self-signed with a start in the past.
      'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.csr -subj /CN=etcd-peer-ca 2>/dev/null',
      'openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key -in ca.csr -out ca.crt -startdate 20230101000000Z -enddate 20330101000000Z -extensions v3_ca -notext 2>/dev/null',
      'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj /CN=etcd-peer 2>/dev/null',
      'openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in leaf.csr -out expired.crt -startdate 20240101000000Z -enddate 20250101000000Z -notext 2>/dev/null',
      'openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out valid.crt 2>/dev/null',
      // Held to what the test claims: the first has ended, the second has not.
      '! openssl x509 -checkend 0 -noout -in expired.crt',
      'openssl x509 -checkend 0 -noout -in valid.crt',
      // Valid in mid-2024 under the same CA: it ended, nothing else is wrong with it.
      'openssl verify -CAfile ca.crt -attime 1720000000 expired.crt >/dev/null',
      'openssl verify -CAfile ca.crt valid.crt >/dev/null',
    ].join('\n'),
  );
  return {
    expired: readFileSync(join(dir, 'expired.crt'), 'utf8'),
    valid: readFileSync(join(dir, 'valid.crt'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe.each([
  ['rke2', 'rke2-server', 'var/lib/rancher/rke2/server/tls/etcd/peer-server-client.crt'],
  ['k3s', 'k3s', 'var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt'],
] as const)("cert-renewal.sh on a %s server whose instance was stopped past its certificates' end", (dist, service, membership) => {
  let pki: ReturnType<typeof realCertificates>;
  beforeAll(() => {
    // One PKI for both distributions: the certificates are the same files whichever service holds them.
    pki = runCached('real certificates', realCertificates);
  });
  afterAll(() => pki.dispose());

  const LEAVES = [`var/lib/rancher/${dist}/server/tls/serving-kube-apiserver.crt`, `var/lib/rancher/${dist}/server/tls/client-admin.crt`, membership];
  /** Server 0 with real certificates at every leaf path: `pem` in place, the valid one where a rotation would write it. */
  const stopped = (pem: string) => {
    const b = server(0, 365);
    for (const cert of CERTS) b.remove(cert);
    b.write(`etc/rancher/${dist}/token`, TOKEN);
    for (const leaf of LEAVES) {
      b.write(leaf, pem);
      b.write(`renewed/${leaf}`, pki.valid);
    }
    b.write('active', `${service}\n`);
    return b;
  };
  const run = (b: NodeSandbox, env: Record<string, string> = {}) => b.run({ file: SCRIPT, args: [dist] }, { ...ENV(), ...env });

  it('started again: the service renewed them at its start (RKE2 and K3s do), and the timer has nothing to do', () => {
    // What the start leaves: every leaf re-signed by the same CA. The timer's first run after boot.
    const b = stopped(pki.valid);
    const r = run(b);
    expect(r.status).toBe(0);
    expect(b.calls().filter((c) => c.startsWith('systemctl') || c.startsWith(dist))).toEqual([]);
    expect(events()).toEqual([]);
  });

  it(`the start did not renew them: the certificate its peers check has ended, so it stops ${service}, rotates and starts it, without the Lease, and the next run has nothing to do`, () => {
    const b = stopped(pki.expired);
    const r = run(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`${membership.split('/').pop()} has ended and ${service} did not renew it at its start`);
    expect(r.output).toContain(`did not renew it at its start: rotating this server's certificates`);
    expect(b.calls().filter((c) => c.startsWith('systemctl') || c.startsWith(dist))).toEqual([
      // When the service started: after the end (this boot, no start time recorded here), so its peers refused it.
      `systemctl show -p ActiveEnterTimestamp --value ${service}`,
      `systemctl is-active --quiet ${service}`,
      `systemctl stop ${service}`,
      `${dist} certificate rotate`,
      `systemctl start ${service}`,
      `systemctl is-active --quiet ${service}`,
    ]);
    // Its API refused it: no Lease was written, no other server touched.
    expect(b.calls().filter((c) => / (create|replace) -f/.test(c))).toEqual([]);
    expect(events()).toEqual([]);
    for (const leaf of LEAVES) expect(b.read(leaf)).toBe(pki.valid);
    const again = run(b);
    expect(again.status).toBe(0);
    expect(b.calls().filter((c) => c.startsWith(`${dist} certificate`))).toHaveLength(1);
  });

  it(`the certificate ended while ${service} ran (started before its end): it still serves (RKE2: a voter, TLS checks validity at the handshake only), so no rotation without the Lease (the restart under it: cert-renewal-peer.tools.test.ts)`, () => {
    const b = stopped(pki.expired);
    // Started in mid-2024, before the leaf's end (2025-01-01): its peer streams were set up with a valid certificate.
    b.write(`active-since-${service}`, 'Mon 2024-07-01 12:00:00 UTC');
    const r = run(b);
    expect(r.output).toContain(`${b.path(membership)} ended while ${service} ran (started before its end): a restart under the Lease renews it`);
    expect(b.calls().filter((c) => c.startsWith(`systemctl stop`) || c.startsWith(dist))).toEqual([]);
  });

  // RKE2's run waits its default bound (900 s, 90 polls); K3s's, the same loop, a bound of 30 s (3 polls).
  const bound: { env: Record<string, string>; seconds: number } =
    dist === 'rke2' ? { env: {}, seconds: 900 } : { env: { RESTART_WAIT_SECONDS: '30' }, seconds: 30 };
  it(`a rotation that renews nothing: bounded wait (${bound.seconds} s), CRITICAL, and no second rotation until a person removes the marker`, () => {
    const b = stopped(pki.expired);
    b.write('rotate-renews-nothing', '');
    const r = run(b, bound.env);
    expect(r.status).toBe(1);
    expect(r.output).toContain(`CRITICAL: ${service} on ip-10-0-0-10 has no valid`);
    expect(r.output).toContain(`within ${bound.seconds} s after a certificate rotation`);
    expect(b.slept()).toBe(bound.seconds);
    const again = run(b);
    expect(again.status).toBe(1);
    expect(again.output).toContain('a rotation did not renew it before');
    expect(b.calls().filter((c) => c.startsWith(`${dist} certificate`))).toHaveLength(1);
  });

  it("another leaf ended but not the one its peers check: that server is still a member, so no rotation outside the Lease (the renewal's restart, under the protocol)", () => {
    const b = stopped(pki.valid);
    b.write(LEAVES[1], pki.expired);
    const r = run(b);
    expect(b.calls().filter((c) => c.startsWith(`${dist} certificate`) || c.startsWith('systemctl stop'))).toEqual([]);
    expect(r.output).toContain('client-admin.crt expires within 80 days');
  });
});

// The run that cordons its own Node and reads the Lease again before its restart: 'renewal due, cluster whole' above.
describe('cert-renewal.sh beside a timer of the previous script (a partial roll): write first, read second', () => {
  it("a previous script's run takes its Lease by age between its take and its cordon: it sees it, uncordons and restarts nothing", () => {
    const b = server(0, 30);
    // The previous script writes no out marker; its take lands right after this run's cordon.
    patchKubectl(
      b,
      '  cordon\\ * | uncordon\\ *)',
      `    [ "\${args[0]}" != cordon ] || echo "ip-10-0-16-10 $(date -u +%Y-%m-%dT%H:%M:%S.000000Z) 1800 42 -" >"$C/lease"`,
    );
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain("the restart Lease is no longer this server's");
    expect(restarted(b)).toBe(false);
    expect(cordoned()).toEqual([]);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^ip-10-0-16-10 /);
  });

  it("never takes by age a Lease the previous script wrote (a server's, no out marker): its holder restarts without looking again", () => {
    const b = server(0, 30);
    setLease('ip-10-0-16-10', 3600);
    const r = renew(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain('ip-10-0-16-10 holds the restart Lease (the previous cert-renewal.sh): never taken by age');
    expect(restarted(b)).toBe(false);
    expect(readFileSync(join(stub.dir, 'lease'), 'utf8')).toMatch(/^ip-10-0-16-10 /);
  });

  it('a cordon a killed run left is lifted by the next run; another server cordoned by its own timer holds this one', () => {
    const b = server(0, 200);
    b.write('var/lib/rancher/rancher-aws/cert-renewal-cordoned', '');
    writeFileSync(join(stub.dir, 'cordoned'), 'ip-10-0-0-10\n');
    expect(renew(b).status).toBe(0);
    expect(cordoned()).toEqual([]);
    expect(b.exists('var/lib/rancher/rancher-aws/cert-renewal-cordoned')).toBe(false);
    const due = server(1, 30);
    writeFileSync(join(stub.dir, 'cordoned'), 'ip-10-0-0-10\n');
    const r = renew(due);
    expect(r.output).toContain('servers cordoned (an upgrade, a roll or a drain is under way): ip-10-0-0-10');
    expect(restarted(due)).toBe(false);
  });
});
