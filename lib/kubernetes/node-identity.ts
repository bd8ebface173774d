/** A server's place in the cluster, as its bootstrap script sees it. */
export interface ServerNodeIdentity {
  /** `init` may start a new cluster when no peer answers; `join` only joins. */
  readonly role: 'init' | 'join';
  readonly nodeIp: string;
  /** Fixed addresses of the other servers, tried in order. */
  readonly peerIps: readonly string[];
  readonly region: string;
  /** SSM path of the token and CA parameters (BootParameters.prefix). */
  readonly parameterPrefix: string;
}

/** The identity as the bootstrap env file's first lines. */
export function identityEnvironment(node: ServerNodeIdentity): [string, string][] {
  return [
    ['NODE_ROLE', node.role],
    ['NODE_IP', node.nodeIp],
    ['PEER_IPS', node.peerIps.join(' ')],
    ['AWS_REGION', node.region],
    ['PARAMETER_PREFIX', node.parameterPrefix],
  ];
}
