import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { type IResolvable, TerraformLocal, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { dnsNameCondition } from '../lib/dns/private/dns-target';
import { DEPLOYER_IP_URL } from '../lib/common/private/admin-networks';
import type { Settings } from './config/settings-schema';
import { DOCUMENTATION_RANGES } from '../lib/config/cidr';
import { RESERVED_DOMAIN_PATTERN, RESERVED_DOMAINS_TEXT } from '../lib/config/primitives';
import { adminNetworkLimit, MAX_COMMON_NAME, SECURITY_GROUP_INBOUND_RULES } from '../lib/config/deployment-rules';
import { commonNameIssuers } from './config/settings-rules';
import { addCheck } from '../lib/common/private/check';

const ADMIN_VAR = 'var.admin_cidrs';
const HOSTNAME_VAR = 'var.rancher_hostname';
const ZONE_VAR = 'var.route53_zone_name';

const IPV4_ADDRESSES = 2 ** 32;
/** Prefix length of CIDR `c` (a Terraform expression). */
const prefix = (c: string) => `tonumber(split("/", ${c})[1])`;
/** The canonical CIDR of `c`'s network at prefix length `q` (Terraform expressions). */
const supernet = (c: string, q: string) => `format("%s/%d", cidrhost(format("%s/%d", cidrhost(${c}, 0), ${q}), 0), ${q})`;
/**
 * How many addresses the CIDRs of list expression `list` cover together, in
 * an address space of `bits` bits. Two CIDR blocks are either nested or
 * disjoint, so the union is the sum of the blocks none of whose supernets is
 * listed. The list is put in a map once (the one-element `for` binds it, like
 * a `let`): indexing a map is a lookup, while contains() walks the whole list,
 * which made 256 entries take 18 s to validate.
 */
const addressCount = (list: string, bits: number) =>
  `[for m in [{ for c in distinct(${list}) : c => c }] : ` +
  `sum(concat([0], [for c in values(m) : pow(2, ${bits} - ${prefix('c')}) if !anytrue([for q in range(${prefix('c')}) : can(m[${supernet('c', 'q')}])])]))][0]`;
const ADMIN_ADDRESS_COUNT = addressCount(ADMIN_VAR, 32);
/** The admin CIDRs of one family (a dual-stack stack's variable holds both; IPv6 ones have colons). */
const adminOfFamily = (ipv6: boolean) => `[for c in ${ADMIN_VAR} : c if ${ipv6 ? '' : '!'}strcontains(c, ":")]`;

/**
 * The environment-specific inputs of a stack as Terraform variables, so a
 * pipeline can set them per environment without re-synthesizing. Defaults
 * come from the settings file; what the file leaves out is required.
 */
export class DeploymentVariables extends Construct {
  private readonly name?: { readonly hostname: string; readonly zoneName: string };
  private readonly admin?: string[];
  private readonly deployers?: string[];
  private readonly readsSession?: IResolvable;

  /**
   * @param options.adminAccess declare `admin_cidrs` (stacks that open admin
   * ports) and `deployer_arns` (stacks whose nodes get secrets from SSM);
   * without it neither variable and no address lookup. @default true
   * @param options.route53Name declare `rancher_hostname` and
   * `route53_zone_name`; false for a name derived from an address
   * (`dns.mode: wildcard`), which has neither. @default true
   * @param options.adminCidrs with adminAccess, declare `admin_cidrs` (and
   * look up the deployer's address for it); false for a stack that opens no
   * admin port (docker without an SSH key pair), whose `adminCidrs` is then
   * `[]`. @default true
   * @param options.ipv6AdminCidrs with adminCidrs, `admin_cidrs` takes IPv6
   * blocks too (a dual-stack deployment). @default false
   * @param options.deployerAddressCheck with adminCidrs, declare
   * `check_deployer_address` and warn at plan time when a listed
   * `admin_cidrs` leaves out this machine's public address: for a stack whose
   * apply waits for an API through the admin networks (rke-ha). @default false
   */
  constructor(
    scope: Construct,
    id: string,
    settings: Pick<Settings, 'hostname' | 'hostedZone' | 'adminCidrs' | 'rkeHa' | 'rancher' | 'docker'>,
    options: {
      readonly adminAccess?: boolean;
      readonly route53Name?: boolean;
      readonly adminCidrs?: boolean;
      readonly ipv6AdminCidrs?: boolean;
      readonly deployerAddressCheck?: boolean;
    } = {},
  ) {
    super(scope, id);
    if (options.route53Name !== false) this.name = route53NameVariables(scope, settings);
    if (options.adminAccess === false) return;
    if (options.adminCidrs === false) this.admin = [];
    else {
      this.admin = adminCidrsVariable(this, scope, settings, options.ipv6AdminCidrs ?? false);
      if (options.deployerAddressCheck) deployerAddressCheck(this, scope);
    }
    this.deployers = deployerArnsVariable(scope);
    this.readsSession = readDeployerSessionVariable(scope);
  }

  /** `deployer_arns`: the other identities that run Terraform on this stack (a Terraform list). */
  get deployerArns(): string[] {
    if (!this.deployers) throw new Error('this stack declared no admin access (adminAccess: false)');
    return this.deployers;
  }

  /** `read_deployer_session`: whether each plan reads the identity running it from IAM (a Terraform boolean). */
  get readsDeployerSession(): IResolvable {
    if (!this.readsSession) throw new Error('this stack declared no admin access (adminAccess: false)');
    return this.readsSession;
  }

  /** Rancher's name (`rancher_hostname`); only with a Route53 name. */
  get hostname(): string {
    if (!this.name) throw new Error('this stack declared no Route53 name (route53Name: false)');
    return this.name.hostname;
  }

  /** The hosted zone (`route53_zone_name`); only with a Route53 name. */
  get zoneName(): string {
    if (!this.name) throw new Error('this stack declared no Route53 name (route53Name: false)');
    return this.name.zoneName;
  }

  /** The admin CIDRs to use: the variable, or the deployer's own /32 when it is empty. */
  get adminCidrs(): string[] {
    if (!this.admin) throw new Error('this stack declared no admin access (adminAccess: false)');
    return this.admin;
  }
}

/**
 * A name outside the domains reserved for documentation, by the settings loader's own pattern (primitives.ts
 * isReservedDomain): the settings file refuses such a zone, and a `-var` copied from an example must not get further.
 * A malformed name is the first rule's to refuse; lower() keeps this rule from passing one that the first refuses.
 */
const notReserved = (variable: string) => `\${!can(regex(${JSON.stringify(RESERVED_DOMAIN_PATTERN)}, lower(${variable})))}`;

/** `rancher_hostname` and `route53_zone_name`, with the checks the settings file makes on the same values. */
function route53NameVariables(
  scope: Construct,
  settings: Pick<Settings, 'hostname' | 'hostedZone' | 'rancher' | 'docker'>,
): { hostname: string; zoneName: string } {
  // With an issuer that names the certificate after the hostname, its common name's limit (the settings' rule).
  const issuers = commonNameIssuers(settings);
  const commonName =
    issuers.length > 0
      ? [
          {
            condition: `\${length(${HOSTNAME_VAR}) <= ${MAX_COMMON_NAME}}`,
            errorMessage: `rancher_hostname "\${${HOSTNAME_VAR}}" has \${length(${HOSTNAME_VAR})} characters, and ${issuers.join(' and ')} takes at most ${MAX_COMMON_NAME} for the certificate's name.`,
          },
        ]
      : [];
  const hostname = new TerraformVariable(scope, 'rancher_hostname', {
    type: 'string',
    description: "Rancher's public DNS name, e.g. rancher.example.com",
    default: settings.hostname,
    nullable: false,
    validation: [
      {
        condition: `\${${dnsNameCondition(HOSTNAME_VAR)}}`,
        errorMessage: 'rancher_hostname must be a lower-case DNS name such as rancher.example.com.',
      },
      {
        // Cross-variable validation: Terraform 1.9+. Route53 would refuse the record only at apply, after everything else exists.
        condition: `\${${HOSTNAME_VAR} == ${ZONE_VAR} || endswith(${HOSTNAME_VAR}, ".\${${ZONE_VAR}}")}`,
        errorMessage: `rancher_hostname "\${${HOSTNAME_VAR}}" is not inside route53_zone_name "\${${ZONE_VAR}}": Route53 accepts only names in the zone (rancher.example.com in example.com).`,
      },
      {
        condition: notReserved(HOSTNAME_VAR),
        errorMessage: `rancher_hostname "\${${HOSTNAME_VAR}}" is in a domain reserved for documentation (${RESERVED_DOMAINS_TEXT}): no zone of yours holds it, so Rancher's address would resolve nowhere. Give Rancher a name in your own public hosted zone.`,
      },
      ...commonName,
    ],
  });
  const zone = new TerraformVariable(scope, 'route53_zone_name', {
    type: 'string',
    description: 'Existing public Route53 hosted zone that holds rancher_hostname, e.g. example.com',
    default: settings.hostedZone,
    nullable: false,
    validation: [
      {
        condition: `\${${dnsNameCondition(ZONE_VAR)}}`,
        errorMessage: 'route53_zone_name must be a lower-case DNS name such as example.com, without the trailing dot.',
      },
      {
        condition: notReserved(ZONE_VAR),
        errorMessage: `route53_zone_name "\${${ZONE_VAR}}" is reserved for documentation (${RESERVED_DOMAINS_TEXT}) and is no one's public zone, so Rancher's address would resolve nowhere. Pass your own public hosted zone.`,
      },
    ],
  });
  return { hostname: hostname.stringValue, zoneName: zone.stringValue };
}

/**
 * No block of `admin_cidrs` inside a documentation range (lib/config/cidr.ts DOCUMENTATION_RANGES), as the settings
 * refuse it: a block is inside a range when its prefix is no shorter and its first address, widened to the range's
 * prefix, is the range's (cidrhost prints both families canonically, so the text compares). A block of the other
 * family never matches; a malformed one is the first rule's to refuse.
 */
const DOCUMENTATION_RANGE_VALIDATION = {
  condition: `\${!anytrue([for c in var.admin_cidrs : try(anytrue([for d in ${JSON.stringify(DOCUMENTATION_RANGES)} : tonumber(split("/", c)[1]) >= tonumber(split("/", d)[1]) && cidrhost(format("%s/%s", cidrhost(c, 0), split("/", d)[1]), 0) == cidrhost(d, 0)]), false)])}`,
  errorMessage: `admin_cidrs holds a block inside an address range reserved for documentation (${DOCUMENTATION_RANGES.join(', ')}): no one administers from it, so the admin ports would be open to nobody and the first apply would wait out its API gate. List your own networks (your address as /32: curl https://checkip.amazonaws.com), or leave admin_cidrs empty ([]) for the deployer's own address.`,
};

/**
 * `admin_cidrs` of a dual-stack stack: IPv4 or IPv6 blocks, each canonical (cidrhost prints an IPv6 address in its
 * RFC 5952 form, so the same round trip holds both families), none /0, and neither family's blocks covering its whole
 * internet.
 */
const DUAL_STACK_ADMIN_VALIDATION = [
  {
    condition:
      '${alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && try(format("%s/%d", cidrhost(c, 0), tonumber(split("/", c)[1])) == c && tonumber(split("/", c)[1]) > 0, false)])}',
    errorMessage:
      'admin_cidrs must be IPv4 or IPv6 CIDR blocks in canonical form without host bits (10.8.0.0/24, not 10.8.0.5/24; fd12:3456:789a::/48 in lower case, not FD12:3456:789A:0::/48), and none may be open to the whole internet (/0).',
  },
  {
    condition: `\${!try(${addressCount(adminOfFamily(false), 32)} >= ${IPV4_ADDRESSES}, false)}`,
    errorMessage: 'admin_cidrs together cover the whole internet (for example 0.0.0.0/1 and 128.0.0.0/1); list the networks you administer from.',
  },
  {
    condition: `\${!try(${addressCount(adminOfFamily(true), 128)} >= pow(2, 128), false)}`,
    errorMessage: 'admin_cidrs together cover the whole IPv6 internet (for example ::/1 and 8000::/1); list the networks you administer from.',
  },
  DOCUMENTATION_RANGE_VALIDATION,
];

/** No more admin networks than the security groups take, as the settings count them (deployment-rules.ts adminNetworkLimit). */
function adminCountValidation(settings: Pick<Settings, 'rkeHa'>) {
  const { max, perNetwork, others } = adminNetworkLimit(settings.rkeHa);
  const rules = perNetwork > 1 ? `is ${perNetwork} inbound rules (6443 and SSH)` : 'is an inbound rule';
  return {
    condition: `\${length(${ADMIN_VAR}) <= ${max}}`,
    errorMessage: `admin_cidrs lists \${length(${ADMIN_VAR})} networks, too many: each ${rules} of a security group that also holds ${others} others, and AWS allows ${SECURITY_GROUP_INBOUND_RULES} inbound rules per group by default; list at most ${max}, using wider blocks.`,
  };
}

/** `admin_cidrs`, and the deployer's own /32 when it is empty (looked up only then). */
function adminCidrsVariable(owner: Construct, scope: Construct, settings: Pick<Settings, 'adminCidrs' | 'rkeHa'>, ipv6: boolean): string[] {
  new TerraformVariable(scope, 'admin_cidrs', {
    type: 'list(string)',
    // The runner's address in a list is not checked at plan (docs/design-notes.md): the description says so where a
    // pipeline reads it, in the plan's variable list and the HCL folder's README.
    description: `${ipv6 ? 'Networks (IPv4 or IPv6)' : 'Networks'} allowed to reach the Kubernetes API (6443) and SSH. Empty: the deployer's public IP. A list must hold the public address of the machine running the apply, which waits for the API through it.`,
    default: settings.adminCidrs,
    nullable: false,
    validation: ipv6
      ? [...DUAL_STACK_ADMIN_VALIDATION, adminCountValidation(settings)]
      : [
          {
            // Canonical form only (no host bits, no leading zeros such as /00), and never /0.
            condition:
              '${alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && try(format("%s/%d", cidrhost(c, 0), tonumber(split("/", c)[1])) == c && tonumber(split("/", c)[1]) > 0, false)])}',
            errorMessage:
              'admin_cidrs must be IPv4 CIDR blocks in canonical form without host bits (10.8.0.0/24, not 10.8.0.5/24), and none may be open to the whole internet (/0).',
          },
          {
            condition: `\${!try(${ADMIN_ADDRESS_COUNT} >= ${IPV4_ADDRESSES}, false)}`,
            errorMessage:
              'admin_cidrs together cover the whole internet (for example 0.0.0.0/1 and 128.0.0.0/1); list the networks you administer from.',
          },
          DOCUMENTATION_RANGE_VALIDATION,
          adminCountValidation(settings),
        ],
  });

  // Only looked up when the list is empty, so pipelines that set it need no egress to the lookup.
  const lookups = Token.asNumber(`\${length(${ADMIN_VAR}) == 0 ? 1 : 0}`);
  // Asked twice: behind a NAT pool (several public addresses) the answers can differ, and the one /32 admitted
  // would refuse the plan's later requests to the API at random. Said here, before anything is created.
  const again = new DataHttp(owner, 'deployer-ip-again', { count: lookups, url: DEPLOYER_IP_URL });
  again.overrideLogicalId('deployer_ip_again');
  const deployerIp = new DataHttp(owner, 'deployer-ip', {
    count: lookups,
    url: DEPLOYER_IP_URL,
    lifecycle: {
      postcondition: [
        {
          condition: '${trimspace(self.response_body) == trimspace(one(data.http.deployer_ip_again[*].response_body))}',
          errorMessage:
            `${DEPLOYER_IP_URL} answered \${trimspace(self.response_body)}, then \${trimspace(one(data.http.deployer_ip_again[*].response_body))}: ` +
            'this machine reaches the internet through several public addresses (a NAT pool), and with admin_cidrs empty only the first /32 may reach ' +
            "the Kubernetes API, so the API would refuse this plan's later requests at random. Set admin_cidrs (settings: adminCidrs) to the NAT's public range.",
        },
      ],
    },
  });
  deployerIp.overrideLogicalId('deployer_ip');
  const effective = new TerraformLocal(
    scope,
    'admin_cidrs_effective',
    `\${length(${ADMIN_VAR}) > 0 ? ${ADMIN_VAR} : ["\${trimspace(one(data.http.deployer_ip[*].response_body))}/32"]}`,
  );
  return effective.asList;
}

/**
 * A warning at plan time when `admin_cidrs` lists networks and this machine's public address is in none of them: the
 * apply waits for the Kubernetes API through the load balancer, whose security group admits only those networks, so
 * it would wait out its API gate and fail twenty minutes later. The lookup is a top-level data source, read during
 * the plan like every other one (a check-scoped one would be planned as a Read on every plan, and an unchanged
 * deployment would no longer plan empty: design notes, "A plan that sees the servers' certificates"). Every plan
 * after the first already reaches the API through the load balancer from this machine (the API gate is read at plan
 * time once nothing it depends on changes), so the lookup asks no egress a plan did not have; a runner that cannot
 * reach the lookup, or reaches the API by a private path, turns it off with `check_deployer_address = false`.
 * Only IPv4: checkip answers with the address a machine leaves by over IPv4, so a list that holds an IPv6 block
 * (a dual-stack runner may come over IPv6) is not judged by it.
 */
function deployerAddressCheck(owner: Construct, scope: Construct): void {
  new TerraformVariable(scope, 'check_deployer_address', {
    type: 'bool',
    description: `Look up this machine's public IPv4 address (${DEPLOYER_IP_URL}) at plan time and warn when a listed admin_cidrs leaves it out (the apply waits for the Kubernetes API through those networks). false: no lookup, for a runner that cannot reach ${DEPLOYER_IP_URL} or reaches the API by a private path.`,
    default: true,
    nullable: false,
  });
  const lookups = Token.asNumber(
    `\${var.check_deployer_address && length(${ADMIN_VAR}) > 0 && !anytrue([for c in ${ADMIN_VAR} : strcontains(c, ":")]) ? 1 : 0}`,
  );
  const lookup = new DataHttp(owner, 'deployer-address', { count: lookups, url: DEPLOYER_IP_URL });
  lookup.overrideLogicalId('deployer_address');
  const address = 'trimspace(one(data.http.deployer_address[*].response_body))';
  // Terraform renders an assertion's message even while it holds, so the message must render without a lookup too.
  const shown = `try(${address}, "")`;
  // Re-masked at each block's prefix length, as DOCUMENTATION_RANGE_VALIDATION compares blocks; a block of the other
  // family cannot hold the address (cidrhost refuses the pair: try).
  const inside = `anytrue([for c in ${ADMIN_VAR} : try(cidrhost(format("%s/%s", ${address}, split("/", c)[1]), 0) == cidrhost(c, 0), false)])`;
  const looked = 'length(data.http.deployer_address[*].response_body) > 0';
  addCheck(scope, 'deployer_address_in_admin_cidrs', [
    {
      condition: `\${!(${looked}) || try(one(data.http.deployer_address[*].status_code) == 200 && can(cidrnetmask(format("%s/32", ${address}))), false)}`,
      errorMessage: `${DEPLOYER_IP_URL} did not answer with an address (status \${length(data.http.deployer_address[*].status_code) > 0 ? one(data.http.deployer_address[*].status_code) : "none"}), so this plan cannot tell whether admin_cidrs admits this machine, which the apply needs to reach the Kubernetes API. Set check_deployer_address = false to stop looking it up.`,
    },
    {
      condition: `\${!(${looked}) || !can(cidrnetmask(format("%s/32", ${address}))) || ${inside}}`,
      errorMessage:
        `This machine's public address is \${${shown}} (${DEPLOYER_IP_URL}), and admin_cidrs (\${join(", ", ${ADMIN_VAR})}) does not hold it: ` +
        'the apply waits for the Kubernetes API through the load balancer, whose security group admits only admin_cidrs, so it would wait out its API gate and fail. ' +
        `Add \${${shown}}/32 to admin_cidrs (settings: adminCidrs), or run the apply from one of those networks; set check_deployer_address = false if this machine reaches the API by a private path.`,
    },
  ]);
}

/** `deployer_arns`: the identities besides the current one that run Terraform on the stack. */
function deployerArnsVariable(scope: Construct): string[] {
  const deployers = new TerraformVariable(scope, 'deployer_arns', {
    type: 'list(string)',
    description:
      'IAM roles or users that run Terraform on this stack besides the one running it now (a pipeline role, a break-glass role): the key of the boot parameters lets them decrypt through SSM, which every plan does to refresh the parameters.',
    default: [],
    nullable: false,
    validation: [
      {
        condition: '${alltrue([for a in var.deployer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]+:(role|user)/[A-Za-z0-9+=,.@_/-]+$", a))])}',
        errorMessage:
          'deployer_arns must be IAM role or user ARNs (arn:aws:iam::123456789012:role/deployer); an assumed-role session ARN changes with every session.',
      },
    ],
  });
  return deployers.listValue;
}

/**
 * `read_deployer_session`: whether each plan reads the identity running it (aws_iam_session_context: IAM's GetRole for
 * an assumed role, a call to IAM's control plane in us-east-1). The failover sets it false for its standby, with the
 * identity its pilot light read in `deployer_arns` (cli/failover/pilot-light.ts).
 */
function readDeployerSessionVariable(scope: Construct): IResolvable {
  return new TerraformVariable(scope, 'read_deployer_session', {
    type: 'bool',
    description:
      "Whether each plan reads the identity running Terraform from IAM (an assumed role: GetRole) and lets it use the boot parameters' key; false lists every deployer in deployer_arns instead (a failover's standby: no IAM call).",
    default: true,
    nullable: false,
  }).booleanValue;
}
