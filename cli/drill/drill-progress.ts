import type { IoHost } from '../shared/io/io-host';
import type { Span } from '../shared/io/span';
import { spannedPhaseRunner } from '../shared/phase-spans';
import type { PhaseRun } from '../shared/throwaway';
import { DRILL_PHASES, ETCD_PHASES, type DrillPhase, type PhaseResult } from './drill-report';

/** What each phase is doing, as the status line says it after the phase's name and place (phase n of m). */
const DOING: Readonly<Record<'backup' | 'etcd', Partial<Record<DrillPhase, string>>>> = {
  backup: {
    synth: "the throwaway's module synthesized and checked safe to apply beside production",
    apply: 'terraform apply of the throwaway, the backup restored in it',
    ping: "waiting for the throwaway's /ping to answer pong",
    login: "the drill's own user made and logged in through Rancher's API",
    compare: "Rancher's objects counted against the backup",
    teardown: 'the throwaway torn down',
  },
  etcd: {
    synth: "the throwaway's module synthesized and checked safe to apply beside production",
    apply: 'terraform apply of an empty throwaway',
    restore: "the snapshot restored on the throwaway's first server through SSM",
    ping: "waiting for /ping at production's hostname through the throwaway's load balancer",
    compare: "the restored Nodes and Rancher's objects counted against production",
    teardown: 'the throwaway torn down',
  },
};

/** The phases of a drill in order: the Rancher backup's, or with `--etcd` the snapshot's. */
export const phasesOf = (etcd: boolean): readonly DrillPhase[] => (etcd ? ETCD_PHASES : DRILL_PHASES);

/** A phase begun as a timed step: `DRILL_PHASE_STARTED`, phase n of m among the drill's phases, teardown included. */
export function beginPhase(io: IoHost, name: DrillPhase, etcd: boolean): Span {
  const phases = phasesOf(etcd);
  const doing = DOING[etcd ? 'etcd' : 'backup'][name] ?? name;
  return io.begin({
    code: 'DRILL_PHASE_STARTED',
    label: name,
    position: { n: phases.indexOf(name) + 1, m: phases.length },
    text: `${name}: ${doing}`,
    doing,
    data: { phase: name },
  });
}

/** The drill's phase runner: each phase timed, recorded in the report and a span (spannedPhaseRunner). */
export function drillPhaseRunner(o: {
  readonly io: IoHost;
  readonly etcd: boolean;
  readonly interrupted: () => boolean;
  readonly results: PhaseResult[];
  readonly enter: (phase: DrillPhase) => void;
}): PhaseRun<DrillPhase> {
  return spannedPhaseRunner({ ...o, prefix: 'DRILL', begin: (name) => beginPhase(o.io, name, o.etcd) });
}
