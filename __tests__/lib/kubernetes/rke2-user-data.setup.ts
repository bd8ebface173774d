// What rke2-user-data.test.ts and rke2-user-data.tools.test.ts share: the settings and identity of the first server,
// and the user data as Terraform renders it.
import type { Rke2NodeIdentity } from '../../../lib/kubernetes/private/rke2-user-data';
import type { Rke2Settings } from '../../../lib/kubernetes/private/rke2-settings';
import { renderTemplate } from '../../helpers/validators';

export const settings: Rke2Settings = {
  version: 'v1.35.7+rke2r1',
  tlsSans: ['rancher.example.com', 'rancher-lb-0123456789.elb.us-east-1.amazonaws.com'],
  ingressControllers: ['ingress-nginx'],
  etcdSnapshots: { scheduleCron: '0 */6 * * *', retention: 28, bucket: 'rancher-etcd-1', region: 'us-east-1', folder: 'rke-ha' },
};
export const init: Rke2NodeIdentity = {
  role: 'init',
  nodeIp: '10.0.0.10',
  peerIps: ['10.0.16.10', '10.0.32.10'],
  region: 'us-east-1',
  parameterPrefix: '/rancher/rke-ha',
};

// What Terraform makes of the attribute: escaped `$${` back to `${`.
export const rendered = (text: string) =>
  renderTemplate(text, (expression) => {
    throw new Error(`unexpected reference ${expression}`);
  });
