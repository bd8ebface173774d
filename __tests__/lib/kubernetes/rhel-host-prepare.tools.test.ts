import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { rpmKeys } from '../../helpers/rpm-keys';
import { runBounded } from '../../helpers/subprocess';
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
    // No RPM key fingerprint in its environment (behind closed egress, the policy from the image): none is fetched.
    expect(b.calls().filter((c) => c.startsWith('download') || c.startsWith('rpm'))).toEqual([]);
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

describe("rhel-host-prepare.sh: Rancher's RPM key, checked before rpm or dnf trusts it", () => {
  // Real keys (gpg): one stands for Rancher's (its fingerprint recorded, with a subkey), one for a key that is not.
  const keys = rpmKeys();
  const KEY_URL = 'https://rpm.rancher.io/public.key';
  const KEY_FILE = 'etc/pki/rpm-gpg/RPM-GPG-KEY-rancher';
  /**
   * A bootstrap whose installer does what each upstream installer does on the RHEL family: rancher/rke2 install.sh
   * (do_install_rpm, at v1.35.7+rke2r1 and v1.36.3+rke2r1) writes two repositories with gpgkey
   * https://rpm.rancher.io/public.key and repo_gpgcheck=1, then runs `yum install -y rke2-server-<version>`;
   * k3s-io/k3s install.sh (install_selinux_rpm, at 2d0f82fa) writes rancher-k3s-common with the same gpgkey, then runs
   * `dnf install -y k3s-selinux` (dnf by name when /usr/bin/dnf exists). Both are run from the bootstrap, which passes
   * its PATH on (rke2-bootstrap.sh and k3s-bootstrap.sh run `env INSTALL_...=... sh install.sh`).
   */
  const INSTALLERS = {
    rke2: {
      env: 'RKE2_RPM_KEY_FINGERPRINT',
      repo: 'rancher-rke2.repo',
      script:
        'for s in common 1.35; do printf "[rancher-rke2-%s-stable]\\ngpgcheck=1\\nrepo_gpgcheck=1\\ngpgkey=https://rpm.rancher.io/public.key\\n" "$s"; done >"$T/etc/yum.repos.d/rancher-rke2.repo"; yum install -y rke2-server-1.35.7~rke2r1',
      dnf: 'dnf install -y rke2-server-1.35.7~rke2r1',
    },
    k3s: {
      env: 'K3S_RPM_KEY_FINGERPRINT',
      repo: 'rancher-k3s-common.repo',
      script:
        'printf "[rancher-k3s-common-stable]\\ngpgcheck=1\\nrepo_gpgcheck=0\\ngpgkey=https://rpm.rancher.io/public.key\\n" >"$T/etc/yum.repos.d/rancher-k3s-common.repo"; dnf install -y k3s-selinux',
      dnf: 'dnf install -y k3s-selinux',
    },
  } as const;
  const rhel = (distribution: keyof typeof INSTALLERS, served: string, env: Record<string, string> = {}) => {
    const b = new NodeSandbox({
      [INSTALLERS[distribution].env]: keys.recorded.fingerprint,
      AWS_REGION: 'us-east-1',
      RESTART_METRIC_NAMESPACE: 'RancherHA/rke-ha',
      ...env,
    });
    b.release({ 'public.key': served });
    boxes.push(b);
    const run = b.run({
      file: SCRIPT,
      args: ['bash', '-c', `mkdir -p "$T/etc/yum.repos.d"; ${INSTALLERS[distribution].script}; echo bootstrap ran >>"$T/calls"`],
    });
    return { b, run };
  };
  const trusted = (b: NodeSandbox) => b.calls().filter((c) => /^(rpm --import|dnf|bootstrap)/.test(c));

  it.each(['rke2', 'k3s'] as const)(
    "%s: the recorded key is imported from the checked file before the bootstrap runs, and its installer's dnf reads repositories that name only that file",
    (distribution) => {
      const { b, run } = rhel(distribution, keys.recorded.armored);
      expect(run.status).toBe(0);
      const keyFile = b.path(KEY_FILE);
      const { repo, dnf } = INSTALLERS[distribution];
      const saw = `dnf saw ${repo}: gpgkey=file://${keyFile}`;
      expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([`download ${KEY_URL}`]);
      expect(trusted(b)).toEqual([`rpm --import ${keyFile}`, dnf, ...(distribution === 'rke2' ? [saw, saw] : [saw]), 'bootstrap ran']);
      // What rpm imports is the recorded key alone, its subkey with it.
      const listed = runBounded('gpg', ['--batch', '--with-colons', '--show-keys', keyFile], { env: { ...process.env, GNUPGHOME: b.path('run') } });
      expect(
        listed.stdout
          .split('\n')
          .filter((l) => /^(pub|sub):/.test(l))
          .map((l) => l.slice(0, 4)),
      ).toEqual(['pub:', 'sub:']);
      expect(/^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)![1]).toBe(keys.recorded.fingerprint);
    },
  );

  it("the recorded key carrying another key's subkey (bound by that other key): gpg drops it, rpm imports the recorded key without it", () => {
    const { b, run } = rhel('rke2', keys.grafted);
    // Not vacuous: the file served holds the recorded primary key and a subkey packet.
    const served = runBounded('gpg', ['--batch', '--list-packets', b.path('release/public.key')], {
      env: { ...process.env, GNUPGHOME: b.path('run') },
    });
    expect(served.stdout.match(/^:public (sub )?key packet:/gm)).toEqual([':public key packet:', ':public sub key packet:']);
    expect(run.status).toBe(0);
    const keyFile = b.path(KEY_FILE);
    expect(trusted(b)[0]).toBe(`rpm --import ${keyFile}`);
    const listed = runBounded('gpg', ['--batch', '--with-colons', '--show-keys', keyFile], { env: { ...process.env, GNUPGHOME: b.path('run') } });
    expect(
      listed.stdout
        .split('\n')
        .filter((l) => /^(pub|sub):/.test(l))
        .map((l) => l.slice(0, 4)),
    ).toEqual(['pub:']);
    expect(/^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)![1]).toBe(keys.recorded.fingerprint);
  });

  it.each([
    ['rke2', 'another key', (): string => keys.other.armored],
    ['rke2', 'the recorded key and another in one block', (): string => keys.both],
    ['rke2', 'the recorded key, then another block', (): string => `${keys.recorded.armored}${keys.other.armored}`],
    ['rke2', "no key at all (a proxy's page)", (): string => '<html>blocked</html>\n'],
    ['k3s', 'another key', (): string => keys.other.armored],
    ['k3s', 'the recorded key and another in one block', (): string => keys.both],
  ] as const)('%s, %s: refused for good (78, the marker, the metric) before any rpm import, dnf run or bootstrap', (distribution, _, served) => {
    const { b, run } = rhel(distribution, served());
    expect(run.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(run.output).toContain(`refusing Rancher's RPM signing key from ${KEY_URL}: it holds `);
    expect(run.output).toContain(`not ${keys.recorded.fingerprint} alone; nothing was installed`);
    expect(trusted(b)).toEqual([]);
    expect(b.exists(KEY_FILE)).toBe(false);
    expect(b.exists('var/lib/rancher/rancher-aws/unverified-artifact')).toBe(true);
    expect(b.calls()).toContain('metric RancherHA/rke-ha UnverifiedArtifact 1');
  });

  it('the key cannot be downloaded: exits with a status the unit retries, nothing imported, no bootstrap', () => {
    const b = new NodeSandbox({ RKE2_RPM_KEY_FINGERPRINT: keys.recorded.fingerprint });
    boxes.push(b);
    const r = b.run(bootstrap(b), { DOWNLOAD_ATTEMPTS: '2' });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`could not download ${KEY_URL}; the next run tries again`);
    expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([`download ${KEY_URL}`, `download ${KEY_URL}`]);
    expect(trusted(b)).toEqual([]);
  });

  it("an RKE2 release candidate (the testing channel, signed with Rancher's testing key, unrecorded): refused for good before any key is fetched", () => {
    const b = new NodeSandbox({
      RKE2_VERSION: 'v1.35.8-rc1+rke2r1',
      RKE2_RPM_CHANNELS: 'testing',
      RKE2_RPM_KEY_FINGERPRINT: keys.recorded.fingerprint,
    });
    boxes.push(b);
    const r = b.run(bootstrap(b));
    expect(r.status).toBe(BOOTSTRAP_GIVE_UP_STATUS);
    expect(r.output).toContain("the RKE2 v1.35.8-rc1+rke2r1 RPMs: the testing channel's signing key has no recorded fingerprint (install a release)");
    expect(b.calls().filter((c) => c.startsWith('download'))).toEqual([]);
    expect(trusted(b)).toEqual([]);
  });
});
