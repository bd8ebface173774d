export * from './alias-record';
export * from './a-record';
export * from './dns-target';
export * from './load-balancer-record';
export * from './round-robin-records';
export * from './wildcard-name';
