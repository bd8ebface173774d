import { DOCKER_ENV_PATH } from '../../../lib/docker/private/docker-user-data';
import { runValidator, validateCloudConfig } from '../../helpers/validators';
import { file, sampleUserData } from './docker-user-data.setup';

describe('dockerUserData', () => {
  const { plain, full } = sampleUserData();

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
UPGRADE_SNAPSHOT_NAME="demo-docker-data-before-2.14.4"
UPGRADE_SNAPSHOT_TAG="rancher-aws:before-upgrade=demo-docker"
RENEW_WITHIN_DAYS="60"
`);
    expect(runValidator('bash', ['-n'], env.content, 'env.sh').status).toBe(0);
    expect(file(full, DOCKER_ENV_PATH).content).toContain(
      'RANCHER_IMAGE="registry.internal:5000/rancher/rancher:v2.14.4"\nTLS_FILES="cert key cacerts"\nUPGRADE_SNAPSHOT_NAME="demo-docker-data-before-2.14.4"\n' +
        'UPGRADE_SNAPSHOT_TAG="rancher-aws:before-upgrade=demo-docker"\nCERTIFICATE_SHA256="0123abcd"\nRENEW_WITHIN_DAYS="60"\nHTTP_PROXY="http://proxy:3128"\nHTTPS_PROXY="http://proxy:3128"\nNO_PROXY="',
    );
  });
});
