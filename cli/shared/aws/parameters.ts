import { AddTagsToResourceCommand, DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type ParameterTier } from '@aws-sdk/client-ssm';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/**
 * A SecureString parameter. Its value goes to AWS in the request body only: never an argument of a process, never in
 * a message of this module (the SDK's own log filter hides SSM's `Value` as sensitive too).
 */
export interface SecureParameter {
  readonly name: string;
  readonly value: string;
  /** The KMS key that encrypts it. */
  readonly keyId: string;
  readonly tier?: ParameterTier;
  readonly description?: string;
  /** Replace an existing value. SSM takes tags only when it creates a parameter, never with Overwrite. */
  readonly overwrite?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A parameter's decrypted value and version; undefined when there is no such parameter. */
export async function readSecureParameter(clients: AwsClients, name: string): Promise<{ value: string; version: number } | undefined> {
  try {
    const got = await clients.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = got.Parameter?.Value;
    if (typeof value !== 'string') throw new Error(`SSM GetParameter answered no value for ${name}.`);
    return { value, version: got.Parameter?.Version ?? 0 };
  } catch (error) {
    if (isAwsError(error, 'ParameterNotFound')) return undefined;
    throw error;
  }
}

/** Writes a SecureString parameter; the version SSM gave it. */
export async function writeSecureParameter(clients: AwsClients, p: SecureParameter): Promise<number> {
  const tags = Object.entries(p.tags ?? {});
  if (p.overwrite && tags.length > 0)
    throw new Error(`${p.name}: SSM refuses tags with Overwrite; delete the parameter and create it with its tags, or overwrite it without tags.`);
  const put = await clients.ssm.send(
    new PutParameterCommand({
      Name: p.name,
      Value: p.value,
      Type: 'SecureString',
      KeyId: p.keyId,
      ...(p.tier ? { Tier: p.tier } : {}),
      ...(p.description !== undefined ? { Description: p.description } : {}),
      ...(p.overwrite ? { Overwrite: true } : {}),
      ...(tags.length > 0 ? { Tags: tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
    }),
  );
  return put.Version ?? 0;
}

/**
 * Creates a String parameter (nothing secret in it) unless it exists: `kept` when SSM answers that it does
 * (PutParameter without Overwrite: ParameterAlreadyExists), its value and tags then the first writer's. `tags` go
 * with the create (PutParameter takes Tags when it creates a parameter).
 */
export async function createStringParameter(
  clients: AwsClients,
  p: { readonly name: string; readonly value: string; readonly description?: string; readonly tags?: Readonly<Record<string, string>> },
): Promise<'created' | 'kept'> {
  const tags = Object.entries(p.tags ?? {});
  try {
    await clients.ssm.send(
      new PutParameterCommand({
        Name: p.name,
        Value: p.value,
        Type: 'String',
        ...(p.description !== undefined ? { Description: p.description } : {}),
        ...(tags.length > 0 ? { Tags: tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
      }),
    );
    return 'created';
  } catch (error) {
    if (isAwsError(error, 'ParameterAlreadyExists')) return 'kept';
    throw error;
  }
}

/** Deletes a parameter; false when it was already gone. */
export async function deleteParameter(clients: AwsClients, name: string): Promise<boolean> {
  try {
    await clients.ssm.send(new DeleteParameterCommand({ Name: name }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'ParameterNotFound')) return false;
    throw error;
  }
}

/**
 * Writes a String parameter (nothing secret), replacing its value, then sets `tags` on it; the version SSM gave it.
 * SSM takes tags with PutParameter only when it creates a parameter, never with Overwrite (SSM API Reference,
 * PutParameter: Tags): they go with AddTagsToResource, which adds each key or overwrites its value, so a parameter
 * written untagged (by an earlier version, or a run stopped between the two calls) gets them at the next write.
 */
export async function writeStringParameter(
  clients: AwsClients,
  name: string,
  value: string,
  description: string,
  tags: Readonly<Record<string, string>> = {},
): Promise<number> {
  const put = await clients.ssm.send(
    new PutParameterCommand({ Name: name, Value: value, Type: 'String', Description: description, Overwrite: true }),
  );
  const list = Object.entries(tags);
  if (list.length > 0)
    await clients.ssm.send(
      new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: list.map(([Key, Value]) => ({ Key, Value })) }),
    );
  return put.Version ?? 0;
}
