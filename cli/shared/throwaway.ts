import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { KubeApi } from './kube/kube-api';
import { Interrupted, waitUntil, yieldFor } from './poll';
import { runAsync, type RunResult } from './process';
import { terraformBinary } from './terraform';
import { readableError } from './tool-output';

// The building blocks of a throwaway deployment, shared by the drill (cli/drill/drill.ts) and the acceptance run
// (cli/acceptance/acceptance.ts): synthesize it from a settings file of its own, apply it in its own folder, wait for /ping,
// time each step into a report, know what its local state still holds.

/** A step that did not pass: its message is the report's detail. */
export class StepFailed extends Error {}

/** The throwaway's state file, beside its module (`backend.path`; `<stack>` is replaced by the stack). */
export const THROWAWAY_STATE = 'terraform.<stack>.tfstate';

/** How many resources the throwaway's local state file holds (0: none, or no file). */
export function leftInState(moduleDir: string, stack: string): number {
  const file = join(moduleDir, THROWAWAY_STATE.replace('<stack>', stack));
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8').trim();
  if (text === '') return 0;
  return ((JSON.parse(text) as { resources?: unknown[] }).resources ?? []).length;
}

/** One timed step of a report: passed, failed, interrupted (a signal) or skipped. */
export interface TimedPhase<P extends string> {
  readonly phase: P;
  readonly status: 'passed' | 'failed' | 'interrupted' | 'skipped';
  /** Wall time of the phase, whole seconds (absent when skipped). */
  readonly seconds?: number;
  readonly detail?: string;
}

/** What a step may add to its own record: a line on what it did, where passing alone does not say it. */
export interface PhaseRecord {
  detail(text: string): void;
}

/** A phase runner: runs one step as the named phase, and gives its value. */
export type PhaseRun<P extends string> = <T>(name: P, step: (record: PhaseRecord) => Promise<T> | T) => Promise<T>;

/**
 * Runs the steps of a report one after another: each is timed and recorded as passed (with the detail the step gave,
 * if any), failed or interrupted; a signal that came during the last (synchronous) command is seen before the next
 * step starts.
 */
export function phaseRunner<P extends string>(options: {
  readonly interrupted: () => boolean;
  readonly results: TimedPhase<P>[];
  /** Called as a step starts (the record a rerun reads). */
  readonly enter: (phase: P) => void;
  readonly log: (line: string) => void;
}): PhaseRun<P> {
  return async (name, step) => {
    // A signal that came during the last (synchronous) command is handled on the event loop: let it run first.
    await yieldFor(0);
    if (options.interrupted()) throw new Interrupted();
    options.enter(name);
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 1000);
    let passedDetail: string | undefined;
    try {
      const value = await step({ detail: (text) => (passedDetail = text) });
      options.results.push({ phase: name, status: 'passed', seconds: seconds(), ...(passedDetail === undefined ? {} : { detail: passedDetail }) });
      return value;
    } catch (error) {
      const interrupted = error instanceof Interrupted || options.interrupted();
      const detail = interrupted ? 'interrupted by a signal' : (error as Error).message;
      options.results.push({ phase: name, status: interrupted ? 'interrupted' : 'failed', seconds: seconds(), detail });
      options.log(`${name}: ${detail}`);
      throw interrupted ? new Interrupted() : error;
    }
  };
}

/** Stops a throwaway's synth or apply: the signal's AbortSignal, and whether one came. */
export interface Stoppable {
  readonly interrupted: () => boolean;
  readonly stop?: AbortSignal;
}

/** The longest the app's synth may take (a local process). */
export const SYNTH_TIMEOUT_MS = 900_000;
/** The longest `terraform init` may take (providers downloaded or found in the plugin cache). */
export const INIT_TIMEOUT_MS = 900_000;

/** The app's synth (`synthScript`) of `settingsFile` into `outdir`. */
export async function synthesize(options: Stoppable & { synthScript: string; settingsFile: string; outdir: string; what: string }): Promise<void> {
  const result = await runAsync(process.execPath, [options.synthScript], {
    env: { RANCHER_CONFIG: options.settingsFile, CDKTF_OUTDIR: options.outdir },
    timeoutMs: SYNTH_TIMEOUT_MS,
    stop: options.stop,
  });
  if (options.interrupted()) throw new Interrupted();
  if (result.code !== 0) throw new StepFailed(`the synth of ${options.what} failed: ${readableError(result.stderr || result.stdout)}`);
}

/**
 * `terraform init`, then `terraform <apply>` in the module folder; a signal stops either with SIGINT (terraform ends
 * the operations in flight and saves its state). The apply's output goes to the terminal (or to `output`), or with
 * `capture` is returned (`apply -json`: the timeline's events). `failed` says what a failure means.
 */
export async function initAndApply(
  moduleDir: string,
  options: Stoppable & {
    apply: readonly string[];
    applyTimeoutMs: number;
    failed: string;
    capture?: boolean;
    /** Each line of terraform's output as it comes (an I/O host's), instead of straight to ours; not with `capture`. */
    output?: (line: string) => void;
  },
): Promise<RunResult> {
  let applied: RunResult | undefined;
  for (const args of [['init', '-input=false'], options.apply]) {
    const init = args[0] === 'init';
    const result = await runAsync(terraformBinary(), args, {
      cwd: moduleDir,
      timeoutMs: init ? INIT_TIMEOUT_MS : options.applyTimeoutMs,
      ...(options.output && (init || !options.capture) ? { onLine: options.output } : { inherit: init || !options.capture }),
      stop: options.stop,
      stopSignal: 'SIGINT',
    });
    if (options.interrupted()) throw new Interrupted();
    if (result.code !== 0)
      throw new StepFailed(
        `terraform ${args[0]} ${result.timedOut ? 'did not finish in time' : `failed (exit ${result.code})`}: ${options.failed}${
          options.capture && !init ? ` (${applyError(result.stdout) || readableError(result.stderr, 600)})` : ''
        }`,
      );
    applied = result;
  }
  return applied!;
}

/** The first error diagnostic of `terraform apply -json` output, in one line. */
function applyError(jsonLines: string): string {
  for (const line of jsonLines.split('\n')) {
    try {
      const event = JSON.parse(line) as { type?: string; diagnostic?: { severity?: string; summary?: string; detail?: string } };
      if (event.type === 'diagnostic' && event.diagnostic?.severity === 'error')
        return `${event.diagnostic.summary ?? ''}${event.diagnostic.detail ? `: ${event.diagnostic.detail}` : ''}`.slice(0, 600);
    } catch {
      // not an event line
    }
  }
  return '';
}

/** Writes Rancher's CA to `caFile`; false (and why) while it cannot be read yet. */
export type CaReader = (caFile: string, why: (text: string) => void) => boolean | Promise<boolean>;

/**
 * Waits until Rancher answers `pong` on `<url>/ping`, trusting Rancher's own CA as the apply's readiness gate does
 * (`readCa`: the `cattle-system/tls-rancher` Secret through the Kubernetes client, rancherCa; or what it reads where
 * there is no cluster to ask: the docker host), written to `caFile`.
 */
export async function waitForPing(readCa: CaReader, url: string, caFile: string, minutes: number, interrupted: () => boolean): Promise<void> {
  let last = '';
  const answered = await waitUntil(minutes * 60_000, interrupted, async () => {
    if (!(await readCa(caFile, (why) => (last = why)))) return undefined;
    const ping = await runAsync('curl', ['--silent', '--show-error', '--max-time', '20', '--cacert', caFile, `${url}/ping`], { timeoutMs: 60_000 });
    if (ping.code === 0 && ping.stdout.trim() === 'pong') return true;
    last = ping.code === 0 ? `answered '${ping.stdout.trim().slice(0, 80)}'` : readableError(ping.stderr, 300);
    return undefined;
  });
  if (!answered) throw new StepFailed(`Rancher did not answer pong on ${url}/ping within ${minutes} minutes (last: ${last})`);
}

/**
 * Rancher's own CA (`tls.crt` of the `cattle-system/tls-rancher` Secret, RANCHER_CA_SECRET of rancher-readiness.ts)
 * into `caFile`, read through the Kubernetes client; false (and why) while the Secret is not there, holds no CA yet,
 * or the API does not answer (a restored cluster starting).
 */
export async function rancherCa(kube: Pick<KubeApi, 'secretData'>, caFile: string, why: (text: string) => void = () => undefined): Promise<boolean> {
  let crt: Buffer | undefined;
  try {
    crt = (await kube.secretData('cattle-system', 'tls-rancher'))?.['tls.crt'];
  } catch (error) {
    why(`no CA in cattle-system/tls-rancher yet (${readableError((error as Error).message, 300)})`);
    return false;
  }
  if (crt === undefined || crt.toString('utf8').trim() === '') {
    why(`no CA in cattle-system/tls-rancher yet (${crt === undefined ? 'no such Secret' : 'empty'})`);
    return false;
  }
  writeFileSync(caFile, crt);
  return true;
}

/** The synthesized module's JSON (cdk.tf.json), the parts the safety checks read. */
export interface ModuleJson {
  readonly terraform?: { readonly backend?: Record<string, { readonly path?: string }> };
  readonly provider?: {
    readonly aws?: readonly { readonly default_tags?: readonly { readonly tags?: Record<string, string> }[]; readonly alias?: string }[];
  };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, { readonly default?: unknown }>;
}

export function readModuleJson(moduleDir: string): ModuleJson | undefined {
  const file = join(moduleDir, 'cdk.tf.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ModuleJson) : undefined;
}

/**
 * What makes a synthesized throwaway unsafe to apply, whatever it is for: a state that is not a local file inside
 * its own folder (`root`), or a Route53 record (its name would be some real deployment's).
 */
export function localModuleProblems(json: ModuleJson, moduleDir: string, root: string): string[] {
  const problems: string[] = [];
  const backend = json.terraform?.backend ?? {};
  const local = backend.local;
  if (Object.keys(backend).length !== 1 || !local?.path) problems.push('its state backend is not a local file');
  else if (relative(resolve(root), resolve(moduleDir, local.path)).startsWith('..')) problems.push(`its state file ${local.path} is outside ${root}`);
  if (json.resource?.aws_route53_record) problems.push('it has a Route53 record');
  return problems;
}
