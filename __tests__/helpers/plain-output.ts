/**
 * A command's plain output read by code (cli/shared/io/plain-renderer.ts): each message's first line starts with its
 * UTC time and its code, its other lines follow as they are. Tests match the codes and the facts a message carries
 * (a server's name, a plan's address), not its English (docs/development.md "Messages and their codes").
 */
const PLAIN_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?: |$)/;

export interface PlainMessage {
  readonly code: string;
  readonly text: string;
}

/** The messages of a plain output, in order. A line before the first message (none is expected) is an error. */
export function messagesOf(out: string): PlainMessage[] {
  const found: { code: string; lines: string[] }[] = [];
  for (const line of out.replace(/\n$/, '').split('\n')) {
    if (line === '' && found.length === 0) continue;
    const start = PLAIN_LINE.exec(line);
    if (start) found.push({ code: start[1], lines: [line.slice(start[0].length)] });
    else if (found.length > 0) found[found.length - 1].lines.push(line);
    else throw new Error(`A line before the first coded message: ${JSON.stringify(line)}`);
  }
  return found.map((m) => ({ code: m.code, text: m.lines.join('\n') }));
}

/** The codes of a plain output, in order. */
export const codesOf = (out: string): string[] => messagesOf(out).map((m) => m.code);

/** What the messages under `code` say, one after the other ('' when none has it). */
export const said = (out: string, code: string): string =>
  messagesOf(out)
    .filter((m) => m.code === code)
    .map((m) => m.text)
    .join('\n');
