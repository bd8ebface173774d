// The AWS SDK's side of the CLI: the clients (cli/shared/aws/clients.ts) and the calls the commands make through them.
// cli/shared/aws.ts loads it with import() at a run's first SDK call, and scripts/build.js bundles it as a file of its
// own beside main.js (the SDK is most of the CLI's code, and a refusal or a dry run never needs it); the teardown's
// steps in AWS (cli/teardown/teardown-aws.ts, a file apart too) take it from that file.
export { deleteBucket, emptyBucket } from './bucket-emptying';
export { AwsClients, clientsByRegion, type ClientsOfRegion } from './clients';
export { liftDeletionProtection } from './databases';
export { createDbSnapshot, dbSnapshotStatus } from './db-snapshots';
export { snapshotsOfVolume } from './ebs-snapshots';
export { scheduleKeyDeletion } from './kms-keys';
export { liftLoadBalancerProtection } from './load-balancers';
export { deleteLogGroup } from './log-groups';
export { invocationResult, sendShellCommand } from './server-commands';
