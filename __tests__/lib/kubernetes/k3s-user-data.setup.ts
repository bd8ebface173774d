// What k3s-user-data.test.ts and k3s-user-data.tools.test.ts share: the references Terraform would fill in, the
// settings and identity of the first server, the air-gapped settings, and the files of the user data.
import { proxySchema } from '../../../lib/config/proxy-schema';
import type { K3sSettings } from '../../../lib/kubernetes/private/k3s-user-data';
import type { ServerNodeIdentity } from '../../../lib/kubernetes/private/node-identity';
import { proxyEnvironment } from '../../../lib/network/private/proxy';
import { reference, tokenExpression } from '../../helpers/synth';
import { renderTemplate, type CloudConfigFile } from '../../helpers/validators';

/** References the stack passes in (the hostname variable and the NLB name), and what Terraform would put there. */
export const REFERENCES: Record<string, string> = {
  'var.rancher_hostname': 'rancher.example.com',
  'aws_lb.load-balancer_nlb_0123.dns_name': 'rancher-nlb-0123456789.elb.us-east-1.amazonaws.com',
};
export const render = (text: string) =>
  renderTemplate(text, (inner) => {
    const expression = tokenExpression(inner);
    if (expression === undefined || !(expression in REFERENCES)) throw new Error(`unexpected reference ${inner}`);
    return REFERENCES[expression];
  });

export const base: K3sSettings = {
  version: 'v1.35.7+k3s1',
  tlsSans: [reference('var.rancher_hostname'), reference('aws_lb.load-balancer_nlb_0123.dns_name')],
};
export const init: ServerNodeIdentity = {
  role: 'init',
  nodeIp: '10.0.0.10',
  peerIps: ['10.0.16.10'],
  region: 'us-east-1',
  parameterPrefix: '/rancher/rke-ha',
};

const NETWORKS = ['10.0.0.0/16', '10.42.0.0/16', '10.43.0.0/16'];
const proxy = proxyEnvironment(proxySchema.parse({ http: 'http://proxy.internal:3128', noProxy: ['.corp.internal'] }), NETWORKS);
export const airGapped: K3sSettings = {
  ...base,
  installUrl: 'https://mirror.internal/k3s/install.sh',
  systemDefaultRegistry: 'registry.internal:5000',
  registryMirrors: { 'docker.io': ['https://mirror.internal'], 'quay.io': ['https://quay-mirror.internal', 'https://quay-mirror2.internal'] },
  proxyEnvironment: proxy,
};

export const file = (files: CloudConfigFile[], path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in user data`);
  return found;
};
