export { AliasRecord, type AliasRecordProps } from './alias-record';
export { ARecord, type ARecordProps } from './a-record';
export { LoadBalancerRecord, type LoadBalancerRecordProps } from './load-balancer-record';
export { RoundRobinRecords, type RoundRobinRecordsProps, type RoundRobinMember, type MemberHealthCheck } from './round-robin-records';
export { healthCheckStatusMetric } from './route53-metrics';
