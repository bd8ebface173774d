import { createHash } from 'node:crypto';
import { evaluate, expressionOf } from '../../helpers/terraform';
import { synth, joinTokenParameters } from './rke-ha-gates.setup';

describe('rke-ha first apply: the join token and the snapshots', () => {
  const json = synth({});
  const { token, ca } = joinTokenParameters(json);

  it('computes, in Terraform, the hash k3s computes over the served server-ca.crt (the file boot-lib writes byte for byte)', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUA\n-----END CERTIFICATE-----\n';
    const expression = expressionOf(token.value)
      .replace(ca.value.slice(2, -1), JSON.stringify(pem))
      .replace('random_password.join-token.result', '"s3cret"');
    expect(evaluate(expression)).toBe(`K10${createHash('sha256').update(pem).digest('hex')}::server:s3cret`);
  });
});
