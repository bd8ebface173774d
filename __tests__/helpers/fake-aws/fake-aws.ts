import type { DeserializeHandler, DeserializeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from '@smithy/types';
import { sdkCall } from '../../../cli/shared/aws/calls';
import { AwsClients, type AwsSettings } from '../../../cli/shared/aws/clients';
import { FakeCloudTrail } from './fake-cloudtrail';
import { FakeCloudWatch } from './fake-cloudwatch';
import { FakeEc2 } from './fake-ec2';
import { FakeElbv2 } from './fake-elbv2';
import { FakeIam } from './fake-iam';
import { FakeKms } from './fake-kms';
import { FakeLogs } from './fake-logs';
import { FakeRds } from './fake-rds';
import { FakeRoute53 } from './fake-route53';
import { FakeS3 } from './fake-s3';
import { FakeSsm } from './fake-ssm';
import { FakeTagging } from './fake-tagging';

/** The one rule of a lost region, shared with the stubs (ops-stubs/region-loss.js; README.md, "A region lost"). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stub of this repository, without types
const { unreachable, endpointHost } = require('../ops-stubs/region-loss.js') as {
  unreachable(loss: RegionLoss | undefined, service: string, command: string, region: string): boolean;
  endpointHost(service: string, region: string): string;
};

/** A region lost: every endpoint of `region` unanswered; with `controlPlanes` (implied by us-east-1) IAM, Route 53 and S3's bucket configuration too. */
export interface RegionLoss {
  readonly region: string;
  readonly controlPlanes?: boolean;
}

/**
 * The region of an AWS endpoint by its host, as the SDK resolves it (`s3.eu-west-1.amazonaws.com`,
 * `bucket.s3.eu-west-1.amazonaws.com`, `sts.eu-west-1.amazonaws.com`); a host without one (`iam.amazonaws.com`,
 * `route53.amazonaws.com`) is a global service's, served from us-east-1.
 */
export const regionOfHost = (host: string | undefined): string =>
  /(?:^|[.-])([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com$/.exec(host ?? '')?.[1] ?? 'us-east-1';

/**
 * The error the SDK's Node.js HTTP handler gives for an endpoint that does not answer (a connection timed out): no
 * status, no request id, transient to the retry strategy (its name and code), so retried, then thrown.
 */
export function unreachableError(service: string, region: string): Error {
  return Object.assign(new Error(`connect ETIMEDOUT ${endpointHost(service, region)}:443`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $unreachable: true,
  });
}

/** Each service's throttling error code, as AWS sends it (the SDK's retry strategy knows them all as throttling). */
const THROTTLING: Readonly<Record<string, { code: string; status: number }>> = {
  S3: { code: 'SlowDown', status: 503 },
  EC2: { code: 'RequestLimitExceeded', status: 503 },
  RDS: { code: 'Throttling', status: 400 },
  IAM: { code: 'Throttling', status: 400 },
  STS: { code: 'Throttling', status: 400 },
};

/** Who calls the fake AWS (STS GetCallerIdentity's answer): a user of the fake's account. */
export const FAKE_CALLER = 'arn:aws:iam::111122223333:user/operator';

/** One call the clients made, as the fake received it (throttled ones included). */
export interface FakeCall {
  readonly call: string;
  readonly input: Record<string, any>;
}

/**
 * An in-memory AWS behind the real SDK clients. It is an SDK plugin whose middleware answers every command in the
 * deserialize step, in place of the HTTP request: the clients' own middleware still runs around it (the AWS_CALLS
 * check, serialization, signing, and the retry strategy, which therefore sees the fake's throttling errors and
 * retries them as it would AWS's). What each service does, and where AWS documents it, is in README.md beside this
 * file; a command the fake does not model fails the test that sends it.
 */
export class FakeAws {
  /** Items per page of every paginated list, whatever the caller asked for: small, so every list pages. */
  pageSize = 2;
  readonly ssm = new FakeSsm(() => this.pageSize);
  // S3 decrypts an SSE-KMS object for the caller only when KMS lets the caller (README.md, S3 GetObject).
  readonly s3 = new FakeS3(
    () => this.pageSize,
    (key) => this.kms.mayDecrypt(key, this.identity.Arn),
  );
  readonly rds = new FakeRds();
  readonly ec2 = new FakeEc2(() => this.pageSize);
  readonly elbv2 = new FakeElbv2();
  readonly logs = new FakeLogs();
  readonly cloudwatch = new FakeCloudWatch(() => this.pageSize);
  readonly kms = new FakeKms();
  readonly tagging = new FakeTagging(() => this.pageSize);
  readonly iam = new FakeIam(() => this.pageSize);
  readonly cloudtrail = new FakeCloudTrail(() => this.pageSize);
  /** Route 53's health checks follow CloudWatch's alarms (failover routing). */
  readonly route53 = Object.assign(new FakeRoute53(), { alarms: () => this.cloudwatch.alarms });
  identity = { Arn: FAKE_CALLER, Account: '111122223333', UserId: 'AIDAFAKEOPERATOR' };
  readonly calls: FakeCall[] = [];
  /** STS AssumeRole's requests, in order (RoleArn, RoleSessionName, Policy, DurationSeconds). */
  readonly sessions: Record<string, any>[] = [];
  /** A region lost (README.md, "A region lost"): its calls are not answered. */
  regionLoss: RegionLoss | undefined;
  /** The calls a lost region left unanswered, each attempt, with the region of the endpoint they went to. */
  readonly refused: { readonly call: string; readonly region: string }[] = [];
  private readonly throttled = new Map<string, number>();

  private readonly services: Readonly<Record<string, { handlers: Record<string, (input: any) => object> }>> = {
    SSM: this.ssm,
    S3: this.s3,
    RDS: this.rds,
    EC2: this.ec2,
    KMS: this.kms,
    ResourceGroupsTaggingAPI: this.tagging,
    IAM: this.iam,
    CloudTrail: this.cloudtrail,
    ElasticLoadBalancingV2: this.elbv2,
    CloudWatchLogs: this.logs,
    CloudWatch: this.cloudwatch,
    Route53: this.route53,
    STS: {
      handlers: {
        GetCallerIdentity: () => ({ ...this.identity }),
        // A role's session (README.md, "STS sessions"): the request kept, credentials of its own answered.
        AssumeRole: (input) => {
          this.sessions.push(input);
          return {
            Credentials: {
              AccessKeyId: `ASIAFAKESESSION${this.sessions.length}`,
              SecretAccessKey: 'fake-session-secret',
              SessionToken: `fake-session-token-${this.sessions.length}`,
              Expiration: new Date(Date.now() + (input.DurationSeconds ?? 3600) * 1000),
            },
          };
        },
      },
    },
  };

  /** The next `times` calls of `call` (`SSM GetCommandInvocation`) fail with the service's throttling error. */
  throttle(call: string, times: number): void {
    this.throttled.set(call, (this.throttled.get(call) ?? 0) + times);
  }

  /** Whether the fake answers `call` (`SSM SendCommand`). */
  models(call: string): boolean {
    const [service, command] = call.split(' ');
    return this.services[service]?.handlers[command] !== undefined;
  }

  /** How many times `call` was made (each attempt of a retried call counts). */
  count(call: string): number {
    return this.calls.filter((c) => c.call === call).length;
  }

  /** The SDK plugin: add it to a client's middleware stack and the client talks to this fake. */
  readonly plugin: Pluggable<object, MetadataBearer> = {
    applyToStack: (stack) => {
      stack.add(
        (_next: DeserializeHandler<any, any>, context: HandlerExecutionContext) => async (args: DeserializeHandlerArguments<any>) => {
          // The region of the endpoint the SDK resolved for the call: where it would go (a lost region's does not answer).
          const region = regionOfHost((args.request as { hostname?: string } | undefined)?.hostname);
          const output = this.answer(sdkCall(String(context.clientName), String(context.commandName)), args.input as Record<string, any>, region);
          return { output: { ...output, $metadata: { httpStatusCode: 200 } }, response: { statusCode: 200, headers: {} } };
        },
        { step: 'deserialize', name: 'fakeAws', priority: 'high' },
      );
    },
  };

  /** The SDK clients, as the operations build them, talking to this fake (no backoff between retries). */
  clients(settings: Partial<AwsSettings> = {}): AwsClients {
    return new AwsClients({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
      retryDelayMs: 0,
      ...settings,
      plugins: [this.plugin, ...(settings.plugins ?? [])],
    });
  }

  /**
   * Answers `call` (`S3 DeleteBucket`) as the plugin does: recorded, unanswered when its endpoint's region (`region`)
   * is lost, throttled when told, else the service's handler.
   */
  answer(call: string, input: Record<string, any>, region?: string): object {
    this.calls.push({ call, input });
    const [service, command] = call.split(' ');
    if (region !== undefined && unreachable(this.regionLoss, service, command, region)) {
      this.refused.push({ call, region });
      throw unreachableError(service, region);
    }
    const left = this.throttled.get(call) ?? 0;
    if (left > 0) {
      this.throttled.set(call, left - 1);
      const { code, status } = THROTTLING[service] ?? { code: 'ThrottlingException', status: 400 };
      throw Object.assign(new Error('Rate exceeded'), { name: code, $fault: 'client', $metadata: { httpStatusCode: status } });
    }
    const handler = this.services[service]?.handlers[command];
    if (!handler) throw new Error(`The fake AWS does not model ${call}: add it, and its behaviour to README.md, before a test relies on it.`);
    return handler(input);
  }
}
