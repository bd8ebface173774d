import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseSettings } from '../../../lib/config/load';
import {
  DOCKER_BOOTSTRAP_PATH,
  DOCKER_DROP_IN_PATH,
  DOCKER_ENV_PATH,
  RUN_ARGS_PATH,
  dockerUserData,
  type DockerHostInput,
} from '../../../lib/docker/docker-user-data';
import { rancherRunArgs } from '../../../lib/docker/rancher-container';
import { BOOT_LIB_PATH } from '../../../lib/nodes/boot-files';
import { renderTemplate, runValidator, validateCloudConfig, type CloudConfigFile } from '../../helpers/validators';

function input(section: Record<string, unknown> = {}, extra: Partial<DockerHostInput> = {}): DockerHostInput {
  const s = parseSettings({ docker: section }, 'test').docker;
  return {
    version: '2.14.4',
    hostname: 'rancher.example.com',
    tls: s.tls,
    auditLog: s.auditLog,
    proxy: s.proxy,
    vpcCidr: s.vpcCidr,
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
  const full = rendered(
    dockerUserData(
      input(
        { tls: { issuer: 'blank', privateCA: true }, auditLog: { enabled: true, level: 1 }, proxy: { http: 'http://proxy:3128', https: 'http://proxy:3128' } },
        { certificateFingerprint: '0123abcd' },
      ),
    ),
  );

  it.each([
    ['defaults', plain],
    ['certificate, audit log and proxy', full],
  ])('passes cloud-init schema, yamllint and shellcheck (%s)', (_name, text) => {
    validateCloudConfig(text);
  });

  it('runs the bootstrap script once, and writes it and the shared helpers unchanged after Terraform rendering', () => {
    const doc = parse(plain);
    expect(doc.runcmd).toEqual([[DOCKER_BOOTSTRAP_PATH]]);
    expect(file(plain, DOCKER_BOOTSTRAP_PATH)).toMatchObject({ permissions: '0700', content: readFileSync(join(__dirname, '../../../lib/docker/docker-bootstrap.sh'), 'utf8') });
    expect(file(plain, BOOT_LIB_PATH).content).toBe(readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8'));
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
    expect(file(full, DOCKER_ENV_PATH).content).toContain('TLS_FILES="cert key cacerts"\nCERTIFICATE_SHA256="0123abcd"\nHTTP_PROXY="http://proxy:3128"\n');
  });

  it('writes the docker run arguments one a line, exactly as built', () => {
    const args = file(full, RUN_ARGS_PATH);
    expect(args.permissions).toBe('0600');
    expect(args.content.trimEnd().split('\n')).toEqual(
      rancherRunArgs(input({ tls: { issuer: 'blank', privateCA: true }, auditLog: { enabled: true, level: 1 } })),
    );
  });

  it('writes the container environment in docker --env-file form (no quotes)', () => {
    expect(file(full, '/etc/rancher-aws/rancher.env').content).toMatch(/\nAUDIT_LOG_ENABLED=true\nAUDIT_LEVEL=1\nHTTP_PROXY=http:\/\/proxy:3128\n/);
    expect(file(plain, '/etc/rancher-aws/rancher.env').content).toBe(
      '# Environment of the rancher container (no secrets: the password is in rancher-secrets.env).\n',
    );
  });

  it('makes Docker wait for the data volume, and gives the daemon the proxy', () => {
    const dropIn = file(full, DOCKER_DROP_IN_PATH);
    expect(dropIn.permissions).toBe('0644');
    expect(dropIn.content).toContain('[Unit]\nRequiresMountsFor=/var/lib/rancher\n');
    expect(dropIn.content).toContain('[Service]\nEnvironment="HTTP_PROXY=http://proxy:3128"\n');
    expect(file(plain, DOCKER_DROP_IN_PATH).content).not.toContain('[Service]');
  });

  it('configures apt for the proxy only when there is one', () => {
    expect(parse(full).apt).toEqual({ http_proxy: 'http://proxy:3128', https_proxy: 'http://proxy:3128' });
    expect(parse(plain).apt).toBeUndefined();
  });

  it('carries no secret', () => {
    expect(full).not.toMatch(/BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)/);
    expect(full).not.toMatch(/CATTLE_BOOTSTRAP_PASSWORD=[^\n]/);
  });

  it('stays well under the 16 KiB EC2 user data limit', () => {
    expect(Buffer.byteLength(full)).toBeLessThan(14 * 1024);
  });

  it('rejects env values that would break out of their quotes', () => {
    expect(() => dockerUserData(input({}, { parameterPrefix: '/a"; reboot' }))).toThrow(/PARAMETER_PREFIX/);
  });
});
