export * from './cluster-preflight';
export * from './existing-cluster-access';
export * from './forget-when-removed';
export * from './ingress-load-balancer';
