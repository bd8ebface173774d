export { PublicNetwork, type PublicNetworkProps, type SubnetInfo } from './public-network';
export { PrivateSubnets, type PrivateSubnetsProps } from './private-subnets';
export { ExistingNetwork, type ExistingNetworkProps, type ExistingNetworkSettingNames, type NodeEgress } from './existing-network';
export { PublicAddress, type PublicAddressProps } from './public-address';
export type { Peer } from './peer';
export type { ChartProxy } from './chart-proxy';
