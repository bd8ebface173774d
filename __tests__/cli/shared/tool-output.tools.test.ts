import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandFailed, output } from '../../../cli/shared/process';
import { Terraform } from '../../../cli/shared/terraform';

// Terraform's own errors, as the operations pass them on: a module folder that was never `terraform init`ed (the
// most common first mistake in a pipeline: said in one short line with the next step), with a CLI configuration file that is not there (a warning before the
// error). terraform colours its diagnostics on a pipe too; the message must carry none of that, and only whole
// paragraphs of what it said.
describe('terraform errors in the operations messages', () => {
  let dir: string;
  const saved = { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ops-terraform-errors-'));
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ terraform: { backend: { local: { path: 'terraform.tfstate' } } } }));
    Object.assign(process.env, { TF_CLI_CONFIG_FILE: join(dir, 'no-such.terraformrc'), CHECKPOINT_DISABLE: '1' });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });

  /** What terraform says without colours, as paragraphs on one line each: the message may hold only these. */
  function paragraphs(args: string[]): string[] {
    const plain = spawnSync('terraform', [...args, '-no-color'], { cwd: dir, encoding: 'utf8' }).stderr;
    return plain
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
  }

  function expectWholeParagraphs(message: string, prefix: string, said: string[]): void {
    expect(message).not.toMatch(/\u001b/);
    expect(message).not.toMatch(/[╷│╵]/);
    expect(message.startsWith(prefix)).toBe(true);
    const lines = message.slice(prefix.length).split('\n');
    // It starts at terraform's error (the warning before it left out), and the advice in it is there whole.
    expect(lines[0]).toMatch(/^Error\b.*Backend initialization required, please run "terraform init"/);
    for (const line of lines) expect(said).toContain(line);
  }

  // Terraform's own text, passed on whole, made one line of 981 characters in a command's output (d0e353c): the
  // next step is all a person needs.
  it('terraform state pull (every teardown, roll and rotate starts with it) in a folder never initialized: a short line with the next step', async () => {
    const message = await new Terraform(dir).pull().then(
      () => '',
      (error: Error) => error.message,
    );
    expect(paragraphs(['state', 'pull']).join(' ')).toContain('Initial configuration of the requested backend "local"');
    expect(message).toBe(
      `${dir} was never initialized: run \`terraform -chdir=${dir} init\` (it installs the providers and connects the state backend), then this command again.`,
    );
    expect(message.length - dir.length * 2).toBeLessThan(200);
  });

  it('terraform state pull after the backend block changed: -migrate-state or -reconfigure named', async () => {
    const changed = mkdtempSync(join(tmpdir(), 'ops-terraform-changed-'));
    try {
      const backend = (path: string) => JSON.stringify({ terraform: { backend: { local: { path } } } });
      writeFileSync(join(changed, 'cdk.tf.json'), backend('a.tfstate'));
      expect(spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: changed, encoding: 'utf8' }).status).toBe(0);
      writeFileSync(join(changed, 'cdk.tf.json'), backend('b.tfstate'));
      await expect(new Terraform(changed).pull()).rejects.toThrow(
        `${changed}: its backend settings changed since \`terraform init\` ran there: run \`terraform -chdir=${changed} init -migrate-state\` (or -reconfigure to start from the new backend's state), then this command again.`,
      );
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });

  it('a command that fails (CommandFailed: terraform state rm, show; aws, kubectl)', () => {
    let error: unknown;
    try {
      output('terraform', ['state', 'rm', 'aws_s3_bucket.snapshots'], { cwd: dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CommandFailed);
    expectWholeParagraphs(
      (error as Error).message,
      'terraform state rm aws_s3_bucket.snapshots failed (exit 1): ',
      paragraphs(['state', 'rm', 'aws_s3_bucket.snapshots']),
    );
  });
});
