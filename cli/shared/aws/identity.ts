import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients';

/** Who the credentials are (needs no permission: STS answers it for any valid credentials). */
export async function callerIdentity(clients: AwsClients): Promise<{ arn: string; account: string }> {
  const me = await clients.sts.send(new GetCallerIdentityCommand({}));
  return { arn: me.Arn ?? '', account: me.Account ?? '' };
}
