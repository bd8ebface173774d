import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from './clients';

/** Temporary credentials (STS AssumeRole's), as the SDK and the environment take them. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/**
 * Credentials of `roleArn` narrowed by the inline session `policy` (STS AssumeRole's `Policy`), valid `seconds`. The
 * session's permissions are the role's intersected with the session policy (IAM User Guide, "Permissions for
 * AssumeRole": a session policy only limits, never grants): nothing has to be removed afterwards, the credentials expire.
 */
export async function assumeRoleWithPolicy(
  clients: AwsClients,
  o: { readonly roleArn: string; readonly sessionName: string; readonly policy: string; readonly seconds: number },
): Promise<TemporaryCredentials> {
  const { Credentials: c } = await clients.sts.send(
    new AssumeRoleCommand({ RoleArn: o.roleArn, RoleSessionName: o.sessionName, Policy: o.policy, DurationSeconds: o.seconds }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`STS AssumeRole of ${o.roleArn} returned no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}
