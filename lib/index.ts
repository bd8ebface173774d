// The construct library, one domain per folder. Importing this file loads
// every construct's provider resources; apps that care about start-up time
// import from the domain folders (or single files) they use.
export * as backend from './backend';
export * as common from './common';
export * as config from './config';
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
