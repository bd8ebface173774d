import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../../../cli/command-line';
import { TERRAFORM_BINARY_ENV, terraformBinary, useTerraformBinary } from '../../../cli/shared/terraform';

describe('the Terraform binary the operations run', () => {
  let dir: string;
  let bin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'terraform-binary-'));
    bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const name of ['terraform', 'tofu']) {
      writeFileSync(join(bin, name), '#!/bin/sh\n', { mode: 0o755 });
    }
    writeFileSync(join(bin, 'not-executable'), '#!/bin/sh\n');
    chmodSync(join(bin, 'not-executable'), 0o644);
    mkdirSync(join(bin, 'a-folder'));
  });
  afterAll(() => {
    useTerraformBinary(undefined, { PATH: bin });
    rmSync(dir, { recursive: true, force: true });
  });

  it('is terraform from PATH unless the flag or the environment variable names another', () => {
    expect(useTerraformBinary(undefined, { PATH: bin })).toBe('terraform');
    expect(terraformBinary()).toBe('terraform');
    expect(useTerraformBinary(undefined, { PATH: bin, [TERRAFORM_BINARY_ENV]: 'tofu' })).toBe('tofu');
    expect(terraformBinary()).toBe('tofu');
    // The flag wins over the environment.
    expect(useTerraformBinary(join(bin, 'terraform'), { PATH: '', [TERRAFORM_BINARY_ENV]: 'tofu' })).toBe(join(bin, 'terraform'));
    expect(terraformBinary()).toBe(join(bin, 'terraform'));
    // An empty variable is no choice (as an unset one).
    expect(useTerraformBinary(undefined, { PATH: bin, [TERRAFORM_BINARY_ENV]: '' })).toBe('terraform');
  });

  it('takes a relative path from the current directory, made absolute (the commands run in the module folder)', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(useTerraformBinary('bin/tofu', { PATH: '' })).toBe(join(dir, 'bin', 'tofu'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses, in one line naming the fix, a binary that is not there or cannot run', () => {
    const refusals = [
      [() => useTerraformBinary(undefined, { PATH: join(dir, 'empty') }), "'terraform' was not found on PATH. Install Terraform >= 1.10"],
      [
        () => useTerraformBinary('tofu', { PATH: join(dir, 'empty') }),
        "--terraform-binary tofu: 'tofu' was not found on PATH. Give the path of terraform or tofu",
      ],
      [
        () => useTerraformBinary(undefined, { PATH: bin, [TERRAFORM_BINARY_ENV]: '/opt/tofu/tofu' }),
        `${TERRAFORM_BINARY_ENV} /opt/tofu/tofu: /opt/tofu/tofu is not an executable file.`,
      ],
      [() => useTerraformBinary(join(bin, 'not-executable'), { PATH: bin }), 'not-executable is not an executable file'],
      [() => useTerraformBinary(join(bin, 'a-folder'), { PATH: bin }), 'a-folder is not an executable file'],
      [() => useTerraformBinary(' ', { PATH: bin }), '--terraform-binary is empty'],
    ] as const;
    for (const [call, message] of refusals) {
      let error: Error | undefined;
      try {
        call();
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toContain(message);
      expect(error?.message).not.toContain('\n');
    }
  });

  it('is an option of every command line', () => {
    const options = (args: string[]) => {
      const parsed = parseCommandLine(args);
      return 'run' in parsed ? parsed.run.options : undefined;
    };
    expect(options(['teardown', 'rke-ha', '--terraform-binary', '/usr/local/bin/tofu'])?.terraformBinary).toBe('/usr/local/bin/tofu');
    expect(options(['acceptance', 'rke-ha', '--terraform-binary=tofu'])?.terraformBinary).toBe('tofu');
    expect(() => parseCommandLine(['drill', '--terraform-binary'])).toThrow("Option '--terraform-binary <path or name>' argument missing.");
  });
});
