import { LookBudget, POLL_INTERVAL_MS } from '../../../cli/shared/poll';

/**
 * A wait's budget (LookBudget) on a clock the test moves: each look takes `lookMs`, each pause POLL_INTERVAL_MS.
 * Returns the looks taken and the time the wait ended.
 */
function run(budgetMs: number, lookMs: number): { looks: number; endedAt: number } {
  let clock = 0;
  const budget = new LookBudget(budgetMs, () => clock);
  let looks = 0;
  while (budget.next()) {
    looks++;
    clock += lookMs;
    if (budget.more()) clock += POLL_INTERVAL_MS;
  }
  return { looks, endedAt: clock };
}

describe('LookBudget', () => {
  const saved = process.env.RANCHER_HA_AWS_POLL_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.RANCHER_HA_AWS_POLL_MS;
    else process.env.RANCHER_HA_AWS_POLL_MS = saved;
  });

  describe('with the real pause', () => {
    beforeEach(() => delete process.env.RANCHER_HA_AWS_POLL_MS);

    it('stops starting looks once the budget has passed on the clock: slow looks (a curl hanging to its 20 s limit) do not triple a wait', () => {
      // 15 minutes: 90 looks by count; looks of 20 s and pauses of 10 s would have taken 45 minutes.
      const { looks, endedAt } = run(15 * 60_000, 20_000);
      expect(looks).toBe(30);
      expect(endedAt).toBeLessThanOrEqual(15 * 60_000 + 20_000 + POLL_INTERVAL_MS);
    });

    it('fast looks are bounded by their count, one per interval of the budget, as before', () => {
      expect(run(60_000, 0)).toEqual({ looks: 6, endedAt: 50_000 });
    });
  });

  it("with the tests' shortened pause, the count alone: the machine's speed does not decide how many looks a wait takes", () => {
    process.env.RANCHER_HA_AWS_POLL_MS = '0';
    expect(run(15 * 60_000, 20_000).looks).toBe(90);
    expect(run(60_000, 0).looks).toBe(6);
  });

  it('always takes the first look, even with nothing left of the budget', () => {
    delete process.env.RANCHER_HA_AWS_POLL_MS;
    expect(run(0, 20_000).looks).toBe(1);
    expect(new LookBudget(25_000).looks).toBe(3);
  });
});
