// What application-load-balancer.test.ts and application-load-balancer.tools.test.ts share: the longest name, and the
// balancer synthesized in front of two servers with its name and zone as outputs.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { ApplicationLoadBalancer } from '../../../lib/loadbalancer/application-load-balancer';
import { synthConstruct } from '../../helpers/synth';

// The longest name prefix the rke-ha stack builds: a 16-character deployment name plus "-rke-ha".
export const NAME = 'abcdefghijklmnop-rke-ha';
export const TARGETS = 'sg-0targets';
export const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0000';

/** The balancer of NAME with two instance targets, in a stack of its own. */
export function synth() {
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
  return { json, alb };
}
