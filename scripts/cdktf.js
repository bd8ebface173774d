#!/usr/bin/env node
// `npm run cdktf -- <command>` (and `npm run synth:hcl`, `npm run cdktf:synth`): CDK Terrain's CLI (cdktn-cli, bin
// `cdktn`), with the Terraform binary the operations CLI takes. cdktn-cli keeps cdktf-cli's contract: it reads
// cdktf.json, writes cdktf.out, passes --hcl to the app as SYNTH_HCL_OUTPUT, and runs Terraform (`version -json` on
// every command, `init`, `plan`, `apply` on deploy and destroy) as TERRAFORM_BINARY_NAME or `terraform`; it knows
// nothing of RANCHER_HA_AWS_TERRAFORM. So a RANCHER_HA_AWS_TERRAFORM that is set becomes its TERRAFORM_BINARY_NAME:
// one setting for every command that runs Terraform (docs/pipeline.md).
// CHECKPOINT_DISABLE=1: no check-in with HashiCorp's checkpoint service (an error offline).
// cdktn-cli 0.24 loads no node-pty (cdktf-cli 0.21 did, whose builds stopped at Node.js 22), so it runs on every line
// `engines` names; it declares Node.js >= 22.19, which is checked here (nodeRefusal) so an older Node.js gets one
// line saying what to do instead of whatever the CLI would trip over first.
const { spawn } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, dirname, join, resolve } = require('node:path');

const SETTING = 'RANCHER_HA_AWS_TERRAFORM';
/** The CLI's package and its binary (docs/toolchain.md, "Node.js"). */
const CLI = { package: 'cdktn-cli', bin: 'cdktn' };

/** The binary RANCHER_HA_AWS_TERRAFORM names (a path made absolute: the CLI runs it in each stack's folder), or a refusal. */
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

/** A version's numbers, for comparing: `22.19.0` → [22, 19, 0]. */
const versionNumbers = (version) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);

/** The lowest Node.js the CLI's package declares (`engines.node`, `>=22.19.0`), or undefined when it names none. */
function minimumNode(cliPackage) {
  const match = /^>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(cliPackage.engines?.node ?? '');
  return match ? match[1] : undefined;
}

/**
 * The refusal when this Node.js (`version`) is older than the one the CLI's package declares, naming both and the
 * ways on; undefined when it is new enough (or the package declares no lower bound).
 */
function nodeRefusal(cliPackage, version = process.versions.node) {
  const minimum = minimumNode(cliPackage);
  if (minimum === undefined) return undefined;
  const [have, need] = [versionNumbers(version), versionNumbers(minimum)];
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > (need[i] ?? 0)) return undefined;
    if ((have[i] ?? 0) < (need[i] ?? 0)) {
      return (
        `${cliPackage.name} ${cliPackage.version} needs Node.js >= ${minimum}; this is ${version}. ` +
        'Run the cdktf commands (npm run cdktf, synth:hcl, cdktf:synth) on Node.js 22, 24 or 26, or on this Node.js ' +
        'run `npm run synth`, then plain terraform in cdktf.out/stacks/<stack> (docs/pipeline.md).'
      );
    }
  }
  return undefined;
}

/** The commands that run Terraform's init, plan and apply: their failures are the ones cdktn-cli 0.24 crashes on. */
const TERRAFORM_COMMANDS = new Set(['deploy', 'apply', 'diff', 'plan', 'destroy']);

/** The command an argument list names (its first word that is not an option), or undefined. */
const commandOf = (args) => args.find((arg) => !arg.startsWith('-'));

// Lines of the CLI's standard error that start its crash (open-constructs/cdk-terrain#361, "Crash on failed deploy",
// open). Read in cdktn-cli 0.24.0's bundle/bin/cdktn.js: yargs' fail handler writes the error's message and stack,
// then "Collecting Debug Information..." and awaits that collection, while the same rejection, unhandled, ends the
// process (Node.js prints its own report: `node:internal/process/promises:...`, the source line, the error again,
// `Node.js v22...`). A Terraform failure's message is `terraform init failed with exit code N` (init) or nothing
// (`undefined` twice: the apply's and the destroy's rejection carries no Error), the rejection's reason then
// `Invoking Terraform CLI failed with exit code N`. An error the CLI types as external (a plan that failed) is one
// line, `External Error: Stack failed to plan: <stack>. Please check the logs for more information.`, and no crash.
// Terraform's own error reached standard output before any of these.
const FAILURE_STARTS = [/^\s+at \S/, /^Collecting Debug Information\.\.\.$/, /^node:internal\//, /^Node\.js v\d/, /^External Error: /];
// A line that may open the crash (its message, the stack's first line): held until the next line says which.
const MAY_OPEN_FAILURE = [/^undefined$/, /failed with exit code \d+$/, /^[\w.]*(Error|Exception|Rejection)\b/];

/**
 * Standard error of the CLI, line by line, to `write`, up to its failure (FAILURE_STARTS): from the error's message
 * on, the lines are dropped and kept for `end()`, which says whether the CLI failed so and what its text held.
 */
function failureFilter(write) {
  let partial = '';
  let held = [];
  let failure;
  const line = (text) => {
    if (failure) return failure.push(text);
    if (FAILURE_STARTS.some((start) => start.test(text))) {
      failure = [...held, text];
      held = [];
      return;
    }
    if (MAY_OPEN_FAILURE.some((opens) => opens.test(text))) return held.push(text);
    for (const kept of held.splice(0)) write(`${kept}\n`);
    write(`${text}\n`);
  };
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const text of lines) line(text);
    },
    end() {
      if (partial !== '') line(partial);
      partial = '';
      if (!failure) for (const kept of held.splice(0)) write(`${kept}\n`);
      return failure ? { failed: true, text: failure.join('\n') } : { failed: false };
    },
  };
}

/**
 * The one line a failed `command` ends with, from the failure's text: the step that failed (Terraform's error is
 * above it, on standard output) and what to do.
 */
function failureLine(command, text) {
  const plan = command === 'diff' || command === 'plan' || /Stack failed to plan/.test(text);
  if (/terraform init failed with exit code \d+/.test(text))
    return "terraform init failed (Terraform's error above): fix what it names (a provider it could not download, the backend, the configuration), then run the same command again.";
  if (!/Invoking Terraform CLI failed with exit code \d+|^External Error: Stack failed to/m.test(text)) {
    const message = text.split('\n').find((line) => line.trim() !== '' && line !== 'undefined' && !FAILURE_STARTS.some((s) => s.test(line)));
    return `${CLI.package} stopped with an error of its own${message ? ` (${message.trim()})` : ''}: RANCHER_DEBUG=1 shows its trace.`;
  }
  if (plan) return "terraform plan failed (Terraform's error above): fix what it names, then run the same command again.";
  if (command === 'destroy')
    return "terraform destroy stopped (Terraform's error above): fix what it names and run it again, or `npm run teardown -- <stack>`, which destroys from any state (docs/teardown.md).";
  return 'Terraform stopped (its error above); what it made is in the state: fix what it names and run the same command again, which goes on from there (docs/deploy.md, "My first apply failed").';
}

function main() {
  const chosen = terraformBinary(process.env);
  if (chosen.refused) {
    process.stderr.write(`rancher-ha-aws: ${chosen.refused}\n`);
    process.exit(1);
  }
  const cliPackageJson = require.resolve(`${CLI.package}/package.json`);
  const cliPackage = require(cliPackageJson);
  const tooOld = nodeRefusal(cliPackage);
  if (tooOld) {
    process.stderr.write(`rancher-ha-aws: ${tooOld}\n`);
    process.exit(1);
  }
  const cli = join(dirname(cliPackageJson), cliPackage.bin[CLI.bin]);
  // The CLI's bundle carries localforage, which probes globalThis.localStorage when it loads; from Node.js 25 Web
  // Storage is on by default and that probe prints an ExperimentalWarning (no --localstorage-file) on every command.
  // Off, the probe finds no localStorage, as on 22 and 24 where it is off by default; 22.19 and later know the flag.
  const args = process.argv.slice(2);
  const command = commandOf(args);
  // A command that runs Terraform gets its standard error read (failureFilter), the rest as it is: standard input and
  // output stay the terminal's, so the CLI's progress and its approval prompt are as they were. RANCHER_DEBUG shows all.
  const filtered = TERRAFORM_COMMANDS.has(command) && !process.env.RANCHER_DEBUG;
  const child = spawn(process.execPath, ['--no-experimental-webstorage', cli, ...args], {
    stdio: ['inherit', 'inherit', filtered ? 'pipe' : 'inherit'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...(chosen.binary ? { TERRAFORM_BINARY_NAME: chosen.binary } : {}) },
  });
  const stderr = filtered ? failureFilter((text) => process.stderr.write(text)) : undefined;
  if (stderr) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => stderr.push(chunk));
  }
  // A terminal's Ctrl-C reaches the CLI too (same process group), which stops Terraform in its own way: this
  // process waits for it. A SIGTERM sent to this process alone is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => {
    process.stderr.write(`rancher-ha-aws: the CLI (cdktn-cli) did not start (${error.message}): run \`npm ci\` first.\n`);
    process.exit(1);
  });
  // 'close': the child has exited and its standard error is read to the end.
  child.on('close', (code, signal) => {
    const ended = stderr?.end();
    if (ended?.failed) process.stderr.write(`rancher-ha-aws: ${failureLine(command, ended.text)}\n`);
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

module.exports = { nodeRefusal, failureFilter, failureLine };

if (require.main === module) main();
