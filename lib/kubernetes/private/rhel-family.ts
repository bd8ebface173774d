import { rhelFamily, type ServerOperatingSystem } from '../../config/sections';
import { rootFile, serverScriptFile, type WriteFile } from '../../nodes/private/boot-files';
import RHEL_HOST_PREPARE from '../rhel-host-prepare.sh';
import { BOOTSTRAP_UNIT, type ServerDistribution } from './server-units';

/** Readies a RHEL-family server, then runs the bootstrap in its place (rhel-host-prepare.sh). */
export const HOST_PREPARE_PATH = '/usr/local/sbin/rancher-aws-prepare-host';
/** RKE2's known-issues page: NetworkManager must leave canal's interfaces (cali*, flannel*) alone. */
export const CANAL_NETWORK_MANAGER_PATH = '/etc/NetworkManager/conf.d/rke2-canal.conf';

export { rhelFamily };

/**
 * The RPM channels the RHEL family's RKE2 install tries in turn for a version (install.sh at v1.35.7+rke2r1,
 * do_install_rpm: the channel names the repository, rpm.rancher.io/rke2/<channel>/<minor>/centos/<major>/<arch>, or
 * rpm-testing.rancher.io for testing). A release candidate is published to testing only; a release is published to
 * latest when it is released and promoted to stable later (rancher/rke2#5330, #2069, #1465), so stable is tried first
 * (the channel every earlier install used) and latest after it.
 */
export function rke2RpmChannels(version: string): string {
  return /-rc\d*/.test(version) ? 'testing' : 'stable latest';
}

/**
 * The fingerprint of the key Rancher signs its RPMs with (rpm.rancher.io/public.key, "Rancher (CI)
 * <ci@rancher.com>", key ID E257814A): the same 40 hex digits in three unrelated public install logs of RKE2 (yum on
 * EL7, dnf on Amazon Linux 2023, a dnf log in Chinese), each printing dnf's "Importing GPG key 0xE257814A" and its
 * fingerprint. K3s' k3s-selinux comes from the same site and key address (k3s-io/k3s install.sh at 2d0f82fa,
 * install_selinux_rpm: the rancher-k3s-common repository, gpgkey https://rpm.rancher.io/public.key), is signed by the
 * same CI identity as rke2-selinux (k3s-io/k3s-selinux policy/centos9/scripts/sign at v1.6.stable.1 and
 * scripts/sign-and-upload at 6991bc11, rancher/rke2-selinux scripts/sign-and-upload at 63deede6: `%_gpg_name
 * ci@rancher.com`, stable and latest signed with PRIVATE_KEY, testing with a testing key), and public k3s-selinux
 * install logs (EL7, EL8, Amazon
 * Linux 2023) show dnf importing this very fingerprint for it. The bootstrap checks the key file against it before
 * rpm imports it, and refuses a file holding any other key (rhel-host-prepare.sh trust_rancher_rpm_key): a repository and
 * key address that both moved would otherwise install whatever the new key signed.
 */
export const RANCHER_RPM_KEY_FINGERPRINT = 'C8CFF216455126E9B9C918BE925EA29AE257814A';

/** A server's config file entry for the RHEL family: containerd with SELinux (RKE2's and K3s' `selinux` flag). */
export function selinuxConfig(os: ServerOperatingSystem | undefined): Record<string, unknown> {
  return rhelFamily(os) ? { selinux: true } : {};
}

/**
 * What a RHEL-family server gets beside the Ubuntu one's files (none elsewhere, so an Ubuntu server's user data stays
 * as it was): the host preparation, run in the bootstrap's place by a drop-in of its unit; a drop-in of the
 * distribution's service that gives the CA files the bootstrap placed their SELinux label (RKE2's policy labels
 * server/tls rke2_tls_t; a file a script creates takes its folder's label) before every start; and, for RKE2's
 * canal, the NetworkManager file its known-issues page asks for.
 */
export function rhelFamilyFiles(os: ServerOperatingSystem | undefined, distribution: ServerDistribution, bootstrapScript: string): WriteFile[] {
  if (!rhelFamily(os)) return [];
  const service = distribution === 'rke2' ? 'rke2-server' : 'k3s';
  const tls = `/var/lib/rancher/${distribution}/server/tls`;
  return [
    serverScriptFile(HOST_PREPARE_PATH, RHEL_HOST_PREPARE),
    rootFile(
      `/etc/systemd/system/${BOOTSTRAP_UNIT}.service.d/rancher-aws-host.conf`,
      '0644',
      [
        '# RHEL family: firewalld and nm-cloud-setup off, SELinux checked, then the bootstrap (rhel-host-prepare.sh).',
        '[Service]',
        'ExecStart=',
        `ExecStart=${HOST_PREPARE_PATH} ${bootstrapScript}`,
        '',
      ].join('\n'),
    ),
    // Written before the installer creates the service; systemd merges it in. A missing folder is no error.
    rootFile(
      `/etc/systemd/system/${service}.service.d/rancher-aws-selinux.conf`,
      '0644',
      ['[Service]', `ExecStartPre=-/usr/sbin/restorecon -R ${tls}`, ''].join('\n'),
    ),
    ...(distribution === 'rke2'
      ? [rootFile(CANAL_NETWORK_MANAGER_PATH, '0644', '[keyfile]\nunmanaged-devices=interface-name:cali*;interface-name:flannel*\n')]
      : []),
  ];
}
