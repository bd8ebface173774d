#!/usr/bin/env node
// `npm run cdktf -- <command>` (and `npm run synth:hcl`, `npm run cdktf:synth`): the cdktf CLI, with the Terraform
// binary the operations CLI takes. cdktf-cli 0.21 runs Terraform (`version -json` and `-v` on every command, `init`,
// `plan`, `apply` on deploy and destroy) as TERRAFORM_BINARY_NAME or `terraform` (@cdktf/commons src/terraform.js,
// terraformBinaryName); it knows nothing of RANCHER_HA_AWS_TERRAFORM. So a RANCHER_HA_AWS_TERRAFORM that is set
// becomes its TERRAFORM_BINARY_NAME: one setting for every command that runs Terraform (docs/pipeline.md).
// CHECKPOINT_DISABLE=1: no check-in with HashiCorp's checkpoint service (an error offline).
// Before the CLI starts, the node-pty its commands load is loaded here (ptyRefusal): on a Node.js it has no build for,
// one line saying what to do instead of the CLI's require stack.
const { spawn } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { delimiter, dirname, join, resolve, sep } = require('node:path');

const SETTING = 'RANCHER_HA_AWS_TERRAFORM';
/**
 * The CLI's package, its binary and the pseudo-terminal package its commands load (ptyRefusal); on CDK Terrain
 * `{ package: 'cdktn-cli', bin: 'cdktn' }`, no pty (docs/development/cdk-terrain.md, step 3).
 */
const CLI = { package: 'cdktf-cli', bin: 'cdktf', pty: '@cdktf/node-pty-prebuilt-multiarch' };

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

/**
 * Whether `error`, thrown by requiring the pty package from `ptyDir`, is its native part failing to load: no binary
 * for this Node.js (MODULE_NOT_FOUND of a `.node` file, required from inside the package) or one the system's loader
 * refused (ERR_DLOPEN_FAILED: a wrong ABI, a missing library; the package's only native code is its `.node` files).
 * Anything else (a JavaScript file missing from a broken install, an error thrown while loading) is the CLI's to report.
 */
function nativePartFailed(error, ptyDir) {
  if (error === null || typeof error !== 'object') return false;
  if (error.code === 'ERR_DLOPEN_FAILED') return true;
  if (error.code !== 'MODULE_NOT_FOUND') return false;
  const requiredFrom = Array.isArray(error.requireStack) ? error.requireStack[0] : undefined;
  return (
    /^Cannot find module '[^']*\.node'/.test(String(error.message)) && typeof requiredFrom === 'string' && requiredFrom.startsWith(`${ptyDir}${sep}`)
  );
}

/** `args` only ask the CLI for its help or its version, which it answers without loading the pty. */
function asksOnlyForHelpOrVersion(args) {
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  return own.length === 0 || own[0] === 'help' || own.some((arg) => arg === '--help' || arg === '-h' || arg === '--version');
}

/**
 * The refusal when the pty package `pty` does not load on this Node.js, loaded from where the CLI's package (its
 * package.json at `cliPackageJson`) resolves it; undefined when it loads, fails for another reason, or is not there.
 * cdktf-cli 0.21 runs Terraform in a pseudo-terminal (@cdktf/cli-core, models/pty-process): its bundled handlers
 * require the package when a command starts, not for `--version` or `--help`. The package ships prebuilt binaries
 * for the Node.js ABIs it knew (linux-x64: up to 127, Node.js 22), else loads the `build/Release` or `build/Debug`
 * pty.node node-gyp writes where a compiler built it (its lib/prebuild-loader.js). So loading is the test, not a
 * version: a build made on this machine passes as a prebuilt one does. cdktn-cli 0.24 depends on no pty.
 */
function ptyRefusal(cliPackageJson, pty = CLI.pty) {
  if (pty === undefined) return undefined;
  const load = createRequire(cliPackageJson);
  let ptyDir;
  try {
    ptyDir = dirname(load.resolve(`${pty}/package.json`));
  } catch {
    return undefined;
  }
  // The package's loader writes its second failure (`innerError` and a require stack) with console.error before
  // it throws the first: not for the person reading the one line below.
  const consoleError = console.error;
  console.error = () => {};
  try {
    load(pty);
    return undefined;
  } catch (error) {
    if (!nativePartFailed(error, ptyDir)) return undefined;
  } finally {
    console.error = consoleError;
  }
  const cli = require(cliPackageJson);
  return (
    `${cli.name} ${cli.version} needs node-pty, which has no build for Node.js ${process.versions.node} ` +
    `(ABI ${process.versions.modules}) here. Run the cdktf commands (npm run cdktf, synth:hcl, cdktf:synth) on ` +
    'Node.js 20 or 22, or on this Node.js run `npm run synth`, then plain terraform in cdktf.out/stacks/<stack> ' +
    '(docs/pipeline.md).'
  );
}

function main() {
  const chosen = terraformBinary(process.env);
  if (chosen.refused) {
    process.stderr.write(`rancher-ha-aws: ${chosen.refused}\n`);
    process.exit(1);
  }
  const cliPackageJson = require.resolve(`${CLI.package}/package.json`);
  const args = process.argv.slice(2);
  const noPty = asksOnlyForHelpOrVersion(args) ? undefined : ptyRefusal(cliPackageJson);
  if (noPty) {
    process.stderr.write(`rancher-ha-aws: ${noPty}\n`);
    process.exit(1);
  }
  const cli = join(dirname(cliPackageJson), require(cliPackageJson).bin[CLI.bin]);
  const child = spawn(process.execPath, [cli, ...args], {
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
}

module.exports = { ptyRefusal };

if (require.main === module) main();
