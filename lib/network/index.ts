export { PublicNetwork, type PublicNetworkProps, type SubnetInfo } from './public-network';
export { PrivateSubnets, type PrivateSubnetsProps } from './private-subnets';
export { ExistingNetwork, type ExistingNetworkProps, type NodeEgress } from './existing-network';
export { ExistingSubnet, ExistingVpc, type IExistingSubnet, type IExistingVpc } from './existing-vpc';
export { PublicAddress, type PublicAddressProps } from './public-address';
export type { Peer } from './peer';
export type { ChartProxy } from './chart-proxy';
