/**
 * What an AWS client setting left unset is (clients.ts), apart from the SDK so the failover's RTO model
 * (cli/failover/rto-model.ts) reads it without loading the SDK: attempts per call, and each request's time limits.
 */
export const AWS_DEFAULTS = { maxAttempts: 5, requestTimeoutMs: 60_000, connectionTimeoutMs: 10_000 } as const;
