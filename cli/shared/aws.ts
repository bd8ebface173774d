import type { AwsClients, ClientsOfRegion } from './aws/clients';

/** The SDK's side (cli/shared/aws/sdk-side.ts), loaded at the first SDK call: bundled apart from main.js (scripts/build.js). */
type SdkSide = typeof import('./aws/sdk-side');
const sdkSide = (): Promise<SdkSide> => import('./aws/sdk-side');

/**
 * AWS in one region: its region, and its SDK clients (cli/shared/aws/clients.ts: the standard credential chain, one
 * retry strategy), made at the first call (`sdk()`). Every command reaches AWS through them: none runs the AWS CLI.
 */
export class Aws {
  private made?: Promise<{ readonly side: SdkSide; readonly clients: AwsClients }>;

  /**
   * `clients`: this region's clients made by the caller instead of here (the tests' fake cloud behind the SDK, when a
   * command is driven in their process); unset, made from the standard settings at the first SDK call.
   */
  constructor(
    readonly region: string,
    private readonly clients?: AwsClients,
  ) {}

  /** The SDK's functions and this region's clients, made at the first call (the clients' idle sockets hold no run open). */
  sdk(): Promise<{ readonly side: SdkSide; readonly clients: AwsClients }> {
    this.made ??= sdkSide().then((side) => ({ side, clients: this.clients ?? new side.AwsClients({ region: this.region }) }));
    return this.made;
  }
}

/** One command's AWS by region: each region's made once, so its clients (and their connections) serve every call there. */
export type AwsByRegion = (region: string) => Aws;

/** `of`: the caller's clients by region (the tests' fake cloud behind the SDK); unset, each region's from the standard settings. */
export function awsByRegion(of?: ClientsOfRegion): AwsByRegion {
  const made = new Map<string, Aws>();
  return (region) => {
    let aws = made.get(region);
    if (aws === undefined) made.set(region, (aws = new Aws(region, of?.(region))));
    return aws;
  };
}

/** The region of an ARN (arn:partition:service:region:account:...). */
export function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}
