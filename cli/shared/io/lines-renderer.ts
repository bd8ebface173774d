import type { IoMessage } from './message';
import type { OpenSpan, Renderer } from './renderer';

/**
 * The plain adapter for a caller that takes lines (the drill called with `log`, cli/drill/drill.ts drillHost): each
 * message's text, as the command printed it before it had codes; no time, no code, no status line. The acceptance
 * run gives the commands it runs its own host instead.
 */
export class LinesRenderer implements Renderer {
  constructor(private readonly log: (line: string) => void) {}

  message(m: IoMessage): void {
    this.log(m.text);
  }

  status(_open: readonly OpenSpan[]): void {}

  close(): void {}
}
