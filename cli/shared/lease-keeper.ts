import type { LeaseApi } from './kube/leases';
import { LEASE_SECONDS, LeaseLock, LeaseLost, renew } from './lease';
import { pollPause } from './poll';

/**
 * Renews the Leases an operation holds on a timer, for as long as it runs:
 * between steps and during them (a `terraform apply` of up to 90 minutes, a
 * drain, a wait), so a living roll's Lease never looks stale to the renewal
 * timers (design notes, "Who may restart a server"). The long
 * commands run asynchronously (process.ts runAsync) so that this timer gets
 * its turn; a renewal still in flight at the next tick is not doubled. A Lease found no longer ours (LeaseLost) is remembered and the
 * operation stops at its next `check()`; an API that does not answer is
 * tried again at the next tick (the Lease lasts an hour, a tick is a minute).
 */
export class LeaseKeeper {
  private readonly held = new Set<LeaseLock>();
  private lost: LeaseLost | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The renewal under way, if one is: the next tick does not start another beside it, and stop() waits for it. */
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly api: LeaseApi,
    private readonly holder: string,
    /**
     * A minute, well within the hour of the Lease; shortened with the polls in the tests (RANCHER_HA_AWS_POLL_MS), but
     * never below a second: each renewal is two API calls (a read and a write), and at a fifth of a second the renewals were most of a
     * tested roll's calls (more of them the slower the machine ran it).
     */
    everyMs = Math.max(1000, Math.min(60_000, LEASE_SECONDS * 250, 6 * pollPause())),
  ) {
    this.timer = setInterval(() => {
      if (this.renewing === undefined) this.renewing = this.renewAll().finally(() => (this.renewing = undefined));
    }, everyMs);
    // The operation ends when its work ends, not when this timer does.
    this.timer.unref();
  }

  /** From now on, renews `lock` too. */
  hold(lock: LeaseLock): void {
    this.held.add(lock);
  }

  /** Throws LeaseLost when a renewal found a Lease taken by someone else: the operation takes no further step. */
  check(): void {
    if (this.lost) throw this.lost;
  }

  /** No renewal after this; resolves once the one under way, if any, has ended (a release then writes after it). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  private async renewAll(): Promise<void> {
    if (this.lost) return;
    for (const lock of this.held) {
      try {
        await renew(this.api, this.holder, new Date(), lock);
      } catch (error) {
        if (error instanceof LeaseLost) {
          this.lost = error;
          return;
        }
        // The API did not answer (a server restarting): the next tick tries again.
      }
    }
  }
}
