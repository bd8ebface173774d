import { parse } from 'yaml';
import { parseSettings } from '../../../app/config/load';
import { DOCKER_ENV_PATH, dockerUserData, type DockerHostInput } from '../../../lib/docker/private/docker-user-data';
import { renderTemplate, runValidator, validateCloudConfig, type CloudConfigFile } from '../../helpers/validators';

/** The host input from a whole settings object (docker section, shared proxy, airGap, rancher.auditLog). */
function input(settings: Record<string, unknown> = {}, extra: Partial<DockerHostInput> = {}): DockerHostInput {
  const s = parseSettings(settings, 'test');
  return {
    version: '2.14.4',
    hostname: 'rancher.example.com',
    tls: s.docker.tls,
    auditLog: s.rancher.auditLog,
    proxy: s.proxy,
    airGap: s.airGap,
    vpcRanges: '10.0.0.0/16',
    region: 'us-east-1',
    parameterPrefix: '/rancher/docker',
    dataVolumeId: 'vol-0123456789abcdef0',
    ...extra,
  };
}

// What Terraform makes of the attribute: escaped `$${` back to `${`.
const rendered = (text: string) =>
  renderTemplate(text, (expression) => {
    throw new Error(`unexpected reference ${expression}`);
  });
const files = (text: string): CloudConfigFile[] => parse(text).write_files;
const file = (text: string, path: string) => files(text).find((f) => f.path === path)!;

describe('dockerUserData', () => {
  const plain = rendered(dockerUserData(input()));
  const fullSettings = {
    docker: { tls: { issuer: 'blank', privateCA: true } },
    rancher: { auditLog: { enabled: true, level: 1 } },
    proxy: { http: 'http://proxy:3128' },
    airGap: {
      systemDefaultRegistry: 'registry.internal:5000',
      useBundledSystemChart: true,
      registryMirrors: { 'docker.io': ['https://mirror.internal', 'https://mirror2.internal:5000/hub'], 'quay.io': ['https://quay-mirror.internal'] },
    },
  };
  const full = rendered(dockerUserData(input(fullSettings, { certificateFingerprint: '0123abcd' })));

  it.each([
    ['defaults', plain],
    ['certificate, audit log, proxy and air gap', full],
  ])('passes cloud-init schema, yamllint and shellcheck (%s)', (_name, text) => {
    validateCloudConfig(text);
  });

  it('writes the host settings into a root-only env file the script sources', () => {
    const env = file(plain, DOCKER_ENV_PATH);
    expect(env.permissions).toBe('0600');
    expect(env.content).toBe(`AWS_REGION="us-east-1"
PARAMETER_PREFIX="/rancher/docker"
DATA_VOLUME_ID="vol-0123456789abcdef0"
RANCHER_IMAGE="rancher/rancher:v2.14.4"
TLS_FILES=""
`);
    expect(runValidator('bash', ['-n'], env.content, 'env.sh').status).toBe(0);
    expect(file(full, DOCKER_ENV_PATH).content).toContain(
      'RANCHER_IMAGE="registry.internal:5000/rancher/rancher:v2.14.4"\nTLS_FILES="cert key cacerts"\nCERTIFICATE_SHA256="0123abcd"\nHTTP_PROXY="http://proxy:3128"\nHTTPS_PROXY="http://proxy:3128"\nNO_PROXY="',
    );
  });
});
