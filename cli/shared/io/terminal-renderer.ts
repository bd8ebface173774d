import { formatDuration } from './duration';
import type { IoMessage } from './message';
import type { OpenSpan, Renderer } from './renderer';

/**
 * What the terminal renderer needs of its stream: Node's tty.WriteStream (process.stdout on a terminal), whose
 * cursorTo and clearLine send the terminal's own control sequences (Node's tty and readline modules), so none are
 * written here.
 */
export interface TerminalStream {
  readonly columns?: number;
  write(text: string): unknown;
  cursorTo(x: number): unknown;
  clearLine(dir: -1 | 0 | 1): unknown;
}

/** How often the status line's times are redrawn while a step runs. */
export const REFRESH_MS = 1000;

/**
 * For a person at a terminal: the messages as lines that stay, and below them one status line, redrawn in place
 * every second while a step runs, naming each running step with its place and its time:
 * `server-1 (2 of 3, 3m 10s) › drain (2 of 5, 1m 04s) · cordon and drain (kubectl drain, 600 s at most)`.
 * A step's start is shown only there; its end (with its duration) is a line that stays. One line, cut to the
 * terminal's width, so a redraw never has wrapped rows to erase (what log-update's multi-line erasing is for).
 */
export class TerminalRenderer implements Renderer {
  private open: readonly OpenSpan[] = [];
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: TerminalStream,
    private readonly now: () => Date = () => new Date(),
  ) {}

  message(m: IoMessage): void {
    if (m.span?.phase === 'start') return;
    this.erase();
    this.stream.write(`${m.text}\n`);
    this.draw();
  }

  status(open: readonly OpenSpan[]): void {
    this.open = open;
    if (open.length > 0 && !this.timer) this.timer = setInterval(() => this.draw(), REFRESH_MS).unref();
    if (open.length === 0) this.stopTimer();
    this.draw();
  }

  close(): void {
    this.stopTimer();
    this.open = [];
    this.erase();
  }

  /** The status line as it reads now. */
  line(): string {
    const now = this.now().getTime();
    const spans = this.open.map(
      (s) => `${s.label} (${s.position ? `${s.position.n} of ${s.position.m}, ` : ''}${formatDuration(now - s.started.getTime())})`,
    );
    const doing = this.open[this.open.length - 1]?.doing;
    const full = `${spans.join(' › ')}${doing ? ` · ${doing}` : ''}`;
    // A terminal that gives no size (a pseudo-terminal nobody sized says 0 columns) is taken as 80 wide.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    return full.length > width ? `${full.slice(0, width - 1)}…` : full;
  }

  private draw(): void {
    if (this.open.length === 0) return this.erase();
    this.stream.cursorTo(0);
    this.stream.clearLine(0);
    this.stream.write(this.line());
    this.drawn = true;
  }

  private erase(): void {
    if (!this.drawn) return;
    this.stream.cursorTo(0);
    this.stream.clearLine(0);
    this.drawn = false;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
