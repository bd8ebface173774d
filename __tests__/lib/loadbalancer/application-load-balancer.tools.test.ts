import { describeWithTerraform, unparsableTemplates } from '../../helpers/terraform';
import { synth } from './application-load-balancer.setup';

describe('ApplicationLoadBalancer', () => {
  const { json } = synth();

  describeWithTerraform('with Terraform', () => {
    it('every template parses as HCL', () => {
      expect(unparsableTemplates(json)).toEqual([]);
    });
  });
});
