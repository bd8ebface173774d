import { IoHost } from '../../../../cli/shared/io/io-host';
import { PlainRenderer } from '../../../../cli/shared/io/plain-renderer';

function plain() {
  let now = Date.parse('2026-11-27T10:00:00.250Z');
  const clock = () => new Date(now);
  const out: string[] = [];
  const io = new IoHost(new PlainRenderer({ write: (text: string) => out.push(text) }), clock);
  return { out, io, advance: (ms: number) => (now += ms) };
}

describe('the plain renderer (CI, or output that is not a terminal)', () => {
  it('writes one line per event, each with its UTC time and its code; a step is its start line and its end line with the time taken', () => {
    const { out, io, advance } = plain();
    io.info('ROLL_PLAN', 'Roll of demo:\n  server-0 (aws_instance.a):\n    on-demand etcd snapshot');
    const step = io.begin({
      code: 'ROLL_STEP_STARTED',
      label: 'drain',
      position: { n: 2, m: 5 },
      text: 'server-0, step 2 of 5: cordon and drain',
      doing: 'cordon and drain',
    });
    advance(64_000);
    step.end('ROLL_SERVER_DRAINED', 'server-0: drained');
    io.close();
    expect(out.join('')).toBe(
      [
        '2026-11-27T10:00:00Z ROLL_PLAN Roll of demo:',
        '  server-0 (aws_instance.a):',
        '    on-demand etcd snapshot',
        '2026-11-27T10:00:00Z ROLL_STEP_STARTED server-0, step 2 of 5: cordon and drain',
        '2026-11-27T10:01:04Z ROLL_SERVER_DRAINED server-0: drained (1m 04s)',
        '',
      ].join('\n'),
    );
  });

  it("drops a message's leading indentation after the code (and the space before an empty text)", () => {
    const { out, io } = plain();
    io.info('ROLL_ETCD_SNAPSHOT_SAVED', '  snapshot s1 saved to the bucket by server-1.');
    io.info('ROLL_TERRAFORM_OUTPUT', '');
    expect(out).toEqual([
      '2026-11-27T10:00:00Z ROLL_ETCD_SNAPSHOT_SAVED snapshot s1 saved to the bucket by server-1.\n',
      '2026-11-27T10:00:00Z ROLL_TERRAFORM_OUTPUT\n',
    ]);
  });
});
