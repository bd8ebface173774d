/** Blocks the (synchronous) operation for `ms`. */
export function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The interval between two looks at something the operation waits for. */
export const POLL_INTERVAL_MS = 10_000;

/** The pause actually taken between two looks: POLL_INTERVAL_MS, shortened by tests (RANCHER_HA_AWS_POLL_MS). */
export function pollPause(): number {
  const fromEnv = Number(process.env.RANCHER_HA_AWS_POLL_MS ?? Number.NaN);
  return Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : POLL_INTERVAL_MS;
}

/**
 * A wait's budget: at most one look per POLL_INTERVAL_MS of it and, where the pause is the real one, no look started
 * once that much time has passed on the clock. A look can be slow (a curl that hangs to its own limit, a call that
 * times out), so the count alone would let a wait of "15 minutes" run three times as long; the clock alone would make
 * the tests, which shorten the pause (RANCHER_HA_AWS_POLL_MS), count the machine's speed instead of looks. The first
 * look always runs.
 */
export class LookBudget {
  /** How many looks the budget allows. */
  readonly looks: number;
  private readonly deadline: number | undefined;
  private taken = 0;

  constructor(
    budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.looks = Math.max(1, Math.ceil(budgetMs / POLL_INTERVAL_MS));
    this.deadline = process.env.RANCHER_HA_AWS_POLL_MS === undefined ? now() + budgetMs : undefined;
  }

  /** Whether another look may start (and counts it). */
  next(): boolean {
    if (this.taken >= this.looks) return false;
    if (this.taken > 0 && this.deadline !== undefined && this.now() >= this.deadline) return false;
    this.taken++;
    return true;
  }

  /** Whether a look would follow the one just taken (so a pause before it is worth taking). */
  more(): boolean {
    return this.taken < this.looks && (this.deadline === undefined || this.now() < this.deadline);
  }
}

/**
 * Polls `check` until it returns a value (not undefined) or the budget is spent (LookBudget: a number of looks, and
 * the clock where the pause is the real one); each check has a time limit of its own. Returns undefined when the
 * budget ran out.
 */
export function pollUntil<T>(budgetMs: number, check: () => T | undefined): T | undefined {
  const budget = new LookBudget(budgetMs);
  while (budget.next()) {
    const value = check();
    if (value !== undefined) return value;
    if (budget.more()) pause(pollPause());
  }
  return undefined;
}

/** Thrown by waitUntil when the operation was interrupted while it waited. */
export class Interrupted extends Error {}

/**
 * pollUntil for the roll: the pause between looks yields to the event loop,
 * so a SIGINT or SIGTERM is seen while waiting (a synchronous pause would hold
 * the signal until the wait ended); `interrupted` is asked before every look. A look may be asynchronous (an SDK
 * call). `pauseMs`, unset, is the CLI's pause (pollPause()).
 */
export async function waitUntil<T>(
  budgetMs: number,
  interrupted: () => boolean,
  check: () => T | undefined | Promise<T | undefined>,
  pauseMs?: number,
): Promise<T | undefined> {
  const budget = new LookBudget(budgetMs);
  while (budget.next()) {
    if (interrupted()) throw new Interrupted();
    const value = await check();
    if (value !== undefined) return value;
    if (budget.more()) await yieldFor(pauseMs ?? pollPause());
  }
  return undefined;
}

/** Lets pending events (signals) run, then waits `ms`. */
export function yieldFor(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
