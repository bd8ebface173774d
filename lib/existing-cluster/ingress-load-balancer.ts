import { hclString } from '../common/terraform-template';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1';
import { TerraformLocal, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { IPV4_PATTERN, dnsNameCondition } from '../dns/private/dns-target';

/** The variable that overrides discovery; part of the stack's interface. */
export const INGRESS_TARGET_VARIABLE = 'ingress_target';

/** The ingress controller's Service, and its address when known up front. */
export interface IngressLoadBalancerProps {
  /** The ingress controller's Service of type LoadBalancer. */
  readonly service: {
    /** The Service's namespace. */
    readonly namespace: string;
    /** The Service's name. */
    readonly name: string;
  };
  /** The address, when known up front (default of the `ingress_target` variable). @default discovered */
  readonly target?: string;
}

/**
 * The public address of the cluster's ingress controller: the
 * `ingress_target` variable when set, otherwise the first load-balancer
 * address (hostname, else IP) of the controller's Service, read at plan time
 * so records can be chosen with conditional counts. The Service is only read
 * when no target is given.
 */
export class IngressLoadBalancer extends Construct {
  /** Hostname or IPv4 address (a Terraform expression, known at plan time). */
  readonly address: string;
  /** The Service, read at plan time. */
  readonly service: DataKubernetesServiceV1;

  constructor(scope: Construct, id: string, props: IngressLoadBalancerProps) {
    super(scope, id);
    const { namespace, name } = props.service;
    const v = `var.${INGRESS_TARGET_VARIABLE}`;
    const variable = new TerraformVariable(this, 'target', {
      type: 'string',
      description: `Hostname or IPv4 address the Rancher record points at; null: the load balancer of Service ${namespace}/${name}`,
      default: props.target,
      nullable: true,
      validation: [
        {
          // As the settings' dns.target: all digits and dots is an address, never a name.
          condition: `\${${v} == null ? true : (${dnsNameCondition(v)} && !can(regex("^[0-9.]+$", ${v}))) || can(regex(${hclString(IPV4_PATTERN)}, ${v}))}`,
          errorMessage: `${INGRESS_TARGET_VARIABLE} must be a lower-case DNS name or an IPv4 address.`,
        },
      ],
    });
    variable.overrideLogicalId(INGRESS_TARGET_VARIABLE);
    // cdktf cannot synthesize `default: null` (it fails in toTerraform); the override writes it.
    if (props.target === undefined) variable.addOverride('default', null);

    this.service = new DataKubernetesServiceV1(this, 'service', {
      count: Token.asNumber(`\${${v} == null ? 1 : 0}`),
      metadata: { namespace, name },
      lifecycle: {
        postcondition: [
          {
            condition: '${length(try(self.status[0].load_balancer[0].ingress, [])) > 0}',
            errorMessage:
              `Service ${namespace}/${name} has no load-balancer address (it does not exist, is not of type LoadBalancer, or is still pending). ` +
              `Point ingress.service at the ingress controller's LoadBalancer Service, or give the address with dns.target (or the ${INGRESS_TARGET_VARIABLE} variable).`,
          },
        ],
      },
    });
    const first = `${this.service.fqn}[0].status[0].load_balancer[0].ingress[0]`;
    const address = new TerraformLocal(this, 'address', `\${${v} != null ? ${v} : try(coalesce(${first}.hostname, ${first}.ip), null)}`);
    this.address = address.asString;
  }
}
