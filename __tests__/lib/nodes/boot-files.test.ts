import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOOT_LIB_PATH, bootFiles, cloudConfig, envFile, envLine, scriptFile, shellFunctions } from '../../../lib/nodes/private/boot-files';
import { renderTemplate } from '../../helpers/validators';

const LIB = readFileSync(join(__dirname, '../../../lib/nodes/boot-lib.sh'), 'utf8');
const CLUSTER_LIB = readFileSync(join(__dirname, '../../../lib/kubernetes/cluster-lib.sh'), 'utf8');
const unescape = (text: string) =>
  renderTemplate(text, (expression) => {
    throw new Error(`unexpected reference ${expression}`);
  });

describe('boot-lib.sh', () => {
  it('defines each shared helper once (their behaviour is run in bash in boot-lib.test.ts)', () => {
    const helpers = [
      'log',
      'retry',
      'imds_get',
      'json_field',
      'curl_credentials',
      'ssm_credentials',
      'ssm_lookup',
      'ssm_get',
      'fetch_to',
      'cluster_state',
      'live_peer',
      'find_peer',
      'is_voting_member',
      'wait_turn',
      'token_password',
      'run_installer',
    ];
    for (const fn of helpers) expect(LIB.match(new RegExp(`^${fn}\\(\\) \\{`, 'gm'))).toHaveLength(1);
    expect(LIB.match(/^[a-z_]+\(\) \{/gm)).toHaveLength(helpers.length);
  });

  it('appends extra helpers to boot-lib.sh, and gives it unchanged without them', () => {
    const [plain] = bootFiles();
    const [withCluster] = bootFiles(CLUSTER_LIB);
    expect(unescape(plain.content)).toBe(LIB);
    expect(unescape(withCluster.content)).toBe(`${LIB}\n${CLUSTER_LIB}`);
  });

  it('takes named helpers out of a script, each with its comment and nothing else, and refuses a name it does not define', () => {
    const taken = shellFunctions(CLUSTER_LIB, ['aws_post']);
    expect(taken.startsWith('# aws_post SERVICE REGION OUT DATA')).toBe(true);
    expect(taken.match(/^[a-z_]+\(\) \{/gm)).toEqual(['aws_post() {']);
    expect(CLUSTER_LIB).toContain(taken.trimEnd());
    expect(() => shellFunctions(CLUSTER_LIB, ['no_such_helper'])).toThrow('no shell function no_such_helper() in the helpers');
  });

  it('uses IMDSv2 and passes AWS credentials to curl on stdin, not as arguments', () => {
    expect(LIB).toContain('X-aws-ec2-metadata-token-ttl-seconds: 300');
    expect(LIB).toContain('curl -s --config -');
    expect(LIB).not.toMatch(/--user "\$/);
  });
});

describe('boot files', () => {
  it('writes the shared helpers once, root-owned, sourced (not executable), unchanged after Terraform rendering', () => {
    const [lib, ...rest] = bootFiles();
    expect(rest).toEqual([]);
    expect(lib).toMatchObject({ path: BOOT_LIB_PATH, owner: 'root:root', permissions: '0644' });
    expect(unescape(lib.content)).toBe(LIB);
    expect(lib.content).toContain('$${0##*/}');
  });

  it('writes scripts root-only and escapes Terraform template syntax', () => {
    expect(scriptFile('/usr/local/sbin/x.sh', 'echo "${HOME}" %{x}')).toEqual({
      path: '/usr/local/sbin/x.sh',
      owner: 'root:root',
      permissions: '0700',
      content: 'echo "$${HOME}" %%{x}',
    });
  });

  it('writes env files as double-quoted assignments, refusing values that would break out', () => {
    expect(
      envFile('/etc/x.env', [
        ['A', '1'],
        ['B', 'two words'],
      ]),
    ).toEqual({ path: '/etc/x.env', owner: 'root:root', permissions: '0600', content: 'A="1"\nB="two words"\n' });
    for (const bad of ['a"b', 'a\\b', 'a`b', 'a\nb']) expect(() => envLine('NAME', bad)).toThrow(/NAME must not contain/);
  });

  it('renders a #cloud-config document without folding long lines', () => {
    const long = 'x'.repeat(200);
    const text = cloudConfig({ runcmd: [[long]] });
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(text).toContain(`- - ${long}\n`);
    expect(parse(text)).toEqual({ runcmd: [[long]] });
  });
});
