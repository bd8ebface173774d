import { endReadsInFlightOn } from './in-flight';
import { shieldChildrenFromSignals } from './process';

// How a command hears SIGINT and SIGTERM (cli/main.ts installs one of these per command). Either way commands start
// in process groups of their own from then on, so a terminal's Ctrl-C reaches only this process, never the
// terraform, kubectl or aws in flight.

/**
 * For the commands that resume from their state file (roll, rotate): the step in flight finishes, then the command
 * stops (a rerun continues it); a second signal leaves at once. `again` is what the first signal's message says a
 * second one does. Returns what the command asks between steps.
 */
export function stopAfterStep(again: string): () => boolean {
  shieldChildrenFromSignals();
  let interrupted = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal ends it without waiting for the next step (the state file still says where it was).
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`rancher-ha-aws: ${signal}: stopping after the step in flight (${again}).\n`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => interrupted;
}

/**
 * For the commands that build a throwaway (drill, acceptance): the first SIGINT or SIGTERM aborts the returned
 * signal (the command in flight is stopped, then the throwaway is torn down); the third leaves at once. The AWS and
 * Kubernetes reads in flight then end with it (in-flight.ts); the writes in flight finish.
 */
export function stopOnSignals(stopping: string, finish: string): AbortSignal {
  shieldChildrenFromSignals();
  const controller = new AbortController();
  endReadsInFlightOn(controller.signal);
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals++;
    if (signals >= 3) process.exit(130);
    if (signals === 1) controller.abort();
    process.stderr.write(`rancher-ha-aws: ${signal}: stopping ${stopping}${signals === 1 ? '' : ` (once more to leave at once: ${finish})`}.\n`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}
