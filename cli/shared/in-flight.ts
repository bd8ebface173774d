// Ctrl-C reaching the AWS and Kubernetes calls in flight (issue 92 item 5). The commands that stop on the first
// signal (stopOnSignals: teardown, drill, failover, failback, acceptance) end the reads in flight then, so a read that
// blocks (an SDK call retried with backoff, up to its attempts of a minute each; a Kubernetes GET of 30 s) does not
// hold the stop. Only reads: a write in flight finishes, its outcome being what the command records and a rerun reads
// (design decision 11: a step half done must be resumable; a write abandoned in flight may have been applied
// anyway). Only the calls in flight when the signal came: the calls after it are the command's own stop (its
// teardown, its record), which must run. The roll and the rotations (stopAfterStep) set nothing: their step in
// flight finishes, as documented; a second signal ends the process, and every call with it.

// Kept on the process's global object, by a registered symbol: the bundled CLI carries this module in each of its
// files (main.js sets it; aws-sdk.js and kube-api.js read it: scripts/build.js), each copy with module state of its own.
const STOP = Symbol.for('rancher-ha-aws.in-flight-stop');
const held = globalThis as { [STOP]?: AbortSignal };

/** The command's stop: the reads in flight when it fires are ended by it (cli/shared/signals.ts stopOnSignals). */
export function endReadsInFlightOn(signal: AbortSignal | undefined): void {
  held[STOP] = signal;
}

/** For a read starting now: the signal that ends it, undefined once the command has stopped (its own calls then run). */
export function readStop(): AbortSignal | undefined {
  const stop = held[STOP];
  return stop !== undefined && !stop.aborted ? stop : undefined;
}

/** Whether the command's stop has fired: a call ended by it is the command stopping, not a timeout. */
export const stopped = (): boolean => held[STOP]?.aborted === true;

/**
 * An AWS call that only reads, by the SDK's command name (`GetCommandInvocation`, `DescribeInstances`,
 * `ListObjectsV2`, `HeadObject`, CloudTrail's `LookupEvents`): AWS's verbs for reads.
 */
export const isAwsRead = (commandName: string): boolean => /^(Get|List|Describe|Head|Lookup)[A-Z]/.test(commandName.replace(/Command$/, ''));
