import {
  availabilityProblems,
  type Clock,
  describeTarget,
  measured,
  type PhaseAvailability,
  phaseAvailability,
  type ProbeSample,
  targetAvailability,
} from '../../../cli/acceptance/acceptance-probes';
import { StepFailed } from '../../../cli/shared/throwaway';

const T0 = Date.parse('2026-11-26T12:00:00.000Z');
const S = 1000;
const at = (seconds: number) => T0 + seconds * S;
/** Probes every 5 s from 0, answered but where `down` says (both targets alike unless `api` differs). */
const samples = (count: number, down: (i: number) => boolean, api: (i: number) => boolean = (i) => !down(i)): ProbeSample[] =>
  Array.from({ length: count }, (_, i) => ({ at: at(i * 5), ping: !down(i), api: api(i) }));

/**
 * A clock whose time moves only when every waiter is waiting: sleeps resolve in the order of their end, each at its
 * end's time (a discrete-event loop), so the probes and the phase's work interleave as they would on a real clock,
 * without waiting for it.
 */
function eventClock(start = T0): Clock & { readonly settle: () => Promise<void> } {
  let now = start;
  const timers: { at: number; done: () => void }[] = [];
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    // Every waiter reaches its next sleep first (a few turns of the event loop), then the earliest ends.
    for (;;) {
      for (let i = 0; i < 5; i++) await new Promise((done) => setImmediate(done));
      const next = timers.sort((a, b) => a.at - b.at).shift();
      if (!next) break;
      now = next.at;
      next.done();
    }
    running = false;
  };
  return {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((done) => {
        timers.push({ at: now + ms, done });
        void tick();
      }),
    settle: tick,
  };
}

describe('targetAvailability', () => {
  it('counts the probes answered and finds the longest gap: from the first unanswered probe to the next answered one', () => {
    const t = targetAvailability(
      samples(20, (i) => i === 3 || (i >= 10 && i < 14)),
      'ping',
      at(100),
    );
    expect(t).toEqual({
      answered: 15,
      probes: 20,
      longestGapMs: 20 * S,
      gapBeganAt: new Date(at(50)).toISOString(),
      // The 60 s from 10 s: 12 probes, 5 unanswered (the one at 15 s and the gap's 4).
      worstWindow: { answered: 7, probes: 12, beganAt: new Date(at(10)).toISOString() },
    });
  });

  it('a gap not over at the end lasts until the phase ended; no gap, none named', () => {
    expect(
      targetAvailability(
        samples(6, (i) => i >= 4),
        'api',
        at(40),
      ),
    ).toMatchObject({ answered: 4, longestGapMs: 20 * S, gapBeganAt: new Date(at(20)).toISOString() });
    expect(
      targetAvailability(
        samples(6, () => false),
        'api',
        at(30),
      ),
    ).toEqual({ answered: 6, probes: 6, longestGapMs: 0 });
  });
});

describe('availabilityProblems (the budget of a roll of three servers: 99% answered, no gap over 30 s)', () => {
  const of = (s: ProbeSample[], end = at(s.length * 5)): PhaseAvailability => phaseAvailability('roll', s, T0, end);
  const windowProblems = (answered: number, from: number) =>
    ["Rancher's /ping through the load balancer", "the Kubernetes API's /readyz"].map(
      (target) =>
        `${target} answered ${answered} of 12 probes in the 60 s from ${new Date(from).toISOString()} (no 60 s with more than one unanswered and under 95% expected)`,
    );

  it('keeps the budget: one probe lost in 200, a 5 s gap, its minute 11 of 12 (one lost never fails a window)', () => {
    const a = of(samples(200, (i) => i === 77));
    expect(availabilityProblems(a)).toEqual([]);
    expect(a.ping.worstWindow).toEqual({ answered: 11, probes: 12, beganAt: new Date(at(66 * 5)).toISOString() });
  });

  it('a third of the probes unanswered for 90 s fails by its minutes, though the phase keeps 99% and no gap passes 5 s', () => {
    // Every third probe of 18 (90 s) in a phase of 2,000 probes: 99.7% answered, each gap 5 s.
    const a = of(samples(2000, (i) => i >= 1000 && i < 1018 && i % 3 === 0));
    expect(a.ping).toMatchObject({ answered: 1994, longestGapMs: 5 * S });
    expect(availabilityProblems(a)).toEqual(windowProblems(8, at(1000 * 5)));
  });

  it('two probes lost within a minute fail it; two a minute apart do not', () => {
    expect(availabilityProblems(of(samples(1000, (i) => i === 500 || i === 506)))).toEqual(windowProblems(10, at(495 * 5)));
    expect(availabilityProblems(of(samples(1000, (i) => i === 500 || i === 512)))).toEqual([]);
  });

  it('a gap of 35 s fails, named with when it began, for each target that had it (and its minute: 5 of 12 answered)', () => {
    const a = of(samples(1000, (i) => i >= 500 && i < 507));
    const [pingWindow, apiWindow] = windowProblems(5, at(495 * 5));
    expect(availabilityProblems(a)).toEqual([
      pingWindow,
      `Rancher's /ping through the load balancer did not answer for 35 s from ${new Date(at(2500)).toISOString()} (at most 30 s expected)`,
      apiWindow,
      `the Kubernetes API's /readyz did not answer for 35 s from ${new Date(at(2500)).toISOString()} (at most 30 s expected)`,
    ]);
  });

  it('under 99% answered fails even with short gaps; the report line says both', () => {
    const a = of(
      samples(
        100,
        (i) => i % 50 === 0,
        () => true,
      ),
    );
    expect(availabilityProblems(a)).toEqual(["Rancher's /ping through the load balancer answered 98.0% of 100 probes (at least 99% expected)"]);
    expect(describeTarget('ping', a.ping)).toBe(
      `Rancher's /ping through the load balancer: 98 of 100 probes answered (98.0%), longest gap 5 s from ${new Date(at(0)).toISOString()}, worst 60 s: 11 of 12 from ${new Date(at(0)).toISOString()}`,
    );
  });

  it('a stretch with no probe at all longer than the gap allowed fails: nothing shows Rancher answered then', () => {
    const s = [...samples(10, () => false), ...samples(10, () => false).map((x) => ({ ...x, at: x.at + 120 * S }))];
    expect(availabilityProblems(of(s, at(170)))).toEqual([
      `nothing was probed for 75 s from ${new Date(at(45)).toISOString()} (the run was busy elsewhere: nothing shows Rancher answered then)`,
    ]);
  });

  it('a phase never probed fails', () => {
    expect(availabilityProblems(of([], at(3)))).toEqual([
      "Rancher's /ping through the load balancer was never probed",
      "the Kubernetes API's /readyz was never probed",
    ]);
  });
});

describe('measured: the probes beside a phase, on the run clock a test gives', () => {
  /** Three servers; `down` at the clock's time; /ping and the API answer while a majority runs (the fake cloud's rule). */
  const world = (clock: Clock) => {
    const down = new Set<string>();
    let probes = 0;
    return {
      down,
      probes: () => probes,
      probe: async () => {
        probes++;
        const answers = 3 - down.size >= 2;
        return { ping: answers, api: answers };
      },
      /** A restart of `servers` at once, lasting `seconds` of the clock. */
      restart: async (servers: string[], seconds: number) => {
        for (const s of servers) down.add(s);
        await clock.sleep(seconds * S);
        for (const s of servers) down.delete(s);
        await clock.sleep(60 * S);
      },
    };
  };

  it('a roll of three servers, one at a time, 90 s each: every probe answered, the phase passes and reports it', async () => {
    const clock = eventClock();
    const w = world(clock);
    const recorded: PhaseAvailability[] = [];
    await measured(
      'roll',
      w.probe,
      async () => {
        for (const s of ['server-0', 'server-1', 'server-2']) await w.restart([s], 90);
      },
      { clock, record: (a) => recorded.push(a) },
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ phase: 'roll', seconds: 450, ping: { answered: w.probes(), longestGapMs: 0 }, longestUnprobedMs: 5 * S });
    // One probe every 5 s of the clock: the work is bounded by probes, not by the machine.
    expect(w.probes()).toBeGreaterThanOrEqual(90);
    expect(w.probes()).toBeLessThanOrEqual(92);
  });

  it('two servers restarted at once for 40 s: the phase fails naming the gap and when it began; the numbers are recorded', async () => {
    const clock = eventClock();
    const w = world(clock);
    const recorded: PhaseAvailability[] = [];
    const run = measured(
      'roll',
      w.probe,
      async () => {
        await w.restart(['server-0'], 90);
        await w.restart(['server-1', 'server-2'], 40);
      },
      { clock, record: (a) => recorded.push(a) },
    );
    await expect(run).rejects.toThrow(StepFailed);
    await expect(run).rejects.toThrow(/^Rancher did not stay answering through the roll: /);
    await expect(run).rejects.toThrow(`Rancher's /ping through the load balancer did not answer for 40 s from ${new Date(at(150)).toISOString()}`);
    expect(recorded[0].api).toMatchObject({ probes: w.probes(), answered: w.probes() - 8, longestGapMs: 40 * S });
  });

  it("the phase's own failure comes first; its probes are still recorded", async () => {
    const clock = eventClock();
    const w = world(clock);
    const recorded: PhaseAvailability[] = [];
    const run = measured(
      'upgrade',
      w.probe,
      async () => {
        await w.restart(['server-0', 'server-1'], 60);
        throw new StepFailed('not every node runs v1.35.7+rke2r1');
      },
      { clock, record: (a) => recorded.push(a) },
    );
    await expect(run).rejects.toThrow('not every node runs v1.35.7+rke2r1');
    // The first probe went out as the phase began, before the restart: the gap is the next 55 s.
    expect(recorded[0].ping.longestGapMs).toBe(55 * S);
  });
});
