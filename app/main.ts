import { skipTokenTraces } from './token-traces';
import { hideCdktfDeprecation } from './cdktf-deprecations';
import { defaultStateLocationWarning, protectLocalState } from './backend/local-state';
import { outputDirectory, outputDirectoryProblem, outputWriteProblem } from './output-directory';
import { runByCli } from './run-by-cli';
import { SettingsError, SettingsFileError } from '../lib/config/errors';
import { EXIT_CODES, type ExitCode } from './config/exit-codes';
import { readSettings, type LoadedSettings } from './config/load';
import { STACK_IDS } from '../lib/config/resource-names';
import { takeOutputFormat, type OutputFormat } from '../lib/synth/output-format';

/** One message on stderr and the exit code: a person's mistake never shows a stack trace. */
function fail(code: ExitCode, message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  return code;
}

/** What each stack stands up, for the README of its HCL folder (docs/pipeline.md hands that folder to a pipeline). */
const STACK_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'rke-ha':
    'Rancher in high availability on a cluster of its own: RKE2 (or K3s) servers on EC2 in a VPC over three zones, a network load balancer, a Route53 record, then cert-manager and Rancher from their Helm charts. Rancher answers on `https://<rancher_hostname>` at the end of one apply.',
  'k8s-ha':
    "cert-manager and Rancher from their Helm charts onto a Kubernetes cluster that exists already (its kubeconfig), and a Route53 record for the cluster's ingress load balancer.",
  docker: 'One EC2 host running the rancher/rancher container, with its data on a volume of its own and a Route53 record (test and demo installs).',
};

/**
 * cdktf and the stacks (with their provider code) are loaded only once the
 * settings are valid, so a mistake is reported at once. Returns the summary
 * of what was written where, and the constructs' warnings.
 */
function synth({ settings, source }: LoadedSettings, outdir: string, format: OutputFormat): { summary: string; warnings: string[] } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App } = require('cdktf') as typeof import('cdktf');
  const { writeStackOutput } = require('../lib/synth/stack-output') as typeof import('../lib/synth/stack-output');
  const { synthSummary } = require('./summary') as typeof import('./summary');
  const { constructWarnings } = require('../lib/synth/warnings') as typeof import('../lib/synth/warnings');
  const { RkeHaStack, RKE_HA_STACK } = require('./stacks/rke-ha') as typeof import('./stacks/rke-ha');
  const { K8sHaStack, K8S_HA_STACK } = require('./stacks/k8s-ha') as typeof import('./stacks/k8s-ha');
  const { DockerStack, DOCKER_STACK } = require('./stacks/docker') as typeof import('./stacks/docker');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Settings were validated before the App exists, so a mistake writes nothing to the output directory.
  const app = new App({ outdir });
  const stacks = [
    new RkeHaStack(app, RKE_HA_STACK, settings),
    new K8sHaStack(app, K8S_HA_STACK, settings),
    new DockerStack(app, DOCKER_STACK, settings),
  ];
  app.synth();
  // cdktf wrote JSON; HCL, when asked for, is converted here (cdktf 0.21's own renderer writes invalid HCL).
  const outputs = writeStackOutput(app.outdir, stacks, format, { describe: (stack) => STACK_DESCRIPTIONS[stack] });
  return { summary: synthSummary(outputs, format, source), warnings: constructWarnings(app) };
}

export function main(): ExitCode {
  skipTokenTraces();
  hideCdktfDeprecation();
  // Before anything of cdktf's runs: the App must never see --hcl (see takeOutputFormat).
  const format = takeOutputFormat();
  let loaded: LoadedSettings;
  try {
    loaded = readSettings();
  } catch (error) {
    if (error instanceof SettingsFileError) return fail(EXIT_CODES.settingsFile, error.message);
    if (error instanceof SettingsError) return fail(EXIT_CODES.invalidSettings, error.message);
    return internalError(error);
  }
  const outdir = outputDirectory();
  const problem = outputDirectoryProblem(outdir);
  if (problem) return fail(EXIT_CODES.outputDirectory, `Cannot write the synthesized stacks: ${problem}`);
  let result: { summary: string; warnings: string[] };
  try {
    result = synth(loaded, outdir, format);
  } catch (error) {
    return synthFailure(error);
  }
  // The CLI shows the constructs' warnings itself (from the manifest), and the app's stderr as errors: said once, there.
  const stateLocation = defaultStateLocationWarning(outdir, loaded.settings.backend);
  for (const warning of [
    ...(runByCli(process.env) ? [] : result.warnings),
    ...(stateLocation ? [stateLocation] : []),
    ...protectLocalState(outdir, STACK_IDS, loaded.settings.backend),
  ])
    process.stderr.write(`Warning: ${warning}\n`);
  process.stdout.write(result.summary);
  return EXIT_CODES.ok;
}

/**
 * What a failed synth tells the user: the output directory it could not write, a construct's refusal of its props
 * (the settings' values, which the settings file's rules let through: the servers' user data over EC2's limit, say) as
 * a mistake in the settings, anything else as an internal error.
 */
export function synthFailure(error: unknown): ExitCode {
  const write = outputWriteProblem(error);
  if (write) return fail(EXIT_CODES.outputDirectory, `Cannot write the synthesized stacks: ${write}`);
  if (error instanceof SettingsError) return fail(EXIT_CODES.invalidSettings, error.message);
  return internalError(error);
}

function internalError(error: unknown): ExitCode {
  if (process.env.RANCHER_DEBUG) console.error(error);
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
  return fail(
    EXIT_CODES.internalError,
    `Internal error (not a mistake in your settings): ${first}\nRerun with RANCHER_DEBUG=1 for the stack trace, and report it.`,
  );
}
