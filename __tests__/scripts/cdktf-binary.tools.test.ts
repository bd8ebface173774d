import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { runBounded } from '../helpers/subprocess';

// The README's main command, `npm run cdktf -- deploy <stack>`, run for real (npm, scripts/cdktf.js, cdktn-cli 0.24,
// the app's synth) with RANCHER_HA_AWS_TERRAFORM naming the binary. cdktn-cli runs Terraform as
// TERRAFORM_BINARY_NAME or `terraform`, as cdktf-cli did (@cdktf/commons src/terraform.js; the same name is read in
// cdktn-cli 0.24.0's bundle/bin/cmds/handlers.js); the wrapper maps the project's setting onto it. No provider is reachable offline, so the binary named is a stand-in that records each call (its folder and the
// environment cdktf gave it), answers `version -json` as Terraform 1.10 does, and fails everything else: the deploy
// stops at its first `init`, which is as far as the choice of binary needs to be seen. A `terraform` stand-in first
// on PATH records any call that went to `terraform` instead.

const ROOT = join(__dirname, '..', '..');
let world: string;
let out: string;

const STUB = (log: string) => `#!/bin/sh
printf '%s|%s|%s\\n' "$PWD" "$CHECKPOINT_DISABLE" "$*" >>${JSON.stringify(log)}
if [ "$*" = "version -json" ]; then echo '{"terraform_version":"1.10.0","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}'; exit 0; fi
echo "stand-in: $*" >&2
exit 1
`;

beforeAll(() => {
  world = mkdtempSync(join(tmpdir(), 'rancher-cdktf-binary-'));
  out = join(world, 'cdktf.out');
  for (const [dir, name] of [
    ['path', 'terraform'],
    ['opentofu', 'tofu'],
  ]) {
    mkdirSync(join(world, dir));
    writeFileSync(join(world, dir, name), STUB(join(world, `${name}-calls`)), { mode: 0o755 });
  }
});
afterAll(() => rmSync(world, { recursive: true, force: true }));

/** Each recorded call of the stand-in `name`: the folder it ran in, CHECKPOINT_DISABLE, its arguments. */
const calls = (name: string) =>
  existsSync(join(world, `${name}-calls`))
    ? readFileSync(join(world, `${name}-calls`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [dir, checkpoint, args] = line.split('|');
          return { dir, checkpoint, args };
        })
    : [];

const npmCdktf = (args: readonly string[], env: Record<string, string>) =>
  runBounded('npm', ['run', '--silent', 'cdktf', '--', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      TERRAFORM_BINARY_NAME: '',
      RANCHER_HA_AWS_TERRAFORM: '',
      CHECKPOINT_DISABLE: '',
      ...env,
      PATH: `${join(world, 'path')}${delimiter}${process.env.PATH}`,
      CI: '1',
      RANCHER_CONFIG: join(__dirname, '..', 'fixtures', 'empty-settings.yaml'),
    },
  });

describe('npm run cdktf -- deploy: the Terraform binary of RANCHER_HA_AWS_TERRAFORM', () => {
  it('runs every Terraform call of the deploy with the binary named (a path relative to the checkout, made absolute), none with terraform', () => {
    const result = npmCdktf(['deploy', 'docker', '--output', out, '--auto-approve'], {
      RANCHER_HA_AWS_TERRAFORM: relative(ROOT, join(world, 'opentofu', 'tofu')),
    });
    // The stand-in refuses `init`: the deploy stops there, after the synth.
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('init failed');
    expect(existsSync(join(out, 'stacks', 'docker', 'cdk.tf.json'))).toBe(true);
    const tofu = calls('tofu');
    expect(tofu.map((c) => c.args)).toEqual(expect.arrayContaining(['version -json', 'init']));
    // `init` in the stack's folder: the binary was found from there, which a relative path would not have been.
    expect(tofu.filter((c) => c.args === 'init').map((c) => c.dir)).toEqual([join(out, 'stacks', 'docker')]);
    expect(tofu.every((c) => c.checkpoint === '1')).toBe(true);
    expect(calls('terraform')).toEqual([]);
  });

  it('refuses, in one line naming the setting and before cdktf starts, a binary that is not there or a TERRAFORM_BINARY_NAME naming another', () => {
    const missing = npmCdktf(['deploy', 'docker', '--output', out], { RANCHER_HA_AWS_TERRAFORM: 'tofu-1.10' });
    expect({ code: missing.status, out: missing.stdout }).toEqual({ code: 1, out: '' });
    expect(missing.stderr).toMatch(
      /^rancher-ha-aws: RANCHER_HA_AWS_TERRAFORM tofu-1\.10: 'tofu-1\.10' was not found on PATH\. Give the path of terraform or tofu/,
    );
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const both = npmCdktf(['deploy', 'docker', '--output', out], {
      RANCHER_HA_AWS_TERRAFORM: join(world, 'opentofu', 'tofu'),
      TERRAFORM_BINARY_NAME: 'terraform',
    });
    expect({ code: both.status, out: both.stdout }).toEqual({ code: 1, out: '' });
    expect(both.stderr).toMatch(
      /^rancher-ha-aws: RANCHER_HA_AWS_TERRAFORM \(\S+tofu\) and TERRAFORM_BINARY_NAME \(terraform\) name different binaries: unset one/,
    );
    expect(calls('terraform')).toEqual([]);
  });
});
