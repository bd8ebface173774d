export { ClusterPreflight, type ClusterPreflightProps } from './cluster-preflight';
export { ExistingClusterAccess, type ExistingClusterAccessProps, type ClusterConnection } from './existing-cluster-access';
export { IngressLoadBalancer, type IngressLoadBalancerProps } from './ingress-load-balancer';
export { IngressClassGuard, type IngressClassGuardProps } from './ingress-class-guard';
