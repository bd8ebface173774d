import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { output, outputAsync, runAsync, RunResult } from './process';
import { readableError } from './tool-output';

/** One resource instance of `terraform state pull`, with its address. */
export interface StateResource {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** The instance's attributes as the provider wrote them (strings, numbers, nested blocks as lists). */
  readonly attributes: Record<string, unknown>;
}

/** A string attribute of the state; undefined when it is unset or not a string. */
export const stringAttribute = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A resource of `terraform state pull` (state format version 4) as written. */
interface RawStateResource {
  readonly module?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly instances?: readonly { readonly index_key?: string | number; readonly attributes?: Record<string, unknown> }[];
}

/** The parts of a Terraform state the operations read. */
export interface ModuleState {
  readonly resources: readonly StateResource[];
  readonly outputs: Record<string, { value: unknown }>;
}

/** The parts of `terraform show -json <plan file>` the roll reads. */
export interface SavedPlan {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly mode: 'managed' | 'data';
    readonly change: { readonly actions: readonly string[] };
  }[];
  readonly configuration?: {
    readonly root_module?: { readonly resources?: readonly { readonly address: string; readonly expressions?: unknown }[] };
  };
}

/** The environment variable that names the Terraform binary (`tofu`, or a path) when `--terraform-binary` does not. */
export const TERRAFORM_BINARY_ENV = 'RANCHER_HA_AWS_TERRAFORM';

/** The binary every command of this CLI runs Terraform with; set once by `useTerraformBinary`. */
let binary = 'terraform';

/**
 * The Terraform binary the commands run: `terraform` unless `--terraform-binary` (`flag`) or
 * RANCHER_HA_AWS_TERRAFORM names another (`tofu`: OpenTofu takes the same commands and flags the operations use).
 * A name without a slash is looked up on PATH, a path is taken as it is (relative to the current directory, made
 * absolute since the commands run in the module folder). Refuses, in one line naming the fix, a binary that is not
 * there, before any step ran. Every spawn of Terraform in cli/ goes through `terraformBinary()`.
 */
export function useTerraformBinary(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[TERRAFORM_BINARY_ENV];
  const [given, source] =
    flag !== undefined
      ? [flag, '--terraform-binary']
      : fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, TERRAFORM_BINARY_ENV]
        : ['terraform', undefined];
  if (given.trim() === '') throw new Error(`${source} is empty: give the Terraform binary's name on PATH (terraform, tofu) or its path.`);
  const found = given.includes('/') ? (executableFile(resolve(given)) ? resolve(given) : undefined) : onPath(given, env.PATH ?? '');
  if (found === undefined) {
    const where = given.includes('/')
      ? `${isAbsolute(given) ? given : `${given} (${resolve(given)})`} is not an executable file`
      : `'${given}' was not found on PATH`;
    throw new Error(
      source === undefined
        ? `${where}. Install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) or OpenTofu >= 1.10, or name the binary with --terraform-binary <path> or ${TERRAFORM_BINARY_ENV}.`
        : `${source} ${given}: ${where}. Give the path of terraform or tofu (>= 1.10), or a name on PATH.`,
    );
  }
  binary = given.includes('/') ? found : given;
  return binary;
}

/** The Terraform binary chosen by `useTerraformBinary` (`terraform` until then). */
export function terraformBinary(): string {
  return binary;
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) if (dir !== '' && executableFile(join(dir, name))) return join(dir, name);
  return undefined;
}

function executableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A short message with the next step where Terraform refused because the module folder was never `init`ed (or its
 * backend block changed since): Terraform's own diagnostic says so in about a thousand characters of general advice
 * (hashicorp/terraform, internal/command/meta_backend.go, "Backend initialization required"), which one line of the
 * operations' output made unreadable. Undefined for any other failure.
 */
/** A module folder whose state Terraform cannot read before `init` runs there (or again, its backend changed). */
export class NotInitialized extends Error {
  constructor(
    message: string,
    readonly folder: string,
  ) {
    super(message);
  }
}

/** A Terraform command that failed, in its words (Terraform's own error kept in the message). */
export class TerraformFailed extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

export function notInitialized(stderr: string, dir: string): string | undefined {
  const text = readableError(stderr);
  if (!/Backend initialization required|please run "(terraform|tofu) init"|Module not installed|Required plugins are not installed/i.test(text))
    return undefined;
  // Its reason: "Initial configuration of the requested backend", or a backend block changed or unset since the last
  // init, which needs -migrate-state (carry the state along) or -reconfigure (start over): a choice left to a person.
  const changed = /Reason:/.test(text) && !/Reason: Initial configuration/i.test(text);
  const binary = terraformBinary();
  return changed
    ? `${dir}: its backend settings changed since \`${binary} init\` ran there: run \`${binary} -chdir=${dir} init -migrate-state\` (or -reconfigure to start from the new backend's state), then this command again.`
    : `${dir} was never initialized: run \`${binary} -chdir=${dir} init\` (it installs the providers and connects the state backend), then this command again.`;
}

/** Terraform's own name for an override file: merged into the configuration, lifecycle arguments one by one. */
export const OVERRIDE_FILE = 'zz_rancher_ha_aws_teardown_override.tf.json';

/**
 * The `terraform` CLI in the synthesized module folder. The roll applies
 * only a saved plan it printed and inspected (no `-auto-approve` of a fresh
 * plan); the teardown's destroy is confirmed by its own command first; `-input=false` everywhere, since a
 * prompt the command did not expect would hang a pipeline.
 */
export class Terraform {
  constructor(readonly dir: string) {}

  /**
   * The state as Terraform holds it (local or remote backend alike): no provider, no refresh. Asynchronous, as every
   * read here: a remote backend answers in seconds, during which a Lease keeper, an acceptance run's probes and the
   * progress line go on.
   */
  async pull(): Promise<ModuleState> {
    const result = await runAsync(terraformBinary(), ['state', 'pull'], { cwd: this.dir, timeoutMs: 120_000 });
    if (result.code !== 0) {
      const uninitialized = notInitialized(result.stderr, this.dir);
      if (uninitialized !== undefined) throw new NotInitialized(uninitialized, this.dir);
      throw new TerraformFailed(`terraform state pull failed in ${this.dir}: ${readableError(result.stderr)}`, 'terraform state pull', result.code);
    }
    const text = result.stdout.trim();
    if (text === '') return { resources: [], outputs: {} };
    const raw = JSON.parse(text) as { resources?: RawStateResource[]; outputs?: Record<string, { value: unknown }> };
    const resources: StateResource[] = [];
    for (const r of raw.resources ?? []) {
      if (r.module) continue; // the stacks have no modules; nothing here touches one it does not know
      for (const instance of r.instances ?? []) {
        const key = instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`;
        const address = `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${key}`;
        resources.push({ address, mode: r.mode, type: r.type, name: r.name, attributes: instance.attributes ?? {} });
      }
    }
    return { resources, outputs: raw.outputs ?? {} };
  }

  /** Forgets resources without touching them in AWS or the cluster. Addresses not in the state are left out by the caller. */
  forget(addresses: readonly string[]): void {
    if (addresses.length === 0) return;
    output(terraformBinary(), ['state', 'rm', ...addresses], { cwd: this.dir, timeoutMs: 300_000 });
  }

  /**
   * Destroys what the state still holds, trusting the state as it is
   * (`-refresh=false`): no data source is read and no resource is refreshed,
   * so an unreachable cluster or a deleted server cannot abort it. Its output goes to `output` a line at a time where
   * the caller takes it (an I/O host's), else straight to ours; `stop` sends it SIGINT (terraform ends the operations
   * in flight and saves its state).
   */
  destroy(timeoutMs: number, output?: (line: string) => void, stop?: AbortSignal): Promise<RunResult> {
    return runAsync(terraformBinary(), ['apply', '-destroy', '-refresh=false', '-auto-approve', '-input=false'], {
      cwd: this.dir,
      timeoutMs,
      ...shown(output),
      stop,
      stopSignal: 'SIGINT',
    });
  }

  /**
   * Plans the replacement of exactly these resources into `planFile` (the
   * plan is printed as it is made). Asynchronous, as applyPlan: the roll renews its
   * Leases while Terraform runs. What else the plan changes is for the
   * caller to inspect (`showPlan`) before it applies that file and nothing else.
   */
  planReplace(addresses: readonly string[], planFile: string, timeoutMs: number, output?: (line: string) => void): Promise<RunResult> {
    return runAsync(terraformBinary(), ['plan', ...addresses.map((a) => `-replace=${a}`), `-out=${planFile}`, '-input=false'], {
      cwd: this.dir,
      timeoutMs,
      ...shown(output),
    });
  }

  /** A saved plan as JSON (`terraform show -json`): its resource_changes and the configuration's references. */
  async showPlan(planFile: string): Promise<SavedPlan> {
    return JSON.parse(await outputAsync(terraformBinary(), ['show', '-json', planFile], { cwd: this.dir, timeoutMs: 300_000 })) as SavedPlan;
  }

  /** Applies exactly a saved plan (Terraform refuses one the state moved past since it was made). */
  applyPlan(planFile: string, timeoutMs: number, output?: (line: string) => void): Promise<RunResult> {
    return runAsync(terraformBinary(), ['apply', '-input=false', planFile], { cwd: this.dir, timeoutMs, ...shown(output) });
  }

  /** The value of one output (from the state: no refresh). */
  async outputJson(name: string): Promise<unknown> {
    const result = await runAsync(terraformBinary(), ['output', '-json', name], { cwd: this.dir, timeoutMs: 120_000 });
    if (result.code !== 0) return undefined;
    return JSON.parse(result.stdout);
  }

  /** Writes (or, with undefined, removes) the override file the teardown lifts prevent_destroy with. */
  writeOverride(content: Record<string, unknown> | undefined): void {
    const file = join(this.dir, OVERRIDE_FILE);
    if (content === undefined) {
      if (existsSync(file)) rmSync(file);
      return;
    }
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** Terraform's output as it runs: to `output` a line at a time where the caller takes it (an I/O host's), else straight to ours. */
const shown = (output: ((line: string) => void) | undefined) => (output ? { onLine: output } : { inherit: true });
