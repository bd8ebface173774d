import { DEPLOYER_IP_URL } from '../../lib/common/private/admin-networks';
import { dataSources } from '../helpers/synth';
import { synth } from './deployment-variables.setup';

const ADMIN_CONDITION =
  '${alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && try(format("%s/%d", cidrhost(c, 0), tonumber(split("/", c)[1])) == c && tonumber(split("/", c)[1]) > 0, false)])}';
const ADMIN_UNION_CONDITION =
  '${!try([for m in [{ for c in distinct(var.admin_cidrs) : c => c }] : sum(concat([0], [for c in values(m) : pow(2, 32 - tonumber(split("/", c)[1])) if !anytrue([for q in range(tonumber(split("/", c)[1])) : can(m[format("%s/%d", cidrhost(format("%s/%d", cidrhost(c, 0), q), 0), q)])])]))][0] >= 4294967296, false)}';
const DNS_NAME = '"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"';
const HOSTNAME_CONDITION = `\${length(var.rancher_hostname) <= 253 && can(regex(${DNS_NAME}, var.rancher_hostname))}`;
const ZONE_CONDITION = `\${length(var.route53_zone_name) <= 253 && can(regex(${DNS_NAME}, var.route53_zone_name))}`;
const IN_ZONE_CONDITION = '${var.rancher_hostname == var.route53_zone_name || endswith(var.rancher_hostname, ".${var.route53_zone_name}")}';
/** The settings loader's documentation-domain pattern, as Terraform reads it (RE2). */
const RESERVED = '"(^|\\\\.)(example\\\\.(com|net|org)|example|test|invalid|localhost)$"';
const RESERVED_DOMAINS = 'example.com, example.net, example.org, and names under .example, .test, .invalid or .localhost';

describe('DeploymentVariables (no settings)', () => {
  const { json } = synth({});
  const variables = json.variable!;

  it('declares rancher_hostname, required, with the DNS name, zone and documentation domain validations', () => {
    expect(variables.rancher_hostname).toEqual({
      type: 'string',
      description: "Rancher's public DNS name, e.g. rancher.example.com",
      nullable: false,
      validation: [
        { condition: HOSTNAME_CONDITION, error_message: 'rancher_hostname must be a lower-case DNS name such as rancher.example.com.' },
        {
          condition: IN_ZONE_CONDITION,
          error_message:
            'rancher_hostname "${var.rancher_hostname}" is not inside route53_zone_name "${var.route53_zone_name}": Route53 accepts only names in the zone (rancher.example.com in example.com).',
        },
        {
          condition: `\${!can(regex(${RESERVED}, lower(var.rancher_hostname)))}`,
          error_message: `rancher_hostname "\${var.rancher_hostname}" is in a domain reserved for documentation (${RESERVED_DOMAINS}): no zone of yours holds it, so Rancher's address would resolve nowhere. Give Rancher a name in your own public hosted zone.`,
        },
      ],
    });
  });

  it('declares route53_zone_name, required, with the DNS name and documentation domain validations', () => {
    expect(variables.route53_zone_name).toEqual({
      type: 'string',
      description: 'Existing public Route53 hosted zone that holds rancher_hostname, e.g. example.com',
      nullable: false,
      validation: [
        {
          condition: ZONE_CONDITION,
          error_message: 'route53_zone_name must be a lower-case DNS name such as example.com, without the trailing dot.',
        },
        {
          condition: `\${!can(regex(${RESERVED}, lower(var.route53_zone_name)))}`,
          error_message: `route53_zone_name "\${var.route53_zone_name}" is reserved for documentation (${RESERVED_DOMAINS}) and is no one's public zone, so Rancher's address would resolve nowhere. Pass your own public hosted zone.`,
        },
      ],
    });
  });

  it('declares admin_cidrs, empty by default, with the CIDR validation', () => {
    expect(variables.admin_cidrs).toEqual({
      type: 'list(string)',
      description:
        "Networks allowed to reach the Kubernetes API (6443) and SSH. Empty: the deployer's public IP. A list must hold the public address of the machine running the apply, which waits for the API through it.",
      default: [],
      nullable: false,
      validation: [
        {
          condition: ADMIN_CONDITION,
          error_message:
            'admin_cidrs must be IPv4 CIDR blocks in canonical form without host bits (10.8.0.0/24, not 10.8.0.5/24), and none may be open to the whole internet (/0).',
        },
        {
          condition: ADMIN_UNION_CONDITION,
          error_message:
            'admin_cidrs together cover the whole internet (for example 0.0.0.0/1 and 128.0.0.0/1); list the networks you administer from.',
        },
        {
          // Evaluated by terraform in deployment-variables.tools.test.ts, against the settings' own rule.
          condition: expect.stringContaining('["192.0.2.0/24","198.51.100.0/24","203.0.113.0/24","2001:db8::/32"]'),
          error_message: expect.stringMatching(
            /^admin_cidrs holds a block inside an address range reserved for documentation .*List your own networks .*curl https:\/\/checkip\.amazonaws\.com.*leave admin_cidrs empty/,
          ),
        },
        {
          // As many networks as the settings allow (58 here: the balancers' group holds 80 and 443 besides).
          condition: '${length(var.admin_cidrs) <= 58}',
          error_message:
            'admin_cidrs lists ${length(var.admin_cidrs)} networks, too many: each is an inbound rule of a security group that also holds 2 others, and AWS allows 60 inbound rules per group by default; list at most 58, using wider blocks.',
        },
      ],
    });
  });

  it('looks up the deployer IP only when admin_cidrs is empty, under a fixed address', () => {
    const lookups = dataSources(json, 'http');
    expect(Object.keys(lookups).sort()).toEqual(['deployer_ip', 'deployer_ip_again']);
    for (const lookup of Object.values(lookups))
      expect(lookup).toMatchObject({ count: '${length(var.admin_cidrs) == 0 ? 1 : 0}', url: 'https://checkip.amazonaws.com' });
    expect(DEPLOYER_IP_URL).toBe('https://checkip.amazonaws.com');
  });

  it('stops the plan, naming both addresses and the fix, when two lookups differ (a NAT pool)', () => {
    const [check] = dataSources(json, 'http').deployer_ip.lifecycle.postcondition;
    expect(check.condition).toBe('${trimspace(self.response_body) == trimspace(one(data.http.deployer_ip_again[*].response_body))}');
    expect(check.error_message).toContain('several public addresses (a NAT pool)');
    expect(check.error_message).toContain('Set admin_cidrs (settings: adminCidrs)');
  });

  it('defines admin_cidrs_effective: the variable, or the deployer IP as a /32', () => {
    expect(json.locals).toEqual({
      admin_cidrs_effective: '${length(var.admin_cidrs) > 0 ? var.admin_cidrs : ["${trimspace(one(data.http.deployer_ip[*].response_body))}/32"]}',
    });
  });

  it('hands out references to the variables and the local', () => {
    expect(json.output).toMatchObject({
      hostname: { value: '${var.rancher_hostname}' },
      zone: { value: '${var.route53_zone_name}' },
      admin: { value: '${local.admin_cidrs_effective}' },
    });
  });

  it('matches the snapshot', () => {
    // The serializer masks provider versions only in documents with a `resource` key; this stack has none.
    expect(json.resource).toBeUndefined();
    expect({ ...json, resource: {} }).toMatchSnapshot();
  });
});

describe('DeploymentVariables (settings given)', () => {
  const { json } = synth({ hostname: 'rancher.acme.io', hostedZone: 'acme.io', adminCidrs: ['10.8.0.0/24', '10.8.1.7/32'] });

  it('takes each default from the settings file', () => {
    expect(json.variable!.rancher_hostname.default).toBe('rancher.acme.io');
    expect(json.variable!.route53_zone_name.default).toBe('acme.io');
    expect(json.variable!.admin_cidrs.default).toEqual(['10.8.0.0/24', '10.8.1.7/32']);
  });

  it('still declares the lookup, counted to zero by Terraform when the list is not empty', () => {
    expect(dataSources(json, 'http').deployer_ip.count).toBe('${length(var.admin_cidrs) == 0 ? 1 : 0}');
  });
});

describe('DeploymentVariables (deployerAddressCheck: the warning when admin_cidrs leaves out this machine)', () => {
  const { json } = synth({ adminCidrs: ['10.8.0.0/24'] }, { deployerAddressCheck: true });

  it('declares check_deployer_address, on by default, saying what turns it off', () => {
    expect(json.variable!.check_deployer_address).toMatchObject({ type: 'bool', default: true, nullable: false });
    expect(json.variable!.check_deployer_address.description).toContain('cannot reach https://checkip.amazonaws.com');
  });

  it('looks the address up outside any check (a check-scoped lookup plans a Read every time), only for a listed IPv4-only admin_cidrs', () => {
    expect(dataSources(json, 'http').deployer_address).toMatchObject({
      count: '${var.check_deployer_address && length(var.admin_cidrs) > 0 && !anytrue([for c in var.admin_cidrs : strcontains(c, ":")]) ? 1 : 0}',
      url: 'https://checkip.amazonaws.com',
    });
    const check = (json as any).check.deployer_address_in_admin_cidrs;
    expect(Object.keys(check)).toEqual(['assert']);
    expect(check.assert).toHaveLength(2);
  });

  it('is not declared unless asked (docker, whose admin networks the apply does not wait through)', () => {
    const plain = synth({ adminCidrs: ['10.8.0.0/24'] }).json;
    expect(plain.variable!.check_deployer_address).toBeUndefined();
    expect(dataSources(plain, 'http').deployer_address).toBeUndefined();
    expect((plain as any).check).toBeUndefined();
  });
});

describe('DeploymentVariables (adminAccess: false)', () => {
  const { json, inputs } = synth({ adminCidrs: ['10.8.0.0/24'] }, { adminAccess: false });

  it('declares only the hostname and zone', () => {
    expect(Object.keys(json.variable!).sort()).toEqual(['rancher_hostname', 'route53_zone_name']);
    expect(json.locals).toBeUndefined();
    expect(json.data).toBeUndefined();
  });

  it('throws when admin CIDRs or deployers are asked for', () => {
    expect(() => inputs.adminCidrs).toThrow('this stack declared no admin access (adminAccess: false)');
    expect(() => inputs.deployerArns).toThrow('this stack declared no admin access (adminAccess: false)');
  });
});

describe('DeploymentVariables (route53Name: false, a name derived from an address)', () => {
  const { json, inputs } = synth({ dns: { mode: 'wildcard' } }, { route53Name: false });

  it('declares no hostname or zone variable: nothing for a pipeline to pass, nothing to look up', () => {
    expect(Object.keys(json.variable!)).toEqual(['admin_cidrs', 'deployer_arns', 'read_deployer_session']);
  });

  it('throws when the hostname or zone is asked for', () => {
    expect(() => inputs.hostname).toThrow('this stack declared no Route53 name (route53Name: false)');
    expect(() => inputs.zoneName).toThrow('this stack declared no Route53 name (route53Name: false)');
  });
});
