// No imports: the operations CLI reads it (the drill's allowance for a replica's age) without cdktf.

/** Minutes S3 Replication Time Control replicates 99.99% of new objects in, and the only value it takes. */
export const REPLICATION_TIME_MINUTES = 15;
