import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsOf, FakeCloud, stateOf } from '../../helpers/fake-cloud';
import { codesOf, said } from '../../helpers/plain-output';
import { checkEveryCluster, cluster, withEncryption, withToken } from '../../helpers/roll-world';
import { synthSettings } from '../../helpers/variants';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';

// The CLI's teardown reaches AWS through the SDK: its runs here reach the fake AWS over HTTP (fake-aws-endpoint/).
useFakeAwsEndpoint();

// The real CLI (the bundle `npm run teardown` runs) with no `terraform` on PATH at all: the binary comes from
// --terraform-binary or RANCHER_HA_AWS_TERRAFORM. No OpenTofu binary is reachable on these machines (it is
// published on GitHub and get.opentofu.org, which they do not reach), so the `tofu` here is a wrapper of that name
// that records each call and hands it to the fake cloud's terraform: what this proves is that every Terraform call
// of a command goes to the binary named, and none to one on PATH.

const json = synthSettings('rke-ha', {}).json;
const clouds: FakeCloud[] = [];
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
  }
});
// The rotations' fake clusters (helpers/roll-world.ts) are checked and removed by its own hook.
checkEveryCluster();

function cloudWithTofu(): { c: FakeCloud; tofu: string; tofuCalls: () => string[] } {
  const state = stateOf(json);
  const c = new FakeCloud(json, { state, aws: awsOf(state), cluster: { apiUp: true } });
  clouds.push(c);
  return withTofu(c);
}

/** The `tofu` wrapper in a world of its own: each call recorded, then handed to the fake cloud's terraform. */
function withTofu(c: FakeCloud): { c: FakeCloud; tofu: string; tofuCalls: () => string[] } {
  const tofu = join(c.dir, 'opentofu', 'tofu');
  mkdirSync(join(c.dir, 'opentofu'));
  writeFileSync(tofu, `#!/bin/bash\nprintf '%s\\n' "$*" >>"$FAKE_WORLD/tofu-calls"\nexec ${JSON.stringify(join(c.bin, 'terraform'))} "$@"\n`, {
    mode: 0o755,
  });
  const tofuCalls = () => (existsSync(join(c.dir, 'tofu-calls')) ? readFileSync(join(c.dir, 'tofu-calls'), 'utf8').split('\n').filter(Boolean) : []);
  return { c, tofu, tofuCalls };
}

/** The fake cloud's terraform calls, without the tool's name. */
const terraformCalls = (c: FakeCloud) =>
  c
    .calls()
    .filter((call) => call.startsWith('terraform '))
    .map((call) => call.slice('terraform '.length));

describe('the Terraform binary of the operations', () => {
  it('teardown runs every Terraform call with --terraform-binary, none with a terraform on PATH (there is none)', () => {
    const { c, tofu, tofuCalls } = cloudWithTofu();
    // With --json: standard output holds the report alone (terraform's destroy reaches it through the host, on
    // standard error with the rest of the progress), its steps spans n of m.
    const result = c.run(['teardown', '--dir', 'module', '--yes', '--json', '--terraform-binary', tofu], { tools: ['aws', 'kubectl'] });
    expect(result.code).toBe(0);
    const run = JSON.parse(result.out);
    expect(run).toMatchObject({ command: 'teardown', exitCode: 0 });
    expect(run.messages.map((m: any) => m.code)).toEqual(codesOf(result.err));
    expect(
      run.spans
        .filter((s: any) => ['forget', 'guards', 'destroy', 'stores'].includes(s.label))
        .map((s: any) => `${s.label} ${s.position.n}/4 ${s.outcome}`),
    ).toEqual(['forget 1/4 done', 'guards 2/4 done', 'destroy 3/4 done', 'stores 4/4 done']);
    expect(codesOf(result.err)).toContain('TEARDOWN_TERRAFORM_OUTPUT');
    expect(run.messages.at(-1)).toMatchObject({ code: 'TEARDOWN_REPORT', level: 'result', data: { done: true, exitCode: 0 } });
    expect(c.world().state.resources).toEqual([]);
    const calls = terraformCalls(c);
    expect(calls).toEqual(expect.arrayContaining(['state pull', 'apply -destroy -refresh=false -auto-approve -input=false']));
    expect(tofuCalls()).toEqual(calls);
  });

  it('takes the binary from RANCHER_HA_AWS_TERRAFORM as well (a name on PATH or a path)', () => {
    const { c, tofu, tofuCalls } = cloudWithTofu();
    const result = c.run(['teardown', '--dir', 'module', '--dry-run'], { tools: ['aws', 'kubectl'], env: { RANCHER_HA_AWS_TERRAFORM: tofu } });
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(tofuCalls()).toEqual(['state pull']);
    expect(terraformCalls(c)).toEqual(['state pull']);
  });

  // A dry run of a rotation reads the state (`state pull`, cli/rotate/restart-each-server.ts rotatedDeployment) and
  // nothing else: it too must take the binary named, by flag or by environment.
  it.each([
    ['token', withToken, / the parameter \/rancher\/rke-ha\/token first/],
    ['encryption-key', withEncryption, /`rke2 secrets-encrypt rotate-keys` once, on server-0/],
  ])('rotate %s --dry-run reads the state with the binary named, by --terraform-binary and by RANCHER_HA_AWS_TERRAFORM', (what, world, plan) => {
    for (const how of ['flag', 'env'] as const) {
      const { c, tofu, tofuCalls } = withTofu(cluster('three', world));
      const result = c.run(['rotate', '--dir', 'module', what, '--dry-run', ...(how === 'flag' ? ['--terraform-binary', tofu] : [])], {
        tools: ['aws', 'kubectl'],
        env: how === 'env' ? { RANCHER_HA_AWS_TERRAFORM: tofu } : {},
      });
      expect({ how, code: result.code, err: result.err }).toEqual({ how, code: 0, err: '' });
      expect(codesOf(result.out)).toEqual(['ROTATE_PLAN', 'ROTATE_DRY_RUN']);
      expect(said(result.out, 'ROTATE_PLAN')).toMatch(plan);
      expect(tofuCalls()).toEqual(['state pull']);
      expect(c.calls()).toEqual(['terraform state pull']);
    }
  });

  it('rotate token runs every Terraform call with --terraform-binary, none with a terraform on PATH', () => {
    const { c, tofu, tofuCalls } = withTofu(cluster('three', withToken));
    const result = c.run(['rotate', '--dir', 'module', 'token', '--terraform-binary', tofu], { tools: ['aws', 'kubectl'] });
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(codesOf(result.out)).toContain('ROTATE_FINISHED');
    expect(terraformCalls(c)).toContain('state pull');
    expect(tofuCalls()).toEqual(terraformCalls(c));
  });

  it('without the setting and no terraform on PATH, every command refuses in one line naming the setting, before any call', () => {
    const { c } = cloudWithTofu();
    for (const command of [
      ['teardown', '--dir', 'module', '--yes'],
      ['roll', '--dir', 'module', '--all'],
      ['drill', '--dir', 'module'],
      ['rotate', '--dir', 'module', 'token'],
      ['rotate', '--dir', 'module', 'encryption-key', '--dry-run'],
      // A real run (its dry run runs no tool at all, so it needs no binary: acceptance-dry-run cases).
      ['acceptance', 'rke-ha', '--region', 'eu-west-1', '--skip', 'upgrade'],
    ]) {
      const result = c.run(command, { tools: ['aws', 'kubectl', 'curl'] });
      expect({ command, code: result.code }).toEqual({ command, code: 1 });
      expect(result.err).toMatch(/^rancher-ha-aws: 'terraform' was not found on PATH\. .*--terraform-binary <path> or RANCHER_HA_AWS_TERRAFORM\.\n$/);
      const wrong = c.run([...command, '--terraform-binary', join(c.dir, 'opentofu', 'tofu-1.10')], { tools: ['aws', 'kubectl', 'curl'] });
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(
        /^rancher-ha-aws: --terraform-binary \S+tofu-1\.10: \S+ is not an executable file\. Give the path of terraform or tofu/,
      );
    }
    expect(c.calls()).toEqual([]);
  });
});
