// The construct library. At the root: the three Rancher deployments
// (RancherOnRke, RancherOnExistingCluster, RancherOnDocker) and their props;
// below, one namespace per domain folder with the pieces they are made of.
// Importing the root loads every construct's provider resources; apps that
// care about start-up time import the domain entry points they use
// (`rancher-ha-aws/network`, ...).
export * from './deployments';
export * as alarms from './alarms';
export * as backend from './backend';
export * as common from './common';
export * as config from './config';
export * as database from './database';
export * as dns from './dns';
export * as docker from './docker';
export * as existingCluster from './existing-cluster';
export * as kubernetes from './kubernetes';
export * as loadbalancer from './loadbalancer';
export * as network from './network';
export * as nodes from './nodes';
export * as rancher from './rancher';
export * as synth from './synth';
export * as tls from './tls';
