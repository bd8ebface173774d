import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOOTSTRAP_SCRIPT_PATH, RESTORE_SCRIPT_PATH, rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { serverUnits } from '../../../lib/kubernetes/private/server-units';
import { compressedUpperBound } from '../../../lib/nodes/server-node';
import { shipped } from '../../../lib/nodes/private/boot-files';
import { SERVER_START_TIMEOUT } from '../../../lib/kubernetes/private/start-timeout';
import BOOT_LIB from '../../../lib/nodes/boot-lib.sh';
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

  it("bounds every start of rke2-server (its ExecStartPre steps included): RKE2's own unit sets TimeoutStartSec=0, no bound", () => {
    const dropIn = parse(userData).write_files.find(
      (f: { path: string }) => f.path === '/etc/systemd/system/rke2-server.service.d/rancher-aws-start-timeout.conf',
    );
    expect([dropIn.permissions, dropIn.content]).toEqual(['0644', `[Service]\nTimeoutStartSec=${SERVER_START_TIMEOUT}\n`]);
  });

  it("gives the servers' boot helpers a time bound on every curl the Docker host's copy leaves unbounded (IMDS, SSM)", () => {
    const lib = parse(userData).write_files.find((f: { path: string }) => f.path === '/usr/local/lib/rancher-aws/boot-lib.sh').content as string;
    expect(lib).toContain(`curl -sf --connect-timeout 2 --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'`);
    expect(lib).toContain('curl -sf --connect-timeout 2 --max-time 5 -H "X-aws-ec2-metadata-token: $token"');
    expect(lib).toContain(`curl -s --config - --connect-timeout 5 --max-time 30 -o "$body" -w '%{http_code}'`);
    // The Docker host's copy stays byte for byte (its user data replaces it when it changes).
    expect(BOOT_LIB).toContain(`token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token")`);
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

  it('writes none of the CIS profile files by default', () => {
    const paths = parse(userData).write_files.map((f: { path: string }) => f.path);
    expect(paths.filter((p: string) => /cis|pss|sysctl/.test(p))).toEqual([]);
  });

  describe('with profile cis', () => {
    const cis = parse(rendered(rke2UserData({ ...settings, profile: 'cis' }, init)));
    const file = (path: string) => cis.write_files.find((f: { path: string }) => f.path === path);

    it('adds the profile files to the default ones, changing nothing else but the config', () => {
      const base = parse(userData).write_files.filter((f: { path: string }) => f.path !== '/etc/rancher/rke2/config.yaml');
      const added = cis.write_files.filter((f: { path: string }) => !base.some((b: { path: string }) => b.path === f.path));
      expect(added.map((f: { path: string }) => f.path)).toEqual([
        '/etc/rancher/rke2/config.yaml',
        '/etc/sysctl.d/60-rke2-cis.conf',
        '/etc/rancher/rke2/rancher-aws-pss.yaml',
        '/usr/local/sbin/rancher-aws-cis-host',
        '/etc/systemd/system/rancher-aws-bootstrap.service.d/cis-profile.conf',
      ]);
      for (const b of base) expect(file(b.path)).toEqual(b);
      expect(cis.runcmd).toEqual(parse(userData).runcmd);
    });

    it('runs the host script before every run of the bootstrap, with the kernel parameters it applies', () => {
      expect(file('/etc/systemd/system/rancher-aws-bootstrap.service.d/cis-profile.conf').content).toBe(
        '[Service]\nExecStartPre=/usr/local/sbin/rancher-aws-cis-host /etc/sysctl.d/60-rke2-cis.conf\n',
      );
      expect(file('/usr/local/sbin/rancher-aws-cis-host')).toMatchObject({ permissions: '0700', owner: 'root:root' });
      expect(file('/usr/local/sbin/rancher-aws-cis-host').content).toBe(
        shipped(readFileSync(join(__dirname, '../../../lib/kubernetes/cis-host.sh'), 'utf8')),
      );
      expect(file('/etc/sysctl.d/60-rke2-cis.conf')).toMatchObject({
        permissions: '0644',
        content: 'vm.panic_on_oom=0\nvm.overcommit_memory=1\nkernel.panic=10\nkernel.panic_on_oops=1\n',
      });
    });

    it('keeps the admission configuration root-only, as RKE2 keeps its own', () => {
      expect(file('/etc/rancher/rke2/rancher-aws-pss.yaml').permissions).toBe('0600');
      expect(parse(file('/etc/rancher/rke2/rancher-aws-pss.yaml').content).kind).toBe('AdmissionConfiguration');
    });

    it('costs about a kilobyte of the 16 KiB EC2 allows, compressed (1,018 bytes when written)', () => {
      const added = compressedUpperBound(rke2UserData({ ...settings, profile: 'cis' }, init)) - compressedUpperBound(rke2UserData(settings, init));
      expect(added).toBeLessThan(1200);
    });
  });

  it('carries no secret: no token, key or certificate in user data', () => {
    expect(userData).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(userData).not.toMatch(/^token:/m);
  });

  // Its size is not EC2's to bound: it is the boot document the servers' loader reads from S3 (issue 76); the user
  // data EC2 limits is the loader, held for both distributions by __tests__/app/stacks/rke-ha-user-data-size.test.ts.

  it('rejects env values that would break out of their quotes', () => {
    expect(() => rke2UserData(settings, { ...init, parameterPrefix: '/a"; rm -rf /' })).toThrow(/PARAMETER_PREFIX/);
  });
});
