import { EXIT_CODES } from '../../app/config/exit-codes';
import { synthFailure } from '../../app/main';
import { SettingsError } from '../../lib/config/errors';

/** What a synth that failed exits with: a construct refusing its props is a mistake in the settings, not a bug. */
describe('synthFailure', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  it("reports a construct's refusal of its props as invalid settings, naming the field", () => {
    const refusal = new SettingsError(
      'RancherOnRke rke-ha/Default',
      [{ field: 'proxy.https', message: 'makes the user data too large' }],
      'Invalid props of',
    );
    expect(synthFailure(refusal)).toBe(EXIT_CODES.invalidSettings);
    expect(stderr.mock.calls.join('')).toContain('proxy.https: makes the user data too large');
    expect(stderr.mock.calls.join('')).not.toMatch(/Internal error/);
  });

  it('reports anything else as an internal error', () => {
    expect(synthFailure(new Error('boom'))).toBe(EXIT_CODES.internalError);
    expect(stderr.mock.calls.join('')).toMatch(/^Internal error \(not a mistake in your settings\): boom/);
  });
});
