import { POLL_INTERVAL_MS } from '../../../cli/shared/poll';
import type { RunResult } from '../../../cli/shared/process';
import { PRIMARY_PROBE_COUNT, probeOutcome, probePrimary, type ProbeTarget } from '../../../cli/failover/primary-probe';

// Whether the primary is lost (cli/failover/primary-probe.ts), with curl's results given: the verdict, and how many
// probes and pauses it took (counted, never waited for).

const URL = 'https://rancher.example.com';
const LB = 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com';
const result = (code: number | null, stdout = '', stderr = '', timedOut = false): RunResult => ({ code, stdout, stderr, timedOut });
const REFUSED = result(7, '', 'curl: (7) Failed to connect to rancher.example.com port 443: Connection refused\n');
const PONG = result(0, 'pong\n200');

/** The probes run on a schedule of `count` with `answer(n, target)` as curl's result; the calls and pauses counted. */
async function probed(
  answer: (n: number, target: ProbeTarget) => RunResult,
  o: { count?: number; loadBalancer?: string | null; interruptAt?: number } = {},
) {
  const calls: string[] = [];
  const pauses: number[] = [];
  let round = 0;
  const verdict = await probePrimary({
    url: URL,
    loadBalancer: o.loadBalancer === null ? undefined : (o.loadBalancer ?? LB),
    schedule: { count: o.count ?? PRIMARY_PROBE_COUNT, intervalMs: POLL_INTERVAL_MS },
    interrupted: () => o.interruptAt !== undefined && calls.length >= o.interruptAt,
    probe: async (target) => {
      if (target.args.length === 0) round++;
      calls.push(target.args.length === 0 ? 'name' : `lb ${target.args.join(' ')}`);
      return answer(round, target);
    },
    pause: async (ms) => void pauses.push(ms),
  });
  return { ...verdict, calls, pauses };
}

describe('the probes of the primary', () => {
  it('down only when every probe at the hostname and at the load balancer failed over the whole window, a minute by default', async () => {
    const down = await probed(() => REFUSED);
    expect(down).toMatchObject({ verdict: 'down', probes: 7, targets: ['the hostname rancher.example.com', `production's load balancer ${LB}`] });
    expect(down.calls).toHaveLength(14);
    expect(down.calls[1]).toBe(`lb --connect-to rancher.example.com:443:${LB}:443`);
    // Six pauses of the poll interval between seven probes: a window of a minute.
    expect(down.pauses).toEqual(Array(6).fill(POLL_INTERVAL_MS));
    expect(down.pauses.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(60_000);
    // A load balancer's 503 (nothing behind it) and curl's time limit are failures too.
    const behind = await probed((_n, t) => (t.args.length ? result(0, '<html>503</html>\n503') : result(28, '', 'curl: (28) Operation timed out\n')));
    expect(behind.verdict).toBe('down');
  });

  it('serving at the first pong at either target; the name alone answering nothing does not make it down', async () => {
    const atLb = await probed((n, t) => (t.args.length && n === 3 ? PONG : REFUSED));
    expect(atLb).toMatchObject({ verdict: 'serving', probes: 3, why: `production's load balancer ${LB} answered pong (probe 3)` });
    expect(atLb.calls).toHaveLength(6);
    const byName = await probed(() => PONG);
    expect({ verdict: byName.verdict, calls: byName.calls.length }).toEqual({ verdict: 'serving', calls: 1 });
  });

  it('unknown, never down: a curl ended by a signal, an answer that is not pong, no load balancer to ask, an interrupted run', async () => {
    const killed = await probed((n, t) => (t.args.length && n === 3 ? result(null) : REFUSED));
    expect(killed).toMatchObject({ verdict: 'unknown', probes: 3, why: `probe 3 at production's load balancer ${LB}: curl was ended by a signal` });
    expect(killed.calls).toHaveLength(6);
    const other = await probed(() => result(0, '404 page not found\n404'));
    expect(other).toMatchObject({
      verdict: 'unknown',
      probes: 1,
      why: "probe 1 at the hostname rancher.example.com: answered HTTP 404 '404 page not found'",
    });
    const noLb = await probed(() => REFUSED, { loadBalancer: null });
    expect(noLb).toMatchObject({ verdict: 'unknown', probes: 7, targets: ['the hostname rancher.example.com'] });
    expect(noLb.why).toContain('names no load balancer');
    // Interrupted after the fourth call (probe 2 at the load balancer): every probe had failed until then.
    const stopped = await probed(() => REFUSED, { interruptAt: 4 });
    expect(stopped).toMatchObject({ verdict: 'unknown', interrupted: true, probes: 2 });
    expect(stopped.calls).toHaveLength(4);
  });

  it("reads curl's result: no answer from the target, or something else", () => {
    const kinds = [
      REFUSED,
      result(6, '', 'curl: (6) Could not resolve host\n'),
      result(28, '', 'curl: (28) Operation timed out\n'),
      result(0, 'Bad Gateway\n502'),
      PONG,
      result(0, 'pong\n000'),
      result(0, '404 page not found\n404'),
      result(60, '', 'curl: (60) SSL certificate problem\n'),
      result(2, '', 'curl: (2) Failed initialization\n'),
      result(null, '', '', true),
      result(null),
    ].map((r) => probeOutcome(r).kind);
    expect(kinds).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
      'pong',
      'inconclusive',
      'inconclusive',
      'inconclusive',
      'inconclusive',
      'inconclusive',
      'inconclusive',
    ]);
  });
});
