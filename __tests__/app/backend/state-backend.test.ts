import { tmpdir } from 'node:os';
import { TerraformOutput } from 'cdktf';
import { configureBackend } from '../../../app/backend/state-backend';
import type { BackendSettings } from '../../../app/config/settings-schema';
import { settings, synthConstruct } from '../../helpers/synth';

function backendOf(backend: BackendSettings, region = 'us-east-1', stackName = 'rke-ha') {
  const { json, text } = synthConstruct((stack) => {
    configureBackend(stack, stackName, backend, region);
    new TerraformOutput(stack, 'o', { value: 1 });
  });
  return { backend: json.terraform.backend, text };
}

describe('configureBackend', () => {
  const local = backendOf(settings().backend);
  const customLocal = backendOf(settings({ backend: { type: 'local', path: 'state/<stack>/<stack>.tfstate' } }).backend);
  const s3Settings = settings({ region: 'eu-central-1', backend: { type: 's3', bucket: 'acme-terraform-state' } });
  const s3 = backendOf(s3Settings.backend, s3Settings.region);
  const s3Custom = backendOf(
    settings({
      backend: { type: 's3', bucket: 'acme-terraform-state', key: 'envs/<stack>/<stack>.tfstate', region: 'eu-west-1', kmsKeyId: 'alias/terraform' },
    }).backend,
    'us-east-1',
    'rke-ha',
  );

  it('defaults to a local state file in the project root, relative to the stack directory', () => {
    expect(local.backend).toEqual({ local: { path: '../../../terraform.rke-ha.tfstate' } });
  });

  it('names the default local file after the stack', () => {
    expect(backendOf({ type: 'local' }, 'us-east-1', 'other').backend).toEqual({ local: { path: '../../../terraform.other.tfstate' } });
  });

  it('uses a custom relative local path, every <stack> replaced', () => {
    expect(customLocal.backend).toEqual({ local: { path: 'state/rke-ha/rke-ha.tfstate' } });
  });

  it('refuses a state bucket in another partition than the deployment (one set of credentials reaches one)', () => {
    expect(() =>
      backendOf({ type: 's3', bucket: 'acme-terraform-state', key: 'rancher/<stack>.tfstate', region: 'eu-west-1' }, 'cn-north-1'),
    ).toThrow(/backend\.region eu-west-1 is in the AWS partition aws, and region cn-north-1 in aws-cn/);
  });

  it('writes no absolute path into the configuration', () => {
    for (const { backend, text } of [local, customLocal, s3, s3Custom]) {
      const path: string | undefined = backend.local?.path;
      if (path !== undefined) expect(path.startsWith('/')).toBe(false);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain(tmpdir());
    }
  });

  it('uses S3 with encryption, native locking, the stack key and the stack region by default', () => {
    expect(s3.backend).toEqual({
      s3: { bucket: 'acme-terraform-state', key: 'rancher/rke-ha.tfstate', region: 'eu-central-1', encrypt: true, use_lockfile: true },
    });
    expect(s3.backend.s3).not.toHaveProperty('dynamodb_table');
  });

  it('replaces every <stack> in the key and honours an explicit region and KMS key', () => {
    expect(s3Custom.backend).toEqual({
      s3: {
        bucket: 'acme-terraform-state',
        key: 'envs/rke-ha/rke-ha.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        kms_key_id: 'alias/terraform',
        use_lockfile: true,
      },
    });
  });

  it('configures exactly one backend', () => {
    for (const { backend } of [local, customLocal, s3, s3Custom]) expect(Object.keys(backend)).toHaveLength(1);
  });
});
