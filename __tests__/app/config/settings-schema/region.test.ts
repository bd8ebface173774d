import { settingsProblems } from '../../../helpers/synth';

describe('facts the settings rely on and nobody could confirm here', () => {
  it('refuses the EU Sovereign Cloud, saying why', () => {
    expect(settingsProblems({ region: 'eusc-de-east-1' })).toEqual([
      expect.objectContaining({ field: 'region', message: expect.stringContaining('AWS European Sovereign Cloud (partition aws-eusc)') }),
    ]);
    // The provider's own record, not #44437 (whose error came from Terraform's S3 backend), and what the stacks lack.
    const [{ message }] = settingsProblems({ region: 'eusc-de-east-1' });
    expect(message).toContain('hashicorp/terraform-provider-aws#45895');
    expect(message).toContain('amazonwebservices.eu');
    expect(message).not.toContain('#44437');
  });
});
