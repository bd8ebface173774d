import { z } from 'zod';
import {
  FQDN,
  RKE2_CLUSTER_CIDR,
  RKE2_SERVICE_CIDR,
  adminCidr,
  documentationRangeMessage,
  amiId,
  awsRegion,
  cidr,
  email,
  fqdn,
  instanceType,
  isReservedDomain,
  s3BucketName,
  snapshotId,
  subnetId,
  version,
  vpcId,
  vpcCidr,
  wholeNumber,
} from '../../../lib/config/primitives';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';

/** The messages a schema refuses `value` with; [] when accepted. */
function messages(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

const CIDR_MESSAGE = 'expected an IPv4 CIDR block such as 10.8.0.0/24 (no host bits set)';
const VPC_PREFIX_MESSAGE = 'expected a prefix between /16 and /22 (sixteen /20 to /26 subnets are carved out of it; an ALB needs /27 or larger)';
const VPC_OVERLAP_MESSAGE = "overlaps RKE2's pod or service network (10.42.0.0/15); choose a VPC range outside it";
const label = (n: number) => 'a'.repeat(n);

describe('fqdn', () => {
  const hostname = fqdn('a hostname');
  const message = 'expected a hostname: lower-case DNS name with at least two labels, e.g. rancher.example.com';

  it.each([
    'rancher.example.com',
    'a.b',
    'rancher-1.example.com',
    '1rancher.example.com',
    'xn--bcher-kva.example',
    `${label(63)}.example.com`,
    // 253 characters: four labels of 63, 62, 63 and 62 plus three dots.
    [label(63), label(62), label(63), label(62)].join('.'),
  ])('accepts %p', (name) => {
    expect(messages(hostname, name)).toEqual([]);
    expect(name).toMatch(FQDN);
  });

  it.each([
    ['a single label', 'localhost'],
    ['a leading dot', '.example.com'],
    ['an empty label', 'rancher..example.com'],
    ['a label starting with a dash', '-rancher.example.com'],
    ['a label ending with a dash', 'rancher-.example.com'],
    ['an underscore', 'rancher_1.example.com'],
    ['a wildcard', '*.example.com'],
    ['a URL', 'https://rancher.example.com'],
    ['a port', 'rancher.example.com:443'],
    ['a label of 64 characters', `${label(64)}.example.com`],
    ['254 characters', [label(63), label(63), label(63), label(62)].join('.')],
    ['nothing', ''],
  ])('refuses %s, with the message naming what was expected', (_what, name) => {
    expect(messages(hostname, name)).toEqual([message]);
  });

  it.each([
    ['upper case', 'Rancher.example.com', 'write it in lower case, "rancher.example.com"'],
    ['a trailing dot', 'rancher.example.com.', 'write it without the trailing dot, "rancher.example.com"'],
    ['a trailing dot and upper case', 'Rancher.Example.com.', 'write it without the trailing dot, "Rancher.Example.com"'],
  ])('refuses %s, saying how to write it', (_what, name, fix) => {
    expect(messages(hostname, name)).toEqual([`${message}; ${fix}`]);
  });
});

describe('awsRegion', () => {
  it.each(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'il-central-1', 'ca-west-1', 'me-central-1', 'eu-south-2'])(
    'accepts %p',
    (region) => {
      expect(messages(awsRegion, region)).toEqual([]);
    },
  );

  it.each(['US-EAST-1', 'us-east', 'useast1', 'eu-west-1a', 'Ireland', 'eu_west_1', ' eu-west-1', ''])('refuses %p', (region) => {
    expect(messages(awsRegion, region)).toEqual(['expected an AWS region such as eu-west-1']);
  });
});

describe('instanceType', () => {
  it.each(['m6i.xlarge', 't3.micro', 'c7gn.16xlarge', 'u-6tb1.metal', 'mac2-m2pro.metal', 'x2iedn.32xlarge'])('accepts %p', (type) => {
    expect(messages(instanceType, type)).toEqual([]);
  });

  it.each(['m6i', 'M6i.xlarge', 'm6i.', '.xlarge', 'm6i xlarge', '6i.large', 'db.t4g.medium', 'm6i.XLarge', ''])('refuses %p', (type) => {
    expect(messages(instanceType, type)).toEqual(['expected an EC2 instance type such as m6i.xlarge']);
  });
});

describe('amiId', () => {
  it.each(['ami-0123456789abcdef0', 'ami-12345678', 'ami-0abcdef1234567890'])('accepts %p', (id) => {
    expect(messages(amiId, id)).toEqual([]);
  });

  it.each([
    'ami-1234567',
    'ami-0123456789ab',
    'ami-0123456789abcdef',
    'ami-0123456789abcdef01',
    'ami-0123456789ABCDEF0',
    'AMI-12345678',
    'ami_12345678',
    'snap-12345678',
    'ami-',
    '',
  ])('refuses %p', (id) => {
    expect(messages(amiId, id)).toEqual(['expected an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 hexadecimal digits)']);
  });
});

describe('ec2Id (EC2 issues 8 or 17 hexadecimal digits, nothing between)', () => {
  it.each([
    ['snap', snapshotId],
    ['vpc', vpcId],
    ['subnet', subnetId],
  ] as const)('takes 8 or 17 digits after %s-, and refuses 12', (prefix, schema) => {
    expect(messages(schema, `${prefix}-01234567`)).toEqual([]);
    expect(messages(schema, `${prefix}-0123456789abcdef0`)).toEqual([]);
    for (const digits of ['0123456789ab', '012345678', '0123456789abcdef'])
      expect(messages(schema, `${prefix}-${digits}`)).toEqual([expect.stringContaining(`(${prefix}- and 8 or 17 hexadecimal digits)`)]);
  });
});

describe('s3BucketName', () => {
  it('with dots: false, refuses a dotted name the dotted form takes', () => {
    expect(messages(s3BucketName({ dots: true }), 'acme.backups')).toEqual([]);
    expect(messages(s3BucketName({ dots: false }), 'acme.backups')).toEqual([
      'expected an S3 bucket name: 3-63 lower-case letters, digits and hyphens',
    ]);
  });

  it.each(['abc--ol-s3', 'state--x-s3', 'state--table-s3', 'state-s3alias', 'xn--state', 'sthree-configurator-x', 'amzn-s3-demo-bucket'])(
    'refuses %p in either form, naming the reserved part',
    (name) => {
      for (const dots of [true, false])
        expect(messages(s3BucketName({ dots }), name)).toEqual([
          expect.stringMatching(/^is not a valid S3 bucket name: S3 reserves the (prefix|suffix) /),
        ]);
    },
  );
});

describe('isReservedDomain', () => {
  it.each(['example.com', 'EXAMPLE.COM', 'mail.Example.Org', 'example', 'corp.test', 'x.invalid', 'localhost'])(
    'holds %p for documentation',
    (domain) => {
      expect(isReservedDomain(domain)).toBe(true);
    },
  );
  it.each(['acme.io', 'example.co', 'myexample.com', 'examples.com'])('leaves %p alone', (domain) => {
    expect(isReservedDomain(domain)).toBe(false);
  });
});

describe('email', () => {
  it.each(['ops@example.com', 'first.last+rancher@sub.example.co.uk'])('accepts %p', (address) => {
    expect(messages(email, address)).toEqual([]);
  });

  it.each(['ops', 'ops@example', '@example.com', 'ops@', 'ops@ example.com', 'a@b@example.com', ''])('refuses %p', (address) => {
    expect(messages(email, address)).toEqual(['expected an e-mail address']);
  });
  it('takes 254 characters, the most SMTP carries, and refuses 258 saying so', () => {
    const address = (length: number) => `${'a'.repeat(60)}@${'b'.repeat(length - 65)}.org`;
    expect(address(254)).toHaveLength(254);
    expect(messages(email, address(254))).toEqual([]);
    expect(messages(email, address(258))).toEqual([
      'expected an e-mail address of at most 254 characters (the longest SMTP carries; this one has 258)',
    ]);
  });

  it('refuses more than 64 characters before the @', () => {
    expect(messages(email, `${'a'.repeat(64)}@example.com`)).toEqual([]);
    expect(messages(email, `${'a'.repeat(65)}@example.com`)).toEqual([expect.stringContaining('at most 64 characters before the @')]);
  });
});

describe('a number written in quotes', () => {
  it('wholeNumber says a quoted number is a string, to be written without quotes', () => {
    expect(messages(wholeNumber(1, 10), '5')).toEqual(['expected a number, not the string "5": write it without quotes']);
    expect(messages(wholeNumber(1, 10), 'five')).not.toContainEqual(expect.stringContaining('without quotes'));
  });
});

describe('cidr and adminCidr', () => {
  it.each(['10.8.0.0/24', '10.8.0.7/32', '10.0.0.0/8', '0.0.0.0/0'])('cidr accepts %p', (block) => {
    expect(messages(cidr, block)).toEqual([]);
  });

  it.each(['10.8.0.7/24', '10.0.0.0', '10.0.0.0/33', '256.0.0.0/8', 'fd00::/8', 'example.com', ''])('cidr refuses %p', (block) => {
    expect(messages(cidr, block)).toEqual([CIDR_MESSAGE]);
  });

  it.each(['10.8.0.7/32', '10.0.0.0/8', '10.9.0.0/24'])('adminCidr accepts %p', (block) => {
    expect(messages(adminCidr, block)).toEqual([]);
  });

  it.each([
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['203.0.113.128/25', '203.0.113.0/24'],
    ['198.51.100.7/32', '198.51.100.0/24'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:db8:1::/48', '2001:db8::/32'],
    ['2001:db8::7/128', '2001:db8::/32'],
  ])('adminCidr refuses %p, inside the documentation range %p, with the fix', (block, range) => {
    expect(messages(adminCidr, block)).toEqual([documentationRangeMessage(range)]);
    expect(documentationRangeMessage(range)).toMatch(/list your own networks .*curl https:\/\/checkip\.amazonaws\.com.*leave adminCidrs empty/);
  });

  it.each(['203.0.112.0/24', '192.0.3.0/24', '203.0.0.0/16', '198.51.101.0/24', '2001:db9::/32', '2001:d00::/24', 'fd12:3456:789a::/48'])(
    'adminCidr accepts %p, a neighbour of a documentation range or a network holding one',
    (block) => {
      expect(messages(adminCidr, block)).toEqual([]);
    },
  );

  it('adminCidr refuses /0 with a message of its own', () => {
    expect(messages(adminCidr, '0.0.0.0/0')).toEqual(['admin ports must not be open to the whole internet; list the networks you administer from']);
  });

  it('adminCidr reports a malformed /0 as malformed only', () => {
    expect(messages(adminCidr, '10.0.0.1/0')).toEqual([CIDR_MESSAGE]);
  });
});

describe('vpcCidr', () => {
  it("keeps RKE2's pod and service networks as constants", () => {
    expect([RKE2_CLUSTER_CIDR, RKE2_SERVICE_CIDR]).toEqual(['10.42.0.0/16', '10.43.0.0/16']);
  });

  it.each(['10.0.0.0/16', '172.16.0.0/17', '192.168.0.0/18', '10.1.0.0/20', '10.0.0.0/22', '10.41.0.0/16', '10.44.0.0/16', '10.41.252.0/22'])(
    'accepts %p (/16 to /22, outside 10.42.0.0/15)',
    (block) => {
      expect(messages(vpcCidr, block)).toEqual([]);
    },
  );

  it.each(['10.0.0.0/15', '172.0.0.0/8', '10.0.0.0/23', '10.0.0.0/24', '10.0.0.0/28'])('refuses the prefix of %p', (block) => {
    expect(messages(vpcCidr, block)).toEqual([VPC_PREFIX_MESSAGE]);
  });

  it.each(['10.42.0.0/16', '10.43.0.0/16', '10.42.128.0/17', '10.43.252.0/22'])('refuses %p: it overlaps the cluster networks', (block) => {
    expect(messages(vpcCidr, block)).toEqual([VPC_OVERLAP_MESSAGE]);
  });

  it('reports both a wrong prefix and an overlap', () => {
    expect(messages(vpcCidr, '10.40.0.0/14')).toEqual([VPC_PREFIX_MESSAGE, VPC_OVERLAP_MESSAGE]);
  });

  it('reports a malformed block as malformed only', () => {
    expect(messages(vpcCidr, '10.42.0.1/16')).toEqual([CIDR_MESSAGE]);
  });
});

describe('wholeNumber', () => {
  const replicas = wholeNumber(1, 15);

  it.each([1, 7, 15])('accepts %i', (n) => {
    expect(messages(replicas, n)).toEqual([]);
  });

  it.each([0, 16, -1])('refuses %i, saying the range', (n) => {
    expect(messages(replicas, n)).toEqual(['expected a whole number from 1 to 15']);
  });

  it('refuses a fraction inside the range as not a whole number', () => {
    expect(messages(replicas, 2.5)).toEqual(['expected a whole number']);
  });

  it('refuses a fraction outside the range as not a whole number (among its problems)', () => {
    expect(messages(replicas, 0.5)).toContain('expected a whole number');
  });

  it.each(['3', null, true])('refuses the non-number %p as the wrong type', (value) => {
    expect(replicas.safeParse(value).error?.issues.map((i) => i.code)).toEqual(['invalid_type']);
  });

  it.each([Infinity, -Infinity, NaN])('refuses %p', (value) => {
    expect(replicas.safeParse(value).success).toBe(false);
  });

  it("does not abort the parse on a fraction the way zod's .int() does: later rules still run", () => {
    const withRule = (n: z.ZodType) =>
      z
        .object({ n, s: z.string() })
        .superRefine((_v, ctx) => ctx.addIssue({ code: 'custom', message: 'cross-field rule ran' }), { when: () => true });
    expect(messages(withRule(wholeNumber(0, 10)), { n: 1.5, s: 'x' })).toEqual(['expected a whole number', 'cross-field rule ran']);
    // What it guards against:
    expect(messages(withRule(z.number().int()), { n: 1.5, s: 'x' })).not.toContain('cross-field rule ran');
  });
});

describe('version', () => {
  it.each(Object.entries(DEFAULT_VERSIONS))('defaults %s to the pinned %s', (key, pinned) => {
    expect(version(key as keyof typeof DEFAULT_VERSIONS, 'example').parse(undefined)).toBe(pinned);
  });

  it('keeps a well-formed version as given', () => {
    expect(version('rke2', 'v1.35.0+rke2r1').parse('v1.34.9+rke2r2')).toBe('v1.34.9+rke2r2');
  });

  it('refuses a malformed version with the example it was given', () => {
    expect(messages(version('rancher', '2.14.0'), 'v2.14.4')).toEqual(['expected a version like 2.14.0']);
  });
});
