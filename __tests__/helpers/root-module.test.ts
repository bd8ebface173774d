import { literalSecrets } from './root-module';

/** The secret-literal check itself: it must be able to fail. */
describe('literalSecrets', () => {
  it('names an attribute called like a secret that holds a literal, anywhere in the module', () => {
    const module = {
      resource: { aws_db_instance: { db: { password: 'hunter2', username: 'k3s' } } },
      provider: { rancher2: [{ token_key: 'x', token: 'token-abc:xyz' }] },
      '//': { outputs: { stack: { rancher_admin_password: 'rancher_admin_password' } } },
    };
    expect(literalSecrets(module)).toEqual(['resource.aws_db_instance.db.password', 'provider.rancher2[0].token']);
  });

  it('accepts references and empty values', () => {
    expect(literalSecrets({ resource: { x: { y: { password: '${random_password.p.result}', secret: '', private_key_pem: '${tls_private_key.k.private_key_pem}' } } } })).toEqual([]);
  });
});
