import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { worldSeen } from '../world-file';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { WireCall } from './wire';

// SSM Run Command (and the roll's RDS snapshot, and the acceptance run's own calls: ACCEPTANCE_CALLS) in the worlds of
// the fake cloud's stubs (the roll's, the rotations', the drill's and the acceptance run's: ops-stubs/fake-roll.js,
// fake-drill.js, fake-acceptance.js, fake-acceptance-metrics.js). What a server does
// when a command runs on it, and SSM's own looks at it (GetCommandInvocation answering InvocationDoesNotExist right
// after SendCommand, then Pending and InProgress before the end: AWS Systems Manager API Reference,
// GetCommandInvocation, "Errors" and the Status values), live in those stubs, which read a call in the AWS CLI's
// words, as the `aws` the CLI once started for it. The endpoint hands the SDK's call to the same stub in those words
// (the call log keeps them: `aws ssm send-command ...`), as stub.sh hands a call to the stub server
// (ops-stubs/stub-server.js, its protocol) or, when the server answers `delegate` (a call that signals its caller
// and may be signalled back) or there is none, to a node process of the stub's own; then writes the stub's answer
// (the CLI's JSON, which is the API's output shape) or its error (`An error occurred (Code)`) as the service does.
//
// The stub's caller, which its signal hooks (`signalAt`, `killAt`) signal, is the CLI run that sent the request: the
// fake cloud starts each run through a shell that writes its pid to `<world>/callers/<run>` before it becomes the CLI
// (fake-cloud.ts), and the run's access key names the run (world-key.ts). The CLI sends nothing for it.

/** The SDK calls answered by the world's stubs: those the CLI sends through the SDK that the stubs model. */
export const STUB_CALLS: ReadonlySet<string> = new Set([
  'SSM SendCommand',
  'SSM GetCommandInvocation',
  'SSM ListCommandInvocations',
  // The roll's datastore snapshot (fake-roll.js: `creating` for its first looks, then `available`, or `failed`).
  'RDS CreateDBSnapshot',
  'RDS DescribeDBSnapshots',
  // The token rotation's parameter (fake-roll.js world.parameters: its value, version, key, tier and description).
  'SSM GetParameter',
  'SSM PutParameter',
]);

/** SSM's parameter calls: answered by the stubs or by the in-memory fake, as the world keeps the parameter. */
const PARAMETER_CALLS: ReadonlySet<string> = new Set(['SSM GetParameter', 'SSM PutParameter']);

/**
 * The acceptance run's own calls, answered in an acceptance world (world.acceptance) by its stubs
 * (ops-stubs/fake-acceptance.js, fake-acceptance-metrics.js), which model them from that world (the deployment tag
 * of a taken name, what the run leaves tagged and in IAM, its principal's CloudTrail events, the servers' metrics,
 * the instances stopped and started, the migration's backup and final snapshots) and fire its hooks on them (`failAt`, a failed
 * phase; `signalAt`, a signal to the run) as they did on the `aws` process the run once started. The drill, roll,
 * rotations and teardown it runs keep the in-memory fake (their calls are none of these), but for S3 ListObjectsV2:
 * the stubs' for the migration's bucket, the fake's (world.aws.buckets, where the one-time backup lands) otherwise.
 */
const ACCEPTANCE_CALLS: ReadonlySet<string> = new Set([
  'STS GetCallerIdentity',
  'ResourceGroupsTaggingAPI GetResources',
  'KMS DescribeKey',
  'EC2 DescribeInstances',
  'EC2 StopInstances',
  'EC2 StartInstances',
  'IAM ListRoles',
  'IAM ListRoleTags',
  'IAM ListUsers',
  'IAM ListUserTags',
  'IAM ListInstanceProfiles',
  'IAM ListInstanceProfileTags',
  'IAM ListPolicies',
  'IAM ListPolicyTags',
  'CloudTrail LookupEvents',
  'CloudWatch GetMetricData',
  'RDS DeleteDBSnapshot',
  'S3 ListObjectsV2',
]);

/**
 * Whether the world's stubs answer a call (`<Client> <Command>`), rather than the in-memory fake. A parameter call is
 * the stubs' when they keep that parameter (fake-roll.js `world.parameters`: the deployment's token parameter, which
 * the rotations read and write, with the kill hook of its write), the fake's otherwise (`world.aws.parameters`: the
 * drill's own parameter for its throwaway, written and deleted through FakeAws). A read of the file, no lock (parsed
 * again only when it changed: worldSeen): the stubs' parameters are named when the world is made.
 */
export function answeredByStubs(dir: string, call: string, input: Record<string, any>): boolean {
  if (STUB_CALLS.has(call) && !PARAMETER_CALLS.has(call)) return true;
  if (!PARAMETER_CALLS.has(call) && !ACCEPTANCE_CALLS.has(call)) return false;
  const world = worldSeen(dir);
  if (PARAMETER_CALLS.has(call)) return typeof input.Name === 'string' && world.parameters?.[input.Name] !== undefined;
  if (world.acceptance === undefined) return false;
  return call !== 'S3 ListObjectsV2' || (input.Bucket !== undefined && input.Bucket === world.acceptance.migrate?.support?.outputs?.bucket);
}

/** The stubs answer a list whole, without a token: the SDK's paginator then asks no second page. */
function firstPage(call: WireCall, token: string): void {
  if (call.input[token] !== undefined) throw new Error(`the stubs do not page ${call.service} ${call.command} (${token} ${call.input[token]})`);
}

/** A JSON protocol's timestamp (epoch seconds) as the AWS CLI took it (ISO 8601). */
const isoTime = (value: unknown) => (typeof value === 'number' ? new Date(value * 1000).toISOString() : String(value));

/** The acceptance run's calls in the AWS CLI's words, as cli/acceptance/ wrote them (without the region and output). */
function acceptanceArgs(call: WireCall): string[] | undefined {
  const input = call.input;
  const one = (service: string, operation: string, ...args: string[]) => [service, operation, ...args];
  switch (`${call.service} ${call.command}`) {
    case 'STS GetCallerIdentity':
      return one('sts', 'get-caller-identity');
    case 'ResourceGroupsTaggingAPI GetResources': {
      firstPage(call, 'PaginationToken');
      const [filter] = input.TagFilters ?? [];
      return one('resourcegroupstaggingapi', 'get-resources', '--tag-filters', `Key=${filter?.Key},Values=${(filter?.Values ?? []).join(',')}`);
    }
    case 'KMS DescribeKey':
      return one('kms', 'describe-key', '--key-id', input.KeyId);
    case 'EC2 DescribeInstances':
      return one('ec2', 'describe-instances', '--instance-ids', ...(input.InstanceIds ?? []));
    case 'EC2 StopInstances':
      return one('ec2', 'stop-instances', '--instance-ids', ...(input.InstanceIds ?? []));
    case 'EC2 StartInstances':
      return one('ec2', 'start-instances', '--instance-ids', ...(input.InstanceIds ?? []));
    case 'IAM ListRoles':
      firstPage(call, 'Marker');
      return one('iam', 'list-roles');
    case 'IAM ListUsers':
      firstPage(call, 'Marker');
      return one('iam', 'list-users', ...(input.PathPrefix === undefined ? [] : ['--path-prefix', input.PathPrefix]));
    case 'IAM ListInstanceProfiles':
      firstPage(call, 'Marker');
      return one('iam', 'list-instance-profiles');
    case 'IAM ListPolicies':
      firstPage(call, 'Marker');
      return one('iam', 'list-policies', ...(input.Scope === undefined ? [] : ['--scope', input.Scope]));
    case 'IAM ListRoleTags':
      firstPage(call, 'Marker');
      return one('iam', 'list-role-tags', '--role-name', input.RoleName);
    case 'IAM ListUserTags':
      firstPage(call, 'Marker');
      return one('iam', 'list-user-tags', '--user-name', input.UserName);
    case 'IAM ListInstanceProfileTags':
      firstPage(call, 'Marker');
      return one('iam', 'list-instance-profile-tags', '--instance-profile-name', input.InstanceProfileName);
    case 'IAM ListPolicyTags':
      firstPage(call, 'Marker');
      return one('iam', 'list-policy-tags', '--policy-arn', input.PolicyArn);
    case 'CloudTrail LookupEvents': {
      firstPage(call, 'NextToken');
      const attributes = (input.LookupAttributes ?? []).map((a: any) => `AttributeKey=${a.AttributeKey},AttributeValue=${a.AttributeValue}`);
      return one(
        'cloudtrail',
        'lookup-events',
        ...(attributes.length ? ['--lookup-attributes', ...attributes] : []),
        '--start-time',
        isoTime(input.StartTime),
        '--end-time',
        isoTime(input.EndTime),
        ...(input.MaxResults === undefined ? [] : ['--max-results', String(input.MaxResults)]),
      );
    }
    case 'CloudWatch GetMetricData':
      firstPage(call, 'NextToken');
      return one(
        'cloudwatch',
        'get-metric-data',
        '--metric-data-queries',
        JSON.stringify(input.MetricDataQueries ?? []),
        '--start-time',
        isoTime(input.StartTime),
        '--end-time',
        isoTime(input.EndTime),
      );
    case 'RDS DeleteDBSnapshot':
      return one('rds', 'delete-db-snapshot', '--db-snapshot-identifier', input.DBSnapshotIdentifier);
    case 'S3 ListObjectsV2':
      firstPage(call, 'ContinuationToken');
      return one('s3api', 'list-objects-v2', '--bucket', input.Bucket, ...(input.Prefix === undefined ? [] : ['--prefix', input.Prefix]));
    default:
      return undefined;
  }
}

/** A call's input in the AWS CLI's words, as cli/shared/aws.ts wrote them (the region and JSON output last). */
export function cliArgs(call: WireCall): string[] {
  const input = call.input;
  const tail = ['--region', call.region, '--output', 'json'];
  const acceptance = acceptanceArgs(call);
  if (acceptance) return [...acceptance, ...tail];
  if (call.command === 'SendCommand')
    return [
      'ssm',
      'send-command',
      '--instance-ids',
      ...(input.InstanceIds ?? []),
      '--document-name',
      input.DocumentName,
      ...(input.Comment === undefined ? [] : ['--comment', input.Comment]),
      '--parameters',
      JSON.stringify(input.Parameters ?? {}),
      ...tail,
    ];
  if (call.command === 'GetCommandInvocation')
    return ['ssm', 'get-command-invocation', '--command-id', input.CommandId, '--instance-id', input.InstanceId, ...tail];
  if (call.command === 'ListCommandInvocations') {
    // The stubs answer with every invocation at once (no NextToken): the SDK's paginator then asks no second page.
    if (input.NextToken !== undefined) throw new Error(`the stubs do not page ListCommandInvocations (NextToken ${input.NextToken})`);
    return ['ssm', 'list-command-invocations', '--command-id', input.CommandId, ...(input.Details ? ['--details'] : []), ...tail];
  }
  if (call.command === 'CreateDBSnapshot')
    return [
      'rds',
      'create-db-snapshot',
      '--db-instance-identifier',
      input.DBInstanceIdentifier,
      '--db-snapshot-identifier',
      input.DBSnapshotIdentifier,
      ...tail,
    ];
  if (call.command === 'GetParameter')
    return ['ssm', 'get-parameter', '--name', input.Name, ...(input.WithDecryption ? ['--with-decryption'] : []), ...tail];
  // The value on the stub's standard input (cliInput), as the CLI once wrote it: never an argument or a logged word.
  if (call.command === 'PutParameter') return ['ssm', 'put-parameter', '--cli-input-json', 'file:///dev/stdin', ...tail];
  if (call.command === 'DescribeDBSnapshots')
    return ['rds', 'describe-db-snapshots', '--db-snapshot-identifier', input.DBSnapshotIdentifier, ...tail];
  throw new Error(`${call.service} ${call.command} is not answered by the world's stubs`);
}

/** The timestamp members of the stubs' answers: CloudWatch's data points, CloudTrail's events, S3's objects. */
const TIMESTAMP_MEMBERS: ReadonlySet<string> = new Set(['Timestamps', 'EventTime', 'LastModified']);

/**
 * A stub's answer (the AWS CLI's JSON, whose timestamps are ISO 8601 strings) with its timestamps as dates, which the
 * endpoint writes as each protocol does (epoch seconds in JSON, ISO 8601 in XML: wire.ts writeOutput).
 */
export function withDates(value: any, member = ''): any {
  if (Array.isArray(value)) return value.map((v) => withDates(v, member));
  if (typeof value === 'string' && TIMESTAMP_MEMBERS.has(member)) return new Date(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(v, k)]));
}

/** What a call gives the stub on its standard input: PutParameter's input, value and all (cliArgs names /dev/stdin). */
export function cliInput(call: WireCall): string | undefined {
  return call.command === 'PutParameter' ? JSON.stringify(call.input) : undefined;
}

/** The pid of the CLI run a call came from, as the fake cloud registered it; undefined for a call of no registered run. */
export function callerOf(dir: string, run: string | undefined): number | undefined {
  if (run === undefined) return undefined;
  try {
    return Number(readFileSync(join(dir, 'callers', run), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** How a stub call ended: its exit code and what it wrote. */
export interface StubAnswer {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let sequence = 0;

/**
 * Runs `aws <args>` in the world `dir` for the caller `pid`: through the stub server on `port` when there is one, else
 * (and when the server answers `delegate`) in a node process of the stub's own, whose caller is `pid`.
 */
export async function runStub(dir: string, pid: number, args: readonly string[], port: string | undefined, input?: string): Promise<StubAnswer> {
  // The caller's working directory, as the stub would have run in it (the stubs tell the drill's and the acceptance
  // run's folders apart by it).
  let cwd = dir;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    // The caller is gone (killed): its calls act as in the world's folder.
  }
  if (port) {
    const served = await viaServer(port, dir, cwd, pid, args, input);
    if (served) return served;
  }
  const stub = [join(dir, 'bin', '.node', 'aws'), join(dir, 'bin', 'aws')].find(existsSync)!;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [stub, ...args],
      { cwd, env: { ...process.env, FAKE_WORLD: dir, FAKE_CALLER_PID: String(pid) }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

/** One call through the stub server, as stub.sh sends it; undefined when the server answers `delegate`. */
function viaServer(port: string, dir: string, cwd: string, pid: number, args: readonly string[], input?: string): Promise<StubAnswer | undefined> {
  // The server runs the call with the pid that ends this name (its lock's owner: this process, alive while it runs);
  // the rest of the name keeps this call's files apart from another call in flight.
  const files = join(dir, `.stub-sdk-${++sequence}.${process.pid}`);
  // Standard input in the file the server reads for it, as stub.sh saves it (readable by this user alone: a value).
  if (input !== undefined) writeFileSync(`${files}.in`, input, { mode: 0o600 });
  const fields = [files, cwd, dir, 'aws', String(args.length), ...args, String(pid), '0'];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => {
      const line = answer.trim();
      if (line === 'delegate') return resolve(undefined);
      // Read before hanging up: the server deletes the files once this side closes.
      const stdout = readFileSync(`${files}.out`, 'utf8');
      const stderr = readFileSync(`${files}.err`, 'utf8');
      socket.destroy();
      resolve({ code: Number(line), stdout, stderr });
    });
    socket.write(fields.map((f) => `${f}\0`).join(''));
  });
}

/** An error the stub wrote as the AWS CLI does (`An error occurred (Code) when calling ...`): AWS's code and the message. */
export function stubError(answer: StubAnswer): { name: string; message: string } {
  const code = /An error occurred \(([^)]+)\)/.exec(answer.stderr)?.[1];
  // A failure that is no AWS error (an injected failure, an unexpected call): its text, under a name no AWS error has.
  return { name: code ?? 'FakeWorldCallFailed', message: answer.stderr.trim() || `the stub exited ${answer.code}` };
}
