import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments } from '@smithy/types';
import { sdkCall } from '../../cli/shared/aws/calls';
import type { AwsClients, ClientsOfRegion } from '../../cli/shared/aws/clients';
import { awsOfWorld } from './fake-cloud-aws';
import { answeredByStubs, cliArgs, cliInput, runStub, stubError } from './fake-aws-endpoint/world-stubs';
import { stubServerPort, type FakeCloud } from './fake-cloud';

/**
 * The AWS of a fake cloud's world for a command driven in jest's process (fake-cloud-aws.ts awsOfWorld), with SSM Run
 * Command answered by the world's stubs, as the fake AWS endpoint answers it for the bundled CLI
 * (fake-aws-endpoint/world-stubs.ts: what a server does with a command lives in ops-stubs/fake-drill.js and the other
 * stubs, one model for both ways of running a command). The stub's caller is this process: a world whose stubs
 * signal their caller (`signalAt`, `killAt`) is for a bundled-CLI run only.
 *
 * Each call is still logged by awsOfWorld (`aws-sdk ...`) and, by the stub, in the AWS CLI's words (`aws ssm ...`).
 */
export function awsOfWorldWithStubs(cloud: FakeCloud): ClientsOfRegion {
  const { of } = awsOfWorld(cloud);
  const wired = new Set<AwsClients>();
  return (region) => {
    const clients = of(region);
    if (!wired.has(clients)) {
      wired.add(clients);
      // Inside awsOfWorld's own middleware (initialize, high): the world is loaded and written back around the stub.
      clients.ssm.middlewareStack.add(
        (next: InitializeHandler<any, any>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<any>) => {
          const call = sdkCall(String(context.clientName), String(context.commandName));
          if (!answeredByStubs(cloud.dir, call, args.input as Record<string, any>)) return next(args);
          const [service, command] = call.split(' ');
          const wire = { service, command, region, accessKeyId: '', input: args.input as Record<string, any> };
          const answer = await runStub(cloud.dir, process.pid, cliArgs(wire), stubServerPort(), cliInput(wire));
          if (answer.code === 0)
            return {
              output: { ...(answer.stdout.trim() === '' ? {} : JSON.parse(answer.stdout)), $metadata: { httpStatusCode: 200 } },
              response: {},
            };
          const error = stubError(answer);
          throw Object.assign(new Error(error.message), { name: error.name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
        },
        { step: 'initialize', name: 'worldStubs', priority: 'low' },
      );
    }
    return clients;
  };
}
