import { parse } from 'yaml';
import { k3sUserData } from '../../../lib/kubernetes/private/k3s-user-data';
import { runValidator, validateCloudConfig, type CloudConfigFile } from '../../helpers/validators';
import { render, base, init, airGapped, file } from './k3s-user-data.setup';

describe('k3sUserData (defaults)', () => {
  const raw = k3sUserData(base, init);
  const userData = render(raw);

  it('passes cloud-init schema, yamllint and shellcheck', () => {
    validateCloudConfig(userData);
  });
});

describe('k3sUserData on the RHEL family', () => {
  it('passes cloud-init schema, yamllint and shellcheck, the host preparation included', () => {
    const written = validateCloudConfig(render(k3sUserData({ ...base, operatingSystem: 'rhel-9' }, init)));
    expect(written.map((f) => f.path)).toContain('/usr/local/sbin/rancher-aws-prepare-host');
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

describe('k3sUserData (air gap with a registry login)', () => {
  const userData = render(
    k3sUserData({ ...airGapped, registryCredentials: { registry: 'mirror.internal', ssmParameter: '/rancher/registry-login' } }, init),
  );

  it('passes cloud-init schema, yamllint and shellcheck, the login script and the mirrors file included', () => {
    const paths = validateCloudConfig(userData).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['/usr/local/sbin/rancher-aws-registry-credentials', '/etc/rancher/k3s/registries-mirrors.yaml']));
    expect(paths).not.toContain('/etc/rancher/k3s/registries.yaml');
  });
});
