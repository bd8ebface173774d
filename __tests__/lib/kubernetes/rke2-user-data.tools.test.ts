import { parse } from 'yaml';
import { rke2UserData } from '../../../lib/kubernetes/private/rke2-user-data';
import { runValidator, validateCloudConfig } from '../../helpers/validators';
import { settings, init, rendered } from './rke2-user-data.setup';

describe('rke2UserData', () => {
  const userData = rendered(rke2UserData(settings, init));

  it('passes cloud-init schema, yamllint and shellcheck', () => {
    validateCloudConfig(userData);
  });

  it('passes them with profile cis too: the admission configuration is yamllinted and the host script shellchecked as shipped', () => {
    const files = validateCloudConfig(rendered(rke2UserData({ ...settings, profile: 'cis' }, init)));
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/etc/rancher/rke2/rancher-aws-pss.yaml', '/usr/local/sbin/rancher-aws-cis-host']),
    );
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

describe('rke2UserData on the RHEL family (issue 38)', () => {
  it.each(['rhel-9', 'rocky-9'] as const)('%s: passes cloud-init schema, yamllint and shellcheck, the host preparation included', (os) => {
    const written = validateCloudConfig(rendered(rke2UserData({ ...settings, operatingSystem: os }, init)));
    expect(written.map((f) => f.path)).toEqual(
      expect.arrayContaining(['/usr/local/sbin/rancher-aws-prepare-host', '/etc/NetworkManager/conf.d/rke2-canal.conf']),
    );
  });
});

describe('rke2UserData with a registry login', () => {
  const login = { registry: 'registry.internal:5000', secretsManagerSecret: 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:login-AbC123' };
  const userData = rendered(rke2UserData({ ...settings, systemDefaultRegistry: 'registry.internal:5000', registryCredentials: login }, init));

  it('passes cloud-init schema, yamllint and shellcheck, the login script included', () => {
    expect(validateCloudConfig(userData).map((f) => f.path)).toContain('/usr/local/sbin/rancher-aws-registry-credentials');
  });

  it('adds where the login is to the env file, after everything it held before, and bash sources it', () => {
    const env = parse(userData).write_files.find((f: { path: string }) => f.path === '/etc/rancher/bootstrap.env');
    expect(env.content).toMatch(
      /RKE2_INSTALL_URL="https:\/\/get.rke2.io"\nREGISTRY_HOST="registry.internal:5000"\nREGISTRY_STORE="secretsmanager"\nREGISTRY_SECRET="arn:aws:secretsmanager:eu-west-1:210987654321:secret:login-AbC123"\n$/,
    );
    expect(runValidator('bash', ['-c', 'set -a; . "$0"; set +a; printf %s "$REGISTRY_SECRET"'], env.content, 'env.sh')).toEqual({
      status: 0,
      output: login.secretsManagerSecret,
    });
  });
});
