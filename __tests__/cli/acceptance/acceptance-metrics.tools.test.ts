import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerOutput, serverCommand } from '../../../cli/acceptance/acceptance-metrics';
import { acceptanceSettings, UPGRADE } from '../../../cli/acceptance/acceptance-settings';
import { acceptanceRancher, PASSWORD, type Rancher } from '../../helpers/acceptance-rancher';
import { awsOf, FakeCloud, stateOf } from '../../helpers/fake-cloud';
import { fakeCluster, serverInstances } from '../../helpers/roll-world';
import { synthSettings } from '../../helpers/variants';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { acceptInProcess } from '../../helpers/acceptance-in-process';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The acceptance run's metrics phase (`--only metrics`) against the fake cloud: the servers' services started through
// SSM as fake-acceptance-metrics.js runs them (the scripts' sends, by their own rules), and CloudWatch's GetMetricData
// as its API reference describes it (a datapoint unseen for a few reads, only periods with data returned). One rke-ha
// synth for the file; the namespace the fake servers send to is the one in the module's user data.

const REGION = 'eu-west-1';
const PLACEHOLDER = 'zzzzzz';
// Without the upgrade phase the run deploys UPGRADE.to (its sum is recorded).
const JSON_OF: any = synthSettings(
  'rke-ha',
  acceptanceSettings({}, { name: `acc-${PLACEHOLDER}`, runId: PLACEHOLDER, region: REGION, kubernetes: UPGRADE.to }) as never,
).json;

const worlds: { c: FakeCloud; r: Rancher }[] = [];
afterEach(async () => {
  for (const { c, r } of worlds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
    await new Promise((done) => r.server.close(done));
  }
});

async function world(change?: (w: any) => void): Promise<FakeCloud> {
  const r = await acceptanceRancher();
  const applyState = stateOf(JSON_OF);
  for (const x of applyState.resources)
    for (const [k, v] of Object.entries(x.instances[0].attributes)) if (JSON.stringify(v).length > 2000) x.instances[0].attributes[k] = '(long)';
  Object.assign(applyState.outputs, {
    rancher_url: { value: r.url },
    rancher_admin_password: { value: PASSWORD, sensitive: true },
    kubeconfig: { value: 'apiVersion: v1\nkind: Config\n', sensitive: true },
    servers_pending_replacement: { value: { 'server-0': [], 'server-1': [], 'server-2': [] } },
  });
  const c = new FakeCloud(JSON_OF, {
    state: { version: 4, terraform_version: '1.11.4', serial: 1, lineage: 'acceptance', outputs: {}, resources: [] },
    aws: { lbs: {}, dbs: {}, buckets: {}, keys: {}, logGroups: {}, volumes: {}, finalDbSnapshots: [] },
    roll: true,
    cluster: fakeCluster(serverInstances(applyState), false),
    acceptance: { applyState, applyAws: awsOf(applyState), events: [] },
  });
  r.dir = c.dir;
  if (change) c.update(change);
  copyFileSync(join(c.dir, 'module', 'cdk.tf.json'), join(c.dir, 'acceptance.rke-ha.cdk.tf.json'));
  mkdirSync(join(c.dir, 'docs'));
  copyFileSync(join(__dirname, '..', '..', '..', 'docs', 'deployer-policy.json'), join(c.dir, 'docs', 'deployer-policy.json'));
  copyFileSync(join(__dirname, '..', '..', '..', 'package.json'), join(c.dir, 'package.json'));
  worlds.push({ c, r });
  return c;
}

const accept = (c: FakeCloud, ...extra: string[]) =>
  acceptInProcess(c, 'rke-ha', '--region', REGION, '--yes', '--wait-minutes', '1', '--only', 'metrics', ...extra);
const rows = (report: any) => report.metrics.map((m: any) => [m.server, m.metric, m.arrived ? m.value : 'never']);
const SERVERS = ['server-0', 'server-1', 'server-2'];
const ALL = (value: (server: string, metric: string) => number | string) =>
  SERVERS.flatMap((s) => ['RestartHeld', 'CertificateDaysLeft', 'BackupCredentialsFailed'].map((m) => [s, m, value(s, m)]));

describe("the acceptance run's metrics phase", () => {
  it("every server's RestartHeld, CertificateDaysLeft and BackupCredentialsFailed arrive with their values; the report's table", async () => {
    const c = await world();
    const result = await accept(c);
    if (result.code !== 0) console.log(result.out.slice(-4000));
    expect(result.code).toBe(0);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ deploy: 'passed', metrics: 'passed', teardown: 'passed', sweep: 'passed' });
    expect(rows(report)).toEqual(ALL((_, m) => (m === 'CertificateDaysLeft' ? 364 : 0)));
    expect(report.metrics.every((m: any) => m.ok && m.datapoints === 1 && m.seconds >= 0 && /T\d\d:\d\d:00/.test(m.at))).toBe(true);
    expect(report.metrics[0].sent).toBe(`RestartHeld=0 sent to CloudWatch (RancherHA/acc-${report.runId}-rke-ha)`);
    // One server at a time, each with the failure marker put before the refresh (else a healthy refresh sends nothing).
    const w = c.world();
    expect(w.acceptance.metricsCommands.map((x: any) => x.server)).toEqual(SERVERS);
    const command: string = w.acceptance.metricsCommands[0].command;
    expect(command.indexOf('/var/lib/rancher/rancher-aws/backup-credentials-failed')).toBeLessThan(
      command.indexOf('systemctl start rancher-aws-backup-credentials-refresh.service'),
    );
    expect(report.versions["servers' OS"]).toBe('Ubuntu 24.04.3 LTS; curl 8.5.0');
    expect(report.evidence.metrics).toEqual(
      expect.arrayContaining([`UnverifiedArtifact in RancherHA/acc-${report.runId}-rke-ha since the run started: 0 datapoints (expected none)`]),
    );
    const markdown = readFileSync(join(runDir(c), 'report.md'), 'utf8');
    expect(markdown).toMatch(/## Servers' metrics\n[^#]*\| RestartHeld \| server-0 \(i-[^)]+\) \| 0 \| 0 \(no restart held\) \| [^|]+ \| \d+ s \|/);
  });

  it('a metric that never arrives (PutMetricData refused, HTTP 403): the phase fails naming it, its server and the likely cause', async () => {
    const c = await world((w) => (w.acceptance.serverMetrics = { 'server-1': { refused: { RestartHeld: 403 } } }));
    const result = await accept(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ metrics: 'failed', teardown: 'passed', sweep: 'passed' });
    expect(rows(report)).toEqual(ALL((s, m) => (s === 'server-1' && m === 'RestartHeld' ? 'never' : m === 'CertificateDaysLeft' ? 364 : 0)));
    const detail = report.phases.find((p: any) => p.phase === 'metrics').detail;
    expect(detail).toMatch(
      /^RestartHeld of server-1 \(i-[^)]+\) did not arrive in CloudWatch \(RancherHA\/acc-[a-z0-9]+-rke-ha\) within 5 minutes: /,
    );
    expect(detail).toContain("CloudWatch refused PutMetricData (HTTP 403): the node role's policy");
    expect(detail).toContain('X-Amz-Security-Token');
    expect(result.out).toContain('Result: FAILED');
  });

  it('a metric the server says it sent that CloudWatch never shows: the cause named is where it was sent', async () => {
    const c = await world((w) => (w.acceptance.serverMetrics = { 'server-0': { silent: ['BackupCredentialsFailed'] } }));
    const result = await accept(c);
    expect(result.code).toBe(1);
    const detail = reportOf(c).phases.find((p: any) => p.phase === 'metrics').detail;
    expect(detail).toContain('BackupCredentialsFailed of server-0');
    expect(detail).toContain('the namespace or region the servers send to (RESTART_METRIC_NAMESPACE, AWS_REGION) is not the one the alarms read');
  });

  it('a metric with a bad value (RestartHeld 1): the phase fails on it, the table shows it', async () => {
    const c = await world((w) => (w.acceptance.serverMetrics = { 'server-2': { values: { RestartHeld: 1 } } }));
    const result = await accept(c);
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report)).toMatchObject({ metrics: 'failed', teardown: 'passed' });
    expect(report.metrics.find((m: any) => m.server === 'server-2' && m.metric === 'RestartHeld')).toMatchObject({
      arrived: true,
      ok: false,
      value: 1,
    });
    const detail = report.phases.find((p: any) => p.phase === 'metrics').detail;
    expect(detail).toBe(
      'RestartHeld of server-2 arrived as 1, not 0 (no restart held) (the server logged "RestartHeld=1 sent to CloudWatch (RancherHA/acc-' +
        report.runId +
        '-rke-ha)")',
    );
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toContain('| 1 (wrong) |');
  });

  it('on RHEL 9: --settings with rkeHa.operatingSystem rhel-9 reaches the synth, and the report names the OS and curl the metrics came from', async () => {
    const c = await world(
      (w) => (w.acceptance.serverOs = { os: 'Red Hat Enterprise Linux 9.6 (Plow)', curl: 'curl 7.76.1 (x86_64-redhat-linux-gnu) libcurl/7.76.1' }),
    );
    writeFileSync(join(c.dir, 'rhel.json'), JSON.stringify({ rkeHa: { operatingSystem: 'rhel-9' } }));
    const result = await accept(c, '--settings', 'rhel.json');
    if (result.code !== 0) console.log(result.out.slice(-4000));
    expect(result.code).toBe(0);
    const seen = JSON.parse(readFileSync(join(c.dir, 'acceptance-settings-seen.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(seen.rkeHa.operatingSystem).toBe('rhel-9');
    const report = reportOf(c);
    expect(report.versions["servers' OS"]).toBe('Red Hat Enterprise Linux 9.6 (Plow); curl 7.76.1');
    expect(report.metrics).toHaveLength(9);
  });
});

// The command each server runs, as AWS-RunShellScript runs it: `sh -c` of the script (amazon-ssm-agent,
// agent/plugins/runscript/runshellscript.go: shellCommand "sh", shellArgs ["-c"]), dash on Ubuntu. systemctl,
// journalctl, install and curl stubbed; the services' sends made by the real put_metric (lib/kubernetes/cluster-lib.sh,
// with boot-lib.sh's log), only aws_post answered by the stub, and their stderr kept as the journal.
describe('the command each server runs', () => {
  const lib = join(__dirname, '..', '..', '..', 'lib');
  function runCommand(status: Record<string, number>): { out: string; installed: string; journalArgs: string } {
    const stub = mkdtempSync(join(tmpdir(), 'metrics-command-'));
    const bin = join(stub, 'bin');
    mkdirSync(bin);
    const write = (name: string, text: string) => {
      writeFileSync(join(bin, name), text);
      chmodSync(join(bin, name), 0o755);
    };
    // A service: the real put_metric for each metric it sends, aws_post answering the status the case gives.
    const service = (name: string, sends: string) =>
      write(
        name,
        `#!/bin/bash\n. ${lib}/nodes/boot-lib.sh\n. ${lib}/kubernetes/cluster-lib.sh\nRESTART_METRIC_NAMESPACE=RancherHA/acc-x-rke-ha\nAWS_REGION=eu-west-1\n` +
          `aws_post() { AWS_STATUS=$(jq -r --arg m "$(sed -E 's/.*MetricName=([A-Za-z]+).*/\\1/' <<<"$4")" '.[$m] // 200' "$STUB/status.json"); [ "$AWS_STATUS" = 200 ]; }\n` +
          `${sends} 2>>"$STUB/journal"\n`,
      );
    service('rancher-aws-cert-renewal', '{ put_metric CertificateDaysLeft 364 || true; put_metric RestartHeld 0 || true; }');
    service(
      'rancher-aws-backup-credentials',
      'if grep -q /var/lib/rancher/rancher-aws/backup-credentials-failed "$STUB/installed"; then put_metric BackupCredentialsFailed 0; fi',
    );
    write(
      'systemctl',
      `#!/bin/sh\ncase "$1 $2" in\n"start rancher-aws-cert-renewal.service") exec "$STUB/bin/rancher-aws-cert-renewal" ;;\n"start rancher-aws-backup-credentials-refresh.service") exec "$STUB/bin/rancher-aws-backup-credentials" ;;\nesac\nexit 5\n`,
    );
    write('journalctl', '#!/bin/sh\necho "$*" > "$STUB/journal-args"\ncat "$STUB/journal"\n');
    write('install', '#!/bin/sh\necho "$*" >> "$STUB/installed"\n');
    write('curl', '#!/bin/sh\n[ "$1" = --version ] && echo "curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13"\n');
    writeFileSync(join(stub, 'status.json'), JSON.stringify(status));
    writeFileSync(join(stub, 'installed'), '');
    writeFileSync(join(stub, 'journal'), '');
    try {
      const run = spawnSync('sh', ['-c', serverCommand()], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, STUB: stub } });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return {
        out: run.stdout,
        installed: readFileSync(join(stub, 'installed'), 'utf8'),
        journalArgs: readFileSync(join(stub, 'journal-args'), 'utf8'),
      };
    } finally {
      rmSync(stub, { recursive: true, force: true });
    }
  }

  it('is POSIX sh (shellcheck -s sh)', () => {
    // SC1091: /etc/os-release is the server's own file, not one to follow here.
    const checked = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC1091', '-'], { input: serverCommand(), encoding: 'utf8' });
    expect(checked.stdout).toBe('');
    expect(checked.status).toBe(0);
  });

  it("under dash: both services started, the marker put first, put_metric's own lines read back, the OS and curl named", () => {
    const { out, installed, journalArgs } = runCommand({});
    const parsed = parseServerOutput(out);
    expect(parsed.exits).toEqual({ 'rancher-aws-cert-renewal.service': '0', 'rancher-aws-backup-credentials-refresh.service': '0' });
    expect(parsed.sends).toEqual({
      CertificateDaysLeft: 'CertificateDaysLeft=364 sent to CloudWatch (RancherHA/acc-x-rke-ha)',
      RestartHeld: 'RestartHeld=0 sent to CloudWatch (RancherHA/acc-x-rke-ha)',
      BackupCredentialsFailed: 'BackupCredentialsFailed=0 sent to CloudWatch (RancherHA/acc-x-rke-ha)',
    });
    expect(installed).toBe('-D -m 0600 /dev/null /var/lib/rancher/rancher-aws/backup-credentials-failed\n');
    expect(journalArgs).toMatch(
      /^-u rancher-aws-cert-renewal\.service -u rancher-aws-backup-credentials-refresh\.service --since @\d+ -o cat --no-pager\n$/,
    );
    const release = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))![1];
    expect(parsed.os).toBe(release);
    expect(parsed.curl).toBe('curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13');
  });

  it("a send CloudWatch refused: put_metric's failure line, with its HTTP status, is what the phase reads", () => {
    const parsed = parseServerOutput(runCommand({ RestartHeld: 403 }).out);
    expect(parsed.sends.RestartHeld).toBe('could not send RestartHeld=0 to CloudWatch (HTTP 403); the next run sends it again');
    expect(Object.keys(parsed.sends).sort()).toEqual(['BackupCredentialsFailed', 'CertificateDaysLeft', 'RestartHeld']);
  });
});
