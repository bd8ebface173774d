import { Interrupted, POLL_INTERVAL_MS, pollPause, yieldFor } from '../poll';

/** How long to keep looking at something AWS is still doing, and how to be stopped. */
export interface WaitBudget {
  /** The budget: a number of looks, one per POLL_INTERVAL_MS of it (as the CLI's other waits count). */
  readonly budgetMs: number;
  /** The pause between two looks; unset, the CLI's (pollPause()). */
  readonly pauseMs?: number;
  /** Asked before every look; true ends the wait with Interrupted. */
  readonly interrupted?: () => boolean;
}

/** Looks (async) until `look` answers a value or the budget is spent (then undefined). */
export async function waitFor<T>(budget: WaitBudget, look: () => Promise<T | undefined>): Promise<T | undefined> {
  const looks = Math.max(1, Math.ceil(budget.budgetMs / POLL_INTERVAL_MS));
  for (let n = 0; n < looks; n++) {
    if (budget.interrupted?.()) throw new Interrupted();
    const value = await look();
    if (value !== undefined) return value;
    if (n + 1 < looks) await yieldFor(budget.pauseMs ?? pollPause());
  }
  return undefined;
}
