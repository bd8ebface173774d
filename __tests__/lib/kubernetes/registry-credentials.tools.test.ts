import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NodeSandbox } from '../../helpers/node-sandbox';
import { runValidator } from '../../helpers/validators';

const SCRIPT = 'lib/kubernetes/registry-credentials.sh';
const REGISTRY = 'registry.internal:5000';
const MIRRORS = 'mirrors:\n  docker.io:\n    endpoint:\n      - https://registry.internal:5000\n';
const TARGET = 'etc/rancher/rke2/registries.yaml';
const PASSWORD = 's3cr3t-Pa55';

let boxes: NodeSandbox[] = [];
afterEach(() => {
  boxes.forEach((b) => b.dispose());
  boxes = [];
});

/** A server whose env file names the login (airGap.registryCredentials), with the mirrors cloud-init wrote. */
function node(store: 'ssm' | 'secretsmanager' = 'ssm', secret = '/rancher/registry-login', distribution = 'rke2'): NodeSandbox {
  const b = new NodeSandbox({
    AWS_REGION: 'us-east-1',
    PARAMETER_PREFIX: '/rancher/rke-ha',
    REGISTRY_HOST: REGISTRY,
    REGISTRY_STORE: store,
    REGISTRY_SECRET: secret,
  });
  b.write(`etc/rancher/${distribution}/registries-mirrors.yaml`, MIRRORS);
  boxes.push(b);
  return b;
}

const login = (username: string, password: string) => JSON.stringify({ username, password });
/** The SSM parameter `registry-login` (GetParameter's answer), holding `value`. */
const stored = (b: NodeSandbox, value: string) => b.parameter('registry-login', value);
const run = (b: NodeSandbox, distribution = 'rke2', env: Record<string, string> = {}) => b.run({ file: SCRIPT, args: [distribution] }, env);
const written = (b: NodeSandbox, distribution = 'rke2') => parse(b.read(`etc/rancher/${distribution}/registries.yaml`));

describe('registry-credentials.sh (rancher-aws-registry-credentials)', () => {
  it('passes shellcheck as committed', () => {
    const text = readFileSync(join(__dirname, '../../..', SCRIPT), 'utf8');
    expect(runValidator('shellcheck', ['--severity=style'], text, 'script.sh')).toEqual({ status: 0, output: '' });
  });

  it('first start: writes registries.yaml from the mirrors and the login, root only, and logs no secret', () => {
    const b = node();
    stored(b, login('robot$rancher', PASSWORD));
    const r = run(b);
    expect(r.status).toBe(0);
    expect(r.output).toContain(`wrote the registry login for ${REGISTRY} from the SSM parameter /rancher/registry-login`);
    expect(r.output).not.toContain(PASSWORD);
    expect(written(b)).toEqual({
      mirrors: { 'docker.io': { endpoint: ['https://registry.internal:5000'] } },
      configs: { [REGISTRY]: { auth: { username: 'robot$rancher', password: PASSWORD } } },
    });
    expect(statSync(b.path(TARGET)).mode & 0o777).toBe(0o600);
    expect(b.calls()).toEqual(['ssm registry-login']);
    // Nothing left beside it (the temporary file is renamed over the target).
    expect(readFileSync(b.path(TARGET), 'utf8').startsWith(MIRRORS)).toBe(true);
  });

  it.each([
    ['quotes and backslashes', 'a"b\\c\'d'],
    ['YAML syntax', ': - # & * ! | > { } [ ] % @ `'],
    ['a newline and a tab', 'line1\nline2\tx'],
    ['non-ASCII letters and an emoji', 'päss-wörd-密码-🔑'],
    ['a line separator and a byte-order mark', 'a\u2028b\ufeffc'],
    ['leading and trailing spaces', '  spaced  '],
  ])('carries a password with %s to RKE2 as it is (YAML double-quoted, escaped)', (_what, password) => {
    const b = node();
    stored(b, login('robot', password));
    expect(run(b).status).toBe(0);
    expect(written(b).configs[REGISTRY].auth).toEqual({ username: 'robot', password });
    // Every line of the file is plain printable text: what yaml.v2 (wharfie, RKE2's loader) accepts.
    expect(b.read(TARGET)).toMatch(/^[\x20-\x7e\n\u00a0-\u2027\u202a-\ufefe\u{10000}-\u{10ffff}]*$/u);
  });

  it("reads a Secrets Manager secret by ARN from the ARN's own region; K3s under /etc/rancher/k3s", () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:rancher/registry-login-AbC123';
    const b = node('secretsmanager', arn, 'k3s');
    b.write('secrets/registry-login-AbC123.json', JSON.stringify({ SecretString: login('robot', PASSWORD), VersionId: 'v1' }));
    const r = run(b, 'k3s');
    expect(r.status).toBe(0);
    expect(b.calls()).toEqual(['secretsmanager eu-west-1 registry-login-AbC123']);
    expect(written(b, 'k3s').configs[REGISTRY].auth.password).toBe(PASSWORD);
  });

  it('without mirrors (systemDefaultRegistry alone) writes only the login', () => {
    const b = node();
    b.remove('etc/rancher/rke2/registries-mirrors.yaml');
    stored(b, login('robot', PASSWORD));
    expect(run(b).status).toBe(0);
    expect(written(b)).toEqual({ configs: { [REGISTRY]: { auth: { username: 'robot', password: PASSWORD } } } });
  });

  describe('first start: a failure stops the start with one line saying why, and writes nothing', () => {
    const FROM = `cannot read the registry login for ${REGISTRY} from the SSM parameter /rancher/registry-login`;

    it('the parameter does not exist: says so at once, without retrying (the bootstrap unit runs again later)', () => {
      const b = node();
      const r = run(b);
      expect(r.status).toBe(1);
      expect(r.output).toContain(`${FROM}: it does not exist (HTTP 400, ParameterNotFound: ); create it, or correct airGap.registryCredentials`);
      expect(b.exists(TARGET)).toBe(false);
      expect(b.calls()).toEqual(['ssm registry-login']);
      expect(b.slept()).toBe(0);
    });

    it("access denied (the role or the key policy): names AWS's reason and what to check", () => {
      const b = node();
      stored(b, login('robot', PASSWORD));
      b.write('ssm-denied/registry-login', '');
      const r = run(b);
      expect(r.status).toBe(1);
      expect(r.output).toContain(
        `${FROM}: access denied (HTTP 400, AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/node-role/i-0 is not authorized to perform: ssm:GetParameter on resource: registry-login); the node role may read only this one, and decrypt it only through ssm: check the name or ARN, and the key policy of a customer managed KMS key`,
      );
      expect(b.exists(TARGET)).toBe(false);
    });

    it('Secrets Manager refuses (KMS): the same, for the secret', () => {
      const b = node('secretsmanager', 'rancher/registry-login');
      b.write('secrets-denied/registry-login', '');
      const r = run(b);
      expect(r.status).toBe(1);
      expect(r.output).toContain(
        `cannot read the registry login for ${REGISTRY} from the Secrets Manager secret rancher/registry-login: access denied (HTTP 400, AccessDeniedException: Access to KMS is not allowed)`,
      );
    });

    it('Secrets Manager: no such secret', () => {
      const b = node('secretsmanager', 'rancher/registry-login');
      const r = run(b);
      expect(r.status).toBe(1);
      expect(r.output).toContain('it does not exist (HTTP 400, ResourceNotFoundException:');
    });

    it.each([
      ['not JSON', 'robot:password'],
      ['no password', JSON.stringify({ username: 'robot' })],
      ['an empty password', login('robot', '')],
      ['a number for a password', JSON.stringify({ username: 'robot', password: 1234 })],
    ])('a value that is %s: says what it must be, and never echoes it', (_what, value) => {
      const b = node();
      stored(b, value);
      const r = run(b);
      expect(r.status).toBe(1);
      expect(r.output).toContain(`${FROM}: its value is not a JSON object with the string fields username and password`);
      expect(r.output).not.toContain('password"');
      expect(b.exists(TARGET)).toBe(false);
    });

    it('SSM unreachable: retries a bounded number of times, then fails', () => {
      const b = node();
      b.write('ssm-down', '');
      const r = run(b, 'rke2', { REGISTRY_ATTEMPTS: '3' });
      expect(r.status).toBe(1);
      expect(r.output).toContain(`${FROM}: no answer from the ssm endpoint in us-east-1`);
      expect(b.calls()).toEqual(['ssm registry-login', 'ssm registry-login', 'ssm registry-login']);
      expect(b.slept()).toBe(20);
    });

    it('throttled once: the retry succeeds', () => {
      const b = node();
      stored(b, login('robot', PASSWORD)).failing('registry-login', 1);
      expect(run(b).status).toBe(0);
      expect(b.calls()).toHaveLength(2);
      expect(written(b).configs[REGISTRY].auth.password).toBe(PASSWORD);
    });
  });

  describe('later starts (rotation): the login is read again before every start of the server', () => {
    const previous = () => {
      const b = node();
      stored(b, login('robot', 'old-password'));
      expect(run(b).status).toBe(0);
      return b;
    };

    it('a changed secret is used from this start on, and said so', () => {
      const b = previous();
      stored(b, login('robot', 'new-password'));
      const r = run(b);
      expect(r.status).toBe(0);
      expect(r.output).toContain(`the registry login for ${REGISTRY} changed in the SSM parameter /rancher/registry-login: using the new one`);
      expect(written(b).configs[REGISTRY].auth.password).toBe('new-password');
    });

    it('an unchanged secret leaves the file alone, silently', () => {
      const b = previous();
      const before = statSync(b.path(TARGET)).ino;
      const r = run(b);
      expect(r).toEqual({ status: 0, output: '' });
      expect(statSync(b.path(TARGET)).ino).toBe(before);
    });

    it.each([
      ['access is denied now', (b: NodeSandbox) => b.write('ssm-denied/registry-login', '')],
      ['the parameter was deleted', (b: NodeSandbox) => b.remove('ssm/registry-login.json')],
      ['SSM cannot be reached', (b: NodeSandbox) => b.write('ssm-down', '')],
      ['the value is not JSON any more', (b: NodeSandbox) => stored(b, 'garbage')],
    ])('%s: keeps the login of the last start, so the server still starts', (_what, breakIt) => {
      const b = previous();
      breakIt(b);
      const r = run(b, 'rke2', { REGISTRY_ATTEMPTS: '1' });
      expect(r.status).toBe(0);
      expect(r.output).toContain('; keeping the one from the last start');
      expect(written(b).configs[REGISTRY].auth.password).toBe('old-password');
    });
  });

  it('refuses an unknown distribution', () => {
    const b = node();
    const r = run(b, 'rke1');
    expect(r.status).toBe(2);
    expect(r.output).toContain('usage: script.sh rke2|k3s');
  });
});
