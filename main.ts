import { App } from 'cdktf';
import { protectLocalState } from './lib/backend/state-backend';
import { outputDirectory, outputDirectoryProblem, outputWriteProblem } from './lib/common/output-directory';
import { SettingsError, SettingsFileError } from './lib/config/errors';
import { EXIT_CODES, type ExitCode } from './lib/config/exit-codes';
import { loadSettings } from './lib/config/load';
import type { Settings } from './lib/config/schema';
import { DOCKER_STACK, DockerStack } from './stacks/docker';
import { K8S_HA_STACK, K8sHaStack } from './stacks/k8s-ha';
import { RKE_HA_STACK, RkeHaStack } from './stacks/rke-ha';

const STACKS = [RKE_HA_STACK, K8S_HA_STACK, DOCKER_STACK];

/** One line on stderr and the exit code: a person's mistake never shows a stack trace. */
function fail(code: ExitCode, message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  return code;
}

function synth(settings: Settings, outdir: string): void {
  // Settings were validated before the App exists, so a mistake writes nothing to the output directory.
  const app = new App({ outdir });
  new RkeHaStack(app, RKE_HA_STACK, settings);
  new K8sHaStack(app, K8S_HA_STACK, settings);
  new DockerStack(app, DOCKER_STACK, settings);
  app.synth();
}

function main(): ExitCode {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof SettingsFileError) return fail(EXIT_CODES.settingsFile, error.message);
    if (error instanceof SettingsError) return fail(EXIT_CODES.invalidSettings, error.message);
    return internalError(error);
  }
  const outdir = outputDirectory();
  const problem = outputDirectoryProblem(outdir);
  if (problem) return fail(EXIT_CODES.outputDirectory, `Cannot write the synthesized stacks: ${problem}`);
  try {
    synth(settings, outdir);
  } catch (error) {
    const write = outputWriteProblem(error);
    if (write) return fail(EXIT_CODES.outputDirectory, `Cannot write the synthesized stacks: ${write}`);
    return internalError(error);
  }
  const warnings = protectLocalState(outdir, STACKS, settings.backend);
  for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
  return EXIT_CODES.ok;
}

function internalError(error: unknown): ExitCode {
  if (process.env.RANCHER_DEBUG) console.error(error);
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
  return fail(EXIT_CODES.internalError, `Internal error (a bug in this project, not in your settings): ${first}\nRerun with RANCHER_DEBUG=1 for the stack trace, and report it.`);
}

process.exitCode = main();
