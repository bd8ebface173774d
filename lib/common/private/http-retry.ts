/** One try of a probe: the request's own timeout, then the pause before the next. */
export const PROBE_REQUEST_TIMEOUT_MS = 10_000;
export const PROBE_DELAY_MS = 10_000;

/** The timing arguments of an `http` data source probe. */
export interface ProbeTiming {
  readonly requestTimeoutMs: number;
  readonly retry: { readonly attempts: number; readonly minDelayMs: number; readonly maxDelayMs: number };
}

/**
 * Retries of an `http` data source that fit a budget. The http provider (3.5)
 * sends up to `attempts + 1` requests, each cut after `request_timeout_ms`, with
 * a fixed pause between them when min and max delay are equal; it retries
 * connection errors, 429 and 5xx (not 501), never another 4xx or a certificate
 * error. The worst case, every request timing out, is
 * `(attempts + 1) * timeout + attempts * delay`, which this keeps within `minutes`.
 */
export function probeTiming(minutes: number): ProbeTiming {
  const attempts = Math.max(0, Math.floor((minutes * 60_000 - PROBE_REQUEST_TIMEOUT_MS) / (PROBE_REQUEST_TIMEOUT_MS + PROBE_DELAY_MS)));
  return { requestTimeoutMs: PROBE_REQUEST_TIMEOUT_MS, retry: { attempts, minDelayMs: PROBE_DELAY_MS, maxDelayMs: PROBE_DELAY_MS } };
}

/** The worst-case duration of a probe with this timing, in seconds. */
export function probeWorstCaseSeconds(timing: ProbeTiming): number {
  const { attempts, maxDelayMs } = timing.retry;
  return ((attempts + 1) * timing.requestTimeoutMs + attempts * maxDelayMs) / 1000;
}
