import { settingsProblems } from '../../../helpers/synth';

describe('facts the settings rely on and nobody could confirm here', () => {
  it('refuses the EU Sovereign Cloud, saying why', () => {
    expect(settingsProblems({ region: 'eusc-de-east-1' })).toEqual([
      expect.objectContaining({ field: 'region', message: expect.stringContaining('AWS European Sovereign Cloud (partition aws-eusc)') }),
    ]);
  });
});
