import { SMITHY_CONTEXT_KEY } from '@smithy/types';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';
import { isAwsRead, readStop } from '../in-flight';

// The command's stop reaching the AWS reads in flight (cli/shared/in-flight.ts), through the SDK's own abort: a call
// sent with `abortSignal` (the SDK's `send(command, { abortSignal })`) has its HTTP request ended by the Node.js
// handler when the signal fires and is not retried after it (@smithy/core's retry middleware reads the call's
// signal and throws instead of retrying). Each call gets a signal of its own, made at `send`; the plugin below, which
// knows the command's name (the handler context's commandName, as only-listed-calls.ts reads it), links it to the
// command's stop for a read alone.

/** Each call's own abort, by the signal given to the SDK. */
const calls = new WeakMap<AbortSignal, AbortController>();

/** The options of a call sent now: its own abort signal while the command has not stopped and the caller gave none. */
export function callOptions(options: unknown): unknown {
  if (readStop() === undefined || typeof options === 'function' || (options as { abortSignal?: unknown } | undefined)?.abortSignal) return options;
  const call = new AbortController();
  calls.set(call.signal, call);
  return { ...(options as object | undefined), abortSignal: call.signal };
}

/** An SDK plugin: a read's own abort fires with the command's stop while it is in flight. */
export const endReadsOnStop: Pluggable<object, MetadataBearer> = {
  applyToStack(stack) {
    stack.add(
      (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<object>) => {
        const signal = context[SMITHY_CONTEXT_KEY]?.abortSignal as AbortSignal | undefined;
        const call = signal === undefined ? undefined : calls.get(signal);
        const stop = readStop();
        if (call === undefined || stop === undefined || !isAwsRead(String(context.commandName))) return next(args);
        const end = () => call.abort(stop.reason);
        stop.addEventListener('abort', end, { once: true });
        try {
          return await next(args);
        } finally {
          stop.removeEventListener('abort', end);
        }
      },
      { step: 'initialize', name: 'endReadsOnStop', priority: 'high' },
    );
  },
};
