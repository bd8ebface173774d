import { SettingsError } from '../../../lib/config/errors';
import { parseSettings, parseSettingsText } from '../../../app/config/load';
import { settingsSchema } from '../../../app/config/settings-schema';
import { DEFAULT_VERSIONS, RANCHER_KUBERNETES_RANGE, RKE2_INGRESS_NGINX_LAST_MINOR } from '../../../lib/config/versions';
import { settingsProblems } from '../../helpers/synth';
import { withTestSums } from '../../helpers/release-sums';

/** The problems a settings object is refused with; [] when accepted. */
const problemsOf = settingsProblems;
const fieldsOf = (input: unknown) => problemsOf(input).map((p) => p.field);

const RESERVED_MESSAGE = 'must not start with "aws" or "ssm" (reserved by SSM Parameter Store)';
const LINES = Object.keys(RANCHER_KUBERNETES_RANGE);
const NO_NGINX_MINOR = RKE2_INGRESS_NGINX_LAST_MINOR + 1;

describe('top-level settings', () => {
  it('default: name rancher, us-east-1, hostname and zone unset, no admin networks, no tags', () => {
    const settings = parseSettings({}, 'test');
    expect(settings).toMatchObject({ name: 'rancher', region: 'us-east-1', adminCidrs: [], tags: {}, versions: DEFAULT_VERSIONS });
    expect(settings).not.toHaveProperty('hostname');
    expect(settings).not.toHaveProperty('hostedZone');
    expect(settingsSchema.parse({})).toEqual(settings);
  });

  it('has exactly the documented sections, in order', () => {
    expect(Object.keys(parseSettings({}, 'test'))).toEqual([
      'name',
      'region',
      'dns',
      'adminCidrs',
      'tags',
      'backend',
      'proxy',
      'airGap',
      'vpc',
      'versions',
      'rancher',
      'timeouts',
      'backups',
      'alarms',
      'standby',
      'rkeHa',
      'k8sHa',
      'docker',
    ]);
  });

  describe('name', () => {
    it.each(['rancher', 'ab', 'prod-eu-1', 'r2', 'a234567890123456', 'rancher-aws', 'my-ssm', 'as', 'ss', 'internalx', 'sgx', 'sthreex', 'amzn-s3'])(
      'accepts %p',
      (name) => {
        expect(parseSettings({ name }, 'test').name).toBe(name);
      },
    );

    // Each message names the rule that is broken, not the first rule of a combined pattern.
    it.each([
      ['a single character', 'a', /^expected 2-16 characters/],
      [
        '17 characters',
        'a2345678901234567',
        /^expected 2-16 characters \(the longest name built from it, the ALB target group "<name>-rke-ha-alb-http", may have 32\)$/,
      ],
      ['nothing', '', /^expected 2-16 characters/],
      ['upper case', 'Rancher', /^expected lower-case letters, digits and "-" only$/],
      ['an underscore', 'ran_cher', /^expected lower-case letters, digits and "-" only$/],
      ['a dot', 'ran.cher', /^expected lower-case letters, digits and "-" only$/],
      ['a leading digit', '1rancher', /^must start with a lower-case letter$/],
      ['a leading dash', '-rancher', /^must start with a lower-case letter$/],
      ['a trailing dash', 'rancher-', /^must end with a letter or digit/],
      ['a double dash', 'ran--cher', /^must not contain "--" \(RDS identifiers/],
      ['an IDN-looking double dash', 'xn--rancher', /^must not contain "--"/],
    ])('refuses %s (%p), naming the rule', (_what, name, message) => {
      expect(problemsOf({ name })).toEqual([{ field: 'name', message: expect.stringMatching(message), value: name }]);
    });

    it.each(['aws', 'ssm', 'awsome', 'aws-rancher', 'ssm-prod', 'ssmrancher'])('refuses %p: the aws/ssm prefixes are reserved', (name) => {
      expect(problemsOf({ name })).toEqual([{ field: 'name', message: RESERVED_MESSAGE, value: name }]);
    });

    it.each([
      ['internal', 'the rke-ha network load balancer "internal-rke-ha", and a load balancer name may not start with "internal-"'],
      ['internal-prod', 'the rke-ha network load balancer "internal-prod-rke-ha", and a load balancer name may not start with "internal-"'],
      ['sg', 'the rke-ha NLB security group "sg-rke-ha-lb-", and a security group name prefix may not start with "sg-"'],
      ['sg-prod', 'the rke-ha NLB security group "sg-prod-rke-ha-lb-", and a security group name prefix may not start with "sg-"'],
      ['sthree', 'the rke-ha etcd snapshot bucket "sthree-rke-ha-etcd-", and an S3 bucket name prefix may not start with "sthree-"'],
      [
        'amzn-s3-demo',
        'the rke-ha etcd snapshot bucket "amzn-s3-demo-rke-ha-etcd-", and an S3 bucket name prefix may not start with "amzn-s3-demo-"',
      ],
    ])('refuses %p, naming the AWS name it would make and the rule that name breaks', (name, made) => {
      expect(problemsOf({ name })).toEqual([{ field: 'name', message: expect.stringContaining(`makes ${made}`), value: name }]);
    });

    it('refuses a non-string', () => {
      expect(problemsOf({ name: 42 })).toEqual([{ field: 'name', message: 'expected a string', value: 42 }]);
    });
  });

  describe('region', () => {
    it('keeps a region as given', () => {
      expect(parseSettings({ region: 'eu-west-1' }, 'test').region).toBe('eu-west-1');
    });

    it('refuses a region name in words', () => {
      expect(problemsOf({ region: 'Ireland' })).toEqual([{ field: 'region', message: 'expected an AWS region such as eu-west-1', value: 'Ireland' }]);
    });
  });

  describe('adminCidrs that together open the admin ports to everyone', () => {
    it.each([
      ['two halves', ['0.0.0.0/1', '128.0.0.0/1']],
      ['256 /8s', Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`)],
      ['overlapping pieces in any order', ['128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/3', '32.0.0.0/3', '96.0.0.0/3']],
    ])('refuses %s at adminCidrs, listing them', (_what, adminCidrs) => {
      expect(problemsOf({ adminCidrs })).toContainEqual({
        field: 'adminCidrs',
        message: `these ${adminCidrs.length} blocks together cover the whole internet (0.0.0.0/0), which admin ports must never be open to; list the networks you administer from`,
        value: adminCidrs,
      });
    });

    it.each([
      ['one half', ['0.0.0.0/1']],
      [
        'all /8s but the last, in eight blocks',
        ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3', '224.0.0.0/4', '240.0.0.0/5', '248.0.0.0/6', '252.0.0.0/7', '254.0.0.0/8'],
      ],
      [
        'all but one address',
        [
          '0.0.0.0/1',
          '128.0.0.0/2',
          '192.0.0.0/3',
          '224.0.0.0/4',
          '240.0.0.0/5',
          '248.0.0.0/6',
          '252.0.0.0/7',
          '254.0.0.0/8',
          '255.0.0.0/9',
          '255.128.0.0/10',
          '255.192.0.0/11',
          '255.224.0.0/12',
          '255.240.0.0/13',
          '255.248.0.0/14',
          '255.252.0.0/15',
          '255.254.0.0/16',
          '255.255.0.0/17',
          '255.255.128.0/18',
          '255.255.192.0/19',
          '255.255.224.0/20',
          '255.255.240.0/21',
          '255.255.248.0/22',
          '255.255.252.0/23',
          '255.255.254.0/24',
          '255.255.255.0/25',
          '255.255.255.128/26',
          '255.255.255.192/27',
          '255.255.255.224/28',
          '255.255.255.240/29',
          '255.255.255.248/30',
          '255.255.255.252/31',
          '255.255.255.254/32',
        ],
      ],
    ])('accepts %s', (_what, adminCidrs) => {
      expect(problemsOf({ adminCidrs })).toEqual([]);
    });
  });

  describe('adminCidrs within the security group rule quota', () => {
    const blocks = (n: number) => Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`);

    it('accepts 58 without SSH (the NLB group holds 80 and 443 besides) and 45 with it (the node group holds 15 besides)', () => {
      expect(problemsOf({ adminCidrs: blocks(58) })).toEqual([]);
      expect(problemsOf({ adminCidrs: blocks(45), rkeHa: { sshKeyName: 'ops' } })).toEqual([]);
    });

    it.each([
      [59, {}, 2, 58],
      [46, { rkeHa: { sshKeyName: 'ops' } }, 15, 45],
      // DNS round robin: the node group holds 6443 from each network, and 80/443 from anywhere with the cluster ports.
      [48, { rkeHa: { loadBalancer: { type: 'dns' } } }, 13, 47],
    ])('refuses %i, naming the quota', (n, extra, others, max) => {
      expect(problemsOf({ adminCidrs: blocks(n), ...extra })).toEqual([
        {
          field: 'adminCidrs',
          message: `${n} networks are too many: each is an inbound rule of a security group that also holds ${others} others, and AWS allows 60 inbound rules per group by default; list at most ${max}, using wider blocks`,
          value: `${n} blocks`,
        },
      ]);
    });

    it('counts two rules per network with DNS round robin and SSH (6443 and 22 on the node group): at most 23', () => {
      const both = { rkeHa: { loadBalancer: { type: 'dns' }, sshKeyName: 'ops' } };
      expect(problemsOf({ adminCidrs: blocks(23), ...both })).toEqual([]);
      expect(problemsOf({ adminCidrs: blocks(24), ...both })).toEqual([
        {
          field: 'adminCidrs',
          message:
            '24 networks are too many: each is 2 inbound rules (6443 and SSH) of a security group that also holds 13 others, and AWS allows 60 inbound rules per group by default; list at most 23, using wider blocks',
          value: '24 blocks',
        },
      ]);
    });
  });

  describe('DNS round robin (rkeHa.loadBalancer dns) and TLS at a load balancer', () => {
    it('refuses rancher.tls.mode external with it: no load balancer to end TLS at', () => {
      expect(problemsOf({ rkeHa: { loadBalancer: { type: 'dns' } }, rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([
        {
          field: 'rkeHa.loadBalancer.type',
          message:
            'dns puts no load balancer in front of the nodes, and rancher.tls.mode external ends TLS at one (an ALB); use mode ingress or rancher with dns, or loadBalancer nlb with external',
          value: 'dns',
        },
      ]);
    });

    it.each(['ingress', 'rancher'])('accepts mode %s with it (TLS ends in the cluster)', (mode) => {
      expect(problemsOf({ rkeHa: { loadBalancer: { type: 'dns' } }, rancher: { tls: { mode } } })).toEqual([]);
    });
  });

  describe('a hostname longer than a certificate name may be', () => {
    const long = `${'r'.repeat(57)}.acme.io`; // 65 characters

    it.each([
      ['ACM', { rancher: { tls: { mode: 'external', issuer: 'acme' } } }, /ACM \(rancher.tls mode external, issuer acme\) takes at most 64/],
      [
        "the Docker install's Let's Encrypt client",
        { docker: { tls: { issuer: 'acme' } } },
        /Let's Encrypt client \(docker.tls.issuer acme\) takes at most 64/,
      ],
      [
        'ACM in front of the Docker install',
        { docker: { tls: { mode: 'external', issuer: 'acme' } } },
        /ACM \(docker.tls mode external, issuer acme\) takes at most 64/,
      ],
    ])('is refused when %s issues the certificate', (_what, extra, message) => {
      expect(problemsOf({ hostname: long, hostedZone: 'acme.io', ...extra })).toEqual([
        { field: 'hostname', message: expect.stringMatching(message), value: long },
      ]);
    });

    it('is accepted otherwise, and 64 characters are accepted with ACM', () => {
      expect(problemsOf({ hostname: long, hostedZone: 'acme.io' })).toEqual([]);
      expect(problemsOf({ hostname: long.slice(1), hostedZone: 'acme.io', rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([]);
    });
  });

  describe('k8s-ha: no CNAME at the zone apex', () => {
    const apex = (target: string) => ({ hostname: 'acme.io', hostedZone: 'acme.io', k8sHa: { dns: { target } } });

    it('refuses a target that would make a CNAME when hostname is the zone itself, at k8sHa.dns.target', () => {
      expect(problemsOf(apex('lb.other-cloud.net'))).toEqual([
        {
          field: 'k8sHa.dns.target',
          message: expect.stringMatching(
            /^makes the k8s-ha record for hostname "acme.io" a CNAME, and Route53 allows no CNAME at the apex of zone "acme.io"/,
          ),
          value: 'lb.other-cloud.net',
        },
      ]);
    });

    it.each(['a1b2-0123456789.elb.us-east-1.amazonaws.com', 'a1b2-0123456789.eu-west-1.elb.amazonaws.com', '203.0.113.10'])(
      'accepts %p there (an alias or an A record)',
      (target) => {
        expect(problemsOf(apex(target))).toEqual([]);
      },
    );

    it('accepts a CNAME target below the apex, and an unset target (checked at plan time)', () => {
      expect(problemsOf({ hostname: 'rancher.acme.io', hostedZone: 'acme.io', k8sHa: { dns: { target: 'lb.other-cloud.net' } } })).toEqual([]);
      expect(problemsOf({ hostname: 'acme.io', hostedZone: 'acme.io' })).toEqual([]);
    });
  });

  describe('hostname inside hostedZone', () => {
    it.each([
      ['rancher.example.com', 'example.com'],
      ['rancher.prod.example.com', 'example.com'],
      ['rancher.prod.example.com', 'prod.example.com'],
      ['example.com', 'example.com'],
    ])('accepts %p in %p', (hostname, hostedZone) => {
      expect(parseSettings({ hostname, hostedZone }, 'test')).toMatchObject({ hostname, hostedZone });
    });

    it.each([
      ['rancher.example.com', 'example.org'],
      ['rancher.notexample.com', 'example.com'],
      ['example.com', 'rancher.example.com'],
      ['rancher.example.com.evil.io', 'example.com'],
    ])('refuses %p outside %p, naming the zone', (hostname, hostedZone) => {
      expect(problemsOf({ hostname, hostedZone })).toEqual([
        { field: 'hostname', message: `must be inside hostedZone "${hostedZone}"`, value: hostname },
      ]);
    });

    it.each([
      ['Rancher.Example.com', 'example.com', 'hostname'],
      ['rancher.example.com', 'example.com.', 'hostedZone'],
      ['RANCHER.EXAMPLE.COM.', 'Example.com', 'hostname'],
    ])('%p in %p: only the malformed name is a problem, not a second, false "outside the zone" one', (hostname, hostedZone, malformed) => {
      const problems = problemsOf({ hostname, hostedZone });
      expect(problems.map((p) => p.field)).toContain(malformed);
      expect(problems.map((p) => p.message)).not.toContainEqual(expect.stringMatching(/must be inside hostedZone/));
    });

    it('checks nothing when only one of the two is set (the other is a Terraform variable)', () => {
      expect(fieldsOf({ hostname: 'rancher.example.com' })).toEqual([]);
      expect(fieldsOf({ hostedZone: 'example.org' })).toEqual([]);
    });
  });

  describe('tags', () => {
    it('keeps tags as given', () => {
      expect(parseSettings({ tags: { Team: 'platform', 'cost-center': '42', empty: '' } }, 'test').tags).toEqual({
        Team: 'platform',
        'cost-center': '42',
        empty: '',
      });
    });

    it('refuses a value over 256 characters', () => {
      const value = 'v'.repeat(257);
      expect(problemsOf({ tags: { Team: value } })).toEqual([{ field: 'tags.Team', message: 'expected at most 256 characters', value }]);
    });

    it('refuses a key over 128 characters, naming the key', () => {
      const key = 'k'.repeat(129);
      expect(problemsOf({ tags: { [key]: 'x' } })).toEqual([expect.objectContaining({ field: `tags.${key}`, value: key })]);
    });

    it('refuses a non-string value', () => {
      expect(problemsOf({ tags: { Replicas: 3 } })).toEqual([{ field: 'tags.Replicas', message: 'expected a string', value: 3 }]);
    });

    it.each([
      ['letters of other scripts', { Équipe: 'Plateforme', コスト: 'センター' }],
      ['every allowed sign', { 'a_b.c:d/e=f+g-h@i j': 'v_1.2:3/4=5+6-7@8 9' }],
      ['47 of them (50 with the three of this project)', Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']))],
      ['a value of 256 letters outside the BMP (256 characters, 512 UTF-16 units)', { wide: '𝒜'.repeat(256) }],
    ])('accepts %s', (_what, tags) => {
      expect(parseSettings({ tags }, 'test').tags).toEqual(tags);
    });

    it.each([
      ['a template in a value', 'Team', '${var.secret}', 'value'],
      ['a quote in a value', 'Team', 'a"b', 'value'],
      ['a newline in a value', 'Team', 'a\nb', 'value'],
      ['a dollar sign in a key', 'cost$', 'x', 'key'],
      ['a percent sign in a key', '%{x}', 'x', 'key'],
      ['a comma in a key (EC2 takes it, S3 does not)', 'a,b', 'x', 'key'],
    ])('refuses %s: not every tagged service accepts it', (_what, key, value, which) => {
      expect(problemsOf({ tags: { [key]: value } })).toEqual([
        {
          field: `tags.${key}`,
          message: `expected a tag ${which} of letters, digits, spaces and _ . : / = + - @ (what every tagged AWS service accepts)`,
          value: which === 'key' ? key : value,
        },
      ]);
    });

    it('refuses an empty key', () => {
      expect(problemsOf({ tags: { '': 'x' } })).toEqual([{ field: 'tags.', message: 'expected a tag key of 1-128 characters', value: '' }]);
    });

    it.each(['aws:team', 'AWS:team', 'rancher-aws:deployment', 'Rancher-AWS:x'])('refuses the reserved key %p', (key) => {
      expect(problemsOf({ tags: { [key]: 'x' } })).toEqual([
        { field: `tags.${key}`, message: expect.stringContaining('"aws:" are AWS\'s'), value: key },
      ]);
    });

    it("refuses 48 tags: with this project's three the data volume would carry 51 of the 50 AWS allows", () => {
      const tags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, 'v']));
      expect(problemsOf({ tags })).toEqual([
        { field: 'tags', message: expect.stringMatching(/^48 tags and this project's own .* make 51 .* at most 47 of yours$/), value: '48 tags' },
      ]);
    });

    it("counts a tag of yours named Name once (this project's Name replaces it)", () => {
      const tags = Object.fromEntries([...Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']), ['Name', 'mine']]);
      expect(problemsOf({ tags })).toEqual([]);
    });

    it('refuses keys that differ only in case (IAM refuses both on one role)', () => {
      expect(problemsOf({ tags: { Team: 'a', team: 'b' } })).toEqual([
        {
          field: 'tags.team',
          message: 'the same key as "Team" but for case; IAM treats tag keys case-insensitively and refuses both',
          value: 'team',
        },
      ]);
    });
  });

  describe('version compatibility applies to the distribution in use only', () => {
    const line = LINES[LINES.length - 1];
    const { min } = RANCHER_KUBERNETES_RANGE[line];
    const rancher = `${line}.0`;
    const tooOld = min - 1;

    it('rke2: an out-of-range RKE2 pin is refused at versions.rke2, with the line and its range', () => {
      expect(problemsOf(withTestSums({ versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1` } }))).toEqual([
        {
          field: 'versions.rke2',
          message: `Kubernetes 1.${tooOld} is outside Rancher ${line}'s supported range 1.${min}-1.${RANCHER_KUBERNETES_RANGE[line].maxExclusive - 1}`,
          value: `v1.${tooOld}.0+rke2r1`,
        },
      ]);
    });

    it('rke2: an out-of-range K3s pin is ignored (K3s is not installed)', () => {
      expect(fieldsOf({ versions: { rancher, k3s: `v1.${tooOld}.0+k3s1` } })).toEqual([]);
    });

    it('k3s: an out-of-range K3s pin is refused at versions.k3s', () => {
      expect(problemsOf(withTestSums({ rkeHa: { distribution: 'k3s' }, versions: { rancher, k3s: `v1.${tooOld}.0+k3s1` } }))).toEqual([
        {
          field: 'versions.k3s',
          message: expect.stringMatching(new RegExp(`^Kubernetes 1\\.${tooOld} is outside Rancher ${line.replace('.', '\\.')}'s supported range`)),
          value: `v1.${tooOld}.0+k3s1`,
        },
      ]);
    });

    it('k3s: an out-of-range RKE2 pin is ignored (RKE2 is not installed)', () => {
      expect(fieldsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1` } })).toEqual([]);
    });

    it('k3s: both pins out of range name only versions.k3s', () => {
      expect(
        fieldsOf(withTestSums({ rkeHa: { distribution: 'k3s' }, versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1`, k3s: `v1.${tooOld}.0+k3s1` } })),
      ).toEqual(['versions.k3s']);
    });

    it('an unknown Rancher line is refused once, whatever the distribution, listing the known lines', () => {
      const message = `unknown Rancher line 2.11; supported: ${LINES.join(', ')}`;
      expect(problemsOf({ versions: { rancher: '2.11.0' } })).toEqual([{ field: 'versions.rancher', message, value: '2.11.0' }]);
      expect(problemsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher: '2.11.0' } })).toEqual([
        { field: 'versions.rancher', message, value: '2.11.0' },
      ]);
    });

    it('a malformed pin is reported as malformed, not as out of range', () => {
      expect(fieldsOf({ versions: { rke2: 'v1.20' } })).toEqual(['versions.rke2']);
      expect(problemsOf({ versions: { rke2: 'v1.20' } })[0].message).toMatch(/^expected a version like/);
    });
  });

  describe(`ingress-nginx is refused for RKE2 1.${NO_NGINX_MINOR} and later`, () => {
    const ruleProblem = (minor: number) => ({
      field: 'rkeHa.ingressController',
      message: `RKE2 1.${minor} no longer ships ingress-nginx; use traefik`,
      value: 'ingress-nginx',
    });

    it.each([NO_NGINX_MINOR, NO_NGINX_MINOR + 1])('accepts the default controller (unset: traefik) with RKE2 1.%i', (minor) => {
      expect(problemsOf({ versions: { rke2: `v1.${minor}.0+rke2r1` } })).not.toContainEqual(ruleProblem(minor));
    });

    it.each([NO_NGINX_MINOR, NO_NGINX_MINOR + 1])(
      'accepts TLS modes external and rancher with the default controller (traefik) with RKE2 1.%i',
      (minor) => {
        for (const tls of [{ mode: 'external', issuer: 'acme' }, { mode: 'rancher' }])
          expect(problemsOf({ versions: { rke2: `v1.${minor}.0+rke2r1` }, rancher: { tls } })).not.toContainEqual(ruleProblem(minor));
      },
    );

    it('refuses an explicit ingress-nginx too', () => {
      expect(problemsOf({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { ingressController: 'ingress-nginx' } })).toContainEqual(
        ruleProblem(NO_NGINX_MINOR),
      );
    });

    it('accepts traefik there (only the Rancher range problem remains)', () => {
      expect(fieldsOf(withTestSums({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { ingressController: 'traefik' } }))).toEqual([
        'versions.rke2',
      ]);
    });

    it(`accepts the default controller with RKE2 1.${RKE2_INGRESS_NGINX_LAST_MINOR}`, () => {
      expect(fieldsOf(withTestSums({ versions: { rke2: `v1.${RKE2_INGRESS_NGINX_LAST_MINOR}.0+rke2r1`, rancher: '2.15.0' } }))).toEqual([]);
    });

    it('ignores the RKE2 pin with distribution k3s', () => {
      expect(fieldsOf({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { distribution: 'k3s' } })).toEqual([]);
    });
  });

  it("applies the TLS rules to the distribution's own ingress: k3s (Traefik behind ServiceLB) refuses modes rancher and external", () => {
    expect(problemsOf({ rkeHa: { distribution: 'k3s' }, rancher: { tls: { mode: 'rancher' } } })).toEqual([
      {
        field: 'rancher.tls.mode',
        message: "re-encryption (mode rancher) is set up for RKE2's Traefik only; use rkeHa.distribution rke2 or mode ingress",
        value: 'rancher',
      },
    ]);
    expect(problemsOf({ rkeHa: { distribution: 'k3s' }, rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([
      { field: 'rancher.tls.mode', message: expect.stringContaining("K3s' ServiceLB hides from Traefik"), value: 'external' },
    ]);
    // RKE2 takes both with its default controller (Traefik), and with ingress-nginx named.
    expect(fieldsOf({ rancher: { tls: { mode: 'rancher' } } })).toEqual([]);
    expect(fieldsOf({ rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([]);
    expect(fieldsOf({ rkeHa: { ingressController: 'traefik' }, rancher: { tls: { mode: 'rancher' } } })).toEqual([]);
    expect(fieldsOf({ rkeHa: { ingressController: 'ingress-nginx' }, rancher: { tls: { mode: 'external', issuer: 'acme' } } })).toEqual([]);
  });

  describe('every problem at once', () => {
    const FIVE_MISTAKES = [
      'name: Rancher',
      'region: mars',
      'hostname: rancher.example.com',
      'hostedZone: example.org',
      'rancher:',
      '  replicas: 2.5',
      'rkeHa:',
      '  nodeCount: 2',
      '',
    ].join('\n');

    it('a file with 5 independent mistakes yields exactly 5 problems: field rules, section rules and cross-field rules', () => {
      let error: unknown;
      try {
        parseSettingsText(FIVE_MISTAKES, 'rancher.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SettingsError);
      const { problems, message } = error as SettingsError;
      expect(problems.map((p) => p.field).sort()).toEqual(['hostname', 'name', 'rancher.replicas', 'region', 'rkeHa.nodeCount']);
      expect(message.split('\n')[0]).toBe('Invalid settings in rancher.yaml (5 problems):');
    });

    it('another 5: an unknown key, a bad backend type, a version range, a TLS choice and a proxy URL', () => {
      expect(
        fieldsOf(
          withTestSums({
            colour: 'blue',
            backend: { type: 'gcs' },
            versions: { rke2: 'v1.30.0+rke2r1' },
            rancher: { tls: { mode: 'external', issuer: 'rancher' } },
            proxy: { http: 'http://user:pw@proxy:3128' },
          }),
        ).sort(),
      ).toEqual(['backend.type', 'colour', 'proxy.http', 'rancher.tls.issuer', 'versions.rke2']);
    });
  });

  it('refuses an unknown top-level key, suggesting the nearest and listing every section', () => {
    expect(problemsOf({ rkeha: {} })).toEqual([
      {
        field: 'rkeha',
        message:
          'unknown setting; did you mean rkeHa? allowed here: name, region, hostname, hostedZone, dns, adminCidrs, tags, backend, proxy, airGap, vpc, versions, rancher, timeouts, backups, alarms, standby, rkeHa, k8sHa, docker',
      },
    ]);
  });

  it.each([[[]], ['rancher'], [42]])('refuses %p at the top level: a mapping is expected', (data) => {
    expect(problemsOf(data)).toEqual([{ field: '(top level)', message: 'expected a mapping', value: data }]);
  });

  // KNOWN BUG: the top-level superRefine runs with `when: () => true` and reads `s.hostname`
  // on null, so parseSettings(null) throws a TypeError instead of a SettingsError.
  // (parseSettingsText maps an empty document to {} first, so only direct callers hit it.)
  it('refuses null at the top level with a SettingsError', () => {
    expect(() => parseSettings(null, 'test')).toThrow(SettingsError);
  });
});

describe('options not combined yet', () => {
  const VPC = { vpcId: 'vpc-0123456789abcdef0' };
  it('refuses DNS round robin in an existing network (each node would need an Elastic IP in a public subnet of yours)', () => {
    const problems = problemsOf({
      rkeHa: {
        loadBalancer: { type: 'dns' },
        existingNetwork: { ...VPC, loadBalancerSubnetIds: ['subnet-0a000000000000001'], nodeSubnetIds: ['subnet-0b000000000000001'] },
        nodeCount: 1,
      },
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'rkeHa.loadBalancer.type',
        message: expect.stringMatching(/^dns is not offered with rkeHa\.existingNetwork yet/),
      }),
    ]);
  });

  it('refuses docker behind an ALB in an existing network (the ALB needs a second subnet in another zone)', () => {
    const problems = problemsOf({
      docker: { tls: { mode: 'external', issuer: 'acme' }, existingNetwork: { ...VPC, subnetId: 'subnet-0a000000000000001' } },
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'docker.tls.mode',
        message: expect.stringMatching(/^external is not offered with docker\.existingNetwork yet/),
      }),
    ]);
  });
  describe('the vpc options with a VPC of yours (the stack leaves it as it is)', () => {
    const RKE = {
      existingNetwork: { ...VPC, loadBalancerSubnetIds: ['subnet-0a000000000000001'], nodeSubnetIds: ['subnet-0b000000000000001'] },
      nodeCount: 1,
    };
    const DOCKER = { existingNetwork: { ...VPC, subnetId: 'subnet-0a000000000000001' } };
    it.each([
      [
        'flow logs, rke-ha',
        { rkeHa: RKE, vpc: { flowLogs: { destination: 'cloudwatch' } } },
        'vpc.flowLogs.destination',
        /^turns on flow logs for the VPC a stack creates, and rkeHa\.existingNetwork uses a VPC of yours.*remove rkeHa\.existingNetwork$/,
      ],
      [
        'endpoints, docker',
        { docker: DOCKER, vpc: { endpoints: ['ssm'] } },
        'vpc.endpoints',
        /^are created in the VPC a stack creates, and docker\.existingNetwork uses a VPC of yours/,
      ],
      [
        'closed egress without a proxy, both',
        {
          rkeHa: RKE,
          docker: DOCKER,
          proxy: { egressOnlyTo: ['10.99.0.0/24'] },
          airGap: {
            systemDefaultRegistry: 'registry.internal:5000',
            installerUrl: 'https://mirror.internal/install.sh',
            registryMirrors: { 'quay.io': ['https://registry.internal:5000/quay'] },
          },
        },
        'proxy.egressOnlyTo',
        /needs VPC endpoints for SSM and S3 that the stacks add only to a VPC they create, and rkeHa\.existingNetwork and docker\.existingNetwork use/,
      ],
    ])('refuses %s, naming the setting', (_name, settings, field, message) => {
      expect(problemsOf(settings)).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
    });

    it('accepts them without an existing network, and closed egress through a proxy with one', () => {
      expect(problemsOf({ vpc: { flowLogs: { destination: 's3' }, endpoints: ['s3', 'ssm'] } })).toEqual([]);
      expect(problemsOf({ docker: DOCKER, proxy: { http: 'http://10.99.0.5:3128', egressOnlyTo: ['10.99.0.0/24'] } })).toEqual([]);
    });
  });
});

describe('alarms', () => {
  it('are on by default, with no e-mail', () => {
    expect(parseSettings({}, 'test').alarms).toEqual({ enabled: true });
  });

  it('take an e-mail address, and refuse what is none', () => {
    expect(parseSettings({ alarms: { email: 'ops@acme.io' } }, 'test').alarms.email).toBe('ops@acme.io');
    expect(problemsOf({ alarms: { email: 'ops' } })).toEqual([{ field: 'alarms.email', message: 'expected an e-mail address', value: 'ops' }]);
    expect(problemsOf({ alarms: { enabled: 'yes' } })).toEqual([expect.objectContaining({ field: 'alarms.enabled' })]);
    expect(problemsOf({ alarms: { emails: 'ops@acme.io' } })).toEqual([
      expect.objectContaining({ field: 'alarms.emails', message: expect.stringContaining('did you mean email?') }),
    ]);
  });

  it('refuse a snapshot schedule no date matches (RKE2 would never snapshot), alarms on or off; K3s has no snapshots', () => {
    const never = {
      field: 'rkeHa.etcdSnapshots.scheduleCron',
      message: 'never runs: no date matches all its fields, so RKE2 would take no snapshot',
      value: '0 0 30 2 *',
    };
    expect(problemsOf({ rkeHa: { etcdSnapshots: { scheduleCron: '0 0 30 2 *' } } })).toEqual([never]);
    expect(problemsOf({ alarms: { enabled: false }, rkeHa: { etcdSnapshots: { scheduleCron: '0 0 30 2 *' } } })).toEqual([never]);
    expect(problemsOf({ rkeHa: { distribution: 'k3s', etcdSnapshots: { scheduleCron: '0 0 30 2 *' } } })).toEqual([]);
  });

  it('accept a schedule too sparse for one alarm (the stack leaves that alarm out, with a warning)', () => {
    expect(problemsOf({ rkeHa: { etcdSnapshots: { scheduleCron: '15 2 1,15 * *' } } })).toEqual([]);
  });
});
