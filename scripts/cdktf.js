#!/usr/bin/env node
// `npm run cdktf -- <command>` (and `npm run synth:hcl`, `npm run cdktf:synth`): the cdktf CLI, with the Terraform
// binary the operations CLI takes. cdktf-cli 0.21 runs Terraform (`version -json` and `-v` on every command, `init`,
// `plan`, `apply` on deploy and destroy) as TERRAFORM_BINARY_NAME or `terraform` (@cdktf/commons src/terraform.js,
// terraformBinaryName); it knows nothing of RANCHER_HA_AWS_TERRAFORM. So a RANCHER_HA_AWS_TERRAFORM that is set
// becomes its TERRAFORM_BINARY_NAME: one setting for every command that runs Terraform (docs/pipeline.md).
// CHECKPOINT_DISABLE=1: no check-in with HashiCorp's checkpoint service (an error offline).
const { spawn } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, dirname, join, resolve } = require('node:path');

const SETTING = 'RANCHER_HA_AWS_TERRAFORM';
/** The CLI's package and binary; on CDK Terrain `{ package: 'cdktn-cli', bin: 'cdktn' }` (docs/development/cdk-terrain.md, step 3). */
const CLI = { package: 'cdktf-cli', bin: 'cdktf' };

/** The binary RANCHER_HA_AWS_TERRAFORM names (a path made absolute: cdktf runs it in each stack's folder), or a refusal. */
function terraformBinary(env) {
  const named = env[SETTING];
  if (named === undefined || named === '') return { binary: undefined };
  const executable = (file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  const binary = named.includes('/') ? resolve(named) : named;
  const found = named.includes('/')
    ? executable(binary)
    : (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, named)));
  if (!found)
    return {
      refused: `${SETTING} ${named}: ${named.includes('/') ? `${binary} is not an executable file` : `'${named}' was not found on PATH`}. Give the path of terraform or tofu (>= 1.10), or a name on PATH.`,
    };
  const other = env.TERRAFORM_BINARY_NAME;
  if (other !== undefined && other !== '' && other !== named && other !== binary)
    return {
      refused: `${SETTING} (${named}) and TERRAFORM_BINARY_NAME (${other}) name different binaries: unset one of them (${SETTING} is the project's setting).`,
    };
  return { binary };
}

const chosen = terraformBinary(process.env);
if (chosen.refused) {
  process.stderr.write(`rancher-ha-aws: ${chosen.refused}\n`);
  process.exit(1);
}
const cli = join(dirname(require.resolve(`${CLI.package}/package.json`)), require(`${CLI.package}/package.json`).bin[CLI.bin]);
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHECKPOINT_DISABLE: '1', ...(chosen.binary ? { TERRAFORM_BINARY_NAME: chosen.binary } : {}) },
});
// A terminal's Ctrl-C reaches the cdktf CLI too (same process group), which stops Terraform in its own way: this
// process waits for it. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (error) => {
  process.stderr.write(`rancher-ha-aws: the cdktf CLI did not start (${error.message}): run \`npm ci\` first.\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
