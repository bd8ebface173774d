// The three Rancher deployments as constructs, their props, and the names they share with a stack.
export * from './props';
export * from './rancher-on-rke';
export * from './rancher-on-rke-props';
export * from './rancher-on-existing-cluster';
export * from './rancher-on-existing-cluster-props';
export * from './rancher-on-docker';
export * from './rancher-on-docker-props';
export * from './stack-level-names';
