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
        'RKE2_INSTALL_URL="https://raw.githubusercontent.com/rancher/rke2/382a8b31a8fd78e376ab6f02c4bb0ec5592aada2/install.sh"',
        'RKE2_INSTALL_SHA256="2d24db2184dd6b1a5e281fa45cc9a8234c889394721746f89b5fe953fdaaf40a"',
        'RKE2_ARTIFACT_URL="https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/rke2.linux-amd64.tar.gz"',
        'RKE2_ARTIFACT_SHA256="7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a"',
        'RKE2_RELEASE_SUMS_URL="https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/sha256sum-amd64.txt"',
        '',
      ].join('\n'),
    );
    const sourced = runValidator('bash', ['-n'], env.content, 'env.sh');
    expect(sourced.status).toBe(0);
  });
});

describe('rke2UserData on the RHEL family', () => {
  it('installs the signed RPMs with the checked installer (RKE2_INSTALL_METHOD=rpm), so the SELinux policy comes with them', () => {
    const env = parse(rendered(rke2UserData({ ...settings, operatingSystem: 'rhel-9' }, init))).write_files.find(
      (f: { path: string }) => f.path === '/etc/rancher/bootstrap.env',
    );
    expect(env.content).toContain(
      'RKE2_RELEASE_SUMS_URL="https://github.com/rancher/rke2/releases/download/v1.35.7%2Brke2r1/sha256sum-amd64.txt"\nRKE2_INSTALL_METHOD="rpm"\n',
    );
  });

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
      /RKE2_RELEASE_SUMS_URL="[^"]+\/sha256sum-amd64\.txt"\nREGISTRY_HOST="registry.internal:5000"\nREGISTRY_STORE="secretsmanager"\nREGISTRY_SECRET="arn:aws:secretsmanager:eu-west-1:210987654321:secret:login-AbC123"\n$/,
    );
    expect(runValidator('bash', ['-c', 'set -a; . "$0"; set +a; printf %s "$REGISTRY_SECRET"'], env.content, 'env.sh')).toEqual({
      status: 0,
      output: login.secretsManagerSecret,
    });
  });
});
