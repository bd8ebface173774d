// What server-node.test.ts and server-node.tools.test.ts share: a stack with a local backend and the AWS provider,
// the props of a sample server, and a server upgraded in place.
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { ServerNode, type ServerNodeProps } from '../../../lib/nodes/server-node';
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

/** A server whose version was upgraded in place to NEW (its user data, `text(NEW)`, names it), staleAttributes as an output. */
export function upgradedInPlace() {
  const NEW = 'v1.35.9+rke2r1';
  const text = (version: string, extra = '') =>
    `#cloud-config\nwrite_files:\n  - path: /etc/rancher/bootstrap.env\n    content: RKE2_VERSION=${version}\n${extra}`;
  const { json } = synth((stack) => {
    const node = new ServerNode(stack, 'server', { ...base, userData: text(NEW), upgradedInPlace: NEW });
    new TerraformOutput(stack, 'stale', { value: node.staleAttributes() });
  });
  return { NEW, text, json };
}
