import { createInterface } from 'node:readline';

/**
 * One line from the terminal, or undefined when standard input is not one. Read through node's own stream: once
 * `process.stdin` exists, node has made a terminal's descriptor non-blocking, and a synchronous read of it fails
 * with EAGAIN until a key is pressed. End of input (Ctrl-D) answers the empty line.
 */
export async function askOnTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  // Asked where the person sees it: standard output redirected (a --json report to a file) must not take the question.
  const output = process.stdout.isTTY ? process.stdout : process.stderr;
  const terminal = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((answer) => {
      terminal.once('close', () => answer(''));
      terminal.question(question, answer);
    });
  } finally {
    // Hands the terminal back as it was (line mode) and lets go of standard input, so node can exit when done.
    terminal.close();
  }
}
