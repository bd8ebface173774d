import {
  InvalidDocument,
  InvalidResourceId,
  InvalidResourceType,
  InvalidInstanceId,
  InvocationDoesNotExist,
  ParameterAlreadyExists,
  ParameterNotFound,
  SSMServiceException,
  type GetCommandInvocationCommandInput,
  type GetParameterCommandInput,
  type ListCommandInvocationsCommandInput,
  type PutParameterCommandInput,
  type SendCommandCommandInput,
  type DeleteParameterCommandInput,
  type AddTagsToResourceCommandInput,
} from '@aws-sdk/client-ssm';
import { pageOf, pageSize } from './paging';

/** What a server's script does when SSM runs it: its status and output (the default: Success, no output). */
export type Script = (commands: readonly string[]) => { status: string; stdout?: string; stderr?: string };

interface Invocation {
  readonly commandId: string;
  readonly instanceId: string;
  readonly result: { status: string; stdout?: string; stderr?: string };
  /** Looks (Get or List) so far: the invocation is not there for the first `hiddenLooks`, then runs `runningLooks`. */
  looks: number;
}

const meta = { $metadata: {} };

/** SSM Run Command and Parameter Store, in memory (README.md beside this file says what is modelled and why). */
export class FakeSsm {
  /** Managed instances (registered agents) and what their scripts answer. */
  readonly instances = new Map<string, Script>();
  readonly parameters = new Map<
    string,
    { value: string; version: number; keyId?: string; type?: string; region?: string; tags: { Key: string; Value: string }[] }
  >();
  private readonly invocations: Invocation[] = [];
  private commands = 0;
  /** Looks for which a new invocation does not exist yet, then looks for which it is InProgress. */
  hiddenLooks = 2;
  runningLooks = 1;

  constructor(private readonly page: () => number) {}

  register(instanceId: string, script: Script = () => ({ status: 'Success' })): void {
    this.instances.set(instanceId, script);
  }

  readonly handlers = {
    SendCommand: (input: SendCommandCommandInput) => {
      if (input.DocumentName !== 'AWS-RunShellScript')
        throw new InvalidDocument({ message: `Document ${input.DocumentName} does not exist.`, ...meta });
      const ids = input.InstanceIds ?? [];
      const unknown = ids.filter((id) => !this.instances.has(id));
      if (ids.length === 0 || unknown.length > 0)
        throw new InvalidInstanceId({ message: `Instances [[${unknown.join(', ')}]] not in a valid state for account.`, ...meta });
      const commandId = `command-${++this.commands}`;
      const commands = (input.Parameters?.commands ?? []) as string[];
      for (const instanceId of ids) this.invocations.push({ commandId, instanceId, result: this.instances.get(instanceId)!(commands), looks: 0 });
      return { Command: { CommandId: commandId, InstanceIds: ids, DocumentName: input.DocumentName, Comment: input.Comment, Status: 'Pending' } };
    },
    GetCommandInvocation: (input: GetCommandInvocationCommandInput) => {
      const found = this.invocations.find((i) => i.commandId === input.CommandId && i.instanceId === input.InstanceId);
      if (!found || !this.look(found)) throw new InvocationDoesNotExist({ message: '', ...meta });
      const running = this.running(found);
      return {
        CommandId: found.commandId,
        InstanceId: found.instanceId,
        Status: running ? 'InProgress' : found.result.status,
        StandardOutputContent: running ? '' : (found.result.stdout ?? ''),
        StandardErrorContent: running ? '' : (found.result.stderr ?? ''),
      };
    },
    ListCommandInvocations: (input: ListCommandInvocationsCommandInput) => {
      const visible = this.invocations.filter((i) => i.commandId === input.CommandId).filter((i) => this.look(i));
      const { items, next } = pageOf(visible, input.NextToken, pageSize(input.MaxResults, this.page()));
      return {
        CommandInvocations: items.map((i) => {
          const running = this.running(i);
          return {
            CommandId: i.commandId,
            InstanceId: i.instanceId,
            Status: running ? 'InProgress' : i.result.status,
            ...(input.Details ? { CommandPlugins: [{ Name: 'aws:runShellScript', Output: running ? '' : (i.result.stdout ?? '') }] } : {}),
          };
        }),
        ...(next ? { NextToken: next } : {}),
      };
    },
    PutParameter: (input: PutParameterCommandInput) => {
      const name = input.Name ?? '';
      const existing = this.parameters.get(name);
      if (input.Overwrite && (input.Tags ?? []).length > 0)
        throw new SSMServiceException({
          name: 'ValidationException',
          $fault: 'client',
          message: "Invalid request: tags and overwrite can't be used together.",
          ...meta,
        });
      if (existing && !input.Overwrite) throw new ParameterAlreadyExists({ message: 'The parameter already exists.', ...meta });
      const version = (existing?.version ?? 0) + 1;
      this.parameters.set(name, {
        value: input.Value ?? '',
        version,
        // The type it was created with (SecureString when not given: the project's other writers' kind); an overwrite
        // without a type keeps the parameter's (PutParameter: Type is required only to create one).
        type: input.Type ?? existing?.type ?? 'SecureString',
        ...(input.KeyId ? { keyId: input.KeyId } : {}),
        tags: existing?.tags ?? [...(input.Tags ?? [])].map((t) => ({ Key: t.Key!, Value: t.Value! })),
      });
      return { Version: version, Tier: input.Tier ?? 'Standard' };
    },
    GetParameter: (input: GetParameterCommandInput) => {
      const found = this.parameters.get(input.Name ?? '');
      if (!found) throw new ParameterNotFound({ message: '', ...meta });
      // Without WithDecryption, a SecureString's value is its ciphertext, never the secret; a String's is its value
      // (SSM API Reference, GetParameter: WithDecryption is ignored for String and StringList). Untyped: SecureString.
      const type = found.type ?? 'SecureString';
      return {
        Parameter: {
          Name: input.Name,
          Type: type,
          Value: input.WithDecryption || type !== 'SecureString' ? found.value : `AQICAH-ciphertext-${found.version}`,
          Version: found.version,
        },
      };
    },
    DeleteParameter: (input: DeleteParameterCommandInput) => {
      if (!this.parameters.delete(input.Name ?? '')) throw new ParameterNotFound({ message: '', ...meta });
      return {};
    },
    // Each tag added, or its key's value overwritten (SSM API Reference, AddTagsToResource); parameters only here.
    AddTagsToResource: (input: AddTagsToResourceCommandInput) => {
      if (input.ResourceType !== 'Parameter') throw new InvalidResourceType({ message: 'The resource type is not valid.', ...meta });
      const found = this.parameters.get(input.ResourceId ?? '');
      if (!found) throw new InvalidResourceId({ message: 'The resource ID is not valid. Verify the ID and try again.', ...meta });
      for (const tag of input.Tags ?? []) found.tags = [...found.tags.filter((t) => t.Key !== tag.Key), { Key: tag.Key!, Value: tag.Value! }];
      return {};
    },
  };

  /** Counts a look at an invocation; whether it exists for SSM yet. */
  private look(i: Invocation): boolean {
    i.looks++;
    return i.looks > this.hiddenLooks;
  }

  private running(i: Invocation): boolean {
    return i.looks <= this.hiddenLooks + this.runningLooks;
  }
}
