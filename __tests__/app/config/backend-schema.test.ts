import { backendPartitionProblem } from '../../../app/backend/backend-partition';
import { backendSchema } from '../../../app/config/backend-schema';
import { parseSettings } from '../../../app/config/load';
import { settingsProblems } from '../../helpers/synth';

/** The problems `backend: section` is refused with; [] when accepted. */
const problemsOf = (section: unknown) => settingsProblems({ backend: section });
const parsed = (section: Record<string, unknown>) => parseSettings({ backend: section }, 'test').backend;
const s3 = (extra: Record<string, unknown> = {}) => ({ type: 's3', bucket: 'acme-terraform-state', ...extra });

describe('backend settings', () => {
  it('default to local state at the default path (no path set)', () => {
    expect(parseSettings({}, 'test').backend).toEqual({ type: 'local' });
    expect(backendSchema.parse(undefined)).toEqual({ type: 'local' });
  });

  describe('local', () => {
    it('accepts type local alone', () => {
      expect(parsed({ type: 'local' })).toEqual({ type: 'local' });
    });

    it.each([
      'state/<stack>.tfstate',
      '../../../terraform.<stack>.tfstate',
      './<stack>.tfstate',
      'terraform.<stack>.tfstate',
      'states/<stack>/terraform.tfstate',
    ])('accepts the relative path %p', (path) => {
      expect(parsed({ type: 'local', path })).toEqual({ type: 'local', path });
    });

    it.each(['state/rke-ha.tfstate', 'terraform.tfstate', '../../../terraform.tfstate'])(
      'refuses %p: without <stack> the three stacks would share one state file',
      (path) => {
        expect(problemsOf({ type: 'local', path })).toEqual([
          {
            field: 'backend.path',
            message: expect.stringMatching(/^must contain <stack>: otherwise rke-ha, k8s-ha and docker would share one state file/),
            value: path,
          },
        ]);
      },
    );

    it.each(['/var/lib/terraform/<stack>.tfstate', '/<stack>.tfstate'])('refuses the absolute path %p, saying why', (path) => {
      expect(problemsOf({ type: 'local', path })).toEqual([
        { field: 'backend.path', message: 'expected a relative path (absolute paths do not survive a move to a pipeline)', value: path },
      ]);
    });

    it.each(['<stack>/', 'state/<stack>/..', '<stack>/.'])('refuses %p, which names a directory', (path) => {
      expect(problemsOf({ type: 'local', path })).toEqual([
        { field: 'backend.path', message: expect.stringMatching(/^expected a file name at the end/), value: path },
      ]);
    });

    it.each(['state/<stack>/../terraform.tfstate', '<stack>/../../shared.tfstate'])(
      'refuses %p: it names one file for every stack once resolved',
      (path) => {
        expect(problemsOf({ type: 'local', path })).toEqual([
          { field: 'backend.path', message: expect.stringMatching(/^must name a different file for each stack/), value: path },
        ]);
      },
    );

    it('refuses control characters', () => {
      expect(problemsOf({ type: 'local', path: 'state/<stack>\n.tfstate' })).toEqual([
        { field: 'backend.path', message: 'expected a path without control characters', value: 'state/<stack>\n.tfstate' },
      ]);
    });

    it('refuses an empty path', () => {
      expect(problemsOf({ type: 'local', path: '' })).toEqual([
        { field: 'backend.path', message: expect.stringMatching(/^expected at least 1 /), value: '' },
      ]);
    });

    it('refuses the S3 keys, saying they belong to type s3 and listing the local keys', () => {
      expect(problemsOf({ type: 'local', bucket: 'acme-terraform-state' })).toEqual([
        { field: 'backend.bucket', message: 'applies to backend.type s3 only (this one is local); allowed with local: type, path' },
      ]);
    });

    it('says the same when the type is left to its default (local)', () => {
      expect(problemsOf({ bucket: 'acme-terraform-state' })).toEqual([
        { field: 'backend.bucket', message: 'applies to backend.type s3 only (this one is local); allowed with local: type, path' },
      ]);
    });

    it('lists the local keys for a key of no backend', () => {
      expect(problemsOf({ type: 'local', colour: 'blue' })).toEqual([
        { field: 'backend.colour', message: 'unknown setting; allowed with backend.type local: type, path' },
      ]);
    });
  });

  describe('s3', () => {
    it('defaults the key to rancher/<stack>.tfstate; region and KMS key stay unset (the settings region, S3-managed keys)', () => {
      const backend = parsed(s3());
      expect(backend).toEqual({ type: 's3', bucket: 'acme-terraform-state', key: 'rancher/<stack>.tfstate' });
      expect(backend).not.toHaveProperty('region');
      expect(backend).not.toHaveProperty('kmsKeyId');
    });

    it('keeps a key, region and KMS key as given', () => {
      const section = s3({
        key: 'prod/<stack>/terraform.tfstate',
        region: 'eu-central-1',
        kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-4cd3-8ef4-1234567890ab',
      });
      expect(parsed(section)).toEqual(section);
    });

    it.each([
      '1234abcd-12ab-4cd3-8ef4-1234567890ab',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws:kms:us-east-1:123456789012:alias/terraform',
      'arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/x',
      'alias/aws/s3',
    ])('accepts the KMS key %p (the S3 backend does too)', (kmsKeyId) => {
      // A key ARN of another partition is refused below: the deployment and its state are in GovCloud here.
      const region = kmsKeyId.startsWith('arn:aws-us-gov:') ? 'us-gov-west-1' : 'us-east-1';
      expect(parseSettings({ region, backend: s3({ kmsKeyId }) }, 'test').backend).toMatchObject({ kmsKeyId });
    });

    it.each([
      ["AWS's documentation example, which is no UUID version 1-5", '1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['an ARN around it', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['an alias without a name', 'alias/'],
      ['an alias with a space', 'alias/a b'],
      ['a word', 'terraform'],
    ])('refuses %s as kmsKeyId (the S3 backend would at init)', (_what, kmsKeyId) => {
      expect(problemsOf(s3({ kmsKeyId }))).toEqual([
        { field: 'backend.kmsKeyId', message: expect.stringMatching(/^expected a KMS key id/), value: kmsKeyId },
      ]);
    });

    it.each([
      ['a leading slash', '/rancher/<stack>.tfstate', /^must not start with "\/"/],
      ['a trailing slash', 'rancher/<stack>/', /^must not end with "\/" or contain "\/\/"/],
      ['a double slash', 'rancher//<stack>.tfstate', /^must not end with "\/" or contain "\/\/"/],
      ['no <stack>', 'rancher/terraform.tfstate', /^must contain <stack>: otherwise rke-ha, k8s-ha and docker would share one state object/],
    ])('refuses a key with %s', (_what, key, message) => {
      expect(problemsOf(s3({ key }))).toEqual([{ field: 'backend.key', message: expect.stringMatching(message), value: key }]);
    });

    it('accepts a KMS alias', () => {
      expect(parsed(s3({ kmsKeyId: 'alias/terraform-state' }))).toMatchObject({ kmsKeyId: 'alias/terraform-state' });
    });

    it.each([
      ['the shortest name', 'abc'],
      ['the longest name', `a${'b'.repeat(61)}c`],
      ['dots and dashes', 'acme.state-bucket'],
      ['a leading digit', '0state'],
    ])('accepts a bucket name with %s', (_what, bucket) => {
      expect(parsed(s3({ bucket }))).toMatchObject({ bucket });
    });

    const CHARACTERS = 'expected an S3 bucket name: 3-63 lower-case letters, digits, hyphens and periods';
    const ENDS = 'expected an S3 bucket name beginning and ending with a letter or digit';
    it.each([
      ['too short', 'ab', CHARACTERS],
      ['too long', `a${'b'.repeat(62)}c`, CHARACTERS],
      ['upper case', 'Acme-State', CHARACTERS],
      ['an underscore', 'acme_state', CHARACTERS],
      ['a leading dash', '-acme-state', ENDS],
      ['a trailing dash', 'acme-state-', ENDS],
      ['a trailing dot', 'acme-state.', ENDS],
      ['a URL', 's3://acme-state', CHARACTERS],
      ['a path', 'acme-state/rancher', CHARACTERS],
      ['empty', '', CHARACTERS],
      ['a hyphen before a period', 'a-.b', /a hyphen beside a period/],
      ['a hyphen after a period', 'acme.-state', /a hyphen beside a period/],
      ['an IP address', '10.0.0.1', /formatted as an IP address/],
      ...(['xn--', 'sthree-', 'sthree-configurator', 'amzn-s3-demo-'] as const).map((prefix) => [
        `the reserved prefix ${prefix}`,
        `${prefix}state`,
        new RegExp(`S3 reserves the prefix ${prefix.startsWith('sthree') ? 'sthree-' : prefix}$`),
      ]),
      ...(['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const).map((suffix) => [
        `the reserved suffix ${suffix}`,
        `state${suffix}`,
        new RegExp(`S3 reserves the suffix ${suffix.replace('.', '\\.')}$`),
      ]),
    ] as [string, string, string | RegExp][])('refuses a bucket name that is %s', (_what, bucket, message) => {
      expect(problemsOf(s3({ bucket }))).toEqual([
        { field: 'backend.bucket', message: typeof message === 'string' ? message : expect.stringMatching(message), value: bucket },
      ]);
    });

    it('says a missing bucket is required', () => {
      expect(problemsOf({ type: 's3' })).toEqual([{ field: 'backend.bucket', message: 'required (expected a string)' }]);
    });

    it('refuses a bad region, an empty key and an empty KMS key, each at its field', () => {
      expect(problemsOf(s3({ key: '', region: 'Frankfurt', kmsKeyId: '' }))).toEqual([
        { field: 'backend.key', message: expect.stringMatching(/^expected at least 1 /), value: '' },
        { field: 'backend.region', message: 'expected an AWS region such as eu-west-1', value: 'Frankfurt' },
        { field: 'backend.kmsKeyId', message: expect.stringMatching(/^expected a KMS key id/), value: '' },
      ]);
    });

    // d0e353c accepted these; `terraform init` then failed on credentials of the other partition.
    describe('the state bucket in the partition of the deployment', () => {
      const problemsWith = (region: string, backend: Record<string, unknown>) => settingsProblems({ region, backend: s3(backend) });

      it.each([
        ['cn-north-1', 'eu-west-1', 'aws-cn', 'aws'],
        ['us-east-1', 'us-gov-west-1', 'aws', 'aws-us-gov'],
        ['us-gov-east-1', 'cn-northwest-1', 'aws-us-gov', 'aws-cn'],
      ])('refuses region %s with a state bucket in %s, naming both partitions', (region, stateRegion, want, other) => {
        expect(problemsWith(region, { region: stateRegion })).toEqual([
          {
            field: 'backend.region',
            message: `${stateRegion} is in the AWS partition ${other}, and region ${region} in ${want}: one set of credentials reaches one partition, and Terraform reaches the state and the deployment with the same; put the state bucket in a region of ${want}`,
            value: stateRegion,
          },
        ]);
      });

      it('refuses a KMS key ARN of another partition than the state bucket', () => {
        const kmsKeyId = 'arn:aws:kms:us-east-1:111122223333:alias/terraform';
        expect(problemsWith('cn-north-1', { kmsKeyId })).toEqual([
          {
            field: 'backend.kmsKeyId',
            message: `is a key of the AWS partition aws, and the state bucket's region cn-north-1 is in aws-cn: S3 encrypts only with a key of its own partition; give a key id, an alias, or an ARN of aws-cn`,
            value: kmsKeyId,
          },
        ]);
      });

      it.each([
        ['eu-west-1', { region: 'us-east-1' }],
        ['cn-north-1', { region: 'cn-northwest-1', kmsKeyId: 'arn:aws-cn:kms:cn-northwest-1:111122223333:alias/terraform' }],
        ['us-gov-west-1', {}],
        ['us-gov-west-1', { kmsKeyId: 'alias/terraform' }],
      ])('accepts region %s with %j (one partition)', (region, backend) => {
        expect(problemsWith(region, backend)).toEqual([]);
      });

      it('judges only an S3 backend in known regions (a local state file has no partition; a bad region is its own problem)', () => {
        expect(backendPartitionProblem({ type: 's3', region: 'eu-west-1' }, 'cn-north-1')).toMatchObject({ field: 'region', value: 'eu-west-1' });
        expect(backendPartitionProblem({ type: 'local' }, 'cn-north-1')).toBeUndefined();
        expect(backendPartitionProblem({ type: 's3', region: 'eu-west-9' }, 'cn-north-1')).toBeUndefined();
      });
    });

    it('refuses the local path, saying it belongs to type local and listing the S3 keys', () => {
      expect(problemsOf(s3({ path: 'state.tfstate' }))).toEqual([
        {
          field: 'backend.path',
          message: 'applies to backend.type local only (this one is s3); allowed with s3: type, bucket, key, region, kmsKeyId',
        },
      ]);
    });
  });

  describe('type', () => {
    it.each(['gcs', 'S3', 'Local', 'remote', 'azurerm', 3])('refuses %p, listing "local", "s3" and showing the value', (type) => {
      expect(problemsOf({ type })).toEqual([{ field: 'backend.type', message: 'expected one of "local", "s3"', value: type }]);
    });

    it('refuses an S3-looking section without a type, at a backend field', () => {
      // Today at backend.type ("expected one of"); once a missing type means local (see below), at backend.bucket.
      const problems = problemsOf({ bucket: 'acme-terraform-state' });
      expect(problems).toHaveLength(1);
      expect(problems[0].field).toMatch(/^backend\.(type|bucket)$/);
    });

    // KNOWN BUG: the README documents `backend.type` default `local`, but the default only
    // applies when `backend` is absent: a section that sets only `path` is refused with
    // "backend.type: expected one of ...". Fix: `type: z.literal('local').default('local')`
    // in localBackend (zod's discriminated union then picks it for a missing type).
    it('defaults to local inside a section that sets only the path, as the README says', () => {
      expect(parsed({ path: 'state/<stack>.tfstate' })).toEqual({ type: 'local', path: 'state/<stack>.tfstate' });
    });
  });

  it.each([['s3'], [['local']]])('refuses a backend that is not a mapping (%p)', (section) => {
    expect(problemsOf(section)).toEqual([{ field: 'backend', message: 'expected a mapping', value: section }]);
  });
});
