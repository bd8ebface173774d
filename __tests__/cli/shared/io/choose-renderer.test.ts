import { PassThrough } from 'node:stream';
import { chooseRenderer, isCI } from '../../../../cli/shared/io/choose-renderer';
import { PlainRenderer } from '../../../../cli/shared/io/plain-renderer';
import { TerminalRenderer } from '../../../../cli/shared/io/terminal-renderer';

describe('the renderer chosen from the environment', () => {
  const pipe = () => new PassThrough();
  /** A stream as Node gives a terminal's: isTTY, and the tty.WriteStream methods the terminal renderer draws with. */
  const tty = () => Object.assign(new PassThrough(), { isTTY: true, cursorTo: () => true, clearLine: () => true });

  it('draws in place on a terminal outside CI', () => {
    expect(chooseRenderer(tty(), {})).toBeInstanceOf(TerminalRenderer);
    expect(chooseRenderer(tty(), { CI: 'false' })).toBeInstanceOf(TerminalRenderer);
    expect(chooseRenderer(tty(), { CI: '0' })).toBeInstanceOf(TerminalRenderer);
  });

  it('prints plain lines in CI, even on a terminal (CI runners that give jobs one), and whenever the output is not a terminal', () => {
    expect(chooseRenderer(tty(), { CI: 'true' })).toBeInstanceOf(PlainRenderer);
    expect(chooseRenderer(tty(), { CI: '1' })).toBeInstanceOf(PlainRenderer);
    expect(chooseRenderer(pipe(), {})).toBeInstanceOf(PlainRenderer);
  });

  it('takes CI as set unless it is false or 0', () => {
    expect([isCI({}), isCI({ CI: '' }), isCI({ CI: 'true' }), isCI({ CI: 'false' }), isCI({ CI: '0' })]).toEqual([false, true, true, false, false]);
  });
});
