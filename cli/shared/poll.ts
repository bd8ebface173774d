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
 * Polls `check` until it returns a value (not undefined) or the budget is
 * spent. The budget is a number of looks (budget / POLL_INTERVAL_MS), so it
 * is the same number of looks when a test shortens the pause; each check has
 * a time limit of its own. Returns undefined when the budget ran out.
 */
export function pollUntil<T>(budgetMs: number, check: () => T | undefined): T | undefined {
  const attempts = Math.max(1, Math.ceil(budgetMs / POLL_INTERVAL_MS));
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = check();
    if (value !== undefined) return value;
    if (attempt + 1 < attempts) pause(pollPause());
  }
  return undefined;
}

/** Thrown by waitUntil when the operation was interrupted while it waited. */
export class Interrupted extends Error {}

/**
 * pollUntil for the roll: the pause between looks yields to the event loop,
 * so a SIGINT or SIGTERM is seen while waiting (a synchronous pause would hold
 * the signal until the wait ended); `interrupted` is asked before every look.
 */
export async function waitUntil<T>(
  budgetMs: number,
  interrupted: () => boolean,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T | undefined> {
  const attempts = Math.max(1, Math.ceil(budgetMs / POLL_INTERVAL_MS));
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (interrupted()) throw new Interrupted();
    const value = await check();
    if (value !== undefined) return value;
    if (attempt + 1 < attempts) await yieldFor(pollPause());
  }
  return undefined;
}

/** Lets pending events (signals) run, then waits `ms`. */
export function yieldFor(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
