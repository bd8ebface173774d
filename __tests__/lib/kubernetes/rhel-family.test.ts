import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { k3sUserData, K3S_BOOTSTRAP_PATH } from '../../../lib/kubernetes/private/k3s-user-data';
import {
  CANAL_NETWORK_MANAGER_PATH,
  HOST_PREPARE_PATH,
  RANCHER_RPM_KEY_FINGERPRINT,
  rhelFamilyFiles,
} from '../../../lib/kubernetes/private/rhel-family';
import { BOOTSTRAP_SCRIPT_PATH, rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { shipped } from '../../../lib/nodes/private/boot-files';
import { compressedUpperBound, USER_DATA_LIMIT_BYTES } from '../../../lib/nodes/server-node';
import type { CloudConfigFile } from '../../helpers/validators';
import { base, init as k3sInit, render } from './k3s-user-data.setup';
import { init, rendered, settings } from './rke2-user-data.setup';

const files = (userData: string) => (parse(userData) as { write_files: CloudConfigFile[] }).write_files;
const at = (list: CloudConfigFile[], path: string) => list.find((f) => f.path === path);
const HOST_DROP_IN = '/etc/systemd/system/rancher-aws-bootstrap.service.d/rancher-aws-host.conf';

describe('RKE2 servers on the RHEL family', () => {
  const ubuntu = rendered(rke2UserData(settings, init));
  it.each(['rhel-9', 'rocky-9'] as const)(
    '%s: SELinux in the config, the host preparation in the bootstrap unit, canal left alone by NetworkManager',
    (os) => {
      const userData = rendered(rke2UserData({ ...settings, operatingSystem: os }, init));
      const list = files(userData);
      expect(parse(at(list, '/etc/rancher/rke2/config.yaml')!.content)).toEqual({
        ...parse(at(files(ubuntu), '/etc/rancher/rke2/config.yaml')!.content),
        selinux: true,
      });
      expect(at(list, HOST_PREPARE_PATH)).toEqual({
        path: '/usr/local/sbin/rancher-aws-prepare-host',
        owner: 'root:root',
        permissions: '0700',
        content: shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/rhel-host-prepare.sh'), 'utf8')),
      });
      // The drop-in replaces the unit's command, so the bootstrap's own exit status (78: give up) stays the unit's.
      expect(at(list, HOST_DROP_IN)!.content).toMatch(
        new RegExp(`^\\[Service\\]\\nExecStart=\\nExecStart=${HOST_PREPARE_PATH} ${BOOTSTRAP_SCRIPT_PATH}\\n$`, 'm'),
      );
      expect(at(list, '/etc/systemd/system/rke2-server.service.d/rancher-aws-selinux.conf')!.content).toBe(
        '[Service]\nExecStartPre=-/usr/sbin/restorecon -R /var/lib/rancher/rke2/server/tls\n',
      );
      expect(at(list, CANAL_NETWORK_MANAGER_PATH)!.content).toBe('[keyfile]\nunmanaged-devices=interface-name:cali*;interface-name:flannel*\n');
      // Everything else is the Ubuntu server's, file for file.
      const extra = new Set([
        HOST_PREPARE_PATH,
        HOST_DROP_IN,
        '/etc/systemd/system/rke2-server.service.d/rancher-aws-selinux.conf',
        CANAL_NETWORK_MANAGER_PATH,
      ]);
      // ...except the bootstrap's environment, which also chooses RKE2's signed RPMs (the tarball has no SELinux policy)
      // and the channels tried for the version: stable, then latest, where a release is before its promotion, and the
      // fingerprint of the key they must be signed with.
      const method = `RKE2_INSTALL_METHOD="rpm"\nRKE2_RPM_CHANNELS="stable latest"\nRKE2_RPM_KEY_FINGERPRINT="${RANCHER_RPM_KEY_FINGERPRINT}"\n`;
      const withoutMethod = (f: CloudConfigFile) => ({ ...f, content: f.content.replace(method, '') });
      expect(list.filter((f) => f.content.includes(method)).length).toBe(1);
      expect(list.filter((f) => !extra.has(f.path) && f.path !== '/etc/rancher/rke2/config.yaml').map(withoutMethod)).toEqual(
        files(ubuntu).filter((f) => f.path !== '/etc/rancher/rke2/config.yaml'),
      );
      expect(parse(userData).runcmd).toEqual(parse(ubuntu).runcmd);
      // The additions (the host preparation with its check of Rancher's RPM key, the drop-ins) cost well under 2 KB
      // of EC2's 16 KiB (gzip-compressed).
      expect(compressedUpperBound(userData) - compressedUpperBound(ubuntu)).toBeLessThan(2000);
      expect(compressedUpperBound(userData)).toBeLessThan(USER_DATA_LIMIT_BYTES);
    },
  );

  it('behind closed egress: no RPM method, the verified tarball with the SELinux policy from the image', () => {
    const env = at(
      files(rke2UserData({ ...settings, operatingSystem: 'rhel-9', selinuxPolicyFromImage: true }, init)),
      '/etc/rancher/bootstrap.env',
    )!;
    expect(env.content).toContain('SELINUX_POLICY_FROM_IMAGE="true"\n');
    expect(env.content).not.toContain('RKE2_INSTALL_METHOD');
    expect(env.content).toMatch(/RKE2_ARTIFACT_URL="[^"]*rke2\.linux-amd64\.tar\.gz"/);
    // Ubuntu has no SELinux policy to take from its image: the setting changes nothing there.
    expect(rke2UserData({ ...settings, selinuxPolicyFromImage: true }, init)).toBe(rke2UserData(settings, init));
  });

  it('asks the testing channel for a release candidate, which stable and latest never carry', () => {
    const env = at(
      files(rke2UserData({ ...settings, version: 'v1.35.8-rc1+rke2r1', operatingSystem: 'rocky-9' }, init)),
      '/etc/rancher/bootstrap.env',
    )!;
    expect(env.content).toContain('RKE2_RPM_CHANNELS="testing"\n');
  });

  it('leaves the Ubuntu server exactly as before: no selinux key, no extra file', () => {
    expect(rke2UserData({ ...settings, operatingSystem: 'ubuntu-24.04' }, init)).toBe(rke2UserData(settings, init));
    expect(parse(at(files(ubuntu), '/etc/rancher/rke2/config.yaml')!.content)).not.toHaveProperty('selinux');
    expect(rhelFamilyFiles('ubuntu-24.04', 'rke2', BOOTSTRAP_SCRIPT_PATH)).toEqual([]);
    expect(rhelFamilyFiles(undefined, 'k3s', K3S_BOOTSTRAP_PATH)).toEqual([]);
  });
});

describe('K3s servers on the RHEL family', () => {
  it('SELinux in the config, the host preparation and the label fix for K3s, no canal file (K3s runs flannel)', () => {
    const ubuntu = files(render(k3sUserData(base, k3sInit)));
    const list = files(render(k3sUserData({ ...base, operatingSystem: 'rocky-9' }, k3sInit)));
    expect(parse(at(list, '/etc/rancher/k3s/config.yaml')!.content)).toEqual({
      ...parse(at(ubuntu, '/etc/rancher/k3s/config.yaml')!.content),
      selinux: true,
    });
    expect(at(list, HOST_DROP_IN)!.content).toContain(`ExecStart=${HOST_PREPARE_PATH} ${K3S_BOOTSTRAP_PATH}\n`);
    expect(at(list, '/etc/systemd/system/k3s.service.d/rancher-aws-selinux.conf')!.content).toContain(
      'ExecStartPre=-/usr/sbin/restorecon -R /var/lib/rancher/k3s/server/tls\n',
    );
    expect(at(list, CANAL_NETWORK_MANAGER_PATH)).toBeUndefined();
    expect(list.length).toBe(ubuntu.length + 3);
    // The installer's k3s-selinux comes from Rancher's RPM repository: the bootstrap checks its key against this first.
    expect(at(list, '/etc/rancher/bootstrap.env')!.content).toBe(
      at(ubuntu, '/etc/rancher/bootstrap.env')!.content.replace(
        /^(K3S_RELEASE_SUMS_URL=.*\n)/m,
        `$1K3S_RPM_KEY_FINGERPRINT="${RANCHER_RPM_KEY_FINGERPRINT}"\n`,
      ),
    );
  });

  it("behind closed egress: k3s-selinux from the image (the bootstrap skips the installer's RPM step)", () => {
    const list = files(render(k3sUserData({ ...base, operatingSystem: 'rhel-9', selinuxPolicyFromImage: true }, k3sInit)));
    expect(at(list, '/etc/rancher/bootstrap.env')!.content).toContain('SELINUX_POLICY_FROM_IMAGE="true"\n');
    expect(at(list, '/etc/rancher/bootstrap.env')!.content).not.toContain('K3S_RPM_KEY_FINGERPRINT');
  });
});
