import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from './clients';

/**
 * A parameter's value as SSM holds it: a String (production's standby facts' pointer, cli/shared/standby-facts.ts), so
 * no decryption asked for, none needed. A data-plane read of the client's region.
 */
export async function readParameter(clients: AwsClients, name: string): Promise<string> {
  const got = await clients.ssm.send(new GetParameterCommand({ Name: name }));
  const value = got.Parameter?.Value;
  if (typeof value !== 'string') throw new Error(`SSM GetParameter answered no value for ${name}.`);
  return value;
}
