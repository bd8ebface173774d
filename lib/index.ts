// The construct library's root: the three Rancher deployments (RancherOnRke,
// RancherOnExistingCluster, RancherOnDocker) and their props. The pieces they
// are made of have an entry point per domain folder (`rancher-ha-aws/network`,
// ...); what no entry point names is internal (docs/library.md, "What is API").
export * from './deployments';
