import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  comparePolicy,
  describeReport,
  EVENT_ACTIONS,
  eventRegions,
  iamAction,
  markdownReport,
  NOT_APPLICABLE,
  notProven,
  phaseMeaning,
  removalOf,
  TIMELINE,
  timelineOf,
} from '../../../cli/acceptance/acceptance-report';

const notes = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'design-notes.md'), 'utf8');

describe('the acceptance report', () => {
  it("measures the deploy by the steps of the modeled timeline (design notes, 'Deploy timeline'), in its order", () => {
    const section = notes.slice(notes.indexOf('## Deploy timeline'), notes.indexOf('\n## ', notes.indexOf('## Deploy timeline') + 5));
    const names = section
      .split('\n')
      .filter((l) => /^\| `/.test(l))
      .map((l) => /^\| `([a-z-]+)`/.exec(l)![1]);
    expect(TIMELINE.map((t) => t.step)).toEqual(names);
  });

  it('a timeline from apply events: each step from its first start to its last end; unknown lines ignored', () => {
    const event = (type: string, addr: string, second: number) =>
      JSON.stringify({ type, '@timestamp': new Date(Date.UTC(2026, 10, 25, 10, 0, second)).toISOString(), hook: { resource: { addr } } });
    const lines = [
      '{"type":"version"}',
      'not json',
      event('apply_start', 'aws_vpc.network_vpc_1', 0),
      event('apply_complete', 'aws_vpc.network_vpc_1', 5),
      event('apply_start', 'aws_instance.server-0_instance_A', 10),
      event('apply_start', 'aws_instance.server-1_instance_B', 11),
      event('apply_complete', 'aws_instance.server-0_instance_A', 20),
      event('apply_start', 'data.http.api-readiness_readyz_C', 20),
      event('apply_complete', 'data.http.api-readiness_readyz_C', 50),
      event('apply_complete', 'aws_instance.server-1_instance_B', 30),
    ].join('\n');
    const timeline = timelineOf(lines);
    expect(timeline.find((t) => t.step === 'network')).toEqual({ step: 'network', startSeconds: 0, endSeconds: 5, seconds: 5, resources: 1 });
    expect(timeline.find((t) => t.step === 'first-server')).toEqual({
      step: 'first-server',
      startSeconds: 10,
      endSeconds: 50,
      seconds: 40,
      resources: 2,
    });
    expect(timeline.find((t) => t.step === 'joins')).toMatchObject({ seconds: 19, resources: 1 });
    expect(timeline.find((t) => t.step === 'rancher')).toEqual({ step: 'rancher', resources: 0 });
  });

  it('the AWS actions against the policy: wildcards as IAM reads them, case-insensitive', () => {
    const policy = {
      Statement: [
        { Effect: 'Allow', Action: ['ec2:Describe*', 's3:GetObject'] },
        { Effect: 'Deny', Action: 'ec2:RunInstances' },
      ],
    };
    expect(comparePolicy(['ec2:DescribeVpcs', 'ec2:runinstances', 'S3:GetObject'], policy)).toEqual({
      notGranted: ['ec2:runinstances'],
      unused: [],
      notMeasurable: [],
    });
    // s3:GetObject is an S3 data event, which the event history never holds: not measurable, not unused.
    expect(comparePolicy([], policy)).toEqual({ notGranted: [], unused: ['ec2:Describe*'], notMeasurable: ['s3:GetObject'] });
    expect(iamAction('monitoring.amazonaws.com', 'PutMetricAlarm')).toBe('cloudwatch:PutMetricAlarm');
    expect(iamAction('elasticloadbalancing.amazonaws.com', 'CreateLoadBalancer')).toBe('elasticloadbalancing:CreateLoadBalancer');
  });

  it("S3's event names are the IAM actions that authorize them, so the deployer policy's wildcards hide no missing grant", () => {
    const policy = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'deployer-policy.json'), 'utf8'));
    const used = [
      ['s3.amazonaws.com', 'PutBucketEncryption'],
      ['s3.amazonaws.com', 'PutBucketLifecycle'],
      ['s3.amazonaws.com', 'PutBucketReplication'],
      ['s3.amazonaws.com', 'GetBucketCors'],
      ['iam.amazonaws.com', 'CreateRole'],
    ].map(([source, name]) => iamAction(source, name));
    expect(used).toEqual([
      's3:PutEncryptionConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutReplicationConfiguration',
      's3:GetBucketCORS',
      'iam:CreateRole',
    ]);
    const compared = comparePolicy(used, policy);
    expect(compared.notGranted).toEqual([]);
    // Without its own grant, the policy's s3:PutBucket* matched the event name PutBucketReplication and hid the gap.
    const withoutReplication = JSON.parse(JSON.stringify(policy).replace(/"s3:PutReplicationConfiguration",?/g, ''));
    expect(JSON.stringify(withoutReplication)).toContain('s3:PutBucket*');
    expect(comparePolicy(used, withoutReplication).notGranted).toEqual(['s3:PutReplicationConfiguration']);
    expect(compared.unused).not.toContain('s3:PutEncryptionConfiguration');
    expect(compared.unused).not.toContain('s3:PutLifecycleConfiguration');
    // No event of their own: never "unused".
    expect(compared.unused).not.toContain('iam:PassRole');
    expect(compared.notMeasurable).toEqual(expect.arrayContaining(['iam:PassRole', 'ec2:CreateTags', 'iam:TagRole', 'kms:TagResource']));
    // Every name the table maps to is an action the policy's own patterns could name (no event name left over).
    for (const action of Object.values(EVENT_ACTIONS)) expect(action).toMatch(/^s3:[A-Z][A-Za-z]+$/);
  });

  it("reads the event history of the run's region and us-east-1 (IAM, STS and Route53 events are there)", () => {
    expect(eventRegions('eu-west-1')).toEqual(['eu-west-1', 'us-east-1']);
    expect(eventRegions('us-east-1')).toEqual(['us-east-1']);
  });

  it('says how to remove a leftover, by its type', () => {
    expect(removalOf('arn:aws:s3:::acc-x-rke-ha-backups', 'eu-west-1')).toContain('aws s3 rb s3://acc-x-rke-ha-backups --force');
    expect(removalOf('arn:aws:ec2:eu-west-1:1:instance/i-1', 'eu-west-1')).toBe('aws ec2 terminate-instances --instance-ids i-1 --region eu-west-1');
    expect(removalOf('arn:aws:kms:eu-west-1:1:key/k-1', 'eu-west-1')).toContain('schedule-key-deletion --key-id k-1');
    expect(removalOf('arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/net/lb/1', 'eu-west-1')).toContain('aws elbv2 delete-load-balancer');
  });

  it('the Markdown escapes table cells and says what is not proven', () => {
    const md = markdownReport({
      version: 1,
      stack: 'rke-ha',
      runId: 'a1',
      name: 'acc-a1',
      region: 'eu-west-1',
      startedAt: 't0',
      versions: { project: '0.3.0' },
      phases: [{ phase: 'deploy', status: 'failed', seconds: 3, detail: 'a | b\nc' }],
      evidence: {},
      notProven: ['x'],
      passed: false,
    });
    expect(md).toContain('| deploy | failed | 3 | a \\| b c |');
    expect(md).toContain('## What this run does not prove\n\n- x');
  });

  it("the failover phase's RTO and RPO in the JSON's shape, the Markdown and the terminal's lines, each with its budget; a breach named as failed", () => {
    const figures = {
      standbyRegion: 'us-west-2',
      rtoSeconds: 1260,
      rtoBudgetSeconds: 1800,
      rpoMinutes: 95,
      backup: 's3://copy/rancher/b.tar.gz.enc',
      rpoBudgetMinutes: 60,
      schedule: '0 * * * *',
      failbackRtoSeconds: 1500,
      failbackRpoMinutes: 20,
      failbackBackup: 's3://standby/rancher/c.tar.gz.enc',
      breaches: ['RPO 95 min is over its budget of 60 min (backups.schedule "0 * * * *")'],
    };
    const report = {
      version: 1 as const,
      stack: 'rke-ha',
      runId: 'a1',
      name: 'acc-a1',
      region: 'eu-west-1',
      startedAt: 't0',
      versions: {},
      phases: [
        { phase: 'failover' as const, status: 'failed' as const, seconds: 2900, detail: `the failover broke its budgets: ${figures.breaches[0]}` },
      ],
      evidence: {},
      notProven: [],
      failover: figures,
      passed: false,
    };
    const md = markdownReport(report);
    expect(md).toContain('## Failover to us-west-2');
    expect(md).toContain('| RTO | 1260 s | 1800 s | within |');
    expect(md).toContain('| RPO | 95 min | 60 min (backups.schedule `0 * * * *`) | OVER |');
    expect(md).toContain('| failback RTO | 1500 s | | |');
    // The backups restored, named: the RPO is the first's age.
    expect(md).toContain('Restored by the failover: `s3://copy/rancher/b.tar.gz.enc`');
    expect(md).toContain('Restored by the failback: `s3://standby/rancher/c.tar.gz.enc`');
    expect(md).toContain('- FAILED: RPO 95 min is over its budget of 60 min (backups.schedule "0 * * * *")');
    const lines = describeReport(report, { json: 'r.json', markdown: 'r.md' });
    // The phases first (tellReport takes them by place), then the figures, the result last.
    expect(lines[2]).toBe(
      '  FAILOVER to us-west-2: RTO 1260 s (budget 1800 s), RPO 95 min (budget 60 min, s3://copy/rancher/b.tar.gz.enc); FAILED: RPO 95 min is over its budget of 60 min (backups.schedule "0 * * * *")',
    );
    expect(lines[3]).toMatch(/^Result: FAILED/);
    expect(markdownReport({ ...report, failover: undefined })).not.toContain('## Failover');
  });

  it("names Rancher by the run's record in the zone when --hosted-zone gives one, by an sslip.io name otherwise", () => {
    expect(phaseMeaning('rke-ha', 'ping')).toContain('https://<sslip.io name>/ping');
    expect(phaseMeaning('rke-ha', 'ping', true)).toContain('https://<name>.<your zone>/ping');
    expect(phaseMeaning('docker', 'ping', true)).toContain('https://<name>.<your zone>/ping');
    expect(phaseMeaning('rke-ha', 'drill', true)).toBe(phaseMeaning('rke-ha', 'drill'));
  });

  it('IAM leftovers: what holds on to each goes first, no region (IAM is global)', () => {
    const role = removalOf('arn:aws:iam::123456789012:role/rancher-ha-aws/acc-k3x9q2-rke-ha-rancher-backup', 'eu-west-1');
    expect(role).toContain('aws iam delete-role --role-name acc-k3x9q2-rke-ha-rancher-backup');
    expect(role).toContain('list-instance-profiles-for-role');
    expect(role).not.toContain('--region');
    expect(removalOf('arn:aws:iam::123456789012:instance-profile/acc-k3x9q2-rke-ha-0001', 'eu-west-1')).toContain(
      'aws iam delete-instance-profile --instance-profile-name acc-k3x9q2-rke-ha-0001',
    );
    expect(removalOf('arn:aws:iam::123456789012:user/rancher-ha-aws/acc-k3x9q2-k8s-ha-rancher-backup', 'eu-west-1')).toContain(
      'list-access-keys / list-user-policies --user-name acc-k3x9q2-k8s-ha-rancher-backup',
    );
    expect(removalOf('arn:aws:iam::123456789012:policy/acc-k3x9q2-p', 'eu-west-1')).toContain(
      'aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/acc-k3x9q2-p',
    );
  });

  it('what a run does not prove names the phases its stack skips, and k8s-ha what stays in your cluster', () => {
    // The five every run says, the metrics phase's, and the migration, which starts from docker.
    expect(notProven('rke-ha')).toHaveLength(7);
    for (const stack of ['rke-ha', 'k8s-ha', 'docker'])
      for (const [phase, why] of Object.entries(NOT_APPLICABLE[stack])) expect(notProven(stack)).toContain(`The ${phase} phase: ${why}.`);
    expect(notProven('k8s-ha').join(' ')).toContain('rancher-cleanup');
  });
});
