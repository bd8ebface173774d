// The AWS SDK's side of the commands (the roll, the rotations, the drill, the failover, the acceptance run): the
// clients and the calls they make through the SDK. The commands load this module with import() at a run's first SDK
// call, and scripts/build.js bundles it, with the teardown's AWS side, as a file of its own beside main.js (the SDK is most of the CLI's code, and a refusal or a dry run never needs it). Only what those
// calls need: each SDK package this module reaches is evaluated when the file loads (the clients' own are required as
// each client is made, Route 53's as records move).
export { AwsClients, clientsByRegion } from './clients';
export { eventsBy } from './cloudtrail-events';
export { writeFailedOver } from './failover-metric';
export { createDbSnapshot, dbSnapshotStatus, deleteDbSnapshot } from './db-snapshots';
export { callerIdentity } from './identity';
export { instanceState, startInstance, stopInstance } from './instances';
export { keyState } from './kms-keys';
export { metricData } from './metric-data';
export { copyObject, downloadObject, listObjects, objectUnreadable } from './objects';
export { createStringParameter, deleteParameter, readSecureParameter, writeSecureParameter, writeStringParameter } from './parameters';
export { changeRecordSets, moveAliasRecords } from './records';
export { assumeRoleWithPolicy } from './outage-credentials';
export { readObjectText } from './standby-object';
export { readParameter } from './standby-parameter';
export { invocationResult, listInvocations, sendShellCommand } from './server-commands';
export { regionAnswers } from './region-probe';
export { taggedIam } from './tagged-iam';
export { resourcesTagged } from './tagged-resources';
