import { PRIMARY_PROBE_COUNT, PROBE_MAX_SECONDS } from '../../../cli/failover/primary-probe';
import {
  inMinutes,
  RTO_PHASES,
  RTO_STACKS,
  RTO_TARGET_MINUTES,
  rtoModel,
  rtoPlanLine,
  rtoStackOf,
  timeoutsOf,
} from '../../../cli/failover/rto-model';
import { TIMEOUT_DEFAULTS } from '../../../lib/config/wait-budgets';

// The failover's modelled RTO (cli/failover/rto-model.ts; docs/development/standby-rto.md) against issue 91's 30 minutes.
// The model reads the code's own budgets, so a budget raised in the code raises it here: these tests fail when the
// expected RTO grows past the target, when a failover wait would give up before AWS's documented time, or when a stack
// that is over the target (named below, with why) stops being so without the page saying it.

/**
 * Over the target today, said on docs/development/standby-rto.md ("Over the target"):
 * - every stack's worst case: the apply's waits are give-up budgets (`timeouts.*`, the backups' and the gates'), and
 *   nothing upstream bounds RKE2's first start, a chart install or a restore more tightly.
 * No stack's expected RTO: rke-ha K3s's was (about 33 minutes) while the failover created K3s' RDS datastore; the
 * pilot light makes it now (pilot-light.ts).
 */
const EXPECTED_OVER: readonly string[] = [];
const WORST_OVER: readonly string[] = RTO_STACKS;

const over = (seconds: number) => inMinutes(seconds) > RTO_TARGET_MINUTES;

describe('the failover RTO model', () => {
  it.each(RTO_STACKS)('%s: the expected RTO is within 30 minutes unless named over it', (stack) => {
    const model = rtoModel(stack);
    expect({ stack, over: over(model.expectedSeconds), minutes: inMinutes(model.expectedSeconds) }).toMatchObject({
      stack,
      over: EXPECTED_OVER.includes(stack),
    });
  });

  it.each(RTO_STACKS)('%s: the worst case is within 30 minutes unless named over it, and the apply takes most of it', (stack) => {
    const model = rtoModel(stack);
    expect(over(model.worstSeconds)).toBe(WORST_OVER.includes(stack));
    // Outside the apply and the synth (give-up budgets of local processes and of waits nothing upstream bounds), the
    // failover's own waits and AWS's documented times fit the target by far.
    const rest = RTO_PHASES.filter((p) => p !== 'apply' && p !== 'synth').reduce((sum, p) => sum + model.phases[p].worstSeconds, 0);
    expect(inMinutes(rest)).toBeLessThanOrEqual(RTO_TARGET_MINUTES / 2);
    const largest = RTO_PHASES.reduce((a, b) => (model.phases[a].worstSeconds >= model.phases[b].worstSeconds ? a : b));
    expect(largest).toBe('apply');
  });

  it("rke-ha K3s: the datastore is the pilot light's, expected made already; its worst the create timeout (a standby prepared before)", () => {
    const k3s = rtoModel('rke-ha K3s');
    const datastore = k3s.terms.filter((t) => t.what.startsWith("K3s' datastore"));
    expect(datastore.map((t) => [t.phase, t.expectedSeconds, t.worstSeconds])).toEqual([['apply', 0, 2_400]]);
    expect(inMinutes(k3s.expectedSeconds)).toBeLessThanOrEqual(RTO_TARGET_MINUTES);
    // Nothing else of K3s' apply takes longer than RKE2's: two servers to RKE2's three, K3s' shorter first start.
    expect(k3s.phases.apply.expectedSeconds).toBeLessThanOrEqual(rtoModel('rke-ha RKE2').phases.apply.expectedSeconds);
  });

  it.each(RTO_STACKS)("%s: no failover wait gives up before AWS's documented time", (stack) => {
    expect(rtoModel(stack).budgetProblems).toEqual([]);
  });

  it('sums its terms; each worst is at least its expected; the apply is capped at the failover apply timeout', () => {
    for (const stack of RTO_STACKS) {
      const model = rtoModel(stack);
      for (const term of model.terms)
        expect({ what: term.what, atLeast: term.worstSeconds >= term.expectedSeconds }).toEqual({ what: term.what, atLeast: true });
      expect(model.expectedSeconds).toBe(model.terms.reduce((sum, t) => sum + t.expectedSeconds, 0));
      expect(model.phases.apply.worstSeconds).toBe(
        Math.min(
          10_800,
          model.terms.filter((t) => t.phase === 'apply').reduce((sum, t) => sum + t.worstSeconds, 0),
        ),
      );
    }
  });

  it("reads the code's budgets: the probes' window, a deployment's timeouts", () => {
    const probes = rtoModel('k8s-ha').terms.find((t) => t.what.startsWith('the primary probed'))!;
    expect(probes.worstSeconds).toBe(PRIMARY_PROBE_COUNT * 2 * PROBE_MAX_SECONDS + (PRIMARY_PROBE_COUNT - 1) * 10);
    const base = rtoModel('rke-ha RKE2');
    const slower = rtoModel('rke-ha RKE2', { rancherMinutes: TIMEOUT_DEFAULTS.rancherMinutes + 10 });
    const rancher = (m: typeof base) => m.terms.find((t) => t.what === 'the Rancher release rolled out')!.worstSeconds;
    expect(rancher(slower) - rancher(base)).toBe(600);
  });

  it("the dry run's line: the stack from the settings, their timeouts, the target named when the worst case is over it", () => {
    expect(rtoStackOf('rke-ha', { rkeHa: { distribution: 'k3s' } })).toBe('rke-ha K3s');
    expect(rtoStackOf('rke-ha', {})).toBe('rke-ha RKE2');
    expect(rtoStackOf('k8s-ha', { rkeHa: { distribution: 'k3s' } })).toBe('k8s-ha');
    expect(timeoutsOf({ timeouts: { apiMinutes: 30, pingMinutes: '5', other: 1, toString: 2 } })).toEqual({ apiMinutes: 30 });
    const line = rtoPlanLine('k8s-ha');
    const model = rtoModel('k8s-ha');
    expect(line).toContain(`about ${inMinutes(model.expectedSeconds)} minutes; at most ${inMinutes(model.worstSeconds)} before a wait gives up`);
    expect(line).toContain("over the 30-minute target (the apply's budgets:");
  });
});
