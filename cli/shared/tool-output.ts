/**
 * What a tool wrote to its error stream, made fit for a message the operations print. Terraform colours its
 * diagnostics even when its output is a pipe (unless `-no-color`), frames them in `╷ │ ╵`, and wraps its sentences
 * at about 75 columns; the last lines of that (what a message used to keep) are escape codes and the tail of a
 * sentence. Here the escape codes and the frame go, each paragraph becomes one line (its sentences whole), and
 * when Terraform reports an error, what it printed before the first one (CLI configuration warnings) is left out.
 */

/** CSI sequences (colours, cursor movement) and OSC sequences (titles, links), as terminals read them. */
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
/** The frame Terraform draws around a diagnostic: `╷` above, `│ ` before each line, `╵` below. */
const FRAME = /^[╷╵]\s*$|^│ ?/;

/** Text without terminal escape sequences. */
export const withoutEscapes = (text: string): string => text.replace(ESCAPES, '');

/**
 * The paragraphs of a tool's error output, one line each, at most about `maxChars` (whole paragraphs: the first is
 * kept whole whatever its length; later ones while they fit, then a note of how many were left out).
 */
export function readableError(text: string, maxChars = 2000): string {
  const lines = withoutEscapes(text)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(FRAME, '').trimEnd());
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, '']) {
    if (line.trim() === '') {
      if (current.length > 0) paragraphs.push(current.join(' ').replace(/\s+/g, ' ').trim());
      current = [];
    } else current.push(line.trim());
  }
  const firstError = paragraphs.findIndex((p) => /^Error\b/.test(p));
  const relevant = firstError > 0 ? paragraphs.slice(firstError) : paragraphs;
  const kept: string[] = [];
  let length = 0;
  for (const paragraph of relevant) {
    if (kept.length > 0 && length + paragraph.length > maxChars) break;
    kept.push(paragraph);
    length += paragraph.length + 1;
  }
  const left = relevant.length - kept.length;
  if (left > 0) kept.push(`(${left} more paragraph${left === 1 ? '' : 's'} of its output left out)`);
  return kept.join('\n');
}
