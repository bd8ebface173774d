import { describeWithTerraform, unparsableTemplates } from '../../helpers/terraform';
import { plan, synth } from './tls-secrets.setup';

describe('RancherTlsSecrets', () => {
  describeWithTerraform('with Terraform', () => {
    it('every template parses as HCL', () => {
      expect(unparsableTemplates(synth(plan({ issuer: 'ca' })).json)).toEqual([]);
      expect(unparsableTemplates(synth(plan({ issuer: 'blank', privateCA: true })).json)).toEqual([]);
    });
  });
});
