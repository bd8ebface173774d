export * from './network-load-balancer';
