import { parse } from 'yaml';
import { rke2UserData, type Rke2NodeIdentity } from '../../../lib/kubernetes/private/rke2-user-data';
import type { Rke2Settings } from '../../../lib/kubernetes/private/rke2-settings';
import { renderTemplate, runValidator, validateCloudConfig } from '../../helpers/validators';

const settings: Rke2Settings = {
  version: 'v1.35.7+rke2r1',
  tlsSans: ['rancher.example.com', 'rancher-lb-0123456789.elb.us-east-1.amazonaws.com'],
  ingressController: 'ingress-nginx',
  etcdSnapshots: { scheduleCron: '0 */6 * * *', retention: 28, bucket: 'rancher-etcd-1', region: 'us-east-1', folder: 'rke-ha' },
};
const init: Rke2NodeIdentity = {
  role: 'init',
  nodeIp: '10.0.0.10',
  peerIps: ['10.0.16.10', '10.0.32.10'],
  region: 'us-east-1',
  parameterPrefix: '/rancher/rke-ha',
};

// What Terraform makes of the attribute: escaped `$${` back to `${`.
const rendered = (text: string) =>
  renderTemplate(text, (expression) => {
    throw new Error(`unexpected reference ${expression}`);
  });

describe('rke2UserData', () => {
  const userData = rendered(rke2UserData(settings, init));

  it('passes cloud-init schema, yamllint and shellcheck', () => {
    validateCloudConfig(userData);
  });

  it('writes the node identity and pinned version into a root-only env file', () => {
    const env = parse(userData).write_files.find((f: { path: string }) => f.path === '/etc/rancher/bootstrap.env');
    expect(env.permissions).toBe('0600');
    expect(env.content).toBe(
      [
        'NODE_ROLE="init"',
        'NODE_IP="10.0.0.10"',
        'PEER_IPS="10.0.16.10 10.0.32.10"',
        'PREVIOUS_SERVER_IPS=""',
        'PEER_WAIT_SECONDS="1800"',
        'AWS_REGION="us-east-1"',
        'PARAMETER_PREFIX="/rancher/rke-ha"',
        'RKE2_VERSION="v1.35.7+rke2r1"',
        'RKE2_INSTALL_URL="https://get.rke2.io"',
        '',
      ].join('\n'),
    );
    const sourced = runValidator('bash', ['-n'], env.content, 'env.sh');
    expect(sourced.status).toBe(0);
  });
});
