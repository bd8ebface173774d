// The three Rancher deployments as constructs, and their props.
export type * from './props';
// What the three share, as types only: a function of yours takes any of them; you build one of the three.
export type { RancherDeployment } from './rancher-deployment';
export type { RancherOnCluster } from './rancher-on-cluster';
export { RancherOnRke } from './rancher-on-rke';
export type * from './rancher-on-rke-props';
export { RancherOnExistingCluster } from './rancher-on-existing-cluster';
export type * from './rancher-on-existing-cluster-props';
export { RancherOnDocker } from './rancher-on-docker';
export type * from './rancher-on-docker-props';
// The VPC and subnets an existing network's props take (also in `rancher-ha-aws/network`).
export { ExistingSubnet, ExistingVpc, type IExistingSubnet, type IExistingVpc } from '../network/existing-vpc';
