export { NetworkLoadBalancer, type NetworkLoadBalancerProps, type ForwardedPort } from './network-load-balancer';
export { ApplicationLoadBalancer, type ApplicationLoadBalancerProps, type AlbHealthCheck } from './application-load-balancer';
