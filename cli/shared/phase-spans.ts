import type { IoHost } from './io/io-host';
import type { Span } from './io/span';
import { phaseRunner, type PhaseRun, type TimedPhase } from './throwaway';

/**
 * A report's phase runner (phaseRunner: each phase timed and recorded) with each phase a span on the I/O host: begun
 * as the phase is entered (`begin`), ended by `<PREFIX>_PHASE_PASSED`, or stopped after `<PREFIX>_PHASE_FAILED` or
 * `<PREFIX>_PHASE_INTERRUPTED`, which say why (the line phaseRunner gives). The drill's and the acceptance run's.
 */
export function spannedPhaseRunner<P extends string>(o: {
  readonly io: IoHost;
  /** Their codes' prefix: `DRILL`, `ACCEPTANCE`. */
  readonly prefix: string;
  readonly begin: (phase: P) => Span;
  readonly interrupted: () => boolean;
  readonly results: TimedPhase<P>[];
  readonly enter: (phase: P) => void;
}): PhaseRun<P> {
  let span: Span | undefined;
  const run = phaseRunner<P>({
    interrupted: o.interrupted,
    results: o.results,
    enter: (name) => {
      o.enter(name);
      span = o.begin(name);
    },
    // The runner has just recorded the phase's result: it says whether the phase failed or a signal stopped it.
    log: (line) =>
      o.results[o.results.length - 1]?.status === 'interrupted'
        ? o.io.warn(`${o.prefix}_PHASE_INTERRUPTED`, line)
        : o.io.error(`${o.prefix}_PHASE_FAILED`, line),
  });
  return async (name, step) => {
    try {
      const value = await run(name, step);
      span?.end(`${o.prefix}_PHASE_PASSED`, `${name}: passed`, { phase: name });
      return value;
    } finally {
      span?.stop();
      span = undefined;
    }
  };
}

/**
 * A phase begun as a timed step: `<PREFIX>_PHASE_STARTED`, phase n of m among `phases` (the failover's and the
 * failback's; the drill and the acceptance run say what each phase does, and count only the phases a run takes).
 */
export function phaseStarted<P extends string>(io: IoHost, prefix: string, phases: readonly P[]): (phase: P) => Span {
  return (phase) =>
    io.begin({
      code: `${prefix}_PHASE_STARTED`,
      label: phase,
      position: { n: phases.indexOf(phase) + 1, m: phases.length },
      text: phase,
      data: { phase },
    });
}
