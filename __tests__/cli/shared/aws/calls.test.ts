import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_CALLS, sdkCall } from '../../../../cli/shared/aws/calls';

const API_DIR = join(__dirname, '..', '..', '..', '..', 'cli', 'shared', 'aws');
const api = readdirSync(API_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ f, text: readFileSync(join(API_DIR, f), 'utf8') }));
/** Each API file's client (from its @aws-sdk import) and the commands it sends or pages through. */
const sent = api.flatMap(({ f, text }) => {
  const client = /from '@aws-sdk\/client-([a-z0-9-]+)'/.exec(text)?.[1];
  const commands = [...text.matchAll(/\bnew ([A-Z][A-Za-z0-9]+)Command\(/g), ...text.matchAll(/\bpaginate([A-Z][A-Za-z0-9]+)\(/g)].map((m) => m[1]);
  return commands.map((command) => ({ f, client, command }));
});
const CLIENTS: Readonly<Record<string, string>> = {
  ssm: 'SSM',
  rds: 'RDS',
  s3: 'S3',
  ec2: 'EC2',
  'elastic-load-balancing-v2': 'ElasticLoadBalancingV2',
  'cloudwatch-logs': 'CloudWatchLogs',
  kms: 'KMS',
  sts: 'STS',
  'route-53': 'Route53',
  'resource-groups-tagging-api': 'ResourceGroupsTaggingAPI',
  cloudtrail: 'CloudTrail',
  cloudwatch: 'CloudWatch',
  iam: 'IAM',
};

describe('AWS_CALLS, the one list of AWS calls', () => {
  it("keys a sent command by the SDK's client and command names", () => {
    expect(sdkCall('SSMClient', 'SendCommandCommand')).toBe('SSM SendCommand');
    expect(sdkCall('ElasticLoadBalancingV2Client', 'ModifyLoadBalancerAttributesCommand')).toBe(
      'ElasticLoadBalancingV2 ModifyLoadBalancerAttributes',
    );
  });

  it('lists every command the API in cli/shared/aws/ sends (the scan finds them)', () => {
    expect(sent.length).toBeGreaterThan(30);
    const unlisted = sent.filter(({ client, command }) => !(`${CLIENTS[client ?? ''] ?? `unknown ${client}`} ${command}` in AWS_CALLS));
    expect(unlisted).toEqual([]);
  });

  it('has a method of the API for each of its calls: the switch from the AWS CLI loses none', () => {
    const fromApi = new Set(sent.map(({ client, command }) => `${CLIENTS[client ?? '']} ${command}`));
    expect(Object.keys(AWS_CALLS).filter((call) => !fromApi.has(call))).toEqual([]);
  });
});
