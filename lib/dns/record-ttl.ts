/**
 * TTL of a hostname's A or CNAME record to a load balancer (LoadBalancerRecord: k8s-ha's records), in seconds: how
 * long a resolver may keep answering with it after it changed (an alias has its target's: 60 s for an ELB). The CLI's
 * RTO model reads it without the construct.
 */
export const LOAD_BALANCER_RECORD_TTL_SECONDS = 60;
