import { AWS_CALLS, cliOperation } from './aws/calls';
import type { AwsClients } from './aws/clients';
import { CommandFailed, run } from './process';

/** The SDK's side (cli/shared/aws/sdk-side.ts), loaded at the first SDK call: bundled apart from main.js (scripts/build.js). */
type SdkSide = typeof import('./aws/sdk-side');
const sdkSide = (): Promise<SdkSide> => import('./aws/sdk-side');

/** The `<service> <operation>` of every AWS CLI call the table allows (cli/shared/aws/calls.ts, the one list). */
const CLI_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(AWS_CALLS).map(cliOperation));

/**
 * AWS in one region: the AWS CLI, always with an explicit region and JSON output, for the calls not yet moved to the
 * SDK, and this region's SDK clients (cli/shared/aws/clients.ts: the standard credential chain, one retry strategy)
 * for those that are (`sdk()`).
 */
export class Aws {
  private made?: Promise<{ readonly side: SdkSide; readonly clients: AwsClients }>;

  /** `clients`: this region's clients made elsewhere (a command given its clients, as a test gives the fake cloud's). */
  constructor(
    readonly region: string,
    private readonly clients?: AwsClients,
  ) {}

  /** The SDK's functions and this region's clients, made at the first call (the clients' idle sockets hold no run open). */
  sdk(): Promise<{ readonly side: SdkSide; readonly clients: AwsClients }> {
    this.made ??= sdkSide().then((side) => ({ side, clients: this.clients ?? new side.AwsClients({ region: this.region }) }));
    return this.made;
  }

  /**
   * Runs `aws <args>`; undefined when AWS answered with one of `gone` (the thing is already deleted). `T` is the
   * part of the answer the caller reads (the CLI's JSON is not checked against it: every field is optional there).
   * `input` goes to its standard input (a secret passed as `--cli-input-json file:///dev/stdin`, never as an argument,
   * which any local user can read in the process list).
   */
  call<T = Record<string, unknown>>(args: readonly string[], gone: readonly string[] = [], timeoutMs = 300_000, input?: string): T | undefined {
    const operation = `${args[0]} ${args[1]}`;
    if (!CLI_OPERATIONS.has(operation))
      throw new Error(
        `aws ${operation} is not in AWS_CALLS (cli/shared/aws/calls.ts): add it there as its SDK command, and its IAM actions to docs/deployer-policy.json.`,
      );
    const result = run('aws', [...args, '--region', this.region, '--output', 'json'], { timeoutMs, input });
    if (result.code === 0) return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
    if (gone.some((code) => result.stderr.includes(code))) return undefined;
    throw new CommandFailed(`aws ${args.join(' ')}`, result);
  }
}

/** The region of an ARN (arn:partition:service:region:account:...). */
export function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}
