import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP_GIVE_UP_STATUS, BOOTSTRAPPED_MARKER, CERT_RENEWAL_PATH, serverUnits } from '../../../lib/kubernetes/private/server-units';

const ROOT = join(__dirname, '../../..');
const units = (dist: 'rke2' | 'k3s') => serverUnits(dist, `/usr/local/sbin/${dist}-bootstrap.sh`);
const unit = (dist: 'rke2' | 'k3s', name: string) => units(dist).files.find((f) => f.path === `/etc/systemd/system/${name}`)!.content;

describe('serverUnits', () => {
  it('reruns the bootstrap after any failure but the one the script calls final, with a growing, capped delay, until its marker exists', () => {
    const text = unit('rke2', 'rancher-aws-bootstrap.service');
    expect(text).toContain('ExecStart=/usr/local/sbin/rke2-bootstrap.sh\n');
    expect(text).toContain('Restart=on-failure\nRestartSec=30s\nRestartSteps=8\nRestartMaxDelaySec=30min\n');
    expect(text).toContain(`RestartPreventExitStatus=${BOOTSTRAP_GIVE_UP_STATUS}\n`);
    expect(text).toContain(`ConditionPathExists=!${BOOTSTRAPPED_MARKER}\n`);
    // The scripts write that marker and exit with that status.
    const rke2 = readFileSync(join(ROOT, 'lib/kubernetes/rke2-bootstrap.sh'), 'utf8');
    expect(rke2).toContain(`BOOTSTRAPPED=${BOOTSTRAPPED_MARKER}\n`);
    expect(rke2).toContain(`GIVE_UP=${BOOTSTRAP_GIVE_UP_STATUS}\n`);
    expect(readFileSync(join(ROOT, 'lib/kubernetes/k3s-bootstrap.sh'), 'utf8')).toContain(`BOOTSTRAPPED=${BOOTSTRAPPED_MARKER}\n`);
  });

  it('runs the certificate renewal every 6 hours per server, for its distribution', () => {
    expect(unit('rke2', 'rancher-aws-cert-renewal.service')).toContain(`ExecStart=${CERT_RENEWAL_PATH} rke2\n`);
    expect(unit('k3s', 'rancher-aws-cert-renewal.service')).toContain(`ExecStart=${CERT_RENEWAL_PATH} k3s\n`);
    expect(unit('k3s', 'rancher-aws-cert-renewal.service')).toContain('After=k3s.service\n');
    expect(unit('rke2', 'rancher-aws-cert-renewal.timer')).toContain('OnUnitActiveSec=6h\nRandomizedDelaySec=1h\n');
  });

  it("gives the renewal run a folder in /run (memory) that systemd removes when the unit stops, however the run ended: the peer client key's", () => {
    for (const d of ['rke2', 'k3s'] as const)
      expect(unit(d, 'rancher-aws-cert-renewal.service')).toContain('RuntimeDirectory=rancher-aws-cert-renewal\nRuntimeDirectoryMode=0700\n');
    expect(readFileSync(join(ROOT, 'lib/kubernetes/cert-renewal.sh'), 'utf8')).toContain('PEER_DIR=$(mktemp -d -p "${RUNTIME_DIRECTORY:-');
  });

  it('enables the timers (the renewal, the failover fence) and starts the bootstrap without waiting for it (cloud-init goes on)', () => {
    expect(units('rke2').runcmd).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'rancher-aws-cert-renewal.timer'],
      ['systemctl', 'enable', '--now', 'rancher-aws-failover-fence.timer'],
      ['systemctl', 'enable', '--now', '--no-block', 'rancher-aws-bootstrap.service'],
    ]);
  });
});
