import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { RECORDED_SUMS } from '../../../lib/config/release-sums';
import { rke2Config, S3_RETENTION_FACTOR } from '../../../lib/kubernetes/private/rke2-config';
import { type Rke2Settings } from '../../../lib/kubernetes/private/rke2-settings';
import { releaseEnvironment } from '../../../lib/kubernetes/private/release-files';

const settings: Rke2Settings = {
  version: 'v1.35.7+rke2r1',
  tlsSans: ['rancher.example.com', 'demo-lb.elb.us-east-1.amazonaws.com'],
  ingressControllers: ['ingress-nginx'],
  etcdSnapshots: { scheduleCron: '0 */6 * * *', retention: 28, bucket: 'demo-etcd-1', region: 'us-east-1', folder: 'rke-ha' },
};

describe('rke2Config', () => {
  it('builds the shared server config', () => {
    expect(rke2Config(settings)).toEqual({
      'token-file': '/etc/rancher/rke2/token',
      'tls-san': ['rancher.example.com', 'demo-lb.elb.us-east-1.amazonaws.com'],
      cni: 'canal',
      'ingress-controller': ['ingress-nginx'],
      'write-kubeconfig-mode': '0600',
      'etcd-snapshot-schedule-cron': '0 */6 * * *',
      'etcd-snapshot-retention': 28,
      'etcd-s3-retention': 84,
      'etcd-s3': true,
      'etcd-s3-bucket': 'demo-etcd-1',
      'etcd-s3-region': 'us-east-1',
      'etcd-s3-folder': 'rke-ha',
    });
  });

  it('keeps one cluster-wide S3 count, three times the per-server retention: S3 pruning counts every server of the folder', () => {
    expect(S3_RETENTION_FACTOR).toBe(3);
    expect(rke2Config({ ...settings, etcdSnapshots: { ...settings.etcdSnapshots, retention: 5 } })).toMatchObject({
      'etcd-snapshot-retention': 5,
      'etcd-s3-retention': 15,
    });
  });

  it('pins the chosen ingress controller as a one-element list', () => {
    expect(rke2Config({ ...settings, ingressControllers: ['traefik'] })['ingress-controller']).toEqual(['traefik']);
  });

  it('sets no profile by default, and with profile cis the value RKE2 accepts and the admission configuration written beside it', () => {
    expect(rke2Config(settings)).not.toHaveProperty('profile');
    expect(rke2Config(settings)).not.toHaveProperty('pod-security-admission-config-file');
    expect(rke2Config({ ...settings, profile: 'cis' })).toEqual({
      ...rke2Config(settings),
      profile: 'cis',
      'pod-security-admission-config-file': '/etc/rancher/rke2/rancher-aws-pss.yaml',
    });
  });

  it('holds no secret and no per-node setting', () => {
    const config = rke2Config(settings);
    for (const key of ['token', 'agent-token', 'server', 'node-ip', 'etcd-s3-access-key', 'etcd-s3-secret-key'])
      expect(config).not.toHaveProperty(key);
  });

  it('passes Terraform tokens through unchanged', () => {
    const tokens = {
      ...settings,
      tlsSans: ['${var.rancher_hostname}'],
      etcdSnapshots: { ...settings.etcdSnapshots, bucket: '${aws_s3_bucket.b.id}' },
    };
    const config = rke2Config(tokens);
    expect(config['tls-san']).toEqual(['${var.rancher_hostname}']);
    expect(config['etcd-s3-bucket']).toBe('${aws_s3_bucket.b.id}');
  });

  it('installs the recorded installer and tarball from GitHub at fixed addresses, never get.rke2.io', () => {
    expect(releaseEnvironment('rke2', 'v1.35.7+rke2r1', undefined)).toEqual([
      ['RKE2_INSTALL_URL', 'https://raw.githubusercontent.com/rancher/rke2/382a8b31a8fd78e376ab6f02c4bb0ec5592aada2/install.sh'],
      ['RKE2_INSTALL_SHA256', '2d24db2184dd6b1a5e281fa45cc9a8234c889394721746f89b5fe953fdaaf40a'],
      ['RKE2_ARTIFACT_URL', 'https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/rke2.linux-amd64.tar.gz'],
      ['RKE2_ARTIFACT_SHA256', '7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a'],
      // The release's own sums, a second record the boot compares (not behind a mirror: below).
      ['RKE2_RELEASE_SUMS_URL', 'https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/sha256sum-amd64.txt'],
    ]);
  });

  it('with a mirror: the installer from airGap.installerUrl, the tarball from its folder (no query string), the same sums', () => {
    const env = Object.fromEntries(releaseEnvironment('rke2', 'v1.35.7+rke2r1', 'arm64', 'https://mirror.internal/rke2/install.sh?sig=ab%2F'));
    expect(env).toEqual({
      RKE2_INSTALL_URL: 'https://mirror.internal/rke2/install.sh?sig=ab%2F',
      RKE2_INSTALL_SHA256: '2d24db2184dd6b1a5e281fa45cc9a8234c889394721746f89b5fe953fdaaf40a',
      RKE2_ARTIFACT_URL: 'https://mirror.internal/rke2/v1.35.7%2Brke2r1/rke2.linux-arm64.tar.gz',
      RKE2_ARTIFACT_SHA256: '0887d7b1e08dc7eb5ec57ad1db2d38149d879d224ddaf6f808e31dfa36ba1c9f',
    });
  });

  it('a version the project records no sum for takes the sum the operator supplied (versions.releaseSums), per architecture', () => {
    const supplied = { 'v1.35.8+rke2r1': { 'rke2.linux-amd64.tar.gz': 'a'.repeat(64) }, 'v1.35.7+k3s1': { 'k3s-arm64': 'b'.repeat(64) } };
    // A release without an entry of its own runs the pin's installer (it takes the version from its environment).
    const pinned = RECORDED_SUMS.rke2[DEFAULT_VERSIONS.rke2].installer;
    expect(Object.fromEntries(releaseEnvironment('rke2', 'v1.35.8+rke2r1', undefined, undefined, supplied))).toEqual({
      RKE2_INSTALL_URL: pinned.url,
      RKE2_INSTALL_SHA256: pinned.sha256,
      RKE2_ARTIFACT_URL: 'https://github.com/rancher/rke2/releases/download/v1.35.8%2Brke2r1/rke2.linux-amd64.tar.gz',
      RKE2_ARTIFACT_SHA256: 'a'.repeat(64),
      RKE2_RELEASE_SUMS_URL: 'https://github.com/rancher/rke2/releases/download/v1.35.8%2Brke2r1/sha256sum-amd64.txt',
    });
    // Not for another architecture, nor another version.
    expect(Object.fromEntries(releaseEnvironment('rke2', 'v1.35.8+rke2r1', 'arm64', undefined, supplied)).RKE2_ARTIFACT_SHA256).toBe('');
    expect(Object.fromEntries(releaseEnvironment('rke2', 'v1.35.9+rke2r1', undefined, undefined, supplied)).RKE2_ARTIFACT_SHA256).toBe('');
    expect(Object.fromEntries(releaseEnvironment('k3s', 'v1.35.7+k3s1', 'arm64', undefined, supplied)).K3S_ARTIFACT_SHA256).toBe('b'.repeat(64));
    // A recorded sum is the one used (the settings refuse a supplied one that differs).
    expect(
      Object.fromEntries(
        releaseEnvironment('rke2', 'v1.35.7+rke2r1', undefined, undefined, { 'v1.35.7+rke2r1': { 'rke2.linux-amd64.tar.gz': 'c'.repeat(64) } }),
      ).RKE2_ARTIFACT_SHA256,
    ).toBe('7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a');
  });

  it('a version without recorded sums gets empty ones (its servers refuse to install it) and the pinned installer', () => {
    const env = Object.fromEntries(releaseEnvironment('rke2', 'v1.35.8+rke2r1', undefined));
    expect(env.RKE2_ARTIFACT_SHA256).toBe('');
    expect(env.RKE2_ARTIFACT_URL).toBe('https://github.com/rancher/rke2/releases/download/v1.35.8%2Brke2r1/rke2.linux-amd64.tar.gz');
    expect(env.RKE2_INSTALL_SHA256).toBe(RECORDED_SUMS.rke2[DEFAULT_VERSIONS.rke2].installer.sha256);
    expect(Object.fromEntries(releaseEnvironment('k3s', 'v1.35.7+k3s1', 'arm64'))).toMatchObject({
      K3S_ARTIFACT_URL: 'https://github.com/k3s-io/k3s/releases/download/v1.35.7%2Bk3s1/k3s-arm64',
      K3S_ARTIFACT_SHA256: '',
    });
  });
});
