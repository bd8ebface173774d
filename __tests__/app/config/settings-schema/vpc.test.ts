import { parseSettings } from '../../../../app/config/load';
import { LOG_RETENTION_DAYS, NODE_ENDPOINTS, VPC_ENDPOINT_SERVICES } from '../../../../lib/config/vpc-schema';
import { settingsProblems } from '../../../helpers/synth';

/** The problems `vpc: section` is refused with; [] when accepted. */
const problemsOf = (section: unknown) => settingsProblems({ vpc: section });

describe('vpc settings', () => {
  it('default to no flow logs and no endpoints', () => {
    expect(parseSettings({}, 'test').vpc).toEqual({ flowLogs: { destination: 'none', retentionDays: 90 }, endpoints: [] });
  });

  it('take a flow log destination and a CloudWatch Logs retention period', () => {
    expect(parseSettings({ vpc: { flowLogs: { destination: 's3', retentionDays: 365 } } }, 'test').vpc.flowLogs).toEqual({
      destination: 's3',
      retentionDays: 365,
    });
    expect(LOG_RETENTION_DAYS).toContain(90);
    expect(problemsOf({ flowLogs: { retentionDays: 100 } })).toEqual([
      {
        field: 'vpc.flowLogs.retentionDays',
        message: expect.stringMatching(/^expected one of 1, 3, 5, .* 3653 \(the periods CloudWatch Logs accepts\)$/),
        value: 100,
      },
    ]);
    expect(problemsOf({ flowLogs: { destination: 'kinesis' } }).map((p) => p.field)).toEqual(['vpc.flowLogs.destination']);
  });

  it('take endpoints by service name, each once', () => {
    expect(parseSettings({ vpc: { endpoints: ['s3', 'ssm'] } }, 'test').vpc.endpoints).toEqual(['s3', 'ssm']);
    expect(VPC_ENDPOINT_SERVICES).toEqual(['s3', 'ssm', 'ssmmessages', 'ec2messages', 'kms', 'sts', 'ec2']);
    expect(NODE_ENDPOINTS).toEqual(['s3', 'ssm', 'ssmmessages', 'ec2messages']);
    expect(problemsOf({ endpoints: ['ssm', 'ssm'] })).toEqual([{ field: 'vpc.endpoints', message: 'lists a service twice', value: ['ssm', 'ssm'] }]);
    expect(problemsOf({ endpoints: ['dynamodb'] }).map((p) => p.field)).toEqual(['vpc.endpoints.0']);
  });
});
