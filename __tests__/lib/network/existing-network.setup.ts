// What existing-network.test.ts and existing-network.tools.test.ts share: the construct's props and its synthesis
// (with the shape the deployments consume as an output).
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import { ExistingNetwork, type ExistingNetworkProps } from '../../../lib/network/existing-network';
import { DB, LB, NODES, VPC } from '../../helpers/sample-network';
import { synthConstruct, type TerraformJson } from '../../helpers/synth';

export const props = (overrides: Partial<ExistingNetworkProps> = {}): ExistingNetworkProps => ({
  vpcId: VPC,
  loadBalancerSubnetIds: LB,
  nodeSubnetIds: NODES,
  datastoreSubnetIds: DB,
  hostNumber: 10,
  nodeEgress: 'own',
  reservedRanges: ['10.42.0.0/16', '10.43.0.0/16'],
  ...overrides,
});

export function synth(p: ExistingNetworkProps = props()): { json: TerraformJson; network: ExistingNetwork } {
  let network!: ExistingNetwork;
  const { json } = synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    network = new ExistingNetwork(stack, 'network', p);
    // The exposed shape, as the deployments consume it.
    new TerraformOutput(stack, 'shape', {
      value: {
        vpc: network.vpcId,
        subnets: network.subnets,
        nodes: network.nodeSubnets,
        datastore: network.datastoreSubnets,
        direct: network.directCidrs,
      },
    });
  });
  return { json, network };
}
