import { IoHost } from '../../../../cli/shared/io/io-host';
import { LinesRenderer } from '../../../../cli/shared/io/lines-renderer';

describe('the lines adapter (a caller that takes lines: the drill called with `log`)', () => {
  it("hands on each message's text as it is, a step's start and end included, with no time, code or status line", () => {
    const lines: string[] = [];
    const io = new IoHost(new LinesRenderer((line) => lines.push(line)), () => new Date('2026-11-27T10:00:00Z'));
    io.info('ROLL_PLAN', 'Roll of demo:\n  server-0 (aws_instance.a):');
    io.begin({ code: 'ROLL_STEP_STARTED', label: 'drain', position: { n: 2, m: 5 }, text: 'server-0, step 2 of 5: cordon and drain' }).end(
      'ROLL_SERVER_DRAINED',
      'server-0: drained',
    );
    io.close();
    expect(lines).toEqual(['Roll of demo:\n  server-0 (aws_instance.a):', 'server-0, step 2 of 5: cordon and drain', 'server-0: drained (0s)']);
  });
});
