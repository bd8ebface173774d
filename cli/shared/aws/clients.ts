import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, MetadataBearer, Pluggable, RetryStrategyV2 } from '@smithy/types';
import { ConfiguredRetryStrategy, StandardRetryStrategy } from '@smithy/core/retry';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { askOnTerminal } from '../io/ask';
import { awsHttpsAgent } from '../proxy';
import { TOOL } from '../tool-version';
import { onlyListedCalls } from './only-listed-calls';
import { AWS_DEFAULTS } from './aws-defaults';
import { callOptions, endReadsOnStop } from './reads-on-stop';

/** How every client reaches AWS: one set of settings for all of them. */
export interface AwsSettings {
  readonly region: string;
  /** A profile of ~/.aws/config (SSO included); unset, the SDK's default chain: environment, AWS_PROFILE, SSO, instance role. */
  readonly profile?: string;
  /** Attempts per call, the first included (throttling and transient errors are retried, with backoff). */
  readonly maxAttempts?: number;
  /** The longest one HTTP request may take before it is abandoned (and, when attempts are left, retried). */
  readonly requestTimeoutMs?: number;
  /** The wait before retry n; unset, the SDK's standard backoff (exponential with jitter, capped at 20 s). Tests set 0. */
  readonly retryDelayMs?: number | ((retry: number) => number);
  /** Credentials in place of the default chain (the tests' fake cloud takes any). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK plugins added to every client's middleware stack (the tests' fake cloud is one). */
  readonly plugins?: readonly Pluggable<object, MetadataBearer>[];
}

/** The SDK's default chain, one per profile for the whole run: every client of every region shares it. */
const runCredentials = new Map<string | undefined, AwsCredentialIdentityProvider>();

/**
 * The run's credentials: the SDK's default chain (environment, SSO, web identity, profiles with their roles and
 * credential_process, the instance's role), made once and shared by every client, so a role is assumed, an SSO token
 * read or an MFA code asked for once per run, not once per client (the chain memoizes what it resolved and refreshes
 * it before it expires). A role whose profile names an mfa_serial gets its code from the terminal; its STS calls go
 * through the same proxy and carry the same user agent as the rest.
 */
function credentialsOfRun(profile: string | undefined): AwsCredentialIdentityProvider {
  let provider = runCredentials.get(profile);
  if (provider === undefined) {
    const httpsAgent = awsHttpsAgent();
    provider = defaultProvider({
      ...(profile === undefined ? {} : { profile }),
      mfaCodeProvider: async (serial: string) => {
        const code = (await askOnTerminal(`MFA code for ${serial}: `))?.trim();
        if (!code)
          throw new Error(
            `The profile's role needs an MFA code from ${serial}, and no terminal is there to ask for it: run the command on a terminal, or give credentials that need none (a profile already signed in, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with AWS_SESSION_TOKEN).`,
          );
        return code;
      },
      clientConfig: { customUserAgent: [[TOOL.name, TOOL.version]], ...(httpsAgent ? { requestHandler: { httpsAgent } } : {}) },
    });
    runCredentials.set(profile, provider);
  }
  return provider;
}

/** What a setting left unset is (aws-defaults.ts). */
export { AWS_DEFAULTS };

/** The retry strategy every client shares: the SDK's standard one (throttling, transient and 5xx errors, a retry quota). */
export function retryStrategy(settings: AwsSettings): RetryStrategyV2 {
  const attempts = settings.maxAttempts ?? AWS_DEFAULTS.maxAttempts;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10)
    throw new Error(`maxAttempts is ${attempts}: give a whole number from 1 to 10 (AWS calls are retried up to that many times in all).`);
  return settings.retryDelayMs === undefined ? new StandardRetryStrategy(attempts) : new ConfiguredRetryStrategy(attempts, settings.retryDelayMs);
}

/**
 * One client per service, each built on first use from the same settings. Every client refuses a command that is
 * not in AWS_CALLS (cli/shared/aws/calls.ts), so that table stays the list of what the operations call.
 */
export class AwsClients {
  readonly region: string;
  private readonly config: object;
  private readonly made = new Map<string, { middlewareStack: { use(plugin: Pluggable<object, MetadataBearer>): void }; destroy(): void }>();

  constructor(private readonly settings: AwsSettings) {
    this.region = settings.region;
    const requestTimeout = settings.requestTimeoutMs ?? AWS_DEFAULTS.requestTimeoutMs;
    if (!Number.isFinite(requestTimeout) || requestTimeout <= 0)
      throw new Error(`requestTimeoutMs is ${requestTimeout}: give a number of milliseconds above 0 (an AWS request is abandoned after it).`);
    const httpsAgent = awsHttpsAgent();
    this.config = {
      region: settings.region,
      credentials: settings.credentials ?? credentialsOfRun(settings.profile),
      retryStrategy: retryStrategy(settings),
      requestHandler: {
        requestTimeout,
        connectionTimeout: Math.min(requestTimeout, AWS_DEFAULTS.connectionTimeoutMs),
        ...(httpsAgent ? { httpsAgent } : {}),
      },
      // `rancher-ha-aws/<version>` in every call's user agent (CloudTrail's userAgent field names the tool).
      customUserAgent: [[TOOL.name, TOOL.version]],
    };
  }

  get ssm(): SSMClient {
    return this.client('SSM', () => new SSMClient(this.config));
  }
  get rds(): RDSClient {
    return this.client('RDS', () => new RDSClient(this.config));
  }
  get s3(): S3Client {
    return this.client('S3', () => new S3Client(this.config));
  }
  get ec2(): EC2Client {
    return this.client('EC2', () => new EC2Client(this.config));
  }
  get elbv2(): ElasticLoadBalancingV2Client {
    return this.client('ElasticLoadBalancingV2', () => new ElasticLoadBalancingV2Client(this.config));
  }
  get logs(): CloudWatchLogsClient {
    return this.client('CloudWatchLogs', () => new CloudWatchLogsClient(this.config));
  }
  get kms(): KMSClient {
    return this.client('KMS', () => new KMSClient(this.config));
  }
  get sts(): STSClient {
    return this.client('STS', () => new STSClient(this.config));
  }
  get tagging(): ResourceGroupsTaggingAPIClient {
    return this.client('ResourceGroupsTaggingAPI', () => new ResourceGroupsTaggingAPIClient(this.config));
  }
  get cloudtrail(): CloudTrailClient {
    return this.client('CloudTrail', () => new CloudTrailClient(this.config));
  }
  get cloudwatch(): CloudWatchClient {
    return this.client('CloudWatch', () => new CloudWatchClient(this.config));
  }
  get iam(): IAMClient {
    return this.client('IAM', () => new IAMClient(this.config));
  }
  /** Route 53 is global: its client signs for us-east-1 and reaches route53.amazonaws.com whatever the region given. */
  get route53(): Route53Client {
    return this.client('Route53', () => new Route53Client(this.config));
  }

  /** Clients of the same settings (region, retries, plugins) signing with other credentials. */
  withCredentials(credentials: NonNullable<AwsSettings['credentials']>): AwsClients {
    return new AwsClients({ ...this.settings, credentials });
  }

  /** Closes the clients' connections (a command that ends should not wait for idle sockets). */
  destroy(): void {
    for (const client of this.made.values()) client.destroy();
    this.made.clear();
  }

  private client<C extends { middlewareStack: { use(plugin: Pluggable<object, MetadataBearer>): void }; destroy(): void }>(
    name: string,
    make: () => C,
  ): C {
    const found = this.made.get(name);
    if (found) return found as C;
    const client = make();
    client.middlewareStack.use(onlyListedCalls);
    // Every call gets its own abort signal while the command can still stop (reads-on-stop.ts): paginators send through this too.
    const send = (client as unknown as { send: (command: unknown, ...rest: unknown[]) => Promise<unknown> }).send.bind(client);
    Object.assign(client, { send: (command: unknown, options?: unknown, ...rest: unknown[]) => send(command, callOptions(options), ...rest) });
    client.middlewareStack.use(endReadsOnStop);
    for (const plugin of this.settings.plugins ?? []) client.middlewareStack.use(plugin);
    this.made.set(name, client);
    return client;
  }
}

/** The clients of each region a command acts in, from the same settings but the region. */
export type ClientsOfRegion = (region: string) => AwsClients;

/**
 * Clients per region, each set made once on first use and shared by every later call for that region: a command
 * whose resources span regions (a replica bucket, a key in its own region) asks for each region it acts in, and
 * `destroy` closes them all when it ends.
 */
export function clientsByRegion(settings: Omit<AwsSettings, 'region'> = {}): { readonly of: ClientsOfRegion; destroy(): void } {
  const made = new Map<string, AwsClients>();
  return {
    of: (region) => {
      let clients = made.get(region);
      if (clients === undefined) made.set(region, (clients = new AwsClients({ ...settings, region })));
      return clients;
    },
    destroy: () => {
      for (const clients of made.values()) clients.destroy();
      made.clear();
    },
  };
}
