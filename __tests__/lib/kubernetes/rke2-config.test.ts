import { rke2Config, S3_RETENTION_FACTOR } from '../../../lib/kubernetes/private/rke2-config';
import { RKE2_INSTALL_URL, type Rke2Settings } from '../../../lib/kubernetes/private/rke2-settings';

const settings: Rke2Settings = {
  version: 'v1.35.7+rke2r1',
  tlsSans: ['rancher.example.com', 'demo-lb.elb.us-east-1.amazonaws.com'],
  ingressController: 'ingress-nginx',
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
    expect(rke2Config({ ...settings, ingressController: 'traefik' })['ingress-controller']).toEqual(['traefik']);
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

  it('installs from get.rke2.io by default', () => {
    expect(RKE2_INSTALL_URL).toBe('https://get.rke2.io');
  });
});
