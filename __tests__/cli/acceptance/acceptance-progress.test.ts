import { acceptancePhaseRunner, step, toldDuring } from '../../../cli/acceptance/acceptance-progress';
import type { AcceptancePhase } from '../../../cli/acceptance/acceptance-report';
import { IoHost } from '../../../cli/shared/io/io-host';
import { TerminalRenderer } from '../../../cli/shared/io/terminal-renderer';
import { StepFailed, type TimedPhase } from '../../../cli/shared/throwaway';
import { FakeTty } from '../../helpers/fake-tty';

/** A run's host drawing on a fake terminal, with a clock the test moves, and its phase runner over `phases`. */
function terminalRun(phases: AcceptancePhase[]) {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = () => new Date(now);
  const tty = new FakeTty(120);
  const renderer = new TerminalRenderer(tty, clock);
  const io = new IoHost(renderer, clock);
  const results: TimedPhase<AcceptancePhase>[] = [];
  const entered: AcceptancePhase[] = [];
  const phase = acceptancePhaseRunner({ io, phases: new Set(phases), interrupted: () => false, results, enter: (p) => entered.push(p) });
  return { tty, renderer, io, phase, results, entered, advance: (ms: number) => (now += ms) };
}

describe("the acceptance run's progress", () => {
  it('on a terminal: the phase as phase n of m with its time, the long wait inside it named, updated in place; a line with the time once it passed', async () => {
    const { tty, renderer, io, phase, advance } = terminalRun(['deploy', 'ping', 'teardown', 'sweep']);
    const during: string[] = [];
    await phase('deploy', () =>
      step(io, 'apply', 'terraform init and apply of the deployment', async () => {
        during.push(...tty.screen());
        advance(190_000);
        // What the next redraw (every second: terminal-renderer.test.ts) writes in place.
        during.push(renderer.line());
      }),
    );
    expect(during).toEqual([
      'deploy (1 of 4, 0s) › apply (0s) · terraform init and apply of the deployment',
      'deploy (1 of 4, 3m 10s) › apply (3m 10s) · terraform init and apply of the deployment',
    ]);
    expect(tty.screen()).toEqual(['apply: done (3m 10s)', 'deploy: passed (3m 10s)']);
    expect(io.report().spans.map((s) => [s.label, s.position ? `${s.position.n} of ${s.position.m}` : '', s.outcome])).toEqual([
      ['deploy', '1 of 4', 'done'],
      ['apply', '', 'done'],
    ]);
  });

  it('counts the phases the run takes: the second of deploy, ping, teardown, sweep is phase 2 of 4', async () => {
    const { io, phase } = terminalRun(['deploy', 'ping', 'teardown', 'sweep']);
    await phase('ping', () => undefined);
    expect(io.messages.map((m) => [m.code, m.data?.n, m.data?.m])).toEqual([
      ['ACCEPTANCE_PHASE_STARTED', 2, 4],
      ['ACCEPTANCE_PHASE_PASSED', undefined, undefined],
    ]);
  });

  it('a phase that fails: ACCEPTANCE_PHASE_FAILED with why, its span and its step stopped, the status line gone, the failure recorded', async () => {
    const { tty, io, phase, results } = terminalRun(['deploy', 'teardown', 'sweep']);
    await expect(
      phase('deploy', () =>
        step(io, 'apply', 'terraform apply', async () => {
          throw new StepFailed('terraform apply failed (exit 1): the deployment did not complete');
        }),
      ),
    ).rejects.toThrow(StepFailed);
    expect(io.codes()).toEqual(['ACCEPTANCE_PHASE_STARTED', 'ACCEPTANCE_STEP_STARTED', 'ACCEPTANCE_PHASE_FAILED']);
    expect(tty.screen()).toEqual(['deploy: terraform apply failed (exit 1): the deployment did not complete']);
    expect(io.report().spans.map((s) => [s.label, s.outcome])).toEqual([
      ['deploy', 'stopped'],
      ['apply', 'stopped'],
    ]);
    expect(results).toEqual([expect.objectContaining({ phase: 'deploy', status: 'failed' })]);
  });

  it("keeps the texts a command told through the run's host while it ran, and its exit code", async () => {
    const io = new IoHost({ message: () => undefined, status: () => undefined, close: () => undefined });
    io.info('ACCEPTANCE_PLAN', 'before');
    const told = await toldDuring(io, async () => {
      io.info('ROLL_PLAN', 'Roll of demo:\n  server-0');
      io.result('ROLL_DONE', 'finished');
      return 3;
    });
    expect(told).toEqual({ code: 3, texts: ['Roll of demo:\n  server-0', 'finished'] });
  });
});
