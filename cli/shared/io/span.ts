import { formatDuration } from './duration';

/** How a timed step ended: done (its end message said so), stopped (an error or a signal ended the run in it). */
export type SpanOutcome = 'done' | 'stopped';

/** What a span needs of its host (io-host.ts). */
export interface SpanOwner {
  now(): Date;
  ended(id: number, outcome: SpanOutcome, durationMs: number, code?: string, text?: string, data?: Readonly<Record<string, unknown>>): void;
}

/**
 * A timed step, as aws-cdk-cli's toolkit-lib makes them (its private/span.ts: a start message, then an end message
 * that carries the time between them): begun by IoHost.begin, ended once, by `end` with the code of what happened
 * or by `stop` when the run stopped in it. Ending it again is a mistake of the caller and is refused.
 */
export class Span {
  private ended = false;

  constructor(
    private readonly owner: SpanOwner,
    readonly id: number,
    readonly started: Date,
  ) {}

  /** Ms since the start. */
  elapsed(): number {
    return this.owner.now().getTime() - this.started.getTime();
  }

  /** The step done: a message under `code`, its text followed by the time the step took, `(1m 04s)`. Returns that time in ms. */
  end(code: string, text: string, data?: Readonly<Record<string, unknown>>): number {
    const ms = this.finish();
    // Before a closing full stop: `server-1: replaced, Ready (3m 10s).`
    const timed = text.endsWith('.') ? `${text.slice(0, -1)} (${formatDuration(ms)}).` : `${text} (${formatDuration(ms)})`;
    this.owner.ended(this.id, 'done', ms, code, timed, { ...data, durationMs: ms });
    return ms;
  }

  /** The run stopped in this step: it leaves the status line, recorded as stopped; the message that stops the run says why. */
  stop(): void {
    if (this.ended) return;
    this.owner.ended(this.id, 'stopped', this.finish());
  }

  get open(): boolean {
    return !this.ended;
  }

  private finish(): number {
    if (this.ended) throw new Error(`The span ${this.id} was ended twice.`);
    this.ended = true;
    return this.elapsed();
  }
}
