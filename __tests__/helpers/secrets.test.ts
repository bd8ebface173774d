import { notSecret, secretLiterals } from './secrets';
import type { TerraformJson } from './synth';

/** The secret-literal check itself: it must be able to fail. */
describe('secretLiterals', () => {
  it('names a literal at a path that holds a secret, anywhere in the module', () => {
    const module = {
      resource: {
        aws_db_instance: { db: { password: 'hunter2', username: 'k3s' } },
        helm_release: { r: { set_sensitive: [{ name: 'p', value: 'x' }] } },
      },
      provider: { rancher2: [{ token: 'token-abc:xyz' }] },
      output: { key: { value: { private_key: '-----BEGIN' } } },
    } as unknown as TerraformJson;
    expect(secretLiterals(module)).toEqual([
      'resource.aws_db_instance.db.password=hunter2',
      'resource.helm_release.r.set_sensitive[0].value=x',
      'provider.rancher2[0].token=token-abc:xyz',
      'output.key.value.private_key=-----BEGIN',
    ]);
  });

  it('accepts references', () => {
    expect(
      secretLiterals({
        resource: { x: { y: { password: '${random_password.p.result}', private_key_pem: '${tls_private_key.k.private_key_pem}' } } },
      }),
    ).toEqual([]);
  });

  it('takes the datastore URL for no secret only while its password is the generated one', () => {
    const url = (password: string) =>
      `resource.aws_ssm_parameter.boot-parameters_datastore-endpoint_0D4FFD72.value='postgres://k3s:${password}@\${aws_db_instance.d.endpoint}/k3s'`;
    expect(notSecret(url('${random_password.datastore_password_955EF037.result}'))).toBe(true);
    expect(notSecret(url('hunter2'))).toBe(false);
  });
});
