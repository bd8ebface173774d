import { waitUntil } from '../poll';

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
export function waitFor<T>(budget: WaitBudget, look: () => Promise<T | undefined>): Promise<T | undefined> {
  return waitUntil(budget.budgetMs, () => budget.interrupted?.() ?? false, look, budget.pauseMs);
}
