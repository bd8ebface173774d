import { parse } from 'yaml';
import { k3sUserData, type K3sSettings } from '../../../lib/kubernetes/private/k3s-user-data';
import type { ServerNodeIdentity } from '../../../lib/kubernetes/private/node-identity';
import { proxyEnvironment } from '../../../lib/network/private/proxy';
import { settings as parseSettings, reference, tokenExpression } from '../../helpers/synth';
import { renderTemplate, runValidator, validateCloudConfig, type CloudConfigFile } from '../../helpers/validators';

/** References the stack passes in (the hostname variable and the NLB name), and what Terraform would put there. */
const REFERENCES: Record<string, string> = {
  'var.rancher_hostname': 'rancher.example.com',
  'aws_lb.load-balancer_nlb_0123.dns_name': 'rancher-nlb-0123456789.elb.us-east-1.amazonaws.com',
};
const render = (text: string) =>
  renderTemplate(text, (inner) => {
    const expression = tokenExpression(inner);
    if (expression === undefined || !(expression in REFERENCES)) throw new Error(`unexpected reference ${inner}`);
    return REFERENCES[expression];
  });

const base: K3sSettings = {
  version: 'v1.35.7+k3s1',
  tlsSans: [reference('var.rancher_hostname'), reference('aws_lb.load-balancer_nlb_0123.dns_name')],
};
const init: ServerNodeIdentity = {
  role: 'init',
  nodeIp: '10.0.0.10',
  peerIps: ['10.0.16.10'],
  region: 'us-east-1',
  parameterPrefix: '/rancher/rke-ha',
};

const NETWORKS = ['10.0.0.0/16', '10.42.0.0/16', '10.43.0.0/16'];
const proxy = proxyEnvironment(parseSettings({ proxy: { http: 'http://proxy.internal:3128', noProxy: ['.corp.internal'] } }).proxy, NETWORKS);
const airGapped: K3sSettings = {
  ...base,
  installUrl: 'https://mirror.internal/k3s/install.sh',
  systemDefaultRegistry: 'registry.internal:5000',
  registryMirrors: { 'docker.io': ['https://mirror.internal'], 'quay.io': ['https://quay-mirror.internal', 'https://quay-mirror2.internal'] },
  proxyEnvironment: proxy,
};

const file = (files: CloudConfigFile[], path: string) => {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in user data`);
  return found;
};

describe('k3sUserData (defaults)', () => {
  const raw = k3sUserData(base, init);
  const userData = render(raw);

  it('passes cloud-init schema, yamllint and shellcheck', () => {
    validateCloudConfig(userData);
  });
});

describe('k3sUserData (air gap and proxy)', () => {
  const userData = render(k3sUserData(airGapped, init));
  const files = (parse(userData) as { write_files: CloudConfigFile[] }).write_files;

  it('passes cloud-init schema, yamllint and shellcheck', () => {
    validateCloudConfig(userData);
  });

  it('writes an env file bash can source', () => {
    const env = file(files, '/etc/rancher/bootstrap.env').content;
    const sourced = runValidator(
      'bash',
      ['-c', 'set -a; . "$0"; set +a; printf "%s|%s|%s" "$PEER_IPS" "$K3S_VERSION" "$HTTPS_PROXY"'],
      env,
      'bootstrap.env',
    );
    expect(sourced).toEqual({ status: 0, output: '10.0.16.10|v1.35.7+k3s1|http://proxy.internal:3128' });
  });
});
