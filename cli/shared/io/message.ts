/**
 * One thing a command tells: a stable code (what tests and scripts match, never the English), a level, the text a
 * person reads, and the facts behind it. The shape follows aws/aws-cdk-cli's toolkit-lib (its IoMessage: time,
 * level, code, message, span, data), with codes named for what happened (ROLL_SERVER_DRAINED) instead of numbered.
 */
export type IoLevel = 'error' | 'warn' | 'info' | 'result';

export interface IoMessage {
  readonly time: Date;
  readonly level: IoLevel;
  /** Stable across releases: the English may be reworded, the code is not (docs/development.md "Messages and their codes"). */
  readonly code: string;
  /** What a person reads; may span several lines. */
  readonly text: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** The timed step this message starts or ends (span.ts); a renderer shows a start in its status line. */
  readonly span?: { readonly id: number; readonly phase: 'start' | 'end' };
}

/** Upper-case words joined by underscores, the command's name first: ROLL_PLAN, ROLL_SERVER_DRAINED. */
export const CODE_PATTERN = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;
