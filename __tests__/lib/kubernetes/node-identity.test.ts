import { identityEnvironment, type ServerNodeIdentity } from '../../../lib/kubernetes/node-identity';

describe('identityEnvironment', () => {
  const init: ServerNodeIdentity = { role: 'init', nodeIp: '10.0.0.10', peerIps: ['10.0.16.10', '10.0.32.10'], region: 'eu-west-1', parameterPrefix: '/rancher/rke-ha' };

  it('lists role, address, peers, region and parameter path, in that order', () => {
    expect(identityEnvironment(init)).toEqual([
      ['NODE_ROLE', 'init'],
      ['NODE_IP', '10.0.0.10'],
      ['PEER_IPS', '10.0.16.10 10.0.32.10'],
      ['AWS_REGION', 'eu-west-1'],
      ['PARAMETER_PREFIX', '/rancher/rke-ha'],
    ]);
  });

  it('keeps the peer order (the order they are tried in), space-separated', () => {
    expect(identityEnvironment({ ...init, role: 'join', nodeIp: '10.0.32.10', peerIps: ['10.0.16.10', '10.0.0.10'] })).toEqual([
      ['NODE_ROLE', 'join'],
      ['NODE_IP', '10.0.32.10'],
      ['PEER_IPS', '10.0.16.10 10.0.0.10'],
      ['AWS_REGION', 'eu-west-1'],
      ['PARAMETER_PREFIX', '/rancher/rke-ha'],
    ]);
  });

  it('writes an empty PEER_IPS for a single server', () => {
    expect(identityEnvironment({ ...init, peerIps: [] })[2]).toEqual(['PEER_IPS', '']);
  });

  it('passes Terraform references through unchanged', () => {
    const env = identityEnvironment({ ...init, region: '${var.region}', parameterPrefix: '${aws_ssm_parameter.p.name}' });
    expect(env[3]).toEqual(['AWS_REGION', '${var.region}']);
    expect(env[4]).toEqual(['PARAMETER_PREFIX', '${aws_ssm_parameter.p.name}']);
  });
});
