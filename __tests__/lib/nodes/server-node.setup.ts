// What server-node.test.ts and server-node.tools.test.ts share: a stack with a local backend and the AWS provider,
// and the props of a sample server.
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformStack } from 'cdktf';
import type { ServerNodeProps } from '../../../lib/nodes/server-node';
import { synthConstruct } from '../../helpers/synth';

export function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

export const base: ServerNodeProps = {
  name: 'demo-server-0',
  amiId: 'ami-0123456789abcdef0',
  instanceType: 'm6i.xlarge',
  subnetId: 'subnet-0aaa',
  privateIp: '10.0.0.10',
  securityGroupIds: ['sg-0nodes'],
  instanceProfileName: 'demo-profile',
  userData: '#cloud-config\nruncmd: []\n',
  rootVolumeGb: 120,
};
