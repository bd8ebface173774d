import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXPECTED_METRICS,
  likelyCause,
  metricNamespace,
  parseServerOutput,
  serverCommand,
  type ServerOutput,
} from '../../../cli/acceptance/acceptance-metrics';
import { acceptanceSettings, baseSettingsProblem, UPGRADE } from '../../../cli/acceptance/acceptance-settings';
import { BACKUP_CREDENTIALS_FAILED_MARKER, BACKUP_CREDENTIALS_UNIT, CERT_RENEWAL_UNIT } from '../../../lib/kubernetes/object-names';
import { synthSettings } from '../../helpers/variants';

// The metrics phase's ties to what the servers run: the unit names it starts, the marker backup-credentials.sh keeps,
// the lines put_metric logs, the timers' first runs (why the phase starts the services itself), and the namespace
// the alarms read.

const lib = join(__dirname, '..', '..', '..', 'lib', 'kubernetes');
const script = (name: string) => readFileSync(join(lib, name), 'utf8');
const units = readFileSync(join(lib, 'private', 'server-units.ts'), 'utf8');

describe("the acceptance run's metrics phase", () => {
  it("starts the units the servers' timers start, the renewal's first run being hours after boot (so the run cannot wait for it)", () => {
    // The renewal timer: two to three hours after boot, then every six; the refresh: a minute after boot, every 15.
    expect(units).toMatch(/'OnBootSec=2h',\s*'OnUnitActiveSec=6h',\s*'RandomizedDelaySec=1h'/);
    expect(units).toMatch(/unit\('-refresh\.service'/);
    expect(units).toContain('`${CERT_RENEWAL_UNIT}.service`');
    const command = serverCommand();
    expect(command).toContain(`systemctl start ${CERT_RENEWAL_UNIT}.service`);
    expect(command).toContain(`systemctl start ${BACKUP_CREDENTIALS_UNIT}-refresh.service`);
  });

  it('puts the marker backup-credentials.sh keeps after a failure before the refresh: a success then sends 0, as it sends nothing otherwise', () => {
    const credentials = script('backup-credentials.sh');
    expect(credentials).toContain(`FAILED_MARKER=${BACKUP_CREDENTIALS_FAILED_MARKER}\n`);
    expect(credentials).toContain('if [ -e "$FAILED_MARKER" ] && publish_failed 0; then rm -f "$FAILED_MARKER"; fi');
    const command = serverCommand();
    expect(command.indexOf(BACKUP_CREDENTIALS_FAILED_MARKER)).toBeGreaterThan(-1);
    expect(command.indexOf(BACKUP_CREDENTIALS_FAILED_MARKER)).toBeLessThan(command.indexOf(`start ${BACKUP_CREDENTIALS_UNIT}-refresh`));
  });

  it("reads put_metric's own lines (cluster-lib.sh), as the journal gives them (-o cat: '<script>: <message>')", () => {
    const lines = script('cluster-lib.sh');
    const sent = /log "(\$1=\$2 sent to CloudWatch \(\$RESTART_METRIC_NAMESPACE\))"/.exec(lines)![1];
    const failed = /log "(could not send \$1=\$2 to CloudWatch \(HTTP \$AWS_STATUS\)[^"]*)"/.exec(lines)![1];
    const fill = (t: string, name: string, value: string) =>
      `/usr/local/sbin/rancher-aws-cert-renewal: ${t.replace('$1', name).replace('$2', value).replace('$RESTART_METRIC_NAMESPACE', 'RancherHA/x').replace('$AWS_STATUS', '403')}`;
    const out = parseServerOutput(
      [
        `exit ${CERT_RENEWAL_UNIT}.service 0`,
        fill(sent, 'CertificateDaysLeft', '-2'),
        fill(failed, 'RestartHeld', '0'),
        '/usr/local/sbin/rancher-aws-backup-credentials: credentials of arn:aws:iam::1:role/b refreshed, valid until later',
        'os Red Hat Enterprise Linux 9.6 (Plow)',
        'curl curl 7.76.1 (x86_64-redhat-linux-gnu)',
      ].join('\n'),
    );
    expect(out.sends).toEqual({
      CertificateDaysLeft: 'CertificateDaysLeft=-2 sent to CloudWatch (RancherHA/x)',
      RestartHeld: 'could not send RestartHeld=0 to CloudWatch (HTTP 403); the next run sends it again',
    });
    expect(out.exits).toEqual({ [`${CERT_RENEWAL_UNIT}.service`]: '0' });
    expect(out.os).toBe('Red Hat Enterprise Linux 9.6 (Plow)');
    expect(out.other).toEqual(['credentials of arn:aws:iam::1:role/b refreshed, valid until later']);
  });

  it('names the likely cause of a metric that never arrived from what its server logged', () => {
    const [held] = EXPECTED_METRICS;
    const out = (sends: Record<string, string>): ServerOutput => ({ exits: { [held.service]: '1' }, sends, other: [] });
    expect(likelyCause(held, out({ RestartHeld: 'could not send RestartHeld=0 to CloudWatch (HTTP 403)' }), 'NS', 'eu-west-1')).toContain(
      "node role's policy (cloudwatch:PutMetricData in NS)",
    );
    expect(likelyCause(held, out({ RestartHeld: 'could not send RestartHeld=0 to CloudWatch (HTTP 000)' }), 'NS', 'eu-west-1')).toContain('IMDS');
    expect(likelyCause(held, out({}), 'NS', 'eu-west-1')).toBe(
      `${held.service} logged no send of RestartHeld (exit 1): ${held.notSent}; see journalctl -u ${held.service} on the server`,
    );
    expect(likelyCause(held, undefined, 'NS', 'eu-west-1')).toContain('SSM command did not finish');
  });

  it("reads the namespace the deployment's alarms read: the one the servers' user data sends to", () => {
    const settings = acceptanceSettings({}, { name: 'acc-abc123', runId: 'abc123', region: 'eu-west-1', kubernetes: UPGRADE.to });
    const json: any = synthSettings('rke-ha', settings as never).json;
    expect(metricNamespace(json)).toBe('RancherHA/acc-abc123-rke-ha');
    expect(JSON.stringify(json)).toContain('RESTART_METRIC_NAMESPACE=\\"RancherHA/acc-abc123-rke-ha\\"');
    const off: any = synthSettings('rke-ha', { ...settings, alarms: { enabled: false } } as never).json;
    expect(metricNamespace(off)).toBeUndefined();
  });

  it("runs on RHEL 9 from --settings: not refused, its servers on Red Hat's images, sending to the same namespace", () => {
    const base = { rkeHa: { operatingSystem: 'rhel-9' } };
    expect(baseSettingsProblem(base, 'eu-west-1', 'rhel.json')).toBeUndefined();
    const settings = acceptanceSettings(base, { name: 'acc-abc123', runId: 'abc123', region: 'eu-west-1', kubernetes: UPGRADE.to });
    const json: any = synthSettings('rke-ha', settings as never).json;
    expect(Object.values(json.data.aws_ami).map((a: any) => a.owners)).toEqual([['309956199498']]);
    expect(metricNamespace(json)).toBe('RancherHA/acc-abc123-rke-ha');
  });

  it('expects each metric healthy: RestartHeld and BackupCredentialsFailed 0, CertificateDaysLeft above the alarm threshold', () => {
    const holds = Object.fromEntries(EXPECTED_METRICS.map((e) => [e.metric, [0, 1, 31, 364].map((v) => e.holds(v))]));
    expect(holds).toEqual({
      RestartHeld: [true, false, false, false],
      CertificateDaysLeft: [false, false, true, true],
      BackupCredentialsFailed: [true, false, false, false],
    });
  });
});
