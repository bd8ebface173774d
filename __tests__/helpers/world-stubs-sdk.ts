import type {
  DeserializeHandler,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  Pluggable,
} from '@smithy/types';
import { sdkCall } from '../../cli/shared/aws/calls';
import { AwsClients, type ClientsOfRegion } from '../../cli/shared/aws/clients';
import { type FakeCloud, stubServerPort } from './fake-cloud';
import { writeError, writeOutput, type WireAnswer, type WireCall } from './fake-aws-endpoint/wire';
import { cliArgs, runStub, STUB_CALLS, stubError } from './fake-aws-endpoint/world-stubs';

/**
 * The SDK clients of a command driven in jest's process whose SSM Run Command and RDS snapshot calls are answered by
 * the world's stubs (ops-stubs/fake-roll.js and the others world-stubs.ts names), exactly as the fake AWS endpoint
 * answers them for the bundled CLI (fake-aws-endpoint/server.ts answerByStub): the call in the AWS CLI's words
 * (world-stubs.ts cliArgs), run by the stub server for this process (runStub), its answer or its error written as the
 * service writes it (wire.ts writeOutput, writeError), and read by the SDK's own deserializer. The stubs model what a
 * server does with a command and SSM's looks at it (InvocationDoesNotExist right after SendCommand, then Pending and
 * InProgress), read and write the world file under its lock, and log the call (`aws ssm send-command ...`) in the
 * world's calls.jsonl: the command sees exactly what the stubs' terraform and kubectl leave, and the reverse.
 *
 * The caller the stubs' signal hooks would signal is this process: a case whose world sends a signal or a kill
 * (`signalDuringDrain`, `killAfterApply`, `killAt`) runs the bundled CLI as a process instead. Any other call is
 * refused: the fake's services answer it elsewhere (fake-cloud-aws.ts), never a kind default here.
 */
export function stubbedAwsOfWorld(cloud: FakeCloud): ClientsOfRegion {
  const made = new Map<string, AwsClients>();
  return (region) => {
    let clients = made.get(region);
    if (clients === undefined)
      made.set(
        region,
        (clients = new AwsClients({
          region,
          credentials: { accessKeyId: 'FAKEWORLDINPROCESS', secretAccessKey: 'fake-secret' },
          retryDelayMs: 0,
          plugins: [stubsPlugin(cloud, region)],
        })),
      );
    return clients;
  };
}

/**
 * Answers each request in place of the HTTP handler: after the SDK serialized it and before its deserializer reads
 * the answer (the deserialize step, below the deserializer), so the SDK's retry strategy and its parsing of the
 * service's answer run as they do against AWS. The call's input is the command's own, kept at the initialize step.
 */
function stubsPlugin(cloud: FakeCloud, region: string): Pluggable<object, MetadataBearer> {
  const inputs = new WeakMap<HandlerExecutionContext, Record<string, any>>();
  return {
    applyToStack: (stack) => {
      stack.add(
        (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => (args: InitializeHandlerArguments<any>) => {
          inputs.set(context, args.input);
          return next(args);
        },
        { step: 'initialize', name: 'worldStubsInput', priority: 'high' },
      );
      stack.add(
        (_next: DeserializeHandler<any, any>, context: HandlerExecutionContext) => async () => {
          const name = sdkCall(String(context.clientName), String(context.commandName));
          const [service, command] = name.split(' ');
          if (!STUB_CALLS.has(name)) throw new Error(`${name} is not answered by the world's stubs (world-stubs.ts STUB_CALLS)`);
          const call: WireCall = { service, command, region, accessKeyId: '', input: inputs.get(context)! };
          const stub = await runStub(cloud.dir, process.pid, cliArgs(call), stubServerPort());
          const answer: WireAnswer =
            stub.code === 0 ? writeOutput(call, stub.stdout.trim() === '' ? {} : JSON.parse(stub.stdout)) : writeError(call, stubError(stub));
          return {
            response: {
              statusCode: answer.status,
              reason: '',
              headers: answer.headers,
              body: typeof answer.body === 'string' ? new TextEncoder().encode(answer.body) : Uint8Array.from(answer.body),
            },
          };
        },
        { step: 'deserialize', name: 'worldStubs', priority: 'low' },
      );
    },
  };
}
