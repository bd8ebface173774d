import { IoHost } from '../../../../cli/shared/io/io-host';
import type { IoMessage } from '../../../../cli/shared/io/message';
import type { OpenSpan, Renderer } from '../../../../cli/shared/io/renderer';

/** A renderer that keeps what it was given: the messages, and each status it was told, as label lists. */
class Kept implements Renderer {
  readonly messages: IoMessage[] = [];
  readonly statuses: string[][] = [];
  closed = false;
  message(m: IoMessage): void {
    this.messages.push(m);
  }
  status(open: readonly OpenSpan[]): void {
    this.statuses.push(open.map((s) => `${s.label}${s.position ? ` ${s.position.n}/${s.position.m}` : ''}: ${s.doing}`));
  }
  close(): void {
    this.closed = true;
  }
}

function host() {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const clock = () => new Date(now);
  const kept = new Kept();
  return { kept, io: new IoHost(kept, clock), advance: (ms: number) => (now += ms) };
}

describe('the I/O host', () => {
  it('gives every message, with its code and level, to its renderer and keeps it for tests and the report', () => {
    const { kept, io } = host();
    io.info('ROLL_PLAN', 'Roll of demo:', { servers: ['server-0'] });
    io.warn('ROLL_RESTART_LEASE_WAIT', 'waiting');
    io.error('ROLL_API_DOWN', 'The Kubernetes API does not answer.');
    io.result('ROLL_FINISHED', 'Roll of demo finished.');
    expect(io.codes()).toEqual(['ROLL_PLAN', 'ROLL_RESTART_LEASE_WAIT', 'ROLL_API_DOWN', 'ROLL_FINISHED']);
    expect(kept.messages.map((m) => [m.level, m.code])).toEqual([
      ['info', 'ROLL_PLAN'],
      ['warn', 'ROLL_RESTART_LEASE_WAIT'],
      ['error', 'ROLL_API_DOWN'],
      ['result', 'ROLL_FINISHED'],
    ]);
    expect(kept.messages[0].data).toEqual({ servers: ['server-0'] });
  });

  it('refuses a code that is not upper-case words joined by underscores', () => {
    const { io } = host();
    expect(() => io.info('roll plan', 'x')).toThrow('The message code "roll plan" is not upper-case words joined by underscores.');
    expect(() => io.info('ROLL', 'x')).toThrow('not upper-case words');
  });

  it('lines(code) turns a line-taking function into coded messages', () => {
    const { io } = host();
    const log = io.lines('ROLL_TERRAFORM_OUTPUT');
    log('Apply complete! Resources: 1 added, 0 changed, 1 destroyed.');
    expect(io.messages.map((m) => [m.code, m.text])).toEqual([
      ['ROLL_TERRAFORM_OUTPUT', 'Apply complete! Resources: 1 added, 0 changed, 1 destroyed.'],
    ]);
  });

  it('tells the renderer which steps run after each change, nested, and times each step from its start to its end', () => {
    const { kept, io, advance } = host();
    const server = io.begin({
      code: 'ROLL_SERVER_STARTED',
      label: 'server-0',
      position: { n: 1, m: 3 },
      text: 'server-0, server 1 of 3',
      doing: 'rolling',
    });
    const drain = io.begin({
      code: 'ROLL_STEP_STARTED',
      label: 'drain',
      position: { n: 2, m: 5 },
      text: 'server-0, step 2 of 5: drain',
      doing: 'drain',
    });
    advance(5_000);
    expect(drain.end('ROLL_SERVER_DRAINED', 'server-0: drained', { server: 'server-0' })).toBe(5_000);
    advance(1_000);
    server.stop();
    expect(kept.statuses).toEqual([['server-0 1/3: rolling'], ['server-0 1/3: rolling', 'drain 2/5: drain'], ['server-0 1/3: rolling'], []]);
    const end = io.messages[2];
    expect(end).toMatchObject({
      code: 'ROLL_SERVER_DRAINED',
      text: 'server-0: drained (5s)',
      data: { server: 'server-0', durationMs: 5_000 },
      span: { phase: 'end' },
    });
    // A start message carries its place; a stopped span says nothing (the message that stopped the run does).
    expect(io.messages[1]).toMatchObject({ code: 'ROLL_STEP_STARTED', data: { n: 2, m: 5 }, span: { phase: 'start' } });
    expect(io.codes()).toEqual(['ROLL_SERVER_STARTED', 'ROLL_STEP_STARTED', 'ROLL_SERVER_DRAINED']);
    expect(() => drain.end('ROLL_SERVER_DRAINED', 'again')).toThrow('ended twice');
    // A text that ends a sentence gets the time before its full stop.
    io.begin({ code: 'ROLL_SERVER_STARTED', label: 'server-1', text: 'server-1' }).end('ROLL_SERVER_ROLLED', 'server-1: replaced, Ready.');
    expect(io.messages.at(-1)?.text).toBe('server-1: replaced, Ready (0s).');
  });

  it('reports every message and every step with its outcome and time, as --json prints it', () => {
    const { io, advance } = host();
    const done = io.begin({ code: 'ROLL_STEP_STARTED', label: 'snapshot', position: { n: 1, m: 5 }, text: 'snapshot' });
    advance(2_000);
    done.end('ROLL_SERVER_SNAPSHOT_TAKEN', 'server-0: etcd snapshot taken');
    const stopped = io.begin({ code: 'ROLL_STEP_STARTED', label: 'drain', position: { n: 2, m: 5 }, text: 'drain' });
    advance(3_000);
    stopped.stop();
    io.error('ROLL_DRAIN_FAILED', 'Draining did not finish.');
    io.begin({ code: 'ROLL_STEP_STARTED', label: 'remove', text: 'remove' });
    io.close();
    const report = io.report();
    expect(report).toMatchObject({ startedAt: '2026-11-27T10:00:00.000Z', durationMs: 5_000 });
    expect(report.spans).toEqual([
      { label: 'snapshot', position: { n: 1, m: 5 }, startedAt: '2026-11-27T10:00:00.000Z', durationMs: 2_000, outcome: 'done' },
      { label: 'drain', position: { n: 2, m: 5 }, startedAt: '2026-11-27T10:00:02.000Z', durationMs: 3_000, outcome: 'stopped' },
      { label: 'remove', startedAt: '2026-11-27T10:00:05.000Z', outcome: 'running' },
    ]);
    expect(report.messages.map((m) => m.code)).toEqual([
      'ROLL_STEP_STARTED',
      'ROLL_SERVER_SNAPSHOT_TAKEN',
      'ROLL_STEP_STARTED',
      'ROLL_DRAIN_FAILED',
      'ROLL_STEP_STARTED',
    ]);
    expect(report.messages[3]).toEqual({
      time: '2026-11-27T10:00:05.000Z',
      level: 'error',
      code: 'ROLL_DRAIN_FAILED',
      text: 'Draining did not finish.',
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
