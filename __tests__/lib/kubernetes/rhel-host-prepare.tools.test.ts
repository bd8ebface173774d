import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';
import { BOOTSTRAP_GIVE_UP_STATUS } from '../../../lib/kubernetes/private/server-units';

const SCRIPT = 'lib/kubernetes/rhel-host-prepare.sh';
const REBOOTED = 'var/lib/rancher/rancher-aws/rebooted-for-nm-cloud-setup';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/**
 * A RHEL-family server before its bootstrap: `enabled` units (systemctl stub's $T/enabled), `active` ones, SELinux's
 * mode (getenforce stub). The bootstrap it hands over to is a stand-in that records its run and exits with `status`.
 */
function host(options: { enabled?: string[]; active?: string[]; selinux?: string } = {}): NodeSandbox {
  const b = new NodeSandbox({});
  for (const unit of options.enabled ?? []) b.write(`enabled/${unit}`, 'enabled\n');
  b.write('active', (options.active ?? []).map((unit) => `${unit}\n`).join(''));
  if (options.selinux) b.write('selinux-mode', `${options.selinux}\n`);
  boxes.push(b);
  return b;
}

const bootstrap = (b: NodeSandbox, status = 0) => ({
  file: SCRIPT,
  args: ['bash', '-c', `echo bootstrap "$@" >>"${b.path('calls')}"; exit ${status}`, 'bootstrap', 'ran'],
});
const ran = (b: NodeSandbox) => b.calls().includes('bootstrap ran');
const systemctl = (b: NodeSandbox) => b.calls().filter((c) => c.startsWith('systemctl') && !c.startsWith('systemctl is-'));

describe('rhel-host-prepare.sh', () => {
  it('passes shellcheck as committed', () => {
    expect(runValidator('shellcheck', ['--severity=style'], readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8'), 'script.sh')).toEqual({
      status: 0,
      output: '',
    });
  });

  it('an image already fit (SELinux enforcing, no firewalld, no nm-cloud-setup): changes nothing and runs the bootstrap', () => {
    const b = host();
    const r = b.run(bootstrap(b));
    expect(r.status).toBe(0);
    expect(r.output).toContain('SELinux is Enforcing');
    expect(systemctl(b)).toEqual([]);
    expect(ran(b)).toBe(true);
  });

  it("hands the bootstrap's exit status to the unit: 78 (give up) stays 78", () => {
    const b = host();
    expect(b.run(bootstrap(b, BOOTSTRAP_GIVE_UP_STATUS)).status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(ran(b)).toBe(true);
  });

  it("turns firewalld off and reloads NetworkManager (canal's unmanaged-devices file), then runs the bootstrap", () => {
    const b = host({ enabled: ['firewalld.service'], active: ['firewalld.service', 'NetworkManager.service'], selinux: 'Permissive' });
    const r = b.run(bootstrap(b));
    expect(r.status).toBe(0);
    expect(r.output).toContain('SELinux is Permissive');
    expect(systemctl(b)).toEqual(['systemctl disable --now firewalld.service', 'systemctl reload NetworkManager.service']);
    expect(b.exists('enabled/firewalld.service')).toBe(false);
    expect(ran(b)).toBe(true);
  });

  it('nm-cloud-setup enabled: disables it and reboots once without the bootstrap; after the reboot the bootstrap runs, no second reboot', () => {
    const b = host({ enabled: ['nm-cloud-setup.timer', 'nm-cloud-setup.service'] });
    const first = b.run(bootstrap(b));
    expect(first.status).toBe(0);
    expect(first.output).toContain('rebooting once');
    expect(systemctl(b)).toEqual(['systemctl disable --now nm-cloud-setup.timer nm-cloud-setup.service', 'systemctl reboot']);
    expect(ran(b)).toBe(false);
    expect(b.exists(REBOOTED)).toBe(true);

    // The unit runs again after the reboot (its marker is not written yet).
    b.write('calls', '');
    const second = b.run(bootstrap(b));
    expect(second.status).toBe(0);
    expect(systemctl(b)).toEqual([]);
    expect(ran(b)).toBe(true);
  });

  it('never reboots twice: nm-cloud-setup enabled again after the reboot is disabled, and the bootstrap runs', () => {
    const b = host({ enabled: ['nm-cloud-setup.timer'] });
    b.write(REBOOTED, '');
    const r = b.run(bootstrap(b));
    expect(r.status).toBe(0);
    expect(r.output).toContain('not again');
    expect(systemctl(b)).toEqual(['systemctl disable --now nm-cloud-setup.timer']);
    expect(ran(b)).toBe(true);
  });

  it('a static or masked nm-cloud-setup (nothing to disable) is left alone: no reboot loop', () => {
    const b = host({});
    b.write('enabled/nm-cloud-setup.service', 'static\n');
    b.write('enabled/nm-cloud-setup.timer', 'masked\n');
    expect(b.run(bootstrap(b)).status).toBe(0);
    expect(systemctl(b)).toEqual([]);
    expect(ran(b)).toBe(true);
  });

  it('refuses an image with SELinux disabled: exit 78 (no rerun helps), nothing changed, no bootstrap', () => {
    const b = host({ enabled: ['firewalld.service', 'nm-cloud-setup.timer'], selinux: 'Disabled' });
    const r = b.run(bootstrap(b));
    expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(r.output).toContain('SELinux is disabled on this image');
    expect(systemctl(b)).toEqual([]);
    expect(ran(b)).toBe(false);
  });

  it('a failed disable stops the run (the unit retries it), before any reboot or bootstrap', () => {
    const b = host({ enabled: ['firewalld.service'] });
    // systemctl that fails to disable: a stand-in in front of the stub.
    b.write('bin/systemctl.real', b.read('bin/systemctl'));
    b.write(
      'bin/systemctl',
      `#!/bin/bash\nif [ "$1" = disable ]; then echo "systemctl $*" >>"$T/calls"; exit 1; fi\nexec bash "$T/bin/systemctl.real" "$@"\n`,
    );
    const r = b.run(bootstrap(b));
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(ran(b)).toBe(false);
    expect(b.calls()).not.toContain('systemctl reboot');
  });
});
