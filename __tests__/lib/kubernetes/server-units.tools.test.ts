import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { serverUnits } from '../../../lib/kubernetes/private/server-units';
import { runBounded } from '../../helpers/subprocess';
const units = (dist: 'rke2' | 'k3s') => serverUnits(dist, `/usr/local/sbin/${dist}-bootstrap.sh`);
const unit = (dist: 'rke2' | 'k3s', name: string) => units(dist).files.find((f) => f.path === `/etc/systemd/system/${name}`)!.content;
/** Keys systemd learned in 254 (Ubuntu 24.04 runs 255); older machines running the tests warn about them. */
const NEWER_KEYS = /^.*Unknown key '(RestartSteps|RestartMaxDelaySec)' in section \[Service\], ignoring\.\n/gm;

/** `systemd-analyze verify` of the unit files as written (their commands swapped for /bin/true, absent here). */
function verify(files: { path: string; content: string }[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'units-'));
  try {
    const paths = files.map((f) => {
      const path = join(dir, basename(f.path));
      writeFileSync(path, f.content.replace(/^ExecStart=.*$/m, 'ExecStart=/bin/true'));
      return path;
    });
    const r = runBounded('systemd-analyze', ['verify', '--man=no', ...paths]);
    if (r.error) throw new Error(`systemd-analyze is needed to check the units (apt-get install systemd): ${r.error.message}`);
    return { status: r.status, output: `${r.stdout}${r.stderr}`.replaceAll(NEWER_KEYS, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('serverUnits', () => {
  it.each(['rke2', 'k3s'] as const)('%s: the units pass systemd-analyze verify', (dist) => {
    const files = units(dist).files.filter((f) => f.path.startsWith('/etc/systemd/system/'));
    expect(files.map((f) => basename(f.path)).sort()).toEqual([
      'rancher-aws-bootstrap.service',
      'rancher-aws-cert-renewal.service',
      'rancher-aws-cert-renewal.timer',
      'rancher-aws-failover-fence.service',
      'rancher-aws-failover-fence.timer',
    ]);
    expect(verify(files)).toEqual({ status: 0, output: '' });
  });

  it('catches a broken unit (the check can fail)', () => {
    const broken = unit('rke2', 'rancher-aws-bootstrap.service').replace('Restart=on-failure', 'Restart=always');
    expect(verify([{ path: '/etc/systemd/system/rancher-aws-bootstrap.service', content: broken }]).status).not.toBe(0);
  });
});
