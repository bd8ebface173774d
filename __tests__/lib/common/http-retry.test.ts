import { PROBE_DELAY_MS, PROBE_REQUEST_TIMEOUT_MS, probeTiming, probeWorstCaseSeconds } from '../../../lib/common/private/http-retry';

describe('probeTiming', () => {
  it.each([2, 5, 10, 15, 20, 25, 60, 120])('keeps the worst case of a %i-minute probe within it, and near it', (minutes) => {
    const timing = probeTiming(minutes);
    const worst = probeWorstCaseSeconds(timing);
    expect(worst).toBeLessThanOrEqual(minutes * 60);
    // One more attempt would not fit.
    expect(worst + (PROBE_REQUEST_TIMEOUT_MS + PROBE_DELAY_MS) / 1000).toBeGreaterThan(minutes * 60);
  });

  it('retries at a fixed 10-second pace (min and max delay equal: no backoff), each request cut after 10 seconds', () => {
    expect(probeTiming(20)).toEqual({ requestTimeoutMs: 10_000, retry: { attempts: 59, minDelayMs: 10_000, maxDelayMs: 10_000 } });
  });

  it('never asks for a negative number of retries', () => {
    expect(probeTiming(0).retry.attempts).toBe(0);
  });
});
