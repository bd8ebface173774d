import { CODE_PATTERN, type IoLevel, type IoMessage } from './message';
import type { OpenSpan, Renderer } from './renderer';
import { Span, type SpanOutcome } from './span';

/** A timed step as the final report lists it. */
export interface SpanRecord {
  readonly label: string;
  readonly position?: { readonly n: number; readonly m: number };
  readonly startedAt: string;
  readonly durationMs?: number;
  readonly outcome: SpanOutcome | 'running';
}

/** The run as `--json` prints it at the end: every message with its code, every timed step with its duration. */
export interface RunReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly messages: readonly {
    readonly time: string;
    readonly level: IoLevel;
    readonly code: string;
    readonly text: string;
    readonly data?: Readonly<Record<string, unknown>>;
  }[];
  readonly spans: readonly SpanRecord[];
}

/** What IoHost.begin starts. */
export interface SpanStart {
  /** The code of its start message (ROLL_STEP_STARTED). */
  readonly code: string;
  /** Its name in the status line: `server-1`, `drain`. */
  readonly label: string;
  /** Its place among its siblings. */
  readonly position?: { readonly n: number; readonly m: number };
  /** Its start message. */
  readonly text: string;
  /** What the status line says it does, where that is shorter than its start message. @default text */
  readonly doing?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * The one way a converted command tells anything (aws-cdk-cli's IoHost idea: the command emits messages with codes
 * and levels, and one host decides how they look). Every message goes to the run's one renderer, chosen once
 * (choose-renderer.ts), and is kept for the final report and for tests, which read the codes (`codes()`), never the
 * English. Timed steps (`begin`) nest: a server, then its step; the renderer is told which are open after each change.
 */
export class IoHost {
  private readonly kept: IoMessage[] = [];
  private readonly records = new Map<number, SpanRecord>();
  private readonly open: { readonly id: number; readonly span: OpenSpan }[] = [];
  private nextId = 1;
  readonly started: Date;

  constructor(
    private readonly renderer: Renderer,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.started = clock();
  }

  /** Every message so far, in order. */
  get messages(): readonly IoMessage[] {
    return this.kept;
  }

  /** The codes of every message so far, in order: what tests match. */
  codes(): string[] {
    return this.kept.map((m) => m.code);
  }

  notify(level: IoLevel, code: string, text: string, data?: Readonly<Record<string, unknown>>, span?: IoMessage['span']): void {
    if (!CODE_PATTERN.test(code)) throw new Error(`The message code ${JSON.stringify(code)} is not upper-case words joined by underscores.`);
    const message: IoMessage = { time: this.clock(), level, code, text, ...(data ? { data } : {}), ...(span ? { span } : {}) };
    this.kept.push(message);
    this.renderer.message(message);
  }

  info(code: string, text: string, data?: Readonly<Record<string, unknown>>): void {
    this.notify('info', code, text, data);
  }

  warn(code: string, text: string, data?: Readonly<Record<string, unknown>>): void {
    this.notify('warn', code, text, data);
  }

  error(code: string, text: string, data?: Readonly<Record<string, unknown>>): void {
    this.notify('error', code, text, data);
  }

  result(code: string, text: string, data?: Readonly<Record<string, unknown>>): void {
    this.notify('result', code, text, data);
  }

  /** A line function for code not converted yet (a shared module that takes `log`): each line a message under `code`. */
  lines(code: string, level: IoLevel = 'info'): (line: string) => void {
    return (line) => this.notify(level, code, line);
  }

  /** A timed step begun: its start message, and the status line shows it until it ends. */
  begin(start: SpanStart): Span {
    const id = this.nextId++;
    const started = this.clock();
    this.records.set(id, {
      label: start.label,
      ...(start.position ? { position: start.position } : {}),
      startedAt: started.toISOString(),
      outcome: 'running',
    });
    this.open.push({ id, span: { label: start.label, position: start.position, started, doing: start.doing ?? start.text } });
    this.notify('info', start.code, start.text, { ...start.data, ...(start.position ?? {}) }, { id, phase: 'start' });
    this.renderer.status(this.open.map((o) => o.span));
    return new Span(
      {
        now: this.clock,
        ended: (spanId, outcome, durationMs, code, text, data) => this.spanEnded(spanId, outcome, durationMs, code, text, data),
      },
      id,
      started,
    );
  }

  /** The run is over: the status line goes; steps still open are reported running. */
  close(): void {
    this.open.splice(0);
    this.renderer.close();
  }

  /** The run as `--json` prints it. */
  report(): RunReport {
    return {
      startedAt: this.started.toISOString(),
      durationMs: this.clock().getTime() - this.started.getTime(),
      messages: this.kept.map((m) => ({
        time: m.time.toISOString(),
        level: m.level,
        code: m.code,
        text: m.text,
        ...(m.data ? { data: m.data } : {}),
      })),
      spans: [...this.records.values()],
    };
  }

  private spanEnded(
    id: number,
    outcome: SpanOutcome,
    durationMs: number,
    code?: string,
    text?: string,
    data?: Readonly<Record<string, unknown>>,
  ): void {
    this.records.set(id, { ...this.records.get(id)!, durationMs, outcome });
    const at = this.open.findIndex((o) => o.id === id);
    if (at >= 0) this.open.splice(at, 1);
    if (code !== undefined && text !== undefined) this.notify('info', code, text, data, { id, phase: 'end' });
    this.renderer.status(this.open.map((o) => o.span));
  }
}
