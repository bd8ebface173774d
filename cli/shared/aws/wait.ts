import { Interrupted, LookBudget, pollPause, yieldFor } from '../poll';

/** How long to keep looking at something AWS is still doing, and how to be stopped. */
export interface WaitBudget {
  /** The budget: a number of looks, one per POLL_INTERVAL_MS of it, and that much time (LookBudget, as the CLI's other waits). */
  readonly budgetMs: number;
  /** The pause between two looks; unset, the CLI's (pollPause()). */
  readonly pauseMs?: number;
  /** Asked before every look; true ends the wait with Interrupted. */
  readonly interrupted?: () => boolean;
}

/** Looks (async) until `look` answers a value or the budget is spent (then undefined). */
export async function waitFor<T>(budget: WaitBudget, look: () => Promise<T | undefined>): Promise<T | undefined> {
  const looks = new LookBudget(budget.budgetMs);
  while (looks.next()) {
    if (budget.interrupted?.()) throw new Interrupted();
    const value = await look();
    if (value !== undefined) return value;
    if (looks.more()) await yieldFor(budget.pauseMs ?? pollPause());
  }
  return undefined;
}
