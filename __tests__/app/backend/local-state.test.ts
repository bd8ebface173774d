import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStateLocationWarning, localStatePath, protectLocalState } from '../../../app/backend/local-state';

describe('localStatePath', () => {
  it('defaults to the project root, named after the stack', () => {
    expect(localStatePath('docker', { type: 'local' })).toBe('../../../terraform.docker.tfstate');
  });

  it('replaces every <stack>', () => {
    expect(localStatePath('k8s-ha', { type: 'local', path: 'state/<stack>/<stack>.tfstate' })).toBe('state/k8s-ha/k8s-ha.tfstate');
  });
});

describe('defaultStateLocationWarning (CDKTF_OUTDIR moves the default state)', () => {
  it('says nothing for ./cdktf.out, an absolute path to it, another folder directly here, a backend.path or S3', () => {
    for (const outdir of ['cdktf.out', '/work/project/cdktf.out', 'out'])
      expect(defaultStateLocationWarning(outdir, { type: 'local' }, '/work/project')).toBeUndefined();
    expect(defaultStateLocationWarning('/tmp/out', { type: 'local', path: '/work/project/<stack>.tfstate' }, '/work/project')).toBeUndefined();
    expect(
      defaultStateLocationWarning('/tmp/out', { type: 's3', bucket: 'acme-state', key: 'rancher/<stack>.tfstate' }, '/work/project'),
    ).toBeUndefined();
  });

  it('names the folder the default state lands in when the output directory is elsewhere or nested', () => {
    expect(defaultStateLocationWarning('/tmp/out', { type: 'local' }, '/work/project')).toMatch(
      /^the local state files \(terraform\.<stack>\.tfstate\) go to \/tmp, not to \/work\/project: .*Set backend\.path/,
    );
    expect(defaultStateLocationWarning('build/cdktf.out', { type: 'local' }, '/work/project')).toMatch(
      /go to \/work\/project\/build, not to \/work\/project/,
    );
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

  it("creates each stack's default state file and its backup empty, readable by the owner only", () => {
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
