import { IoHost } from '../../../../cli/shared/io/io-host';
import { REFRESH_MS, TerminalRenderer } from '../../../../cli/shared/io/terminal-renderer';
import { FakeTty } from '../../../helpers/fake-tty';

/** A host drawing on a fake terminal, with a clock the test moves. */
function terminal(columns = 100) {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = () => new Date(now);
  const tty = new FakeTty(columns);
  const io = new IoHost(new TerminalRenderer(tty, clock), clock);
  return { tty, io, advance: (ms: number) => (now += ms) };
}

describe('the terminal renderer', () => {
  afterEach(() => jest.useRealTimers());

  it('shows the running steps in one status line, with their place and time, below the lines that stay', () => {
    const { tty, io, advance } = terminal();
    io.info('ROLL_PLAN', 'Roll of demo:');
    io.begin({ code: 'ROLL_SERVER_STARTED', label: 'server-1', position: { n: 2, m: 3 }, text: 'server-1, server 2 of 3' });
    advance(70_000);
    io.begin({
      code: 'ROLL_STEP_STARTED',
      label: 'drain',
      position: { n: 2, m: 5 },
      text: 'server-1, step 2 of 5: cordon and drain',
      doing: 'cordon and drain',
    });
    advance(4_000);
    io.info('ROLL_NOTE', 'a line in between');
    // The start messages are not lines of their own: the status line shows them.
    expect(tty.screen()).toEqual(['Roll of demo:', 'a line in between', 'server-1 (2 of 3, 1m 14s) › drain (2 of 5, 4s) · cordon and drain']);
  });

  it("redraws the status line in place every second while a step runs, and keeps the step's last line when it ends", () => {
    jest.useFakeTimers();
    const { tty, io, advance } = terminal();
    const step = io.begin({ code: 'ROLL_STEP_STARTED', label: 'drain', position: { n: 2, m: 5 }, text: 'draining', doing: 'cordon and drain' });
    const rowsBefore = tty.rows.length;
    for (let i = 0; i < 3; i++) {
      advance(REFRESH_MS);
      jest.advanceTimersByTime(REFRESH_MS);
    }
    // Redrawn on the same row: no new line, the time moved on.
    expect(tty.rows.length).toBe(rowsBefore);
    expect(tty.screen()).toEqual(['drain (2 of 5, 3s) · cordon and drain']);
    expect(tty.writes.filter((w) => w.startsWith('drain (2 of 5,'))).toEqual([
      'drain (2 of 5, 0s) · cordon and drain',
      'drain (2 of 5, 1s) · cordon and drain',
      'drain (2 of 5, 2s) · cordon and drain',
      'drain (2 of 5, 3s) · cordon and drain',
    ]);
    advance(61_000);
    step.end('ROLL_SERVER_DRAINED', 'server-1: drained');
    io.close();
    // The status line is gone; the step's last line, with its time, stays.
    expect(tty.screen()).toEqual(['server-1: drained (1m 04s)']);
    const writes = tty.writes.length;
    jest.advanceTimersByTime(5 * REFRESH_MS);
    expect(tty.writes.length).toBe(writes);
  });

  it("cuts the status line to the terminal's width, so a redraw never leaves a wrapped row behind", () => {
    const { tty, io } = terminal(40);
    io.begin({
      code: 'ROLL_STEP_STARTED',
      label: 'replace',
      position: { n: 4, m: 5 },
      text: 'x',
      doing: 'terraform plan -replace=aws_instance.server-1_instance_ABCDEF12 -out, checked, applied',
    });
    expect(tty.screen()).toEqual(['replace (4 of 5, 0s) · terraform plan …']);
    expect(tty.screen()[0]).toHaveLength(39);
  });

  it('draws nothing in place once no step runs: the lines alone', () => {
    const { tty, io } = terminal();
    const span = io.begin({ code: 'ROLL_STEP_STARTED', label: 'drain', text: 'draining' });
    span.stop();
    io.error('ROLL_DRAIN_FAILED', 'Draining did not finish.');
    io.close();
    expect(tty.screen()).toEqual(['Draining did not finish.']);
  });
});
