import { CommandFailed, ToolMissing } from '../process';
import { NotInitialized, TerraformFailed } from '../terraform';
import { ChoiceNeeded, ModuleMissing } from '../module-folder';
import { KubeRefused, KubeUnanswered, KubeUnreachable } from '../kube/failures';
import { stopped } from '../in-flight';

/**
 * A command's failure as one coded message: what `--json` carries when a command stops on something thrown (a module
 * never synthesized, no credentials, AWS refusing a call, a tool missing, a mistake on the command line), so a
 * pipeline tells one cause from another by its code, never by the English. The kinds are stable; the command's name
 * goes before them (`ROLL_NO_CREDENTIALS`), as every other code of the command.
 *
 * Exit codes, the same for the same kind of mistake in every command (docs/commands.md): 2 for the command line and
 * for a refusal (nothing was done: the person must choose or change something), 1 for a failure of the world the
 * command met (credentials, AWS, Kubernetes, a tool, a module).
 */
export interface Failure {
  /** The kind, the code's end (FAILURE_KINDS). */
  readonly kind: FailureKind;
  /** What to tell the person, on one line. */
  readonly text: string;
  readonly exitCode: 1 | 2;
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * Each kind of failure and its exit code: the one table (docs/commands.md lists it, generated). A refusal a command
 * decides itself (a cluster not healthy, a name typed wrong) is its own coded message, not a kind here. What each kind
 * carries in its data is in failureOf below.
 */
export const FAILURE_KINDS = {
  /** A mistake on the command line. */
  USAGE: 2,
  /** Which deployment of the module: --deployment. */
  CHOICE_NEEDED: 2,
  TOOL_MISSING: 1,
  /** No synthesized module in the folder. */
  NO_MODULE: 1,
  /** `terraform init` needed in the folder. */
  NOT_INITIALIZED: 1,
  NO_CREDENTIALS: 1,
  AWS_FAILED: 1,
  KUBERNETES_REFUSED: 1,
  KUBERNETES_UNREACHABLE: 1,
  KUBERNETES_UNANSWERED: 1,
  TERRAFORM_FAILED: 1,
  /** Another program the command runs. */
  COMMAND_FAILED: 1,
  /** Anything else, in its own words. */
  FAILED: 1,
} as const satisfies Record<string, 1 | 2>;

export type FailureKind = keyof typeof FAILURE_KINDS;

/** A failure of a kind: its exit code from the table. */
const fail = (kind: FailureKind, text: string, data?: Readonly<Record<string, unknown>>): Failure => ({
  kind,
  text,
  exitCode: FAILURE_KINDS[kind],
  ...(data ? { data } : {}),
});

/** A mistake on the command line (exit 2): thrown by the parser and by the runners' checks of the words. */
export class UsageError extends Error {}

/**
 * The SDK's words when its default chain found nothing (@smithy/property-provider's CredentialsProviderError, thrown
 * by the chain's last provider): it names no way to fix it, so the CLI does.
 */
export const NO_CREDENTIALS_TEXT =
  'No AWS credentials were found. Give them one of the ways the AWS SDK reads: a profile (AWS_PROFILE=<name>, from ~/.aws/config or ~/.aws/credentials), IAM Identity Center (`aws sso login --profile <name>`, then AWS_PROFILE=<name>), or the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones).';

/** The fields of an AWS SDK v3 service error that say what AWS answered (`$metadata`: the HTTP status, the request id). */
interface ServiceErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

const isServiceError = (error: unknown): error is ServiceErrorShape =>
  error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === 'object';

/** A message on one line: a tool's own message may span several. */
export const oneLine = (message: string): string =>
  message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');

/** What was thrown, as the one failure a command reports. */
export function failureOf(error: unknown): Failure {
  if (error instanceof UsageError) return fail('USAGE', error.message);
  if (error instanceof ChoiceNeeded) return fail('CHOICE_NEEDED', oneLine(error.message));
  // ToolMissing names each tool on a line of its own, with where to get it: kept as it is.
  if (error instanceof ToolMissing) return fail('TOOL_MISSING', error.message, { tool: error.tool });
  if (error instanceof ModuleMissing) return fail('NO_MODULE', error.message, { folder: error.folder });
  if (error instanceof NotInitialized) return fail('NOT_INITIALIZED', error.message, { folder: error.folder });
  if (error instanceof TerraformFailed)
    return fail('TERRAFORM_FAILED', oneLine(error.message), {
      command: error.command,
      ...(error.exitCode === null ? {} : { commandExitCode: error.exitCode }),
    });
  if (error instanceof Error && error.name === 'CredentialsProviderError')
    return fail('NO_CREDENTIALS', NO_CREDENTIALS_TEXT, { name: error.name, sdk: oneLine(error.message) });
  // A read ended by the command's stop (cli/shared/in-flight.ts): the SDK's AbortError, which its retry middleware
  // gives $metadata too; not an answer of AWS's.
  if (error instanceof Error && error.name === 'AbortError' && stopped())
    return fail('FAILED', 'Stopped by a signal: the AWS or Kubernetes call in flight was ended; run the command again to continue.');
  if (isServiceError(error)) {
    const status = error.$metadata?.httpStatusCode;
    return fail('AWS_FAILED', oneLine(`AWS answered ${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message}`), {
      name: error.name,
      ...(status === undefined ? {} : { httpStatusCode: status }),
      ...(error.$metadata?.requestId === undefined ? {} : { requestId: error.$metadata.requestId }),
      ...(error.$fault === undefined ? {} : { fault: error.$fault }),
    });
  }
  if (error instanceof KubeRefused)
    return fail('KUBERNETES_REFUSED', oneLine(error.message), { what: error.what, httpStatusCode: error.status.code });
  if (error instanceof KubeUnreachable) return fail('KUBERNETES_UNREACHABLE', oneLine(error.message), { what: error.what });
  if (error instanceof KubeUnanswered)
    return fail('KUBERNETES_UNANSWERED', oneLine(error.message), { what: error.what, mayHaveApplied: error.mayHaveApplied });
  if (error instanceof CommandFailed)
    return fail(/^terraform\b/.test(error.command) ? 'TERRAFORM_FAILED' : 'COMMAND_FAILED', oneLine(error.message), {
      command: error.command,
      ...(error.result.code === null ? {} : { commandExitCode: error.result.code }),
      timedOut: error.result.timedOut === true,
    });
  return fail('FAILED', oneLine(error instanceof Error ? error.message : String(error)));
}

/** The code of a failure in a command (`ROLL_NO_CREDENTIALS`), or before one was named (`CLI_USAGE`). */
export const failureCode = (command: string | undefined, failure: Failure): string =>
  `${command === undefined ? 'CLI' : command.toUpperCase()}_${failure.kind}`;
