import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';
import { AWS_CALLS, sdkCall } from './calls';

/** A command sent that AWS_CALLS does not list: a mistake in the code, never in the user's input. */
export class UnlistedAwsCall extends Error {
  constructor(readonly call: string) {
    super(`${call} is not in AWS_CALLS (cli/shared/aws/calls.ts): add it there, and its IAM actions to docs/deployer-policy.json.`);
    this.name = 'UnlistedAwsCall';
  }
}

/**
 * An SDK plugin that refuses, before anything is sent, a command AWS_CALLS does not list: the SDK names the client
 * and the command in the handler context (`SSMClient`, `SendCommandCommand`), which is the table's key.
 */
export const onlyListedCalls: Pluggable<object, MetadataBearer> = {
  applyToStack(stack) {
    stack.add(
      (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<object>) => {
        const call = sdkCall(String(context.clientName), String(context.commandName));
        if (!(call in AWS_CALLS)) throw new UnlistedAwsCall(call);
        return next(args);
      },
      { step: 'initialize', name: 'onlyListedCalls', priority: 'high' },
    );
  },
};
