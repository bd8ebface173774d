import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { ApplicationLoadBalancer } from '../../../lib/loadbalancer/application-load-balancer';
import { synthConstruct } from '../../helpers/synth';
import { describeWithTerraform, unparsableTemplates } from '../../helpers/terraform';

// The longest name prefix the rke-ha stack builds: a 16-character deployment name plus "-rke-ha".
const NAME = 'abcdefghijklmnop-rke-ha';
const TARGETS = 'sg-0targets';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0000';

describe('ApplicationLoadBalancer', () => {
  let alb!: ApplicationLoadBalancer;
  const { json } = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    alb = new ApplicationLoadBalancer(stack, 'alb', {
      name: NAME,
      vpcId: 'vpc-0123',
      subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
      certificateArn: CERTIFICATE,
      targetSecurityGroupId: TARGETS,
    });
    alb.addInstanceTarget('server-0', 'i-0000');
    alb.addInstanceTarget('server-1', 'i-1111');
    new TerraformOutput(stack, 'dns_name', { value: alb.dnsName });
    new TerraformOutput(stack, 'zone_id', { value: alb.zoneId });
  });

  describeWithTerraform('with Terraform', () => {
    it('every template parses as HCL', () => {
      expect(unparsableTemplates(json)).toEqual([]);
    });
  });
});
