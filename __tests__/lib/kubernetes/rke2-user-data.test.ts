import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOOTSTRAP_SCRIPT_PATH, RESTORE_SCRIPT_PATH, rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { serverUnits } from '../../../lib/kubernetes/private/server-units';
import { compressedUpperBound } from '../../../lib/nodes/server-node';
import { shipped } from '../../../lib/nodes/private/boot-files';
import { settings, init, rendered } from './rke2-user-data.setup';

describe('rke2UserData', () => {
  const userData = rendered(rke2UserData(settings, init));

  it('runs the bootstrap script through its unit (until it succeeds once), and writes it unchanged after Terraform rendering', () => {
    const doc = parse(userData);
    expect(doc.runcmd).toEqual(serverUnits('rke2', BOOTSTRAP_SCRIPT_PATH).runcmd);
    const unit = doc.write_files.find((f: { path: string }) => f.path === '/etc/systemd/system/rancher-aws-bootstrap.service');
    expect(unit.content).toContain(`ExecStart=${BOOTSTRAP_SCRIPT_PATH}\n`);
    const restore = doc.write_files.find((f: { path: string }) => f.path === RESTORE_SCRIPT_PATH);
    expect([RESTORE_SCRIPT_PATH, restore.permissions]).toEqual(['/usr/local/sbin/rancher-aws-restore', '0700']);
    expect(restore.content).toBe(shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/rke2-restore.sh'), 'utf8')));
    const renewal = doc.write_files.find((f: { path: string }) => f.path === '/etc/systemd/system/rancher-aws-cert-renewal.service');
    expect(renewal.content).toContain('ExecStart=/usr/local/sbin/rancher-aws-cert-renewal rke2\n');
    const script = doc.write_files.find((f: { path: string }) => f.path === BOOTSTRAP_SCRIPT_PATH);
    expect(script.permissions).toBe('0700');
    expect(script.content).toBe(shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/rke2-bootstrap.sh'), 'utf8')));
  });

  it('writes the RKE2 config with tls-san, pinned ingress controller and S3 snapshots', () => {
    const file = parse(userData).write_files.find((f: { path: string }) => f.path === '/etc/rancher/rke2/config.yaml');
    expect(file.permissions).toBe('0600');
    expect(parse(file.content)).toEqual({
      'token-file': '/etc/rancher/rke2/token',
      'tls-san': settings.tlsSans,
      cni: 'canal',
      'ingress-controller': ['ingress-nginx'],
      'write-kubeconfig-mode': '0600',
      'etcd-snapshot-schedule-cron': '0 */6 * * *',
      'etcd-snapshot-retention': 28,
      // S3 pruning counts every server's snapshots in the folder: 28 each for 3 servers.
      'etcd-s3-retention': 84,
      'etcd-s3': true,
      'etcd-s3-bucket': 'rancher-etcd-1',
      'etcd-s3-region': 'us-east-1',
      'etcd-s3-folder': 'rke-ha',
    });
  });

  it('carries no secret: no token, key or certificate in user data', () => {
    expect(userData).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(userData).not.toMatch(/^token:/m);
  });

  it('stays well under the 16 KiB EC2 user data limit once compressed (ServerNode sends it gzip-compressed)', () => {
    // 6 KiB left for the lists the settings add (registry mirrors, noProxy); ServerNode refuses more at synth.
    // (7.9 KB with the scripts shipped without their comments; 12.6 KB with them.)
    expect(compressedUpperBound(rke2UserData(settings, init))).toBeLessThan(10 * 1024);
  });

  it('rejects env values that would break out of their quotes', () => {
    expect(() => rke2UserData(settings, { ...init, parameterPrefix: '/a"; rm -rf /' })).toThrow(/PARAMETER_PREFIX/);
  });
});
