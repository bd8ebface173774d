import type { IoHost } from '../shared/io/io-host';
import type { Span } from '../shared/io/span';
import { spannedPhaseRunner } from '../shared/phase-spans';
import type { PhaseRun, TimedPhase } from '../shared/throwaway';
import { ACCEPTANCE_PHASES, type AcceptancePhase } from './acceptance-report';

// An acceptance run's progress as spans (cli/shared/io/): each phase is phase n of m among the phases the run takes
// (deploy, the chosen ones, teardown and sweep), and the long waits inside one (an apply, the downstream cluster
// looked at until it is Active, each part of the teardown) are steps inside it, so that a terminal's status line
// says what is running and for how long: `deploy (1 of 9, 12m 03s) › apply (6m 40s) · terraform apply of the deployment`.

/** What each phase does, as the status line says it after the phase's name and place (phaseMeaning says it whole). */
const DOING: Readonly<Record<AcceptancePhase, string>> = {
  deploy: 'the deployment synthesized, checked and applied',
  ping: "waiting for Rancher's /ping to answer pong",
  login: "admin's first login through Rancher's API",
  'second-plan': 'terraform plan right after the apply, which must change nothing',
  downstream: 'a downstream K3s instance applied and imported into Rancher',
  upgrade: 'Kubernetes upgraded one minor by a second apply',
  roll: 'every server replaced in turn by the roll command',
  rotate: 'the cluster token and the encryption key rotated, then one server rolled',
  backup: 'a one-time Rancher backup, waited for in its bucket',
  metrics: "each server's metrics sent and read back from CloudWatch",
  drill: 'the drill restoring that backup into a throwaway deployment',
  failover: 'the primary stopped, failed over to the standby region and back',
  migrate: 'the docker Rancher moved to an rke-ha deployment at the same hostname',
  break: 'Rancher taken down, so that the teardown must do without it',
  teardown: "the run's deployments torn down",
  sweep: "the account searched for anything left with the run's id",
};

/** A phase begun as a timed step: `ACCEPTANCE_PHASE_STARTED`, phase n of m among the phases the run takes. */
export function beginPhase(io: IoHost, name: AcceptancePhase, phases: ReadonlySet<AcceptancePhase>): Span {
  const taken = ACCEPTANCE_PHASES.filter((p) => phases.has(p) || p === name);
  return io.begin({
    code: 'ACCEPTANCE_PHASE_STARTED',
    label: name,
    position: { n: taken.indexOf(name) + 1, m: taken.length },
    text: `${name}: ${DOING[name]}`,
    doing: DOING[name],
    data: { phase: name },
  });
}

/** The run's phase runner: each phase timed, recorded in the report and a span (spannedPhaseRunner). */
export function acceptancePhaseRunner(o: {
  readonly io: IoHost;
  readonly phases: ReadonlySet<AcceptancePhase>;
  readonly interrupted: () => boolean;
  readonly results: TimedPhase<AcceptancePhase>[];
  readonly enter: (phase: AcceptancePhase) => void;
}): PhaseRun<AcceptancePhase> {
  return spannedPhaseRunner({ ...o, prefix: 'ACCEPTANCE', begin: (name) => beginPhase(o.io, name, o.phases) });
}

/** Why a phase did not pass: a signal or the budget stopped it, or it failed. */
export function phaseStopped(io: IoHost, interrupted: boolean, text: string): void {
  if (interrupted) io.warn('ACCEPTANCE_PHASE_INTERRUPTED', text);
  else io.error('ACCEPTANCE_PHASE_FAILED', text);
}

/**
 * A long wait inside a phase as a step of its own (`ACCEPTANCE_STEP_STARTED`, then `ACCEPTANCE_STEP_DONE` with its
 * time), so the status line names it while it runs; stopped, without a message, when it throws (the phase says why).
 */
export async function step<T>(io: IoHost, label: string, doing: string, work: () => Promise<T>): Promise<T> {
  const span = io.begin({ code: 'ACCEPTANCE_STEP_STARTED', label, text: `${label}: ${doing}`, doing, data: { step: label } });
  try {
    const value = await work();
    span.end('ACCEPTANCE_STEP_DONE', `${label}: done`, { step: label });
    return value;
  } finally {
    span.stop();
  }
}

/**
 * A command the run runs through its own host (the roll, rotate, the drill), and the texts of the messages it told,
 * in order: the run keeps some of them as evidence, as it kept their lines before they had codes.
 */
export async function toldDuring(io: IoHost, command: () => Promise<number>): Promise<{ readonly code: number; readonly texts: string[] }> {
  const from = io.messages.length;
  const code = await command();
  return { code, texts: io.messages.slice(from).map((m) => m.text) };
}
