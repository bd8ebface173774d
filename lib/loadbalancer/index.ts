export * from './network-load-balancer';
export * from './application-load-balancer';
