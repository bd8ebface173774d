// The AWS SDK's side of the commands that still make most of their AWS calls through the AWS CLI (roll, rotate, the
// acceptance run), and the drill's and the failover's: the clients and the calls they make through the SDK. The
// commands load this module with import() at a run's first SDK call, and scripts/build.js bundles it as a file of its
// own beside main.js (the SDK is most of the CLI's code, and a refusal or a dry run never needs it). Only what those
// calls need: each SDK package this module reaches is evaluated when the file loads (the clients' own are required as
// each client is made, Route 53's as records move).
export { AwsClients, clientsByRegion } from './clients';
export { createDbSnapshot, dbSnapshotStatus } from './db-snapshots';
export { copyObject, downloadObject, listObjects, objectUnreadable } from './objects';
export { deleteParameter, readSecureParameter, writeSecureParameter } from './parameters';
export { moveAliasRecords } from './records';
export { invocationResult, listInvocations, sendShellCommand } from './server-commands';
export { regionAnswers } from './region-probe';
