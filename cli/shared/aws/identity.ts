import type * as STS from '@aws-sdk/client-sts';
import type { AwsClients } from './clients';

/**
 * STS's package, required at a call, not at the top: this module is in the SDK side every roll and rotation loads
 * (sdk-side.ts), and only the acceptance run asks who runs it (the package's evaluation costs every run that loads
 * it).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sts = (): typeof STS => require('@aws-sdk/client-sts') as typeof STS;

/** Who the credentials are (needs no permission: STS answers it for any valid credentials). */
export async function callerIdentity(clients: AwsClients): Promise<{ arn: string; account: string }> {
  const { GetCallerIdentityCommand } = sts();
  const me = await clients.sts.send(new GetCallerIdentityCommand({}));
  return { arn: me.Arn ?? '', account: me.Account ?? '' };
}
