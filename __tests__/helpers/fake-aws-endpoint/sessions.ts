import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateKeptWorld, worldLocked, worldSeen } from '../world-file';
import { writeError, writeOutput, type WireAnswer, type WireCall } from './wire';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { endpointRegion } = require('../ops-stubs/region-loss.js') as { endpointRegion(service: string, region: string): string };

// STS AssumeRole with a session policy, as the endpoint answers it (fake-aws/README.md, "STS sessions"). The returned
// access key is the caller's with `SESSION<n>` after it (world-key.ts: it names the same world and run), and the world
// keeps what the session policy denies (world.aws.sessions, by access key). What it rests on (IAM User Guide):
// - "Permissions for AssumeRole": a session's permissions are the role's intersected with the session policy, which
//   can only narrow them; the calls the session makes are evaluated against both;
// - "Policy evaluation logic": an explicit Deny in any policy wins over every Allow: the call is refused AccessDenied
//   (EC2's code UnauthorizedOperation; the JSON protocol's AccessDeniedException), HTTP 403, and nothing is done;
// - "AWS global condition context keys", aws:RequestedRegion: the region the request is made to; IAM's and Route 53's
//   APIs are requested in us-east-1 whatever region the client names (their endpoints sign us-east-1), and S3's bucket
//   configuration is counted there too (as region-loss.js counts it a us-east-1 control plane).
// Only the policy this repository passes is read: Deny of `*` under StringEquals aws:RequestedRegion. The role's own
// policies and trust are not modelled (any role of the world's account is assumed); the session's expiry is not either.

interface Session {
  readonly role: string;
  readonly name: string;
  readonly deniedRegions: readonly string[];
  readonly seconds: number;
}

/** The regions a session policy (AssumeRole's `Policy`, JSON) denies every action in. */
export function deniedRegionsOf(policy: string | undefined): string[] {
  if (!policy) return [];
  const statements = [JSON.parse(policy).Statement].flat() as any[];
  return statements
    .filter((s) => s.Effect === 'Deny' && [s.Action].flat().includes('*'))
    .flatMap((s) => [s.Condition?.StringEquals?.['aws:RequestedRegion'] ?? []].flat() as string[]);
}

const bucketConfiguration = (service: string, command: string) => service === 'S3' && /^(Create|Delete|Put)Bucket/.test(command);

/** The region a call is requested in (aws:RequestedRegion), as the session's deny reads it. */
export const requestedRegion = (service: string, command: string, region: string) =>
  bucketConfiguration(service, command) ? 'us-east-1' : endpointRegion(service, region);

/**
 * STS AssumeRole: the session recorded in the world, its credentials answered; refused AccessDenied (403) for a role
 * in world.aws.untrusted, whose trust policy does not allow the caller (STS API Reference, AssumeRole, Errors).
 */
export function assumeRole(dir: string, call: WireCall): WireAnswer {
  if ((worldSeen(dir).aws?.untrusted ?? []).includes(call.input.RoleArn))
    return writeError(call, {
      name: 'AccessDenied',
      message: `User: arn:aws:sts::123456789012:assumed-role/deployer/alice is not authorized to perform: sts:AssumeRole on resource: ${call.input.RoleArn}`,
      $metadata: { httpStatusCode: 403 },
    });
  let accessKeyId = '';
  updateKeptWorld(dir, (world) => {
    const sessions = (world.aws.sessions ??= {});
    accessKeyId = `${call.accessKeyId.replace(/SESSION\d+$/, '')}SESSION${Object.keys(sessions).length + 1}`;
    const session: Session = {
      role: call.input.RoleArn,
      name: call.input.RoleSessionName,
      deniedRegions: deniedRegionsOf(call.input.Policy),
      seconds: Number(call.input.DurationSeconds ?? 3600),
    };
    sessions[accessKeyId] = session;
    appendFileSync(
      join(dir, 'calls.jsonl'),
      `${JSON.stringify({ tool: 'aws-sdk', args: [call.region, 'STS AssumeRole', JSON.stringify(session)] })}\n`,
    );
  });
  const expiration = new Date(Date.now() + 3600_000);
  return writeOutput(call, {
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: 'fake-session-secret', SessionToken: 'fake-session-token', Expiration: expiration },
    AssumedRoleUser: { Arn: call.input.RoleArn, AssumedRoleId: `AROAFAKE:${call.input.RoleSessionName}` },
  });
}

/**
 * A call the caller's session policy denies: refused and logged as made (calls.jsonl), or undefined when the session
 * (if any) allows it. Each call of a session is listed apart (session-calls.jsonl: the client's region, the call, the
 * region requested, whether it was denied).
 */
export function deniedBySession(dir: string, call: WireCall, name: string, line: unknown[]): WireAnswer | undefined {
  const session: Session | undefined = worldSeen(dir).aws?.sessions?.[call.accessKeyId];
  const requested = requestedRegion(call.service, call.command, call.region);
  if (!session) return undefined;
  const denied = session.deniedRegions.includes(requested);
  worldLocked(dir, () => {
    if (denied) appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ tool: line[0], args: line.slice(1) })}\n`);
    // `at`: how many calls the world had when it was made (calls.jsonl's lines), to place it among the run's own.
    const at = readFileSync(join(dir, 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    appendFileSync(join(dir, 'session-calls.jsonl'), `${JSON.stringify({ client: call.region, call: name, region: requested, denied, at })}\n`);
  });
  if (!denied) return undefined;
  const code =
    call.service === 'EC2'
      ? 'UnauthorizedOperation'
      : ['SSM', 'KMS', 'CloudWatchLogs', 'ResourceGroupsTaggingAPI', 'CloudTrail'].includes(call.service)
        ? 'AccessDeniedException'
        : 'AccessDenied';
  return writeError(call, {
    name: code,
    message: `User: ${session.role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session.name} is not authorized to perform this operation with an explicit deny in a session policy`,
    $metadata: { httpStatusCode: 403 },
  });
}
