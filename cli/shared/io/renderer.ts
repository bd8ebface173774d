import type { IoMessage } from './message';

/** A timed step still running, as a status line shows it. */
export interface OpenSpan {
  readonly label: string;
  /** Its place among its siblings: server 2 of 3, step 4 of 5. */
  readonly position?: { readonly n: number; readonly m: number };
  readonly started: Date;
  /** What it does, from its start message. */
  readonly doing: string;
}

/** Where a host's messages go: one renderer per run, chosen once from the environment (choose-renderer.ts). */
export interface Renderer {
  /** A message to show: a line that stays (a terminal's status line is redrawn below it). */
  message(message: IoMessage): void;
  /** The steps running now, outermost first; empty when none is. */
  status(open: readonly OpenSpan[]): void;
  /** The run is over: nothing more is drawn, and a status line is taken away. */
  close(): void;
}
