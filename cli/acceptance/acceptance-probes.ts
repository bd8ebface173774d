import type { KubeApi } from '../shared/kube/kube-api';
import { pollPause } from '../shared/poll';
import { runAsync } from '../shared/process';
import { StepFailed } from '../shared/throwaway';

// Rancher answering through every restart, measured (docs/acceptance.md, "Rancher answering through the restarts"):
// while the upgrade, roll and rotate phases restart servers, the run asks Rancher's /ping through the load balancer (trusted with Rancher's CA)
// and the Kubernetes API's /readyz every few seconds, and reports per phase what answered, the longest gap and when it
// began. The probes run in this process beside the phase: its steps that wait (Terraform's reads and applies, the
// drain, SSM waits) are asynchronous, as the roll's Lease keeper needs them to be; a stretch the run could not probe
// at all is reported as such, and counts against the budget like a gap (nothing shows Rancher answered then).

/** When time is read and how the run waits: the wall clock, or a test's. */
export interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const WALL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((done) => setTimeout(done, ms)) };

/**
 * The run's clock: the wall clock, unless the poll pause is shortened (the tests' RANCHER_HA_AWS_POLL_MS, which makes
 * every wait a number of looks, cli/shared/poll.ts): then a clock that moves only by what each sleep asks for, while
 * the real pause is the short one. Probe times then count probes, not the machine's speed: a stretch of k unanswered
 * probes is k intervals long however fast they ran.
 */
export function runClock(): Clock {
  if (process.env.RANCHER_HA_AWS_POLL_MS === undefined) return WALL_CLOCK;
  let now = Date.now();
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((done) => setTimeout(done, Math.max(pollPause(), 20)));
    },
  };
}

/** What a phase that restarts servers must keep: a roll of three servers, one at a time, behind the load balancer. */
export const AVAILABILITY_BUDGET = {
  /** Of the probes of each target. */
  answeredRatio: 0.99,
  /** No target unanswered (or unprobed) longer. */
  longestGapMs: 30_000,
  /** Between two probes. */
  intervalMs: 5_000,
  /** Each probe's own bound (curl --max-time, the /readyz request's). */
  probeTimeoutMs: 4_000,
  /**
   * Every stretch of this length (one starting at each probe): it fails when more than one of its probes went
   * unanswered and fewer than `windowRatio` of them answered. One lost probe never fails a window by itself (at one
   * probe in 5 s a window holds 12, and one lost is 91.7%, which the whole phase's budget allows once in 100); a third
   * of the probes lost for 90 s (4 of 12) does, however long the phase around it.
   */
  windowMs: 60_000,
  windowRatio: 0.95,
} as const;

/** The targets probed: Rancher's /ping through the load balancer, the Kubernetes API's /readyz. */
export const PROBE_TARGETS = ['ping', 'api'] as const;
export type ProbeTarget = (typeof PROBE_TARGETS)[number];

/** One probe of both targets, at `at` (the clock's ms) when it was sent. */
export interface ProbeSample {
  readonly at: number;
  readonly ping: boolean;
  readonly api: boolean;
}

/** One target over a phase. */
export interface TargetAvailability {
  readonly answered: number;
  readonly probes: number;
  /** The longest stretch without an answer: from the first probe unanswered to the next answered (or the phase's end). */
  readonly longestGapMs: number;
  /** When it began (ISO), when there was one. */
  readonly gapBeganAt?: string;
  /**
   * The worst stretch of `windowMs` (one starting at each probe), when a probe went unanswered: the one failing the
   * window rule with the fewest answered, else the one with the most unanswered.
   */
  readonly worstWindow?: { readonly answered: number; readonly probes: number; readonly beganAt: string };
}

/** What a phase's probes showed (the report's `availability`). */
export interface PhaseAvailability {
  readonly phase: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly ping: TargetAvailability;
  readonly api: TargetAvailability;
  /** The longest stretch with no probe at all (the run busy elsewhere), and when it began. */
  readonly longestUnprobedMs: number;
  readonly unprobedBeganAt?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A target's answers over the samples, the phase running from `start` to `end` (the clock's ms). */
export function targetAvailability(samples: readonly ProbeSample[], target: ProbeTarget, end: number): TargetAvailability {
  let longest = 0;
  let began: number | undefined;
  let since: number | undefined;
  const close = (until: number) => {
    if (since !== undefined && until - since > longest) {
      longest = until - since;
      began = since;
    }
    since = undefined;
  };
  for (const s of samples) {
    if (s[target]) close(s.at);
    else since ??= s.at;
  }
  close(end);
  const worst = worstWindow(samples, target);
  return {
    answered: samples.filter((s) => s[target]).length,
    probes: samples.length,
    longestGapMs: longest,
    ...(began !== undefined ? { gapBeganAt: iso(began) } : {}),
    ...(worst ? { worstWindow: worst } : {}),
  };
}

/** Whether a window's probes fail the window rule (AVAILABILITY_BUDGET.windowMs). */
export const windowFails = (w: { answered: number; probes: number }, ratio: number = AVAILABILITY_BUDGET.windowRatio) =>
  w.probes - w.answered > 1 && w.answered / w.probes < ratio;

function worstWindow(samples: readonly ProbeSample[], target: ProbeTarget): TargetAvailability['worstWindow'] {
  let worst: { answered: number; probes: number; at: number } | undefined;
  const rank = (w: { answered: number; probes: number }) =>
    windowFails(w) ? 2 + (1 - w.answered / w.probes) : (w.probes - w.answered) / samples.length;
  samples.forEach((first, i) => {
    let answered = 0;
    let probes = 0;
    for (let j = i; j < samples.length && samples[j].at < first.at + AVAILABILITY_BUDGET.windowMs; j++) {
      probes++;
      if (samples[j][target]) answered++;
    }
    const w = { answered, probes, at: first.at };
    if (answered < probes && (!worst || rank(w) > rank(worst))) worst = w;
  });
  return worst && { answered: worst.answered, probes: worst.probes, beganAt: iso(worst.at) };
}

/** What the samples of a phase from `start` to `end` show. */
export function phaseAvailability(phase: string, samples: readonly ProbeSample[], start: number, end: number): PhaseAvailability {
  let unprobed = 0;
  let unprobedFrom: number | undefined;
  const stamps = [start, ...samples.map((s) => s.at), end];
  for (let i = 1; i < stamps.length; i++) {
    if (stamps[i] - stamps[i - 1] > unprobed) {
      unprobed = stamps[i] - stamps[i - 1];
      unprobedFrom = stamps[i - 1];
    }
  }
  return {
    phase,
    startedAt: iso(start),
    seconds: Math.round((end - start) / 1000),
    ping: targetAvailability(samples, 'ping', end),
    api: targetAvailability(samples, 'api', end),
    longestUnprobedMs: unprobed,
    ...(unprobedFrom !== undefined ? { unprobedBeganAt: iso(unprobedFrom) } : {}),
  };
}

const TARGET_NAMES: Record<ProbeTarget, string> = { ping: "Rancher's /ping through the load balancer", api: "the Kubernetes API's /readyz" };

const percent = (t: TargetAvailability) => (t.probes === 0 ? 0 : (100 * t.answered) / t.probes);

/** The report's line for one target. */
export function describeTarget(target: ProbeTarget, t: TargetAvailability): string {
  return (
    `${TARGET_NAMES[target]}: ${t.answered} of ${t.probes} probes answered (${percent(t).toFixed(1)}%), ` +
    (t.gapBeganAt ? `longest gap ${Math.round(t.longestGapMs / 1000)} s from ${t.gapBeganAt}` : 'no gap') +
    (t.worstWindow
      ? `, worst ${AVAILABILITY_BUDGET.windowMs / 1000} s: ${t.worstWindow.answered} of ${t.worstWindow.probes} from ${t.worstWindow.beganAt}`
      : '')
  );
}

/** Why a phase's availability misses the budget (nothing when it keeps it), each naming its gap. */
export function availabilityProblems(a: PhaseAvailability, budget: { answeredRatio: number; longestGapMs: number } = AVAILABILITY_BUDGET): string[] {
  const problems: string[] = [];
  for (const target of PROBE_TARGETS) {
    const t = a[target];
    if (t.probes === 0) problems.push(`${TARGET_NAMES[target]} was never probed`);
    else if (t.answered / t.probes < budget.answeredRatio)
      problems.push(
        `${TARGET_NAMES[target]} answered ${percent(t).toFixed(1)}% of ${t.probes} probes (at least ${budget.answeredRatio * 100}% expected)`,
      );
    if (t.worstWindow && windowFails(t.worstWindow))
      problems.push(
        `${TARGET_NAMES[target]} answered ${t.worstWindow.answered} of ${t.worstWindow.probes} probes in the ${AVAILABILITY_BUDGET.windowMs / 1000} s from ${t.worstWindow.beganAt} (no ${AVAILABILITY_BUDGET.windowMs / 1000} s with more than one unanswered and under ${AVAILABILITY_BUDGET.windowRatio * 100}% expected)`,
      );
    if (t.longestGapMs > budget.longestGapMs)
      problems.push(
        `${TARGET_NAMES[target]} did not answer for ${Math.round(t.longestGapMs / 1000)} s from ${t.gapBeganAt} (at most ${budget.longestGapMs / 1000} s expected)`,
      );
  }
  if (a.longestUnprobedMs > budget.longestGapMs)
    problems.push(
      `nothing was probed for ${Math.round(a.longestUnprobedMs / 1000)} s from ${a.unprobedBeganAt} (the run was busy elsewhere: nothing shows Rancher answered then)`,
    );
  return problems;
}

/**
 * Probes both targets every `intervalMs` of the clock until stopped: each probe is sent when the previous one ended
 * and the interval has passed since it was sent. `probe` never throws (an error is an unanswered probe).
 */
export class Prober {
  private readonly samples: ProbeSample[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  private startedAt = 0;

  constructor(
    private readonly probe: () => Promise<{ ping: boolean; api: boolean }>,
    private readonly clock: Clock = WALL_CLOCK,
    private readonly intervalMs: number = AVAILABILITY_BUDGET.intervalMs,
  ) {}

  start(): this {
    this.startedAt = this.clock.now();
    this.loop = this.run();
    return this;
  }

  /** The probes ended (the one in flight awaited) and what they showed for `phase`. */
  async stop(phase: string): Promise<PhaseAvailability> {
    this.stopped = true;
    await this.loop;
    return phaseAvailability(phase, this.samples, this.startedAt, this.clock.now());
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const at = this.clock.now();
      let answer = { ping: false, api: false };
      try {
        answer = await this.probe();
      } catch {
        // Unanswered.
      }
      this.samples.push({ at, ...answer });
      if (this.stopped) break;
      await this.clock.sleep(Math.max(0, this.intervalMs - (this.clock.now() - at)));
    }
  }
}

/**
 * The real probes: curl with Rancher's CA to `<url>/ping` (pong), and the API server's `/readyz` through the client
 * (200, which `kubectl get --raw /readyz` prints as `ok`; no answer within the bound is none), side by side.
 */
export function rancherProbe(o: {
  readonly url: string;
  readonly caFile: string;
  readonly kube: Pick<KubeApi, 'ready'>;
}): () => Promise<{ ping: boolean; api: boolean }> {
  const seconds = String(AVAILABILITY_BUDGET.probeTimeoutMs / 1000);
  return async () => {
    const [ping, api] = await Promise.all([
      runAsync('curl', ['--silent', '--max-time', seconds, '--cacert', o.caFile, `${o.url}/ping`], {
        timeoutMs: AVAILABILITY_BUDGET.probeTimeoutMs + 2_000,
      }),
      o.kube.ready(AVAILABILITY_BUDGET.probeTimeoutMs).catch(() => false),
    ]);
    return { ping: ping.code === 0 && ping.stdout.trim() === 'pong', api };
  };
}

/**
 * `work` with the probes running beside it, then the phase's availability into the report through `record` (also
 * when `work` failed), and, once `work` succeeded, a StepFailed naming each gap when it missed the budget.
 */
export async function measured<T>(
  phase: string,
  probe: () => Promise<{ ping: boolean; api: boolean }>,
  work: () => Promise<T>,
  o: { readonly clock?: Clock; readonly record: (a: PhaseAvailability) => void },
): Promise<T> {
  const prober = new Prober(probe, o.clock).start();
  let availability: PhaseAvailability | undefined;
  try {
    const result = await work();
    availability = await prober.stop(phase);
    o.record(availability);
    const failure = availabilityFailure(availability);
    if (failure) throw failure;
    return result;
  } finally {
    if (!availability) o.record(await prober.stop(phase));
  }
}

/** The StepFailed of a phase whose availability missed the budget; undefined when it kept it. */
export function availabilityFailure(a: PhaseAvailability): StepFailed | undefined {
  const problems = availabilityProblems(a);
  return problems.length ? new StepFailed(`Rancher did not stay answering through the ${a.phase}: ${problems.join('; ')}`) : undefined;
}
