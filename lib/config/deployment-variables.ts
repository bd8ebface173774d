import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { TerraformLocal, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { Settings } from './schema';

/** Where the deployer's public address is looked up when no admin CIDR is set. */
export const DEPLOYER_IP_URL = 'https://checkip.amazonaws.com';

const ADMIN_VAR = 'var.admin_cidrs';

/**
 * The environment-specific inputs of a stack as Terraform variables, so a
 * pipeline can set them per environment without re-synthesizing. Defaults
 * come from the settings file; what the file leaves out is required.
 */
export class DeploymentVariables extends Construct {
  readonly hostname: string;
  readonly zoneName: string;
  private readonly admin?: string[];

  /**
   * @param options.adminAccess declare `admin_cidrs` (stacks that open admin
   * ports); without it no variable and no address lookup. @default true
   */
  constructor(scope: Construct, id: string, settings: Pick<Settings, 'hostname' | 'hostedZone' | 'adminCidrs'>, options: { readonly adminAccess?: boolean } = {}) {
    super(scope, id);
    const hostname = new TerraformVariable(scope, 'rancher_hostname', {
      type: 'string',
      description: "Rancher's public DNS name, e.g. rancher.example.com",
      default: settings.hostname,
      nullable: false,
      validation: [
        {
          condition: '${length(var.rancher_hostname) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.rancher_hostname))}',
          errorMessage: 'rancher_hostname must be a lower-case DNS name such as rancher.example.com.',
        },
      ],
    });
    const zone = new TerraformVariable(scope, 'route53_zone_name', {
      type: 'string',
      description: 'Existing public Route53 hosted zone that holds rancher_hostname, e.g. example.com',
      default: settings.hostedZone,
      nullable: false,
    });
    this.hostname = hostname.stringValue;
    this.zoneName = zone.stringValue;
    if (options.adminAccess === false) return;

    new TerraformVariable(scope, 'admin_cidrs', {
      type: 'list(string)',
      description: "Networks allowed to reach the Kubernetes API (6443) and SSH. Empty: the deployer's public IP.",
      default: settings.adminCidrs,
      nullable: false,
      validation: [
        {
          // Canonical form only (no host bits, no leading zeros such as /00), and never /0.
          condition: '${alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && try(format("%s/%d", cidrhost(c, 0), tonumber(split("/", c)[1])) == c && tonumber(split("/", c)[1]) > 0, false)])}',
          errorMessage: 'admin_cidrs must be IPv4 CIDR blocks in canonical form without host bits (203.0.113.0/24, not 203.0.113.5/24), and none may be open to the whole internet (/0).',
        },
      ],
    });

    // Only looked up when the list is empty, so pipelines that set it need no egress to the lookup.
    const deployerIp = new DataHttp(this, 'deployer-ip', {
      count: Token.asNumber(`\${length(${ADMIN_VAR}) == 0 ? 1 : 0}`),
      url: DEPLOYER_IP_URL,
    });
    deployerIp.overrideLogicalId('deployer_ip');
    const effective = new TerraformLocal(
      scope,
      'admin_cidrs_effective',
      `\${length(${ADMIN_VAR}) > 0 ? ${ADMIN_VAR} : ["\${trimspace(one(data.http.deployer_ip[*].response_body))}/32"]}`,
    );
    this.admin = effective.asList;
  }

  /** The admin CIDRs to use: the variable, or the deployer's own /32 when it is empty. */
  get adminCidrs(): string[] {
    if (!this.admin) throw new Error('this stack declared no admin access (adminAccess: false)');
    return this.admin;
  }
}
