import type { IoMessage } from './message';
import type { OpenSpan, Renderer } from './renderer';

/** The stream a plain renderer writes to (process.stdout, or a test's collector). */
export interface LineStream {
  write(text: string): unknown;
}

/**
 * For CI and for output that is not a terminal: one line per message, each starting with its UTC time and its code,
 * `2026-11-27T10:20:22Z ROLL_SERVER_DRAINED server-1: drained (1m 04s)`; a message of several lines keeps its other
 * lines below as they are. Nothing is redrawn: a status line would be noise in a log file.
 */
export class PlainRenderer implements Renderer {
  constructor(private readonly stream: LineStream) {}

  message(m: IoMessage): void {
    const [first, ...rest] = m.text.split('\n');
    const time = m.time.toISOString().replace(/\.\d+Z$/, 'Z');
    const head = `${time} ${m.code}${first.trim() === '' ? '' : ` ${first.trimStart()}`}`;
    this.stream.write(`${[head, ...rest].join('\n')}\n`);
  }

  status(_open: readonly OpenSpan[]): void {}

  close(): void {}
}
