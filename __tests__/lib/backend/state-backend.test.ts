import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformOutput } from 'cdktf';
import { configureBackend, protectLocalState } from '../../../lib/backend/state-backend';
import type { BackendSettings } from '../../../lib/config/schema';
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
    settings({ backend: { type: 's3', bucket: 'acme-terraform-state', key: 'envs/<stack>/<stack>.tfstate', region: 'eu-west-1', kmsKeyId: 'alias/terraform' } }).backend,
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

describe('protectLocalState', () => {
  const STACKS = ['rke-ha', 'k8s-ha', 'docker'];
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'rancher-state-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const mode = (file: string) => statSync(join(cwd, file)).mode & 0o777;

  it('creates each stack\'s default state file and its backup empty, readable by the owner only', () => {
    expect(protectLocalState('cdktf.out', STACKS, { type: 'local' }, cwd)).toEqual([]);
    for (const stack of STACKS) {
      for (const file of [`terraform.${stack}.tfstate`, `terraform.${stack}.tfstate.backup`]) {
        expect(mode(file)).toBe(0o600);
        expect(readFileSync(join(cwd, file), 'utf8')).toBe('');
      }
    }
  });

  it('narrows an existing world-readable state file to 0600 and keeps its content', () => {
    writeFileSync(join(cwd, 'terraform.rke-ha.tfstate'), '{"version":4}', { mode: 0o644 });
    chmodSync(join(cwd, 'terraform.rke-ha.tfstate'), 0o644);
    protectLocalState('cdktf.out', ['rke-ha'], { type: 'local' }, cwd);
    expect(mode('terraform.rke-ha.tfstate')).toBe(0o600);
    expect(readFileSync(join(cwd, 'terraform.rke-ha.tfstate'), 'utf8')).toBe('{"version":4}');
  });

  it('follows a custom path with <stack>, relative to the stack directory', () => {
    mkdirSync(join(cwd, 'state'));
    protectLocalState('out', ['docker'], { type: 'local', path: '../../../state/<stack>.tfstate' }, cwd);
    expect(mode('state/docker.tfstate')).toBe(0o600);
  });

  it('creates nothing when the state folder does not exist, or with the S3 backend', () => {
    expect(protectLocalState('out', ['docker'], { type: 'local', path: '../../../missing/<stack>.tfstate' }, cwd)).toEqual([]);
    expect(protectLocalState('out', ['docker'], { type: 's3', bucket: 'b', key: 'k/<stack>' }, cwd)).toEqual([]);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('leaves what is not a regular file alone', () => {
    mkdirSync(join(cwd, 'terraform.docker.tfstate'));
    expect(protectLocalState('out', ['docker'], { type: 'local' }, cwd)).toEqual([]);
    expect(statSync(join(cwd, 'terraform.docker.tfstate')).isDirectory()).toBe(true);
  });
});
