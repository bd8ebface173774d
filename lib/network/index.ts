export { PublicNetwork, type PublicNetworkProps, type SubnetInfo } from './public-network';
export { PrivateSubnets, type PrivateSubnetsProps } from './private-subnets';
export { ExistingNetwork, type ExistingNetworkProps } from './existing-network';
export { PublicAddress, type PublicAddressProps } from './public-address';
