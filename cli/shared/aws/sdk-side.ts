// The AWS SDK's side of the commands that still make most of their AWS calls through the AWS CLI (roll, rotate, the
// drill, the acceptance run): the clients and the calls they make through the SDK. cli/shared/aws.ts loads this module
// with import() at a run's first SDK call, and scripts/build.js bundles it as a file of its own beside main.js (the SDK
// is most of the CLI's code, and a refusal or a dry run never needs it). Only what those calls need: each SDK package
// this module reaches is evaluated when the file loads (the clients' own are required as each client is made).
export { AwsClients } from './clients';
export { createDbSnapshot, dbSnapshotStatus } from './db-snapshots';
export { invocationResult, listInvocations, sendShellCommand } from './server-commands';
