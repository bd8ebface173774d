import { describeWithTerraform, unparsableTemplates } from '../../helpers/terraform';
import { synth } from './rancher-readiness-trust.setup';

describe('RancherReadiness trust kinds', () => {
  describeWithTerraform('with Terraform', () => {
    it.each([{ kind: 'rancher-ca' } as const, 'variable' as const, { kind: 'public' } as const, { kind: 'unverified' } as const])(
      'every template of %j parses as HCL',
      (trust) => {
        expect(unparsableTemplates(synth(trust).json)).toEqual([]);
      },
    );
  });
});
