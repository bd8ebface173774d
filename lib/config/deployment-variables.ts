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
  /** The admin CIDRs to use: the variable, or the deployer's own /32 when it is empty. */
  readonly adminCidrs: string[];

  constructor(scope: Construct, id: string, settings: Pick<Settings, 'hostname' | 'hostedZone' | 'adminCidrs'>) {
    super(scope, id);
    const hostname = new TerraformVariable(scope, 'rancher_hostname', {
      type: 'string',
      description: "Rancher's public DNS name, e.g. rancher.example.com",
      default: settings.hostname,
      nullable: false,
      validation: [
        {
          condition: '${can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.rancher_hostname))}',
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
    new TerraformVariable(scope, 'admin_cidrs', {
      type: 'list(string)',
      description: "Networks allowed to reach the Kubernetes API (6443) and SSH. Empty: the deployer's public IP.",
      default: settings.adminCidrs,
      nullable: false,
      validation: [
        {
          condition: '${alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && !endswith(c, "/0")])}',
          errorMessage: 'admin_cidrs must be IPv4 CIDR blocks and none may be open to the whole internet (/0).',
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

    this.hostname = hostname.stringValue;
    this.zoneName = zone.stringValue;
    this.adminCidrs = effective.asList;
  }
}
