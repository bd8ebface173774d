import { readableError, withoutEscapes } from '../../../cli/shared/tool-output';

// What a tool wrote to stderr, made fit for a message: the shapes are Terraform's (colours on a pipe, a frame, lines
// wrapped at about 75 columns); the words are made up. terraform's own output goes through it in tool-output.tools.test.ts.
const RED = (text: string) => `\u001b[31m${text}\u001b[0m`;
const BOLD = (text: string) => `\u001b[1m${text}\u001b[0m`;
const framed = (lines: string[]) => [RED('╷'), ...lines.map((line) => `${RED('│')} ${line}`), RED('╵'), ''].join('\n');

describe('readableError', () => {
  it('drops colours and the frame, and gives each paragraph whole, on one line', () => {
    const text = framed([
      `${BOLD(RED('Error: '))}${BOLD('The widget is not ready, please run "widget init"')}`,
      '',
      'The widget keeps its parts in a folder of its own. This folder was',
      'not found, so run',
      '"widget init" in the module',
      'folder first.',
    ]);
    expect(readableError(text)).toBe(
      [
        'Error: The widget is not ready, please run "widget init"',
        'The widget keeps its parts in a folder of its own. This folder was not found, so run "widget init" in the module folder first.',
      ].join('\n'),
    );
  });

  it('starts at the first error: warnings before it (a missing CLI configuration) are left out', () => {
    const text = `Some problems with the configuration:\n${framed(['Warning: No config file', '', 'It is not there.'])}\n${framed([
      'Error: It broke',
      '',
      'Because.',
    ])}`;
    expect(readableError(text)).toBe('Error: It broke\nBecause.');
    expect(readableError('Warning: only a warning\n\nNothing else.\n')).toBe('Warning: only a warning\nNothing else.');
  });

  it('keeps whole paragraphs within the bound and says how many were left out; the first is kept whole at any length', () => {
    const long = 'word '.repeat(100).trim();
    expect(readableError(`Error: first\n\n${long}\n\n${long}\n\n${long}\n`, 1000)).toBe(
      `Error: first\n${long}\n(2 more paragraphs of its output left out)`,
    );
    expect(readableError(`${long}\n\nsecond\n`, 10)).toBe(`${long}\n(1 more paragraph of its output left out)`);
  });

  it('leaves text without escapes, frames or wrapping as it is', () => {
    expect(readableError('An error occurred (AccessDenied) when calling the DeleteBucket operation: Access Denied\n')).toBe(
      'An error occurred (AccessDenied) when calling the DeleteBucket operation: Access Denied',
    );
    expect(withoutEscapes('plain │ text')).toBe('plain │ text');
  });

  it('removes cursor movement and terminal titles too', () => {
    expect(withoutEscapes('\u001b[1G\u001b[0Jdone\u001b]0;title\u0007.')).toBe('done.');
  });
});
