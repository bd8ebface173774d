import { DEFAULT_PEER_WAIT_SECONDS, identityEnvironment, type ServerNodeIdentity } from '../../../lib/kubernetes/private/node-identity';

describe('identityEnvironment', () => {
  const init: ServerNodeIdentity = {
    role: 'init',
    nodeIp: '10.0.0.10',
    peerIps: ['10.0.16.10', '10.0.32.10'],
    region: 'eu-west-1',
    parameterPrefix: '/rancher/rke-ha',
  };

  it('lists role, address, peers, the previous server, the peer wait, region and parameter path, in that order', () => {
    expect(identityEnvironment(init)).toEqual([
      ['NODE_ROLE', 'init'],
      ['NODE_IP', '10.0.0.10'],
      ['PEER_IPS', '10.0.16.10 10.0.32.10'],
      ['PREVIOUS_SERVER_IPS', ''],
      ['PEER_WAIT_SECONDS', '1800'],
      ['AWS_REGION', 'eu-west-1'],
      ['PARAMETER_PREFIX', '/rancher/rke-ha'],
    ]);
    expect(DEFAULT_PEER_WAIT_SECONDS).toBe(1800);
  });

  it('keeps the peer order (the order they are tried in), space-separated, and names the previous server', () => {
    const env = identityEnvironment({
      ...init,
      role: 'join',
      nodeIp: '10.0.32.10',
      peerIps: ['10.0.16.10', '10.0.0.10'],
      previousServerIps: ['10.0.16.10', '10.0.144.10'],
      peerWaitSeconds: 600,
    });
    expect(env).toEqual([
      ['NODE_ROLE', 'join'],
      ['NODE_IP', '10.0.32.10'],
      ['PEER_IPS', '10.0.16.10 10.0.0.10'],
      ['PREVIOUS_SERVER_IPS', '10.0.16.10 10.0.144.10'],
      ['PEER_WAIT_SECONDS', '600'],
      ['AWS_REGION', 'eu-west-1'],
      ['PARAMETER_PREFIX', '/rancher/rke-ha'],
    ]);
  });

  it('writes an empty PEER_IPS for a single server', () => {
    expect(identityEnvironment({ ...init, peerIps: [] })[2]).toEqual(['PEER_IPS', '']);
  });

  it('passes Terraform references through unchanged', () => {
    const env = identityEnvironment({ ...init, region: '${var.region}', parameterPrefix: '${aws_ssm_parameter.p.name}' });
    expect(env[5]).toEqual(['AWS_REGION', '${var.region}']);
    expect(env[6]).toEqual(['PARAMETER_PREFIX', '${aws_ssm_parameter.p.name}']);
  });
});
