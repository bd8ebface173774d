import { runByCli } from '../../app/run-by-cli';

describe('runByCli', () => {
  it('is true under the context the CLI passes its app (cdktn-cli 0.24.0: cdktfRelativeModules, beside any context of the user)', () => {
    expect(runByCli({ CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }) })).toBe(true);
    expect(runByCli({ CDKTF_CONTEXT_JSON: JSON.stringify({ region: 'eu-west-1', cdktfRelativeModules: ['./x'] }) })).toBe(true);
  });

  it('is false for `npm run synth` (no context), a context of the user without the key, and a broken one', () => {
    expect(runByCli({})).toBe(false);
    expect(runByCli({ CDKTF_CONTEXT_JSON: JSON.stringify({ region: 'eu-west-1' }) })).toBe(false);
    expect(runByCli({ CDKTF_CONTEXT_JSON: '{not json' })).toBe(false);
  });
});
